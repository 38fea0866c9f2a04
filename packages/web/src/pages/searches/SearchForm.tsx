import { useEffect, useRef, useState, type FormEvent } from "react";
import type { SearchKind } from "@homeward/model";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { KINDS, searchesApi, type SearchRow } from "./searchesApi";

/** Today in the user's calendar (what a date input shows), as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

type Errors = Partial<Record<"source" | "date" | "count" | "url", string>>;

/**
 * Records one search as run: source, kind, date, query and the number of
 * results the source reported; or, given `editing`, changes a recorded one
 * (a count is often known only later).
 */
export function SearchForm({
  projectId,
  editing,
  onRecorded,
  onEditDone,
}: {
  projectId: string;
  editing?: SearchRow | null;
  onRecorded: (s: Pick<SearchRow, "id" | "source">) => void;
  onEditDone: () => void;
}) {
  const [source, setSource] = useState("");
  const [kind, setKind] = useState<SearchKind>("database");
  const [date, setDate] = useState("");
  const [query, setQuery] = useState("");
  const [count, setCount] = useState("");
  const [url, setUrl] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const clear = () => {
    setSource("");
    setKind("database");
    setDate("");
    setQuery("");
    setCount("");
    setUrl("");
    setErrors({});
  };
  // The fields follow the search being changed in the same render that shows its heading (state
  // adjusted while rendering, not in an effect), so the form is never drawn with the last one's values.
  const [shown, setShown] = useState<SearchRow | null | undefined>(undefined);
  if (shown !== editing) {
    setShown(editing);
    setError(null);
    if (!editing) clear();
    else {
      setSource(editing.source);
      setKind(editing.kind);
      setDate(editing.date ?? "");
      setQuery(editing.query);
      setCount(editing.resultsCount === null ? "" : String(editing.resultsCount));
      setUrl(editing.url ?? "");
      setErrors({});
      setSaved("");
    }
  }
  useEffect(() => {
    if (editing) form.current?.querySelector<HTMLElement>("#search-source")?.focus();
  }, [editing]);

  const check = (): Errors => {
    const e: Errors = {};
    if (!source.trim()) e.source = "Enter where the search was run, such as a database's name.";
    if (date && date > today()) e.date = "The date is in the future; give the date the search was run.";
    if (count.trim() && !/^\d+$/.test(count.trim())) e.count = "Enter a whole number of results, or leave it empty.";
    if (url.trim() && !/^https?:\/\/\S+$/i.test(url.trim())) e.url = "Enter a web address starting with http:// or https://, or leave it empty.";
    return e;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const e = check();
    setErrors(e);
    setSaved("");
    const first = (["source", "date", "count", "url"] as const).find((k) => e[k]);
    if (first) {
      form.current?.querySelector<HTMLElement>(`#search-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const body = {
      source: source.trim(),
      kind,
      date: date || null,
      query,
      resultsCount: count.trim() ? Number(count.trim()) : null,
      url: url.trim() || null,
    };
    try {
      if (editing) {
        const changed = await searchesApi.updateSearch(projectId, editing.id, body);
        setSaved(`Search of ${changed.source} changed.`);
        clear();
        onEditDone();
      } else {
        const made = await searchesApi.createSearch(projectId, body);
        setSaved(`Search of ${made.source} recorded. Add its files below.`);
        clear();
        onRecorded(made);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (k: keyof Errors) => ({
    "aria-invalid": errors[k] ? true : undefined,
    "aria-describedby": [errors[k] ? `search-${k}-error` : "", k === "count" ? "search-count-hint" : ""].filter(Boolean).join(" ") || undefined,
  });
  const fieldError = (k: keyof Errors) =>
    errors[k] ? (
      <span id={`search-${k}-error`} className="field-error">
        {errors[k]}
      </span>
    ) : null;

  return (
    <form ref={form} className="card stack search-form" onSubmit={submit} noValidate aria-labelledby="record-search-heading">
      <h2 id="record-search-heading">{editing ? `Change the search of ${editing.source}` : "Record a search"}</h2>
      <div className="form-grid">
        <div className={`field${errors.source ? " field-invalid" : ""}`}>
          <label htmlFor="search-source">Source</label>
          <input id="search-source" value={source} onChange={(e) => setSource(e.target.value)} autoComplete="off" {...field("source")} />
          {fieldError("source")}
        </div>
        <div className="field">
          <label htmlFor="search-kind">Kind</label>
          <select id="search-kind" value={kind} onChange={(e) => setKind(e.target.value as SearchKind)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className={`field${errors.date ? " field-invalid" : ""}`}>
          <label htmlFor="search-date">Date run</label>
          <input id="search-date" type="date" value={date} max={today()} onChange={(e) => setDate(e.target.value)} {...field("date")} />
          {fieldError("date")}
        </div>
        <div className={`field${errors.count ? " field-invalid" : ""}`}>
          <label htmlFor="search-count">Results found</label>
          <input id="search-count" inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} {...field("count")} />
          <span id="search-count-hint" className="hint">
            As the source reported it; compared with what is imported.
          </span>
          {fieldError("count")}
        </div>
      </div>
      <div className="field">
        <label htmlFor="search-query">Query</label>
        <textarea id="search-query" rows={4} value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
      </div>
      <div className={`field${errors.url ? " field-invalid" : ""}`}>
        <label htmlFor="search-url">Web address (optional)</label>
        <input id="search-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} {...field("url")} />
        {fieldError("url")}
      </div>
      <div className="row">
        <button type="submit" disabled={busy}>
          {editing ? "Save changes" : "Record search"}
        </button>
        {editing ? (
          <button type="button" className="button-secondary" onClick={onEditDone}>
            Keep as it was
          </button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      <LiveStatus>{saved}</LiveStatus>
    </form>
  );
}
