import { Fragment, useRef, useState } from "react";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatCount, formatDate, formatDateTime, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { FORMAT_LABELS, ImportPanel, ProblemList } from "./ImportPanel";
import { SearchForm } from "./SearchForm";
import { kindLabel, searchesApi, type BatchRow, type SearchRow } from "./searchesApi";
import "./searches.css";

/**
 * Searches and imports: the searches a team ran (source, kind, date, query,
 * results the source reported beside what was imported), the files imported
 * for each (checked and previewed before anything is written), and every
 * import batch with the problems its file had.
 */
export function SearchesPage() {
  const { id, reload: reloadProject } = useProject();
  const overview = useApi((s) => searchesApi.overview(id, s), [id]);
  const [searchId, setSearchId] = useState("");
  const fileInput = useRef<HTMLInputElement>(null);
  const searches = overview.data?.searches ?? [];

  // The panel always names a search while there is one; one just recorded is chosen once it is listed.
  const chosen = searches.some((s) => s.id === searchId) ? searchId : (searches.at(-1)?.id ?? "");

  const [editing, setEditing] = useState<SearchRow | null>(null);
  const importFor = (s: SearchRow) => {
    setSearchId(s.id);
    fileInput.current?.focus();
  };

  return (
    <>
      <PageTitle>Searches and imports</PageTitle>
      <p className="lead">Record each search as it was run, then import the files it produced. Each file is checked and previewed before anything is written.</p>
      <ErrorMessage error={overview.error} />
      {overview.loading && !overview.data ? <Loading what="searches" /> : null}
      <div className="stack-lg">
        <section aria-labelledby="searches-heading" className="stack">
          <h2 id="searches-heading">Searches</h2>
          {overview.data ? <SearchTable searches={searches} onImport={importFor} onEdit={setEditing} /> : null}
        </section>
        <SearchForm
          projectId={id}
          editing={editing}
          onRecorded={(s) => {
            setSearchId(s.id);
            overview.reload();
          }}
          onEditDone={() => {
            const row = editing;
            setEditing(null);
            overview.reload();
            // Back to the row the change was started from.
            if (row) document.querySelector<HTMLElement>(`[data-edit-search="${CSS.escape(row.id)}"]`)?.focus();
          }}
        />
        <ImportPanel
          projectId={id}
          searches={searches}
          searchId={chosen}
          onSearch={setSearchId}
          fileInput={fileInput}
          onImported={() => {
            overview.reload();
            reloadProject();
          }}
        />
        <section aria-labelledby="history-heading" className="stack">
          <h2 id="history-heading">Import history</h2>
          {overview.data ? <History projectId={id} batches={overview.data.batches} searches={searches} /> : null}
        </section>
      </div>
    </>
  );
}

function Results({ s }: { s: SearchRow }) {
  const gap = s.resultsCount === null ? null : s.resultsCount - s.imported;
  return (
    <>
      <span className="result-line">{s.resultsCount === null ? "Found: not stated" : `${formatCount(s.resultsCount)} found`}</span>
      <span className="result-line">
        {formatCount(s.imported)} imported
        {gap !== null && gap !== 0 && s.batches > 0 ? <span className="muted small"> ({gap > 0 ? `${formatCount(gap)} fewer` : `${formatCount(-gap)} more`} than found)</span> : null}
      </span>
    </>
  );
}

function SearchTable({ searches, onImport, onEdit }: { searches: SearchRow[]; onImport: (s: SearchRow) => void; onEdit: (s: SearchRow) => void }) {
  if (searches.length === 0) return <p className="empty">No searches recorded yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table searches-table">
        <caption className="visually-hidden">Searches run for this review</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Kind</th>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Results
            </th>
            <th scope="col">Query</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {searches.map((s) => (
            <tr key={s.id} data-search={s.source}>
              <th scope="row">{s.url ? <a href={s.url}>{s.source}</a> : s.source}</th>
              <td data-label="Kind">{kindLabel(s.kind)}</td>
              <td data-label="Date">{s.date ? formatDate(s.date) : ""}</td>
              <td className="num" data-label="Results">
                <Results s={s} />
              </td>
              <td>
                {s.query ? (
                  <details>
                    <summary>Show query</summary>
                    <pre className="query">{s.query}</pre>
                  </details>
                ) : null}
              </td>
              <td>
                <div className="row">
                  <button type="button" className="button-secondary" onClick={() => onImport(s)} aria-label={`Import files for ${s.source}`}>
                    Import files
                  </button>
                  <button type="button" className="button-link" onClick={() => onEdit(s)} aria-label={`Change the search of ${s.source}`} data-edit-search={s.id}>
                    Change
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ projectId, batches, searches }: { projectId: string; batches: BatchRow[]; searches: SearchRow[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (batches.length === 0) return <p className="empty">No files imported yet.</p>;
  const source = (id: string | null) => searches.find((s) => s.id === id)?.source ?? "";
  return (
    <div className="table-wrap">
      <table className="data-table history-table">
        <caption className="visually-hidden">Files imported, newest first</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Search</th>
            <th scope="col">Imported</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">
              Records
            </th>
            <th scope="col" className="num">
              Not read
            </th>
            <th scope="col">Problems</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => {
            const problems = (b.counts.errors ?? b.counts.skipped) + (b.counts.warnings ?? 0);
            const isOpen = open === b.id;
            return (
              <Fragment key={b.id}>
                <tr data-batch={b.fileName}>
                  <th scope="row">{b.fileName}</th>
                  <td data-label="Search">{source(b.searchId)}</td>
                  <td data-label="Imported">
                    {formatDateTime(b.importedAt)} by {b.importedBy}
                  </td>
                  <td data-label="Format">{FORMAT_LABELS[b.format as keyof typeof FORMAT_LABELS] ?? b.format}</td>
                  <td className="num" data-label="Records">
                    {formatCount(b.counts.imported)}
                  </td>
                  <td className="num" data-label="Not read">
                    {formatCount(b.counts.skipped)}
                  </td>
                  <td data-label="Problems">
                    {problems === 0 ? (
                      "None"
                    ) : (
                      <button type="button" className="button-link" aria-expanded={isOpen} aria-controls={`batch-${b.id}`} onClick={() => setOpen(isOpen ? null : b.id)}>
                        {isOpen ? "Hide" : "Show"} {plural(problems, "problem")}
                        <span className="visually-hidden"> of {b.fileName}</span>
                      </button>
                    )}
                  </td>
                </tr>
                {isOpen ? (
                  <tr className="batch-detail">
                    <td colSpan={7} id={`batch-${b.id}`}>
                      <BatchProblems projectId={projectId} batch={b} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function BatchProblems({ projectId, batch }: { projectId: string; batch: BatchRow }) {
  const full = useApi((s) => searchesApi.batch(projectId, batch.id, s), [projectId, batch.id]);
  if (full.error) return <ErrorMessage error={full.error} />;
  if (!full.data) return <Loading what="problems" />;
  const b = full.data;
  return (
    <div className="stack">
      <ProblemList
        caption={`Problems in ${b.fileName}`}
        report={{ problems: b.problems, errors: b.counts.errors ?? b.counts.skipped, warnings: b.counts.warnings ?? 0 }}
      />
      {b.skipped.length ? (
        <details>
          <summary>Text of the {plural(b.skipped.length, "record")} not imported</summary>
          <ol className="skipped-list">
            {b.skipped.map((s) => (
              <li key={s.index}>
                <p>
                  Record {s.index}: {s.reason}
                </p>
                {s.raw ? <pre className="query">{s.raw}</pre> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}
