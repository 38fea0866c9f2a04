import { useEffect, useId, useRef, useState, type DragEvent, type Ref } from "react";
import { CSV_PRESET_NAMES, IMPORT_FORMATS, MAPPABLE_FIELDS } from "@homeward/api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { formatAuthors, formatCount, humanize, plural } from "../../format";
import { importFile, RefusedImport, validateFile, type FileOptions, type ImportAnswer, type Report, type SearchRow, type Upload } from "./searchesApi";

type Format = (typeof IMPORT_FORMATS)[number];
type Field = (typeof MAPPABLE_FIELDS)[number];
type Mapping = Partial<Record<Field, string>>;

export const FORMAT_LABELS: Record<Format, string> = {
  ris: "RIS",
  wos: "Web of Science",
  medline: "MEDLINE / PubMed",
  "endnote-xml": "EndNote XML",
  bibtex: "BibTeX",
  csv: "CSV",
  tsv: "TSV",
  "eppi-json": "EPPI-Reviewer JSON",
};
const formatLabel = (f: string) => FORMAT_LABELS[f as Format] ?? f;

const PRESET_LABELS: Record<(typeof CSV_PRESET_NAMES)[number], string> = {
  covidence: "Covidence",
  rayyan: "Rayyan",
  scopus: "Scopus",
  wos: "Web of Science (tab-delimited)",
  bibdedupe: "bib-dedupe",
};

const FIELD_LABELS: Partial<Record<Field, string>> = {
  id: "Record ID",
  doi: "DOI",
  pmid: "PMID (PubMed ID)",
  issn: "ISSN",
  isbn: "ISBN",
  urls: "URLs",
  journal: "Journal or source",
  journalAbbrev: "Journal abbreviation",
  booktitle: "Book or proceedings title",
  startPage: "First page",
  endPage: "Last page",
  annotations: "Homeward annotations",
};
const fieldLabel = (f: Field) => FIELD_LABELS[f] ?? humanize(f);
/** The fields a mapping form shows first; the rest are under "More fields". */
const MAIN_FIELDS: Field[] = ["title", "authors", "year", "journal", "doi", "pmid", "abstract", "keywords", "id", "type"];

/** Problems listed at first; the rest of the report's (up to 1,000) on request. */
const PROBLEMS_SHOWN = 20;

type Phase = "uploading" | "checking" | "ready" | "importing" | "writing" | "imported" | "cancelled" | "failed";

interface Item {
  key: number;
  file: File;
  searchId: string;
  options: { format?: Format; preset?: string; columns?: Mapping };
  phase: Phase;
  /** Share of the file sent (0–1) while uploading. */
  sent: number;
  report?: Report;
  result?: ImportAnswer;
  error?: unknown;
}

let nextKey = 1;

/** The upload panel: files dropped or chosen for a search, each checked by the server, previewed, then imported or cancelled. */
export function ImportPanel({
  projectId,
  searches,
  searchId,
  onSearch,
  onImported,
  fileInput,
}: {
  projectId: string;
  searches: SearchRow[];
  searchId: string;
  onSearch: (id: string) => void;
  onImported: () => void;
  fileInput: Ref<HTMLInputElement>;
}) {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const [status, setStatus] = useState("");
  const uploads = useRef(new Map<number, Upload<unknown>>());
  const hintId = useId();

  useEffect(() => {
    const map = uploads.current;
    return () => {
      for (const u of map.values()) u.abort();
    };
  }, []);

  const patch = (key: number, p: Partial<Item>) => setItems((xs) => xs.map((x) => (x.key === key ? { ...x, ...p } : x)));
  const searchName = (id: string) => searches.find((s) => s.id === id)?.source ?? "the search";

  const queryOf = (o: Item["options"]): FileOptions => ({ format: o.format, preset: o.preset, columns: o.columns ? JSON.stringify(o.columns) : undefined });

  const check = (item: Item) => {
    uploads.current.get(item.key)?.abort();
    patch(item.key, { phase: "uploading", sent: 0, error: undefined, options: item.options });
    const up = validateFile(projectId, item.file, queryOf(item.options), (sent) => patch(item.key, sent === null ? { phase: "checking", sent: 1 } : { sent }));
    uploads.current.set(item.key, up);
    up.done.then(
      (report) => {
        uploads.current.delete(item.key);
        patch(item.key, { phase: "ready", report });
        setStatus(
          report.fatal
            ? `${item.file.name}: ${report.fatal}.`
            : `${item.file.name} checked: ${plural(report.records, "record")} ready to import, ${plural(report.errors + report.warnings, "problem")}.`,
        );
      },
      (error: unknown) => {
        uploads.current.delete(item.key);
        if ((error as { name?: string }).name === "AbortError") return;
        patch(item.key, { phase: "failed", error });
      },
    );
  };

  const add = (files: FileList | File[] | null) => {
    if (!files || !searchId) return;
    const fresh: Item[] = [...files].map((file) => ({ key: nextKey++, file, searchId, options: {}, phase: "uploading", sent: 0 }));
    setItems((xs) => [...fresh, ...xs]);
    setStatus(`Checking ${fresh.map((f) => f.file.name).join(", ")}…`);
    for (const item of fresh) check(item);
  };

  const runImport = (item: Item, skipInvalid: boolean) => {
    patch(item.key, { phase: "importing", sent: 0, error: undefined });
    const up = importFile(projectId, item.searchId, item.file, { ...queryOf(item.options), skipInvalid }, (sent) =>
      patch(item.key, sent === null ? { phase: "writing", sent: 1 } : { sent }),
    );
    uploads.current.set(item.key, up);
    up.done.then(
      (result) => {
        uploads.current.delete(item.key);
        patch(item.key, { phase: "imported", result });
        setStatus(`Imported ${plural(result.imported, "record")} from ${item.file.name} into ${searchName(item.searchId)}.`);
        onImported();
      },
      (error: unknown) => {
        uploads.current.delete(item.key);
        if ((error as { name?: string }).name === "AbortError") return patch(item.key, { phase: "ready" });
        // Refused after validation (the file changed, or records became unreadable): show the new report.
        if (error instanceof RefusedImport) patch(item.key, { phase: "ready", report: error.report, error });
        else patch(item.key, { phase: "failed", error });
      },
    );
  };

  const cancel = (item: Item) => {
    uploads.current.get(item.key)?.abort();
    uploads.current.delete(item.key);
    patch(item.key, { phase: "cancelled" });
    setStatus(`${item.file.name}: cancelled; nothing was imported.`);
  };
  const dismiss = (item: Item) => setItems((xs) => xs.filter((x) => x.key !== item.key));

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  };

  const noSearch = searches.length === 0;
  return (
    <section className="card stack" aria-labelledby="import-heading" id="import">
      <h2 id="import-heading">Import files</h2>
      {noSearch ? <p className="empty">Record a search first: every file is imported into the search it came from.</p> : null}
      <div className="field">
        <label htmlFor="import-search">Search the files came from</label>
        <select id="import-search" value={searchId} onChange={(e) => onSearch(e.target.value)} disabled={noSearch}>
          {searches.map((s) => (
            <option key={s.id} value={s.id}>
              {s.source}
              {s.date ? ` (${s.date})` : ""}
            </option>
          ))}
        </select>
      </div>
      <div
        className={`dropzone${over ? " dropzone-over" : ""}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          if (!noSearch) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor="import-files">Records files</label>
        <p className="hint" id={hintId}>
          Drop files here or choose them. RIS, Web of Science, MEDLINE/PubMed, EndNote XML, BibTeX, CSV/TSV or EPPI-Reviewer JSON, up to 1 GiB each. The
          format is detected and each file is checked first: nothing is imported until you confirm.
        </p>
        <input
          id="import-files"
          ref={fileInput}
          type="file"
          multiple
          disabled={noSearch}
          aria-describedby={hintId}
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      <LiveStatus>{status}</LiveStatus>
      {items.map((item) => (
        <FileCard
          key={item.key}
          item={item}
          searchName={searchName(item.searchId)}
          onCheck={(options) => check({ ...item, options })}
          onImport={(skip) => runImport(item, skip)}
          onCancel={() => cancel(item)}
          onDismiss={() => dismiss(item)}
        />
      ))}
    </section>
  );
}

function FileCard({
  item,
  searchName,
  onCheck,
  onImport,
  onCancel,
  onDismiss,
}: {
  item: Item;
  searchName: string;
  onCheck: (o: Item["options"]) => void;
  onImport: (skipInvalid: boolean) => void;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const { file, phase, report } = item;
  const headingId = useId();
  const [skip, setSkip] = useState(false);
  const busy = phase === "uploading" || phase === "checking" || phase === "importing" || phase === "writing";
  const size = file.size >= 1024 * 1024 ? `${(file.size / (1024 * 1024)).toFixed(1)} MiB` : `${Math.max(1, Math.round(file.size / 1024))} KiB`;
  return (
    <section className="file-card stack" aria-labelledby={headingId} data-file={file.name}>
      <div className="row spread">
        <h3 id={headingId} className="file-name">
          {file.name}
        </h3>
        <span className="muted small">
          {size} · for {searchName}
        </span>
      </div>
      {busy ? <Progress item={item} /> : null}
      {phase === "cancelled" ? (
        <div className="row">
          <p className="muted">Cancelled: nothing from this file was imported.</p>
          <button type="button" className="button-secondary" onClick={onDismiss}>
            Remove from list
          </button>
        </div>
      ) : null}
      {phase === "failed" ? (
        <ErrorMessage error={item.error}>
          <div className="row">
            <button type="button" className="button-secondary" onClick={() => onCheck(item.options)}>
              Check again
            </button>
            <button type="button" className="button-secondary" onClick={onDismiss}>
              Remove from list
            </button>
          </div>
        </ErrorMessage>
      ) : null}
      {phase === "imported" && item.result ? (
        <div className="row">
          <p className="done">
            Imported {plural(item.result.imported, "record")} into {searchName}
            {item.result.skipped ? `, ${plural(item.result.skipped, "unreadable record")} skipped` : ""}
            {item.result.warnings ? `, ${plural(item.result.warnings, "warning")} kept with the batch` : ""}.
          </p>
          <button type="button" className="button-secondary" onClick={onDismiss}>
            Remove from list
          </button>
        </div>
      ) : null}
      {report && (phase === "ready" || phase === "importing" || phase === "writing") ? (
        <>
          {item.error ? <ErrorMessage error={item.error} /> : null}
          <ReportView report={report} item={item} onCheck={onCheck} disabled={busy} />
          {report.fatal ? (
            <div className="row">
              <button type="button" className="button-secondary" onClick={onCancel}>
                Cancel
              </button>
            </div>
          ) : (
            <div className="stack">
              {report.skipped > 0 ? (
                <label className="check">
                  <input type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} disabled={busy} />
                  Import the {plural(report.records, "readable record")} and skip the {plural(report.skipped, "record")} that cannot be read (kept with the
                  batch)
                </label>
              ) : null}
              <div className="row">
                <button type="button" onClick={() => onImport(skip)} disabled={busy || (report.skipped > 0 && !skip)}>
                  Import {plural(report.records, "record")}
                </button>
                <button type="button" className="button-secondary" onClick={onCancel}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}

function Progress({ item }: { item: Item }) {
  const sending = item.phase === "uploading" || item.phase === "importing";
  const label =
    item.phase === "uploading"
      ? `Sending ${item.file.name} to be checked`
      : item.phase === "checking"
        ? `Reading ${item.file.name}`
        : item.phase === "importing"
          ? `Sending ${item.file.name} to be imported`
          : `Writing the records of ${item.file.name}`;
  return (
    <div className="upload-progress">
      <progress aria-label={label} max={1} value={sending ? item.sent : undefined} />
      <span className="small">
        {label}
        {sending ? `: ${Math.round(item.sent * 100)}%` : "…"}
      </span>
    </div>
  );
}

function ReportView({ report, item, onCheck, disabled }: { report: Report; item: Item; onCheck: (o: Item["options"]) => void; disabled: boolean }) {
  const formatId = useId();
  return (
    <div className="stack">
      <dl className="report-summary">
        <div>
          <dt>Format</dt>
          <dd>
            {formatLabel(report.format)} {item.options.format ? "(chosen)" : "(detected)"}
          </dd>
        </div>
        <div>
          <dt>Encoding</dt>
          <dd>{report.encoding}</dd>
        </div>
        <div>
          <dt>Records to import</dt>
          <dd>{formatCount(report.records)}</dd>
        </div>
        <div>
          <dt>Cannot be read</dt>
          <dd>{formatCount(report.skipped)}</dd>
        </div>
        <div>
          <dt>Warnings</dt>
          <dd>{formatCount(report.warnings)}</dd>
        </div>
      </dl>
      {report.fatal ? (
        <p className="alert alert-error" role="alert">
          <span>
            <strong>Nothing can be imported:</strong> {report.fatal}.
          </span>
        </p>
      ) : null}
      <div className="row">
        <label htmlFor={formatId}>Read as</label>
        <select
          id={formatId}
          value={item.options.format ?? ""}
          disabled={disabled}
          onChange={(e) => onCheck({ format: (e.target.value || undefined) as Format | undefined })}
        >
          <option value="">Detected format</option>
          {IMPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {FORMAT_LABELS[f]}
            </option>
          ))}
        </select>
      </div>
      {report.columns ? <ColumnMappingForm report={report} item={item} onCheck={onCheck} disabled={disabled} /> : null}
      <PreviewTable report={report} />
      <ProblemList report={report} />
    </div>
  );
}

function ColumnMappingForm({ report, item, onCheck, disabled }: { report: Report; item: Item; onCheck: (o: Item["options"]) => void; disabled: boolean }) {
  const cols = report.columns!;
  const [draft, setDraft] = useState<Mapping>(cols.mapping);
  useEffect(() => setDraft(cols.mapping), [cols]);
  const presetId = useId();
  const fields = MAPPABLE_FIELDS.filter((f) => f !== "annotations");
  const select = (f: Field) => (
    <div className="field" key={f}>
      <label htmlFor={`map-${item.key}-${f}`}>{fieldLabel(f)}</label>
      <select id={`map-${item.key}-${f}`} value={draft[f] ?? ""} disabled={disabled} onChange={(e) => setDraft((d) => ({ ...d, [f]: e.target.value }))}>
        <option value="">Not read</option>
        {cols.header.map((h, i) => (
          <option key={`${i}-${h}`} value={h}>
            {h || `Column ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
  // Every field is sent, an empty name for one left unread, so the detection cannot bring it back.
  const apply = () => onCheck({ ...item.options, columns: Object.fromEntries(fields.map((f) => [f, draft[f] ?? ""])) as Mapping });
  return (
    <fieldset className="stack mapping">
      <legend>Columns</legend>
      <p className="hint">
        Which column holds each field. Columns are matched by name (case, spaces and punctuation aside: “pubmedID”, “PMID” and “PubMed ID” are all read
        as the PMID); a preset reads a tool's export as it writes it.
      </p>
      <div className="row">
        <label htmlFor={presetId}>Preset</label>
        <select id={presetId} value={item.options.preset ?? ""} disabled={disabled} onChange={(e) => onCheck({ format: item.options.format, preset: e.target.value || undefined })}>
          <option value="">From the column names</option>
          {CSV_PRESET_NAMES.map((p) => (
            <option key={p} value={p}>
              {PRESET_LABELS[p]}
            </option>
          ))}
        </select>
      </div>
      <div className="mapping-grid">{MAIN_FIELDS.map(select)}</div>
      <details>
        <summary>More fields</summary>
        <div className="mapping-grid">{fields.filter((f) => !MAIN_FIELDS.includes(f)).map(select)}</div>
      </details>
      <div className="row">
        <button type="button" className="button-secondary" onClick={apply} disabled={disabled}>
          Check again with these columns
        </button>
      </div>
    </fieldset>
  );
}

function PreviewTable({ report }: { report: Report }) {
  if (report.preview.length === 0) return null;
  const more = report.records - report.preview.length;
  return (
    <div className="table-wrap">
      <table className="data-table preview-table">
        <caption>
          {report.preview.length === report.records ? "The records" : `The first ${plural(report.preview.length, "record")}`} as they will be imported
          {more > 0 ? ` (${formatCount(more)} more)` : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Line
            </th>
            <th scope="col">Title</th>
            <th scope="col">Authors</th>
            <th scope="col" className="num">
              Year
            </th>
            <th scope="col">Journal</th>
            <th scope="col">Identifiers</th>
          </tr>
        </thead>
        <tbody>
          {report.preview.map((r) => (
            <tr key={r.record}>
              <td className="num" data-label="Line">
                {r.line}
              </td>
              <td data-label="Title">{r.title ?? <span className="muted">No title</span>}</td>
              <td data-label="Authors">
                {formatAuthors(r.authors)}
                {r.authorCount > r.authors.length ? ` and ${formatCount(r.authorCount - r.authors.length)} more` : ""}
              </td>
              <td className="num" data-label="Year">
                {r.year ?? ""}
              </td>
              <td data-label="Journal">{r.journal ?? ""}</td>
              <td data-label="Identifiers">{[r.doi ? `DOI ${r.doi}` : "", r.pmid ? `PMID ${r.pmid}` : ""].filter(Boolean).join(" · ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every problem of a report (the first 1,000), with its line: errors skip a record, warnings keep it with a caveat. */
export function ProblemList({
  report,
  caption,
}: {
  report: { problems: readonly { severity: "error" | "warning"; line?: number | null; message: string }[]; errors: number; warnings: number };
  caption?: string;
}) {
  const [all, setAll] = useState(false);
  const total = report.errors + report.warnings;
  if (total === 0) return <p className="muted">No problems found.</p>;
  const shown = all ? report.problems : report.problems.slice(0, PROBLEMS_SHOWN);
  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="data-table problems-table">
          <caption>
            {caption ?? "Problems"}: {plural(report.errors, "record that cannot be read", "records that cannot be read")}, {plural(report.warnings, "warning")}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Line
              </th>
              <th scope="col">Kind</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p, i) => (
              <tr key={i} className={p.severity === "error" ? "problem-error" : undefined}>
                <td className="num" data-label="Line">
                  {p.line ?? ""}
                </td>
                <td data-label="Kind">{p.severity === "error" ? "Not imported" : "Warning"}</td>
                <td data-label="Problem">{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.problems.length > PROBLEMS_SHOWN ? (
        <div className="row">
          <button type="button" className="button-link" onClick={() => setAll((a) => !a)} aria-expanded={all}>
            {all ? `Show the first ${PROBLEMS_SHOWN} only` : `Show all ${formatCount(report.problems.length)} listed problems`}
          </button>
        </div>
      ) : null}
      {total > report.problems.length ? (
        <p className="small muted">The first {formatCount(report.problems.length)} of {formatCount(total)} problems are listed.</p>
      ) : null}
    </div>
  );
}
