import { useMemo, useState, type FormEvent } from "react";
import { fullTextRoutes, synthesisRoutes as r, type GuideAnswer } from "@homeward/api";
import { call, callFile } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link } from "../../router";
import { PdfViewer } from "../extraction/PdfViewer";
import { ChainNav, create, MultiSelect, useCan, useCollection } from "./shared";
import "./synthesis.css";

type Trail = GuideAnswer["trail"][number];
type Excerpt = Trail["findings"][number]["excerpts"][number];

/** Recommendations with their rating and the trail under each: findings down to every coded excerpt, results with their certainty, joint-display rows. */
export function GuidePage() {
  const { id } = useProject();
  const can = useCan("adjudicator");
  const guide = useApi((s) => call(r.guide, { params: { id } }, s), [id]);
  // Records whose full text is a stored PDF: their excerpts open in the viewer at their page.
  const retrievals = useApi((s) => call(fullTextRoutes.list, { params: { id } }, s), [id]);
  const pdfs = useMemo(() => new Set((retrievals.data ?? []).filter((x) => x.file?.sha256 && x.file.mediaType === "application/pdf").map((x) => x.recordId)), [retrievals.data]);
  const [said, setSaid] = useState("");
  return (
    <>
      <PageTitle>Recommendations and the practice guide</PageTitle>
      <ChainNav here="guide" />
      <ErrorMessage error={guide.error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {guide.loading && !guide.data ? <Loading what="the guide" /> : null}
      {guide.data ? (
        <>
          <section className="card stack" aria-labelledby="scheme-h">
            <h2 id="scheme-h">Rating scheme{guide.data.defaultScheme ? " (the Foundations practice-guide scheme)" : ""}</h2>
            <dl className="definition-grid">
              {guide.data.scheme.map((l) => (
                <div key={l.code}>
                  <dt>{l.label}</dt>
                  <dd>{l.description}</dd>
                </div>
              ))}
            </dl>
          </section>
          {can ? (
            <NewRecommendation
              scheme={guide.data.scheme}
              savedAnalyses={guide.data.savedAnalyses}
              onSaved={(text) => {
                setSaid(`Recommendation drafted: ${text}`);
                guide.reload();
              }}
            />
          ) : null}
          {guide.data.statements.length ? (
            <section className="stack" aria-labelledby="u3-h">
              <h2 id="u3-h">Statements generated from the results</h2>
              <p className="hint">Cohen's U3 of each pooled standardised mean difference; they change when the results do.</p>
              <ul className="stack">
                {guide.data.statements.map((s) => (
                  <li key={s.resultId}>
                    <span className="small muted">{s.from ? `Computed from ${s.from}` : s.resultId}:</span> {s.text}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section className="stack" aria-labelledby="recs-h">
            <h2 id="recs-h">Key principles and recommendations</h2>
            <ol className="stack">
              {guide.data.trail.map((t) => (
                <TrailItem key={t.id} t={t} pdfs={pdfs} />
              ))}
            </ol>
          </section>
          <section className="stack" aria-labelledby="summary-h">
            <h2 id="summary-h">Evidence summary</h2>
            <div className="table-wrap" role="region" aria-labelledby="summary-caption" tabIndex={0}>
              <table className="data-table">
                <caption id="summary-caption">Evidence summary table</caption>
                <thead>
                  <tr>
                    <th scope="col">Recommendation</th>
                    <th scope="col">Strength of evidence</th>
                  </tr>
                </thead>
                <tbody>
                  {guide.data.summary.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">
                        {s.text}
                        {s.statement ? <p className="small">{s.statement}</p> : null}
                      </th>
                      <td>
                        {s.rating}
                        {s.ratingReason ? <p className="small">{s.ratingReason}</p> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </>
  );
}

function TrailItem({ t, pdfs }: { t: Trail; pdfs: ReadonlySet<string> }) {
  const { id } = useProject();
  const [open, setOpen] = useState<Excerpt | null>(null);
  const [viewing, setViewing] = useState<{ label: string; data: ArrayBuffer; page: number | null } | null>(null);
  const [viewError, setViewError] = useState<unknown>(null);
  const openReport = async (e: Excerpt) => {
    setViewError(null);
    try {
      const blob = await callFile(fullTextRoutes.downloadFile, { params: { id, recordId: e.recordId! } });
      setViewing({ label: `${e.study ?? "Report"}, the excerpt's report`, data: await blob.arrayBuffer(), page: e.page });
    } catch (err) {
      setViewError(err);
    }
  };
  const excerpts = t.findings.reduce((n, f) => n + f.excerpts.length, 0);
  return (
    <li className="card stack" id={`rec-${t.id}`}>
      <p>
        <strong>{t.text}</strong>
      </p>
      <p className="small">
        {t.kind === "principle" ? "Key principle" : "Recommendation"}
        {t.rating ? (
          <>
            {" "}
            — <span className="badge">{t.rating.label}</span>
          </>
        ) : null}
        {t.ratingReason ? ` (${t.ratingReason})` : ""}
      </p>
      {t.statement && !t.statement.problem ? (
        <p>
          {t.statement.text}
          {t.statement.from ? <span className="small muted"> (computed from {t.statement.from})</span> : null}
        </p>
      ) : null}
      <details>
        <summary>
          Evidence trail: {plural(t.findings.length, "finding")}, {plural(excerpts, "excerpt")}, {plural(t.results.length, "result")}, {plural(t.rows.length, "joint-display row")}, {plural(t.studies.length, "study", "studies")}
        </summary>
        <div className="stack">
          {t.rows.length ? (
            <ul className="small">
              {t.rows.map((x) => (
                <li key={x.id}>
                  Joint display: {x.question} — {x.judgement ?? "not judged"}
                  {x.note ? `: ${x.note}` : ""}
                </li>
              ))}
            </ul>
          ) : null}
          {t.results.length ? (
            <ul className="small">
              {t.results.map((x) => (
                <li key={x.id}>
                  Result: {x.label}
                  {x.estimate !== null ? ` — ${x.measure ?? ""} ${x.estimate}${x.ciLower !== null && x.ciUpper !== null ? ` (95% CI ${x.ciLower} to ${x.ciUpper})` : ""}` : ""}
                  {x.certainty ? `, ${x.certainty} certainty (GRADE)` : ""}
                </li>
              ))}
            </ul>
          ) : null}
          {t.findings.map((f) => (
            <div key={f.id} className="stack">
              <p className="small">
                Finding: {f.statement} {f.confidence ? `— ${f.confidence} confidence (CERQual)` : ""}
              </p>
              {f.excerpts.length ? (
                <ul className="small">
                  {f.excerpts.map((e) => (
                    <li key={e.id}>
                      <button type="button" className="button-link" aria-expanded={open?.id === e.id} onClick={() => setOpen(open?.id === e.id ? null : e)}>
                        Open the excerpt from {e.study ?? "a transcript"}
                        {e.page ? `, page ${e.page}` : ""}
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ))}
          {open ? (
            <section className="card synthesis-excerpt" aria-label={`Excerpt from ${open.study ?? "a transcript"}`}>
              <blockquote className="synthesis-quote">{open.text}</blockquote>
              <p className="small">
                {open.study ?? "Transcript"}
                {open.page ? `, page ${open.page}` : ""}. Codes: {open.codes.join(", ")}.{" "}
                {open.recordId ? <Link to={`/projects/${encodeURIComponent(id)}/records?record=${encodeURIComponent(open.recordId)}`}>The report's record</Link> : null}
              </p>
              {open.recordId && pdfs.has(open.recordId) ? (
                <button type="button" className="button" onClick={() => void openReport(open)}>
                  Open the report{open.page ? ` at page ${open.page}` : ""}
                </button>
              ) : null}
              <ErrorMessage error={viewError} />
            </section>
          ) : null}
          {viewing ? <PdfViewer data={viewing.data} label={viewing.label} target={null} onQuote={null} startPage={viewing.page} onClose={() => setViewing(null)} /> : null}
        </div>
      </details>
    </li>
  );
}

function NewRecommendation({ scheme, savedAnalyses, onSaved }: { scheme: GuideAnswer["scheme"]; savedAnalyses: GuideAnswer["savedAnalyses"]; onSaved: (text: string) => void }) {
  const { id } = useProject();
  const findings = useCollection(id, "qualitativeFindings");
  const results = useCollection(id, "reportedResults");
  const rows = useCollection(id, "jointDisplayRows");
  const [d, setD] = useState({ text: "", kind: "recommendation", rating: "", ratingReason: "", findingIds: [] as string[], resultIds: [] as string[], rowIds: [] as string[], analysisIds: [] as string[], effectResultId: "" });
  const [error, setError] = useState<unknown>(null);
  const lowest = scheme.length ? Math.min(...scheme.map((l) => l.rank)) : null;
  const needsReason = scheme.find((l) => l.code === d.rating)?.rank === lowest;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      // The statement's source is a reported result or, as "analysis:<id>", a saved analysis refitted to today's data.
      const effectAnalysisId = d.effectResultId.startsWith("analysis:") ? d.effectResultId.slice("analysis:".length) : null;
      const effectResultId = effectAnalysisId ? null : d.effectResultId || null;
      await create(id, "recommendations", { ...d, rating: d.rating || null, ratingReason: d.ratingReason || null, effectResultId, effectAnalysisId, order: 1000 + Date.now() % 1_000_000 });
      onSaved(d.text);
      setD({ text: "", kind: "recommendation", rating: "", ratingReason: "", findingIds: [], resultIds: [], rowIds: [], analysisIds: [], effectResultId: "" });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="card">
      <summary>
        <strong>Draft a recommendation</strong>
      </summary>
      <form className="stack" onSubmit={save} aria-label="Draft a recommendation">
        <Field id="rec-text" label="Recommendation">
          <textarea id="rec-text" rows={3} value={d.text} onChange={(e) => setD({ ...d, text: e.target.value })} />
        </Field>
        <Field id="rec-kind" label="Kind">
          <select id="rec-kind" value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value })}>
            <option value="recommendation">Recommendation</option>
            <option value="principle">Key principle</option>
          </select>
        </Field>
        <Field id="rec-rating" label="Rating">
          <select id="rec-rating" value={d.rating} onChange={(e) => setD({ ...d, rating: e.target.value })}>
            <option value="">Not rated yet</option>
            {scheme.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
        {needsReason ? (
          <Field id="rec-reason" label="Why there is no rating">
            <textarea id="rec-reason" rows={2} value={d.ratingReason} onChange={(e) => setD({ ...d, ratingReason: e.target.value })} />
          </Field>
        ) : null}
        <p className="hint" id="rec-evidence-hint">
          Link at least one piece of evidence. Hold Ctrl or Shift to choose several.
        </p>
        <Field id="rec-rows" label="Joint-display rows">
          <MultiSelect id="rec-rows" size={4} value={d.rowIds} onChange={(ids) => setD({ ...d, rowIds: ids })} describedBy="rec-evidence-hint" options={rows.data ?? []} label={(x) => x.question} />
        </Field>
        <Field id="rec-findings" label="Findings">
          <MultiSelect id="rec-findings" size={5} value={d.findingIds} onChange={(ids) => setD({ ...d, findingIds: ids })} describedBy="rec-evidence-hint" options={findings.data ?? []} label={(x) => x.statement} />
        </Field>
        <Field id="rec-results" label="Results">
          <MultiSelect id="rec-results" size={5} value={d.resultIds} onChange={(ids) => setD({ ...d, resultIds: ids })} describedBy="rec-evidence-hint" options={results.data ?? []} label={(x) => x.label} />
        </Field>
        <Field id="rec-analyses" label="Saved analyses (refitted to today's data)">
          <MultiSelect id="rec-analyses" size={4} value={d.analysisIds} onChange={(ids) => setD({ ...d, analysisIds: ids })} describedBy="rec-evidence-hint" options={savedAnalyses} label={(x) => `${x.name}, version ${x.version}`} />
        </Field>
        <Field id="rec-effect" label="Pooled SMD for the generated statement (optional)">
          <select id="rec-effect" value={d.effectResultId} onChange={(e) => setD({ ...d, effectResultId: e.target.value })}>
            <option value="">None</option>
            <optgroup label="Reported results">
              {(results.data ?? [])
                .filter((x) => x.estimate !== null)
                .map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.label}
                  </option>
                ))}
            </optgroup>
            {savedAnalyses.length ? (
              <optgroup label="Saved analyses (refitted to today's data)">
                {savedAnalyses.map((x) => (
                  <option key={x.id} value={`analysis:${x.id}`}>
                    {x.name}, version {x.version}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" className="button">
          Save the recommendation
        </button>
      </form>
    </details>
  );
}
