import { useState, type FormEvent } from "react";
import { synthesisRoutes as r } from "@homeward/api";
import type { JointRow } from "@homeward/synthesis";
import { call } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link } from "../../router";
import { ChainNav, create, LevelSelect, MultiSelect, useCan, useCollection } from "./shared";
import "./synthesis.css";

const JUDGEMENTS = [
  ["confirms", "Confirms"],
  ["complements", "Complements"],
  ["contradicts", "Contradicts"],
  ["silent", "Silent"],
] as const;

/** A strand's evidence in a row, each item linked to the page that holds it. */
function Cells({ cells, to }: { cells: JointRow["quantitative"]; to: (id: string) => string }) {
  if (cells.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="small synthesis-cells">
      {cells.map((c) => (
        <li key={c.id} data-entity={c.id}>
          <Link to={to(c.id)}>{c.label}</Link>
          {c.detail ? <span className="muted"> — {c.detail}</span> : null}
          {c.strength ? <strong> ({c.strength})</strong> : null}
        </li>
      ))}
    </ul>
  );
}

/** The convergent segregated joint display: a row per question or theme, the strands side by side, and the team's judgement of how they fit. */
export function JointDisplayPage() {
  const { id } = useProject();
  const home = `/projects/${encodeURIComponent(id)}`;
  const can = useCan("reviewer");
  const rows = useApi((s) => call(r.joint, { params: { id } }, s), [id]);
  const results = useCollection(id, "reportedResults");
  const saved = useCollection(id, "savedAnalyses");
  const findings = useCollection(id, "qualitativeFindings");
  const questions = useCollection(id, "surveyQuestions");
  const transcripts = useCollection(id, "transcripts");
  const [said, setSaid] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState({ question: "", resultIds: [] as string[], analysisIds: [] as string[], findingIds: [] as string[], surveyQuestionIds: [] as string[], transcriptIds: [] as string[], primaryNote: "", judgement: "", note: "" });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await create(id, "jointDisplayRows", { ...draft, judgement: draft.judgement || null, order: (rows.data?.length ?? 0) + 1 });
      setSaid(`Row added: ${draft.question}`);
      setDraft({ question: "", resultIds: [], analysisIds: [], findingIds: [], surveyQuestionIds: [], transcriptIds: [], primaryNote: "", judgement: "", note: "" });
      rows.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <PageTitle>Joint display</PageTitle>
      <ChainNav here="joint-display" />
      <ErrorMessage error={rows.error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {can ? (
        <details className="card">
          <summary>
            <strong>Add a row</strong>
          </summary>
          <form className="stack" onSubmit={save} aria-label="Add a joint display row">
            <Field id="jd-question" label="Question or theme">
              <input id="jd-question" value={draft.question} onChange={(e) => setDraft({ ...draft, question: e.target.value })} />
            </Field>
            <Field id="jd-results" label="Meta-analysis results" hint="Hold Ctrl or Shift to choose several.">
              <MultiSelect id="jd-results" size={6} value={draft.resultIds} onChange={(ids) => setDraft({ ...draft, resultIds: ids })} describedBy="jd-results-hint" options={results.data ?? []} label={(x) => x.label} />
            </Field>
            {(saved.data ?? []).length ? (
              <Field id="jd-analyses" label="Saved analyses (refitted to today's data)">
                <MultiSelect
                  id="jd-analyses"
                  size={4}
                  value={draft.analysisIds}
                  onChange={(ids) => setDraft({ ...draft, analysisIds: ids })}
                  options={[...(saved.data ?? [])].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version)}
                  label={(x) => `${x.name}, version ${x.version}`}
                />
              </Field>
            ) : null}
            <Field id="jd-findings" label="Qualitative findings">
              <MultiSelect id="jd-findings" size={6} value={draft.findingIds} onChange={(ids) => setDraft({ ...draft, findingIds: ids })} options={findings.data ?? []} label={(x) => x.statement} />
            </Field>
            {(questions.data ?? []).length || (transcripts.data ?? []).length ? (
              <>
                <Field id="jd-survey" label="Survey questions">
                  <MultiSelect id="jd-survey" size={4} value={draft.surveyQuestionIds} onChange={(ids) => setDraft({ ...draft, surveyQuestionIds: ids })} options={questions.data ?? []} label={(x) => x.text} />
                </Field>
                <Field id="jd-transcripts" label="Interviews and focus groups">
                  <MultiSelect id="jd-transcripts" size={4} value={draft.transcriptIds} onChange={(ids) => setDraft({ ...draft, transcriptIds: ids })} options={transcripts.data ?? []} label={(x) => x.label} />
                </Field>
              </>
            ) : null}
            <Field id="jd-primary" label="What the primary research says">
              <textarea id="jd-primary" rows={2} value={draft.primaryNote} onChange={(e) => setDraft({ ...draft, primaryNote: e.target.value })} />
            </Field>
            <Field id="jd-judgement" label="Judgement">
              <LevelSelect id="jd-judgement" value={draft.judgement} onChange={(v) => setDraft({ ...draft, judgement: v })} none="Not judged yet" levels={JUDGEMENTS} />
            </Field>
            <Field id="jd-note" label="Note on the judgement">
              <textarea id="jd-note" rows={2} value={draft.note} onChange={(e) => setDraft({ ...draft, note: e.target.value })} />
            </Field>
            <ErrorMessage error={error} />
            <button type="submit" className="button">
              Add row
            </button>
          </form>
        </details>
      ) : null}
      {rows.loading && !rows.data ? <Loading what="the joint display" /> : null}
      {rows.data ? (
        rows.data.length === 0 ? (
          <p className="empty">No rows yet.</p>
        ) : (
          <div className="table-wrap" role="region" aria-labelledby="jd-caption" tabIndex={0}>
            <table className="data-table">
              <caption id="jd-caption">Convergent segregated joint display</caption>
              <thead>
                <tr>
                  <th scope="col">Question or theme</th>
                  <th scope="col">Meta-analysis (GRADE certainty)</th>
                  <th scope="col">Qualitative findings (CERQual confidence)</th>
                  <th scope="col">Primary research</th>
                  <th scope="col">Judgement</th>
                </tr>
              </thead>
              <tbody>
                {rows.data.map((row) => (
                  <tr key={row.id}>
                    <th scope="row">{row.question}</th>
                    <td>
                      <Cells cells={row.quantitative} to={() => `${home}/grade`} />
                    </td>
                    <td>
                      <Cells cells={row.qualitative} to={(fid) => `${home}/findings#finding-${encodeURIComponent(fid)}`} />
                    </td>
                    <td>
                      <Cells cells={row.primary} to={(pid) => (row.primary.find((c) => c.id === pid)?.label.startsWith("Survey") ? `${home}/survey` : `${home}/coding`)} />
                      {row.primaryNote ? <p className="small">{row.primaryNote}</p> : null}
                    </td>
                    <td>
                      <strong>{row.judgement ?? "—"}</strong>
                      {row.note ? <p className="small">{row.note}</p> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </>
  );
}
