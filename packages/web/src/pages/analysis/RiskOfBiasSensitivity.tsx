import { useState } from "react";
import { riskOfBiasAnalysisRoutes, type RiskOfBiasSensitivityAnswer } from "@homeward/api";
import type { MetaSpecResult } from "@homeward/meta";
import { call } from "../../api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { num } from "./model";

const TERM_LABELS: Record<string, string> = { intrcpt: "Intercept" };

/** Estimate with its confidence interval, or a dash where the refit has no such term. */
function estimate(fit: MetaSpecResult | null, term: string): string {
  const c = fit?.coefficients.find((x) => x.term === term);
  return c ? `${num(c.estimate)} [${num(c.ciLower)}, ${num(c.ciUpper)}]` : "—";
}

/**
 * The one-click sensitivity analysis: the fitted spec refitted without the
 * studies at high risk of bias, both results side by side, with the studies
 * that were left out named so the reader can judge the comparison.
 */
export function RiskOfBiasSensitivity({ projectId, spec }: { projectId: string; spec: Record<string, unknown> }) {
  const [answer, setAnswer] = useState<RiskOfBiasSensitivityAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // Figures are not drawn for the comparison; the spec is otherwise the one just fitted.
      const { figures: _f, figureOptions: _o, ...body } = spec;
      setAnswer(await call(riskOfBiasAnalysisRoutes.sensitivity, { params: { id: projectId }, body }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const terms = answer ? answer.full.coefficients.map((c) => c.term) : [];
  const n = answer?.dropped.studies.length ?? 0;
  return (
    <section className="stack" aria-labelledby="res-rob-sensitivity">
      <h2 id="res-rob-sensitivity">Sensitivity to risk of bias</h2>
      <p className="row">
        <button type="button" onClick={run} disabled={busy}>{busy ? "Refitting…" : "Exclude studies at high risk of bias"}</button>
        <span className="muted">RoB 2 High; ROBINS-I Serious or Critical (the consensus, else the one submitted appraisal).</span>
      </p>
      {busy ? <LiveStatus>Refitting without the studies at high risk of bias…</LiveStatus> : null}
      <ErrorMessage error={error} />
      {answer ? (
        <>
          <LiveStatus>
            {n === 0 ? "No study is at high risk of bias; the model is unchanged." : `Refitted without ${n} ${n === 1 ? "study" : "studies"} at high risk of bias (${answer.dropped.rows} ${answer.dropped.rows === 1 ? "outcome" : "outcomes"}).`}
          </LiveStatus>
          <p data-testid="rob-dropped">
            {n === 0
              ? "No study is at high risk of bias: both columns are the same model."
              : `${n} ${n === 1 ? "study" : "studies"} at high risk of bias dropped (${answer.dropped.rows} ${answer.dropped.rows === 1 ? "outcome" : "outcomes"}): `}
            {answer.dropped.studies.map((s, i) => (
              <span key={i}>{i > 0 ? "; " : ""}{s.study} ({s.tool} {s.judgement})</span>
            ))}
            {n > 0 ? "." : null}
            {answer.unjudged > 0 ? ` ${answer.unjudged} ${answer.unjudged === 1 ? "outcome has" : "outcomes have"} no risk-of-bias judgement and ${answer.unjudged === 1 ? "is" : "are"} kept in both.` : null}
          </p>
          {answer.reducedError ? <p role="alert">The model cannot be refitted without them: {answer.reducedError}</p> : null}
          <div className="table-wrap">
            <table className="data-table analysis-table" data-testid="rob-sensitivity-table">
              <caption>All studies and excluding studies at high risk of bias (estimate [95% CI])</caption>
              <thead>
                <tr>
                  <th scope="col">Result</th>
                  <th scope="col" className="num">All studies</th>
                  <th scope="col" className="num">Excluding high risk of bias</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Outcomes (k)</th>
                  <td className="num">{answer.full.k}</td>
                  <td className="num">{answer.reduced?.k ?? "—"}</td>
                </tr>
                {terms.map((t) => (
                  <tr key={t}>
                    <th scope="row">{TERM_LABELS[t] ?? t}</th>
                    <td className="num">{estimate(answer.full, t)}</td>
                    <td className="num">{estimate(answer.reduced, t)}</td>
                  </tr>
                ))}
                {answer.full.tau2 !== undefined ? (
                  <tr>
                    <th scope="row">τ²</th>
                    <td className="num">{num(answer.full.tau2)}</td>
                    <td className="num">{num(answer.reduced?.tau2)}</td>
                  </tr>
                ) : null}
                {answer.full.I2 !== undefined ? (
                  <tr>
                    <th scope="row">I²</th>
                    <td className="num">{`${num(answer.full.I2, 1)}%`}</td>
                    <td className="num">{answer.reduced?.I2 !== undefined ? `${num(answer.reduced.I2, 1)}%` : "—"}</td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
