import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { RecordSort as RecordSortSchema } from "@homeward/model";
import { api, type RecordSummary, type RecordSort, type SortDir } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, LiveStatus } from "../components/Status";
import { formatAuthors, formatCount, formatDate } from "../format";
import { useDebounced, useMedia } from "../hooks";
import { MARKS, mark } from "../perf";
import { useProject } from "../project";
import { setSearchParams, useSearchParam } from "../router";
import { RecordDetail } from "./RecordDetail";

/** Rows fetched per request; a screenful is 10–40 rows, so one page covers a few screens of scrolling. */
const PAGE_SIZE = 100;
const SEARCH_DEBOUNCE_MS = 250;
/** Pages kept per query (5,000 rows); farther ones are fetched again if scrolled back to. */
const MAX_CACHED_PAGES = 50;
/** Below this width (40rem ≈ 1280px at 200% zoom) rows wrap onto two lines. */
const NARROW_QUERY = "(max-width: 52rem)";

interface Column {
  key: RecordSort;
  label: string;
  render: (r: RecordSummary) => string;
}

const COLUMNS: Column[] = [
  { key: "title", label: "Title", render: (r) => r.title || "(untitled)" },
  { key: "authors", label: "Authors", render: (r) => formatAuthors(r.authors) },
  { key: "year", label: "Year", render: (r) => (r.year == null ? "" : String(r.year)) },
  { key: "journal", label: "Journal", render: (r) => r.journal ?? "" },
  { key: "createdAt", label: "Added", render: (r) => formatDate(r.createdAt) },
];

function remPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

interface Cache {
  key: string;
  pages: Map<number, RecordSummary[]>;
  inflight: Map<number, AbortController>;
  /** The count of a search's matches is in (its request is one of `inflight`'s, at -1, until then). */
  counted?: boolean;
  /** A search's rows so far, while uncounted. */
  seen?: number;
}

/** The count's place among a query's requests (pages are 0 and up). */
const COUNT = -1;

export function RecordsPage() {
  const { id } = useProject();
  const [sortParam] = useSearchParam("sort");
  const [dirParam] = useSearchParam("dir");
  const [qParam, setQParam] = useSearchParam("q");
  const [recordParam, setRecordParam] = useSearchParam("record");

  const parsedSort = RecordSortSchema.safeParse(sortParam);
  const sort: RecordSort | undefined = parsedSort.success ? parsedSort.data : undefined;
  const dir: SortDir | undefined = sort ? (dirParam === "desc" ? "desc" : "asc") : undefined;

  const [searchText, setSearchText] = useState(qParam ?? "");
  const q = useDebounced(searchText.trim(), SEARCH_DEBOUNCE_MS);
  useEffect(() => {
    if ((qParam ?? "") !== q) setQParam(q || null);
    // Only the debounced value drives the URL.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);
  useEffect(() => {
    // The URL changed from outside the box (back button, a link): follow it.
    if ((qParam ?? "") !== q) setSearchText(qParam ?? "");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [qParam]);

  const queryKey = JSON.stringify([id, sort ?? null, dir ?? null, q]);
  const cacheRef = useRef<Cache>({ key: "", pages: new Map(), inflight: new Map() });
  const [, setVersion] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  // A search's matches are counted up to a limit (the server's); past it the table holds that many and says so.
  const [totalCapped, setTotalCapped] = useState(false);
  // A search's page comes before its count (which can take many times as long): until the count is in, the
  // table holds the rows it has and says it is counting.
  const [counting, setCounting] = useState(false);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);

  const narrow = useMedia(NARROW_QUERY);
  const [rem, setRem] = useState(16);
  useLayoutEffect(() => setRem(remPx()), [narrow]);
  const rowHeight = Math.round((narrow ? 4.5 : 2.75) * rem);

  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);

  const countMatches = useCallback(
    (cache: Cache) => {
      if (cache.inflight.has(COUNT)) return;
      const ctrl = new AbortController();
      cache.inflight.set(COUNT, ctrl);
      setCounting(true);
      api.countRecords(id, q || undefined, ctrl.signal).then(
        (res) => {
          cache.inflight.delete(COUNT);
          if (cacheRef.current !== cache) return;
          cache.counted = true;
          setTotal(res.total);
          setTotalCapped(res.totalCapped === true);
          setCounting(false);
        },
        (err: unknown) => {
          cache.inflight.delete(COUNT);
          if (ctrl.signal.aborted || cacheRef.current !== cache) return;
          setCounting(false);
          setError(err);
        },
      );
    },
    [id, q],
  );

  const fetchPage = useCallback(
    (page: number) => {
      const cache = cacheRef.current;
      if (cache.pages.has(page) || cache.inflight.has(page)) return;
      const ctrl = new AbortController();
      cache.inflight.set(page, ctrl);
      // With the page before in hand, ask for the records after its last one: the server reads them from
      // its index at any depth, in every order; a page reached by a jump goes by its offset.
      const before = cache.pages.get(page - 1);
      const after = before && before.length === PAGE_SIZE ? before[before.length - 1]!.id : undefined;
      const query = { offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort, dir, q: q || undefined, after };
      api.listRecords(id, query, ctrl.signal).then(
        (res) => {
          cache.inflight.delete(page);
          if (cacheRef.current !== cache) return;
          cache.pages.set(page, res.items);
          if (res.uncounted) {
            // The rows so far, until the count (asked for once the first page is in) says how many there are.
            cache.seen = Math.max(cache.seen ?? 0, res.total);
            if (!cache.counted) setTotal(cache.seen);
            if (page === 0 && !cache.counted) countMatches(cache);
          } else {
            setTotal(res.total);
            setTotalCapped(res.totalCapped === true);
          }
          setError(null);
          if (page === 0) setLoadedKey(cache.key);
          setVersion((v) => v + 1);
        },
        (err: unknown) => {
          cache.inflight.delete(page);
          if (ctrl.signal.aborted || cacheRef.current !== cache) return;
          setError(err);
        },
      );
    },
    [id, sort, dir, q, countMatches],
  );

  // A new query (sort, direction, search) starts from an empty cache at the top.
  useEffect(() => {
    for (const c of cacheRef.current.inflight.values()) c.abort();
    cacheRef.current = { key: queryKey, pages: new Map(), inflight: new Map() };
    setError(null);
    setCounting(false);
    setTotalCapped(false);
    setActive(0);
    scrollRef.current?.scrollTo({ top: 0 });
    fetchPage(0);
    return () => {
      for (const c of cacheRef.current.inflight.values()) c.abort();
    };
  }, [queryKey, fetchPage]);

  useEffect(() => {
    if (loadedKey) mark(MARKS.recordsRendered, loadedKey);
  }, [loadedKey]);

  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    // Until the new query's first page is in, the visible range belongs to the previous query.
    if (total === null || loadedKey !== queryKey) return;
    const from = Math.floor(first / PAGE_SIZE);
    const to = Math.floor(last / PAGE_SIZE);
    for (let p = from; p <= to; p++) fetchPage(p);
    // Keep memory bounded when scrolling through a large table: drop the pages farthest from view.
    const pages = cacheRef.current.pages;
    if (pages.size > MAX_CACHED_PAGES) {
      const centre = (from + to) / 2;
      const far = [...pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
      for (const p of far.slice(0, pages.size - MAX_CACHED_PAGES)) pages.delete(p);
    }
  }, [first, last, total, fetchPage, loadedKey, queryKey]);

  const rowAt = (index: number): RecordSummary | undefined =>
    cacheRef.current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];

  const toggleSort = (key: RecordSort) =>
    setSearchParams(sort === key ? { dir: dir === "asc" ? "desc" : "asc" } : { sort: key, dir: "asc" });

  const openDetail = (index: number) => {
    const r = rowAt(index);
    if (r) setRecordParam(r.id);
  };

  const moveTo = (index: number) => {
    if (!total) return;
    const i = Math.max(0, Math.min(total - 1, index));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: "auto" });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || !total) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + pageRows),
      PageUp: () => moveTo(active - pageRows),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: () => openDetail(active),
    };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  const closeDetail = () => {
    setRecordParam(null);
    gridRef.current?.focus();
  };

  const uid = useId();
  const rowId = (i: number) => `${uid}-row-${i}`;
  const loading = loadedKey !== queryKey;
  const activeLoaded = total ? rowAt(active) !== undefined : false;

  const countText = useMemo(() => {
    if (total === null || loading) return q ? `Searching for “${q}”…` : "Loading records…";
    if (counting) return `Counting records that match “${q}”…`;
    if (total === 0) return q ? `No records match “${q}”.` : "No records in this project yet.";
    if (totalCapped) return `More than ${formatCount(total)} records match “${q}”; the first ${formatCount(total)} are listed. Add words to narrow the search.`;
    return `${formatCount(total)} ${total === 1 ? "record" : "records"}${q ? ` match “${q}”` : ""}`;
  }, [total, totalCapped, counting, loading, q]);

  return (
    <>
      <PageTitle>Records</PageTitle>
      <div className={`records-layout${recordParam ? " with-detail" : ""}`}>
        <section className="records-main stack" aria-labelledby={`${uid}-caption`}>
          <div className="records-toolbar">
            <div className="field search-field">
              <label htmlFor={`${uid}-search`}>Search records</label>
              <input
                id={`${uid}-search`}
                type="search"
                value={searchText}
                onChange={(e) => setSearchText(e.target.value)}
                placeholder="Title, authors, journal, DOI…"
                aria-describedby={`${uid}-count`}
              />
            </div>
            <LiveStatus className="row-count">
              <span id={`${uid}-count`}>{countText}</span>
            </LiveStatus>
          </div>
          <ErrorMessage error={error}>
            <button
              type="button"
              onClick={() => {
                setError(null);
                for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE); p++) fetchPage(p);
                fetchPage(0);
                const cache = cacheRef.current;
                if (cache.seen !== undefined && !cache.counted) countMatches(cache);
              }}
            >
              Try again
            </button>
          </ErrorMessage>
          <p id={`${uid}-help`} className="muted small">
            Sort by choosing a column heading. In the table, use the arrow keys, Page Up/Down, Home and End to move, and Enter
            to open a record.
          </p>
          <div
            ref={gridRef}
            role="grid"
            className={`records-grid${narrow ? " narrow" : ""}`}
            aria-labelledby={`${uid}-caption`}
            aria-describedby={`${uid}-help`}
            aria-rowcount={total === null ? -1 : total + 1}
            aria-colcount={COLUMNS.length}
            aria-busy={loading}
            aria-activedescendant={activeLoaded ? `${rowId(active)}-title` : undefined}
            tabIndex={0}
            onKeyDown={onKeyDown}
            data-query-key={queryKey}
            data-loaded-key={loadedKey ?? ""}
          >
            <span id={`${uid}-caption`} className="visually-hidden">
              Records
            </span>
            <div role="rowgroup" className="records-head">
              <div role="row" aria-rowindex={1} className="records-row">
                {COLUMNS.map((c) => (
                  <div
                    key={c.key}
                    role="columnheader"
                    className={`cell cell-${c.key}`}
                    aria-sort={sort === c.key ? (dir === "desc" ? "descending" : "ascending") : "none"}
                  >
                    <button type="button" className="sort-button" onClick={() => toggleSort(c.key)}>
                      {c.label}
                      <SortIcon dir={sort === c.key ? dir : undefined} />
                    </button>
                  </div>
                ))}
              </div>
            </div>
            <div ref={scrollRef} className="records-scroll" tabIndex={-1}>
              <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
                {items.map((v) => {
                  const r = rowAt(v.index);
                  const isActive = v.index === active;
                  return (
                    <div
                      key={v.key}
                      id={rowId(v.index)}
                      role="row"
                      aria-rowindex={v.index + 2}
                      aria-selected={isActive}
                      data-index={v.index}
                      data-record-id={r?.id}
                      className={`records-row${isActive ? " active" : ""}${r && r.id === recordParam ? " open" : ""}`}
                      style={{ height: v.size, transform: `translateY(${v.start}px)` }}
                      onClick={() => {
                        setActive(v.index);
                        if (r) setRecordParam(r.id);
                      }}
                    >
                      {r ? (
                        COLUMNS.map((c) => (
                          <div
                            key={c.key}
                            id={c.key === "title" ? `${rowId(v.index)}-title` : undefined}
                            role="gridcell"
                            className={`cell cell-${c.key}`}
                            title={c.key === "title" || c.key === "authors" || c.key === "journal" ? c.render(r) : undefined}
                          >
                            {c.render(r)}
                          </div>
                        ))
                      ) : (
                        <div role="gridcell" className="cell cell-loading" aria-colspan={COLUMNS.length}>
                          Loading…
                        </div>
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </section>
        {recordParam ? <RecordDetail projectId={id} recordId={recordParam} onClose={closeDetail} /> : null}
      </div>
    </>
  );
}

function SortIcon({ dir }: { dir: SortDir | undefined }) {
  // Decorative: the state is exposed by aria-sort on the header.
  return (
    <svg aria-hidden="true" viewBox="0 0 10 14" className={`sort-icon${dir ? " sorted" : ""}`}>
      <path d="M5 1 9 6H1z" opacity={dir === "desc" ? 0.25 : 1} />
      <path d="M5 13 1 8h8z" opacity={dir === "asc" ? 0.25 : 1} />
    </svg>
  );
}
