import { useEffect, useRef, type KeyboardEvent } from "react";
import { api, type BibRecord } from "../api";
import { ErrorMessage, Loading } from "../components/Status";
import { formatDateTime, humanize } from "../format";
import { useApi } from "../hooks";

/** Bibliographic fields shown in order; anything else the record carries is listed after them. */
const FIELDS: { key: string; label: string }[] = [
  { key: "journal", label: "Journal" },
  { key: "year", label: "Year" },
  { key: "volume", label: "Volume" },
  { key: "issue", label: "Issue" },
  { key: "pages", label: "Pages" },
  { key: "doi", label: "DOI" },
  { key: "pmid", label: "PubMed ID" },
  { key: "url", label: "URL" },
  { key: "type", label: "Publication type" },
  { key: "language", label: "Language" },
  { key: "keywords", label: "Keywords" },
  { key: "searchId", label: "Search" },
  { key: "importBatchId", label: "Import batch" },
  { key: "duplicateGroupId", label: "Duplicate group" },
  { key: "createdAt", label: "Added" },
  { key: "id", label: "Record ID" },
];
const SHOWN_ELSEWHERE = new Set(["title", "authors", "abstract", "raw", "extra"]);

export function RecordDetail({ projectId, recordId, onClose }: { projectId: string; recordId: string; onClose: () => void }) {
  const { data: record, error, loading } = useApi((s) => api.getRecord(projectId, recordId, s), [projectId, recordId]);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Opening a record moves focus into the panel so its content is read next.
  useEffect(() => {
    headingRef.current?.focus();
  }, [recordId]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    }
  };

  return (
    <aside className="record-detail card" aria-labelledby="record-detail-heading" onKeyDown={onKeyDown}>
      <div className="record-detail-head">
        <h2 id="record-detail-heading" ref={headingRef} tabIndex={-1}>
          {record ? record.title || "(untitled)" : "Record"}
        </h2>
        <button type="button" className="button-secondary" onClick={onClose}>
          Close<span className="visually-hidden"> record details</span>
        </button>
      </div>
      <ErrorMessage error={error} />
      {loading && !record ? <Loading what="record" /> : null}
      {record ? <RecordFields record={record} /> : null}
    </aside>
  );
}

function RecordFields({ record }: { record: BibRecord }) {
  const authors = record.authors ?? [];
  const fields = record as unknown as Record<string, unknown>;
  const known = new Set(FIELDS.map((f) => f.key));
  // Fields a newer server adds are shown too, rather than hidden.
  const others = Object.entries(fields).filter(
    ([k, v]) => !known.has(k) && !SHOWN_ELSEWHERE.has(k) && v !== null && v !== "" && typeof v !== "object",
  );
  const extra = Object.entries(record.extra ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return (
    <div className="stack">
      {authors.length ? <p>{authors.join("; ")}</p> : <p className="muted">No authors listed.</p>}
      <dl className="definition-grid compact">
        {FIELDS.map(({ key, label }) => {
          const v = fields[key];
          if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) return null;
          return (
            <div key={key}>
              <dt>{label}</dt>
              <dd>{renderValue(key, v)}</dd>
            </div>
          );
        })}
        {[...others, ...extra].map(([k, v]) => (
          <div key={`x-${k}`}>
            <dt>{humanize(k)}</dt>
            <dd>{typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="record-abstract-heading">
        <h3 id="record-abstract-heading">Abstract</h3>
        {record.abstract ? (
          <p className="abstract">{record.abstract}</p>
        ) : (
          <p className="muted">No abstract.</p>
        )}
      </section>
      {record.raw ? (
        <details>
          <summary>Original entry</summary>
          <pre className="query">{record.raw}</pre>
        </details>
      ) : null}
    </div>
  );
}

function renderValue(key: string, v: unknown) {
  if (key === "doi" && typeof v === "string")
    return <a href={`https://doi.org/${encodeURI(v.replace(/^https?:\/\/(dx\.)?doi\.org\//i, ""))}`}>{v}</a>;
  if (key === "url" && typeof v === "string" && /^https?:\/\//i.test(v)) return <a href={v}>{v}</a>;
  if (key === "createdAt" && typeof v === "string") return formatDateTime(v);
  if (Array.isArray(v)) return v.map(String).join("; ");
  return String(v);
}
