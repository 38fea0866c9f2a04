import { useState, type FormEvent } from "react";
import { synthesisRoutes as r, type GradeAnswer } from "@homeward/api";
import { call } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link } from "../../router";
import { ChainNav, create, LevelSelect, Suggested, useCan } from "./shared";
import "./synthesis.css";

const DOMAINS = [
  ["riskOfBias", "Risk of bias"],
  ["inconsistency", "Inconsistency"],
  ["indirectness", "Indirectness"],
  ["imprecision", "Imprecision"],
  ["publicationBias", "Publication bias"],
] as const;
const LEVELS = [
  ["not_serious", "Not serious"],
  ["serious", "Serious"],
  ["very_serious", "Very serious"],
] as const;
const CERTAINTY = [
  ["high", "High"],
  ["moderate", "Moderate"],
  ["low", "Low"],
  ["very_low", "Very low"],
] as const;
const label = (xs: readonly (readonly [string, string])[], v: string | null | undefined) => xs.find(([k]) => k === v)?.[1] ?? "—";

/** GRADE for the quantitative results: the five domains with suggestions computed from the data, the team's judgement, and the summary-of-findings table. */
export function GradePage() {
  const { id } = useProject();
  const can = useCan("reviewer");
  const [chosenId, setChosen] = useState("");
  // A saved analysis is chosen as "analysis:<version id>": the route refits it and computes its suggestions.
  const analysisId = chosenId.startsWith("analysis:") ? chosenId.slice("analysis:".length) : "";
  const grade = useApi((s) => call(r.grade, { params: { id }, query: analysisId ? { analysis: analysisId } : {} }, s), [id, analysisId]);
  const [said, setSaid] = useState("");
  const fromAnalysis = grade.data?.analyses.find((x) => x.result.id === analysisId);
  const item = analysisId ? fromAnalysis : grade.data?.results.find((x) => x.result.id === chosenId);
  return (
    <>
      <PageTitle>GRADE for the quantitative outcomes</PageTitle>
      <ChainNav here="grade" />
      <ErrorMessage error={grade.error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      <p className="hint">
        Suggestions are computed from the data and shown as such; the team judges. Egger's test is read from the result named so;{" "}
        <Link to={`/projects/${encodeURIComponent(id)}/analysis`}>the funnel plot is on the Analysis page</Link>.
      </p>
      {grade.loading && !grade.data ? <Loading what="results" /> : null}
      {grade.data ? (
        <>
          <Field id="grade-result" label="Result to assess">
            <select id="grade-result" value={chosenId} onChange={(e) => setChosen(e.target.value)}>
              <option value="">Choose a result…</option>
              <optgroup label="Reported results">
                {grade.data.results.map((x) => (
                  <option key={x.result.id} value={x.result.id}>
                    {x.result.label}
                    {x.assessment?.certainty ? ` (${label(CERTAINTY, x.assessment.certainty)})` : ""}
                  </option>
                ))}
              </optgroup>
              {grade.data.savedAnalyses.length ? (
                <optgroup label="Saved analyses (refitted to today's data)">
                  {grade.data.savedAnalyses.map((x) => (
                    <option key={x.id} value={`analysis:${x.id}`}>
                      {x.name}, version {x.version}
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </Field>
          {analysisId && !item && grade.loading ? <Loading what="the saved analysis refitted to today's data" /> : null}
          {item ? (
            <Assessment
              key={`${item.result.id} ${fromAnalysis && analysisId ? fromAnalysis.analysis.computedFrom : ""}`}
              item={item}
              analysis={analysisId && fromAnalysis ? fromAnalysis.analysis : null}
              can={can}
              onSaved={() => {
                setSaid(`GRADE assessment saved for ${item.result.label}.`);
                grade.reload();
              }}
            />
          ) : null}
          <section className="stack" aria-labelledby="sof-h">
            <h2 id="sof-h">Summary of findings</h2>
            {grade.data.summary.length === 0 ? (
              <p className="empty">No result assessed yet.</p>
            ) : (
              <div className="table-wrap" role="region" aria-labelledby="sof-caption" tabIndex={0}>
                <table className="data-table">
                  <caption id="sof-caption">Summary of findings (GRADE)</caption>
                  <thead>
                    <tr>
                      <th scope="col">Outcome</th>
                      <th scope="col">Studies</th>
                      <th scope="col">Effect (95% CI)</th>
                      <th scope="col">Certainty</th>
                      <th scope="col">Reasons</th>
                    </tr>
                  </thead>
                  <tbody>
                    {grade.data.summary.map((x) => (
                      <tr key={x.resultId}>
                        <th scope="row">{x.outcome}</th>
                        <td className="num">{x.studies ?? "—"}</td>
                        <td>{x.effect}</td>
                        <td>
                          <strong>{x.certainty ?? "—"}</strong>
                        </td>
                        <td className="small">{x.comments}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function Assessment({ item, analysis, can, onSaved }: { item: GradeAnswer["results"][number]; analysis: GradeAnswer["analyses"][number]["analysis"] | null; can: boolean; onSaved: () => void }) {
  const { id } = useProject();
  const a = item.assessment;
  const [domains, setDomains] = useState(() => Object.fromEntries(DOMAINS.map(([k]) => [k, { judgement: a?.domains[k].judgement ?? "", reason: a?.domains[k].reason ?? "" }])) as Record<(typeof DOMAINS)[number][0], { judgement: string; reason: string }>);
  const [threshold, setThreshold] = useState(a?.threshold == null ? "" : String(a.threshold));
  const [certainty, setCertainty] = useState<string>(a?.certainty ?? "");
  const [explanation, setExplanation] = useState(a?.explanation ?? "");
  const [error, setError] = useState<unknown>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await create(id, "gradeAssessments", {
        ...(analysis ? { analysisId: analysis.id } : { resultId: item.result.id }),
        domains: Object.fromEntries(DOMAINS.map(([k]) => [k, { judgement: domains[k].judgement || null, reason: domains[k].reason }])),
        threshold: threshold === "" ? null : Number(threshold),
        certainty: certainty || null,
        explanation,
      });
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card stack" onSubmit={save} aria-label={`GRADE assessment of ${item.result.label}`}>
      <h2>{item.result.label}</h2>
      {analysis ? (
        <p className="small" data-testid="grade-computed-from">
          Computed from {analysis.computedFrom}
          {item.result.estimate !== null ? `: pooled ${item.result.measure ?? "effect"} ${item.result.estimate} (95% CI ${item.result.ciLower} to ${item.result.ciUpper})` : ""}.
          {analysis.problem ? ` ${analysis.problem}.` : ""}
        </p>
      ) : null}
      <Field id="grade-threshold" label="Smallest important effect (decision threshold, on the result's scale)">
        <input id="grade-threshold" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} disabled={!can} />
      </Field>
      {DOMAINS.map(([k, l]) => (
        <fieldset key={k} disabled={!can}>
          <legend>{l}</legend>
          <Suggested>
            {item.suggestions[k].value ? label(LEVELS, item.suggestions[k].value) : "none"}. {item.suggestions[k].basis}
          </Suggested>
          <Field id={`grade-${k}`} label={`${l}: judgement`}>
            <LevelSelect id={`grade-${k}`} value={domains[k].judgement} onChange={(v) => setDomains({ ...domains, [k]: { ...domains[k], judgement: v } })} none="Not judged" levels={LEVELS} />
          </Field>
          <Field id={`grade-${k}-why`} label={`${l}: reason`}>
            <input id={`grade-${k}-why`} value={domains[k].reason} onChange={(e) => setDomains({ ...domains, [k]: { ...domains[k], reason: e.target.value } })} />
          </Field>
        </fieldset>
      ))}
      <Field id="grade-certainty" label="Certainty of the evidence">
        <LevelSelect id="grade-certainty" value={certainty} onChange={setCertainty} none="Not judged" levels={CERTAINTY} disabled={!can} />
      </Field>
      <Field id="grade-explanation" label="Explanation">
        <textarea id="grade-explanation" rows={2} value={explanation} onChange={(e) => setExplanation(e.target.value)} disabled={!can} />
      </Field>
      <ErrorMessage error={error} />
      {can ? (
        <button type="submit" className="button">
          Save the GRADE assessment
        </button>
      ) : null}
    </form>
  );
}
