import { appraisalRoutes, routeUrl } from "@homeward/api";
import { call } from "../../api";
import { ErrorMessage } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";

/** The appraisal tools (registry ids) behind a tool name the review figures use; robvis draws only these. */
const REGISTRY_IDS: Record<string, string[]> = {
  RoB2: ["rob2", "rob2-adhering"],
  "ROBINS-I": ["robins-i", "robins-i-adhering", "robins-i-v2", "robins-i-v2-per-protocol"],
};

/**
 * The robvis data of the tool shown on the risk-of-bias page: a download in
 * robvis's own columns, and the judgements that depart from the tool's
 * proposal, which robvis has no column for.
 */
export function RobvisExport({ projectId, tool }: { projectId: string; tool: string }) {
  const ids = REGISTRY_IDS[tool] ?? [];
  if (ids.length === 0) return null;
  return (
    <>
      {ids.map((t) => (
        <RobvisTool key={t} projectId={projectId} tool={t} />
      ))}
    </>
  );
}

function RobvisTool({ projectId, tool }: { projectId: string; tool: string }) {
  const res = useApi((s) => call(appraisalRoutes.robvis, { params: { id: projectId }, query: { tool, format: "json" } }, s), [projectId, tool]);
  const d = res.data;
  if (res.error) return <ErrorMessage error={res.error} />;
  if (!d || (d.rows.length === 0 && d.hidden === 0)) return null;
  const overrides = d.rows.flatMap((r) => r.overrides.map((o) => ({ ...o, study: r.study, key: `${r.studyId}-${r.outcomeId ?? ""}-${o.domain}` })));
  const checks = d.rows.flatMap((r) => r.seniorChecks.map((c) => ({ ...c, study: r.study, key: `${r.studyId}-${r.outcomeId ?? ""}-${c.at}` })));
  const headingId = `robvis-${tool}-heading`;
  return (
    <section aria-labelledby={headingId} className="stack" data-robvis={tool}>
      <h2 id={headingId}>robvis data: {d.tool.name}</h2>
      <p>
        <a className="button button-secondary" href={routeUrl(appraisalRoutes.robvis, { id: projectId }, { tool, format: "csv" })} download>
          Download robvis CSV<span className="visually-hidden"> for {d.tool.name}</span>
        </a>
      </p>
      <p className="muted">
        {plural(d.rows.length, "study", "studies")} in robvis's columns ({d.columns.join(", ")}), the consensus where one is recorded; every Weight is 1.
        {d.hidden > 0 ? ` ${plural(d.hidden, "study is", "studies are")} left out until you submit your own assessment.` : ""} robvis reads no other
        column, so judgements that override the tool's proposal, and senior checks, are listed here. A result appraised on its own has a row of its
        own, its outcome after the study.
      </p>
      {overrides.length === 0 ? (
        <p className="empty">No judgement overrides the tool's proposal.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table appraisal-table">
            <caption>Judgements that override the tool's proposal ({d.tool.name})</caption>
            <thead>
              <tr>
                <th scope="col">Study</th>
                <th scope="col">Domain</th>
                <th scope="col">Proposed</th>
                <th scope="col">Recorded</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {overrides.map((o) => (
                <tr key={o.key}>
                  <th scope="row">{o.study}</th>
                  <td data-label="Domain">{o.domain === "overall" ? "Overall" : o.domain}</td>
                  <td data-label="Proposed">{o.proposed}</td>
                  <td data-label="Recorded">{o.judgement ?? "none"}</td>
                  <td data-label="Reason">{o.reason || <span className="muted">none given</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {checks.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table appraisal-table">
            <caption>Senior checks ({d.tool.name})</caption>
            <thead>
              <tr>
                <th scope="col">Study</th>
                <th scope="col">Verdict</th>
                <th scope="col">Senior</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {checks.map((c) => (
                <tr key={c.key}>
                  <th scope="row">{c.study}</th>
                  <td data-label="Verdict">{c.verdict === "agree" ? "Agrees" : "Disagrees"}</td>
                  <td data-label="Senior">{c.by}</td>
                  <td data-label="Note">{c.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
