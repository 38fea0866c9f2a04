import { useState, type ChangeEvent, type FormEvent } from "react";
import { routeUrl, synthesisRoutes as r } from "@homeward/api";
import { call } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { LongDescription } from "../review/FigurePanel";
import { ChainNav, create, useCan, useCollection } from "./shared";
import "./synthesis.css";

/** Primary research: the survey (imported as CSV against its question dictionary, tabulated by question and respondent group) and the interview and focus-group transcripts coded on the coding page. */
export function SurveyPage() {
  const { id } = useProject();
  const can = useCan("reviewer");
  const survey = useApi((s) => call(r.survey, { params: { id } }, s), [id]);
  const transcripts = useCollection(id, "transcripts");
  const [dictionary, setDictionary] = useState("");
  const [responses, setResponses] = useState("");
  const [groupColumn, setGroupColumn] = useState("group");
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [t, setT] = useState({ label: "", kind: "interview", group: "", participants: "", text: "" });
  const [tError, setTError] = useState<unknown>(null);
  const readFile = (set: (s: string) => void) => async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (f) set(await f.text());
  };
  const importSurvey = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const a = await call(r.importSurvey, { params: { id }, body: { dictionary, responses, groupColumn } });
      setSaid(`Survey imported: ${a.respondents} respondents, ${a.questions.length} questions.`);
      survey.reload();
    } catch (err) {
      setError(err);
    }
  };
  const addTranscript = async (e: FormEvent) => {
    e.preventDefault();
    setTError(null);
    try {
      await create(id, "transcripts", { ...t, group: t.group || null, participants: t.participants ? Number(t.participants) : null });
      setSaid(`Transcript added: ${t.label}. Code it on the Framework coding page.`);
      setT({ label: "", kind: "interview", group: "", participants: "", text: "" });
      transcripts.reload();
    } catch (err) {
      setTError(err);
    }
  };
  const data = survey.data;
  return (
    <>
      <PageTitle>Primary research</PageTitle>
      <ChainNav here="survey" />
      <ErrorMessage error={survey.error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {survey.loading && !data ? <Loading what="the survey" /> : null}
      {can && data && data.questions.length === 0 ? (
        <form className="card stack" onSubmit={importSurvey} aria-labelledby="import-h">
          <h2 id="import-h">Import the survey</h2>
          <Field id="survey-dictionary-file" label="Question dictionary (CSV file)" hint="Columns question, text, type (single, multiple, text or group), answer, label: one row per answer.">
            <input id="survey-dictionary-file" type="file" accept=".csv,text/csv" onChange={(e) => void readFile(setDictionary)(e)} aria-describedby="survey-dictionary-file-hint" />
          </Field>
          <Field id="survey-dictionary" label="Question dictionary (CSV text)">
            <textarea id="survey-dictionary" rows={4} value={dictionary} onChange={(e) => setDictionary(e.target.value)} />
          </Field>
          <Field id="survey-responses-file" label="Responses (CSV file)" hint="A respondent column, the group column, then one column per question.">
            <input id="survey-responses-file" type="file" accept=".csv,text/csv" onChange={(e) => void readFile(setResponses)(e)} aria-describedby="survey-responses-file-hint" />
          </Field>
          <Field id="survey-responses" label="Responses (CSV text)">
            <textarea id="survey-responses" rows={4} value={responses} onChange={(e) => setResponses(e.target.value)} />
          </Field>
          <Field id="survey-group" label="Respondent group column">
            <input id="survey-group" value={groupColumn} onChange={(e) => setGroupColumn(e.target.value)} />
          </Field>
          <ErrorMessage error={error} />
          <button type="submit" className="button">
            Import the survey
          </button>
        </form>
      ) : null}
      {data && data.questions.length ? (
        <section className="stack" aria-labelledby="tab-h">
          <h2 id="tab-h">Survey responses ({data.respondents} respondents)</h2>
          <p className="hint">Percentages of each column's respondents; the bars draw them. Respondent characteristics (questions of type “group”) come first, as the participant characteristics table.</p>
          <p>
            <a className="button button-secondary" href={routeUrl(r.survey, { id }, { format: "csv" })} download>
              Download the survey tables (CSV)
            </a>
          </p>
          {[...data.table.questions].sort((a, b) => Number(b.type === "group") - Number(a.type === "group")).map((q) => (
            <div key={q.code} className="table-wrap" role="region" aria-labelledby={`q-${q.code}`} tabIndex={0}>
              <table className="data-table">
                <caption id={`q-${q.code}`}>
                  {q.type === "group" ? "Participant characteristics: " : ""}
                  {q.text}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Answer</th>
                    {data.table.columns.map((c) => (
                      <th key={c.key} scope="col">
                        {c.label} (N = {c.n})
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[...q.options.map((o) => ({ key: o.code, label: o.label, counts: o.counts })), ...(q.noAnswer ? [{ key: "-", label: "Did not answer", counts: q.noAnswer }] : [])].map((o) => (
                    <tr key={o.key}>
                      <th scope="row">{o.label}</th>
                      {data.table.columns.map((c) => (
                        <td key={c.key} className="num">
                          {o.counts[c.key]!.percent.toFixed(1)}% ({o.counts[c.key]!.n})
                          <span className="synthesis-bar" aria-hidden="true">
                            <span style={{ width: `${Math.min(100, o.counts[c.key]!.percent)}%` }} />
                          </span>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      ) : null}
      {data && data.figures.length ? (
        <section className="stack" aria-labelledby="fig-h">
          <h2 id="fig-h">Survey figures</h2>
          {data.figures.map((f) => (
            <figure key={f.question} className="analysis-figure" data-figure={`survey-${f.question}`}>
              {/* The SVG comes from the server's renderer: role="img" with its title and description inside. */}
              <div className="figure-scroll" dangerouslySetInnerHTML={{ __html: f.svg }} />
              <figcaption>
                <strong>{f.title}</strong>
              </figcaption>
              <details>
                <summary>Long description</summary>
                <LongDescription text={f.description} />
              </details>
            </figure>
          ))}
        </section>
      ) : null}
      <section className="stack" aria-labelledby="tr-h">
        <h2 id="tr-h">Interviews and focus groups</h2>
        {(transcripts.data ?? []).length ? (
          <div className="table-wrap" role="region" aria-labelledby="tr-caption" tabIndex={0}>
            <table className="data-table">
              <caption id="tr-caption">Participants in interviews and focus groups</caption>
              <thead>
                <tr>
                  <th scope="col">Transcript</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Participant group</th>
                  <th scope="col">Participants</th>
                </tr>
              </thead>
              <tbody>
                {(transcripts.data ?? []).map((x) => (
                  <tr key={x.id}>
                    <th scope="row">{x.label}</th>
                    <td>{x.kind === "interview" ? "Interview" : "Focus group"}</td>
                    <td>{x.group ?? "—"}</td>
                    <td className="num">{x.participants ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="empty">No transcript yet.</p>
        )}
        {can ? (
          <form className="card stack" onSubmit={addTranscript} aria-label="Add a transcript">
            <Field id="tr-label" label="Transcript label">
              <input id="tr-label" value={t.label} onChange={(e) => setT({ ...t, label: e.target.value })} />
            </Field>
            <Field id="tr-kind" label="Kind">
              <select id="tr-kind" value={t.kind} onChange={(e) => setT({ ...t, kind: e.target.value })}>
                <option value="interview">Interview</option>
                <option value="focus_group">Focus group</option>
              </select>
            </Field>
            <Field id="tr-group" label="Participant group">
              <input id="tr-group" value={t.group} onChange={(e) => setT({ ...t, group: e.target.value })} />
            </Field>
            <Field id="tr-n" label="Participants">
              <input id="tr-n" type="number" min={1} value={t.participants} onChange={(e) => setT({ ...t, participants: e.target.value })} />
            </Field>
            <Field id="tr-text" label="Transcript text">
              <textarea id="tr-text" rows={4} value={t.text} onChange={(e) => setT({ ...t, text: e.target.value })} />
            </Field>
            <ErrorMessage error={tError} />
            <button type="submit" className="button">
              Add transcript
            </button>
          </form>
        ) : null}
      </section>
    </>
  );
}
