import { appraisalRoutes } from "@homeward/api";
import { call } from "../../api";
import { ErrorMessage } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";

const two = (x: number | null) => (x === null ? "—" : x.toFixed(2));

/**
 * Agreement between the two independent assessments of each study, per
 * tool and domain, as the issue's reporting asks: percentage, Cohen's kappa
 * and, for the ordinal judgement scale, linearly weighted kappa.
 */
export function AgreementSection({ projectId }: { projectId: string }) {
  const res = useApi((s) => call(appraisalRoutes.agreement, { params: { id: projectId } }, s), [projectId]);
  const tools = res.data?.tools ?? [];
  if (!res.error && tools.length === 0) return null;
  return (
    <section aria-labelledby="appraisal-agreement-heading" className="stack">
      <h2 id="appraisal-agreement-heading">Agreement between assessors</h2>
      <ErrorMessage error={res.error} />
      <p className="muted">
        Per domain, over the studies with two submitted independent assessments. Weighted kappa uses linear weights on the judgement scale, so a
        one-step difference (Low and Some concerns) counts as half an agreement; judgements off the scale (No information) are left out of it. A dash:
        kappa is undefined (both assessors gave one judgement throughout) or there is nothing to compare.
      </p>
      {tools.map((t) => (
        <div key={t.tool.id} className="stack" data-agreement={t.tool.id}>
          <div className="table-wrap">
            <table className="data-table appraisal-table">
              <caption>
                {t.tool.name} (version {t.tool.version}): {plural(t.studies, "study", "studies")}
                {t.hidden > 0 ? `; ${plural(t.hidden, "study", "studies")} hidden until you submit your own assessment` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Domain</th>
                  <th scope="col">Studies</th>
                  <th scope="col">Agreement</th>
                  <th scope="col">Cohen's kappa</th>
                  <th scope="col">Weighted kappa</th>
                </tr>
              </thead>
              <tbody>
                {t.domains.map((d) => (
                  <tr key={d.domain} data-domain={d.domain}>
                    <th scope="row">
                      {d.domain === "overall" ? d.name : `${d.domain} ${d.name}`}
                    </th>
                    <td data-label="Studies">{d.n}</td>
                    <td data-label="Agreement">{d.percent === null ? "—" : `${d.agreed} of ${d.n} (${Math.round(d.percent)}%)`}</td>
                    <td data-label="Cohen's kappa">{two(d.kappa)}</td>
                    <td data-label="Weighted kappa">
                      {two(d.weightedKappa)}
                      {d.weightedKappa !== null && d.nOrdinal < d.n ? <span className="muted small"> ({d.nOrdinal} on the scale)</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}
