import type { AppraisalTable } from "@homeward/review";
import { ErrorMessage, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { plural } from "../../format";
import { appraisalTableCsvUrl, reviewApi } from "./reviewApi";

/**
 * The chosen tool's appraisals as a review's appendix prints them (studies ×
 * domains with the overall; CASP answers per question; ASSESS ratings per
 * outcome), from the submitted and consensus appraisals this person may see.
 */
export function AppraisalTables({ projectId, tool }: { projectId: string; tool: string }) {
  const tables = useApi((s) => reviewApi.appraisalTables(projectId, s), [projectId]);
  const table = tables.data?.find((t) => t.tool === tool) ?? null;
  return (
    <section aria-labelledby="appraisal-table-heading">
      <h2 id="appraisal-table-heading">Appraisal table</h2>
      <ErrorMessage error={tables.error} />
      {tables.loading && !tables.data ? <Loading what="appraisal tables" /> : null}
      {tables.data && !table ? (
        <p className="empty">No submitted {tool} appraisals that you can see yet (while appraisal is blind, you see others’ once you have submitted your own).</p>
      ) : null}
      {table ? <ToolTable projectId={projectId} table={table} /> : null}
    </section>
  );
}

function ToolTable({ projectId, table: t }: { projectId: string; table: AppraisalTable }) {
  const keyed = t.columns.filter((c) => c.description !== null && c.description !== c.label);
  const groups = t.columns.some((c) => c.kind === "answer" && c.group !== null);
  const captionId = `appraisal-table-${t.tool.replace(/[^A-Za-z0-9-]/g, "")}`;
  return (
    <>
      <p>
        <a className="button button-secondary" href={appraisalTableCsvUrl(projectId, t.tool)} download>
          Download {t.name} table (CSV)
        </a>
      </p>
      {/* The table, not the page, scrolls sideways when it is wider than the column. */}
      <div className="appraisal-table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
        <table className="data-table review-table appraisal-table">
          <caption id={captionId}>{t.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Study</th>
              {t.columns.map((c) => (
                <th scope="col" key={c.key} title={c.description ?? undefined}>
                  {groups && c.kind === "answer" && c.group ? (
                    <>
                      <span className="visually-hidden">{c.group}: </span>
                      {c.label}
                    </>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {t.rows.map((r) => (
              <tr key={r.studyId}>
                <th scope="row">{r.study}</th>
                {r.cells.map((v, i) => (
                  <td key={t.columns[i]!.key}>{v ?? t.empty}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {keyed.length > 0 ? (
        <dl className="appraisal-table-key small">
          {keyed.map((c) => (
            <div key={c.key}>
              <dt>{groups && c.group ? `${c.group}: ${c.label}` : c.label}</dt>
              <dd>{c.description}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <p className="muted small">
        {plural(t.rows.length, "study", "studies")}; one appraisal per study (a consensus one where recorded).{t.source ? ` Scale: ${t.source}` : ""}
      </p>
    </>
  );
}
