import { useEffect, useState } from "react";
import { appraisalRoutes, type AppraisalComparison, type AppraisalForm } from "@homeward/api";
import { roleAllows } from "@homeward/model";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, useSearchParam, type Params } from "../../router";
import { AgreementSection } from "./AgreementSection";
import { RobvisImport } from "./RobvisImport";
import { FlagsSection, ReportsPanel, SeniorCheckSection } from "./AppraisalSide";
import { useSession } from "../../session";
import { AssessmentEditor, bodyOf, draftOf, emptyDraft, type Draft } from "./AssessmentEditor";
import { SetupSection, SetupSummary } from "./SetupSection";
import "./appraisal.css";

const enc = encodeURIComponent;
const query = (tool?: string | null, outcome?: string | null) => {
  const q = new URLSearchParams();
  if (tool) q.set("tool", tool);
  if (outcome) q.set("outcome", outcome);
  const s = q.toString();
  return s ? `?${s}` : "";
};
const studyPath = (id: string, studyId: string, tool?: string | null, outcome?: string | null) => `/projects/${enc(id)}/appraisal/${enc(studyId)}${query(tool, outcome)}`;
const comparePath = (id: string, studyId: string, tool?: string | null, outcome?: string | null) => `/projects/${enc(id)}/appraisal/${enc(studyId)}/compare${query(tool, outcome)}`;

/** A quote taken from the full text, with its page, as the supporting quote reads it. */
const quoteWithPage = (quote: string, page: number) => `${quote} (p. ${page})`;

/**
 * The appraisal stage: the included studies with the tool the protocol
 * gives their design, who has assessed each (independently, blind to each
 * other) and whether a consensus is recorded.
 */
export function AppraisalPage() {
  const { id, role } = useProject();
  const list = useApi((s) => call(appraisalRoutes.studies, { params: { id } }, s), [id]);
  const adjudicates = role != null && roleAllows(role, "adjudicator");
  const owner = role != null && roleAllows(role, "owner");
  const data = list.data;
  return (
    <>
      <PageTitle>Appraisal</PageTitle>
      <ErrorMessage error={list.error} />
      {list.loading && !data ? <Loading what="studies to appraise" /> : null}
      {data ? (
        <>
          {owner ? (
            <SetupSection projectId={id} onSaved={list.reload} />
          ) : (
            <section aria-labelledby="setup-heading" className="stack">
              <h2 id="setup-heading">Appraisal set-up</h2>
              <SetupSummary setup={data.setup} />
            </section>
          )}
          <section aria-labelledby="appraisal-studies-heading" className="stack">
            <h2 id="appraisal-studies-heading">Studies</h2>
            {data.studies.length === 0 ? (
              <p className="empty">No included studies yet. Form them on the Studies page.</p>
            ) : (
              <>
                <p className="muted">{plural(data.studies.length, "study", "studies")}</p>
                <div className="table-wrap">
                  <table className="data-table appraisal-table">
                    <caption className="visually-hidden">Studies and their appraisal status</caption>
                    <thead>
                      <tr>
                        <th scope="col">Study</th>
                        <th scope="col">Design</th>
                        <th scope="col">Tool</th>
                        <th scope="col">Assessors</th>
                        <th scope="col">Agreement</th>
                        <th scope="col">Consensus</th>
                        <th scope="col">Your assessment</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.studies.map((s) => {
                        const submitted = s.assessors.filter((a) => a.submitted).length;
                        return (
                          <tr key={s.studyId} data-study={s.name}>
                            <th scope="row">
                              {s.name}
                              {s.seniorCheck ? <div className="badge badge-recorded">Senior check</div> : null}
                              {s.seniorChecks.length > 0 ? (
                                <div className="small" data-senior-checks>
                                  {s.seniorChecks.map((c) => `${c.by} ${c.verdict === "agree" ? "agrees" : "disagrees"}: ${c.note}`).join("; ")}
                                </div>
                              ) : null}
                              {s.results.length > 0 ? (
                                <ul className="small result-list" aria-label={`Results of ${s.name} appraised one by one`}>
                                  {s.results.map((r) => {
                                    const done = r.assessors.filter((a) => a.submitted).length;
                                    return (
                                      <li key={r.outcomeId} data-result={r.outcome}>
                                        <Link to={studyPath(id, s.studyId, s.tool, r.outcomeId)}>
                                          Result: {r.outcome}
                                          <span className="visually-hidden"> of {s.name}</span>
                                        </Link>{" "}
                                        ({plural(done, "assessment")} submitted{r.consensus ? `; consensus ${r.consensus.overall ?? "recorded"}` : ""})
                                        {adjudicates && done >= 2 ? (
                                          <>
                                            {" "}
                                            <Link to={comparePath(id, s.studyId, s.tool, r.outcomeId)}>
                                              {r.consensus ? "Review consensus" : "Compare and agree"}
                                              <span className="visually-hidden"> for {s.name}, {r.outcome}</span>
                                            </Link>
                                          </>
                                        ) : null}
                                      </li>
                                    );
                                  })}
                                </ul>
                              ) : null}
                            </th>
                            <td data-label="Design">{s.design ?? <span className="muted">not classified</span>}</td>
                            <td data-label="Tool">{s.toolName ?? <span className="muted">choose on the form</span>}</td>
                            <td data-label="Assessors">
                              {s.assessors.length === 0
                                ? "None yet"
                                : s.assessors.map((a) => `${a.reviewer} (${a.submitted ? "submitted" : "draft"})`).join(", ")}
                            </td>
                            <td data-label="Agreement">
                              {s.agreement
                                ? `${s.agreement.agreed} of ${plural(s.agreement.compared, "question")} agree; ${plural(s.agreement.domainsDiffering, "domain")} differ`
                                : submitted >= 2
                                  ? <span className="muted">hidden until you submit</span>
                                  : <span className="muted">—</span>}
                            </td>
                            <td data-label="Consensus">
                              {s.consensus ? `${s.consensus.overall ?? "recorded"} (by ${s.consensus.by})` : <span className="muted">none</span>}
                              {adjudicates && submitted >= 2 ? (
                                <div>
                                  <Link to={comparePath(id, s.studyId, s.tool)}>
                                    {s.consensus ? "Review consensus" : "Compare and agree"}
                                    <span className="visually-hidden"> for {s.name}</span>
                                  </Link>
                                </div>
                              ) : null}
                            </td>
                            <td data-label="Your assessment">
                              <Link to={studyPath(id, s.studyId, s.tool)}>
                                {s.mine === "none" ? "Appraise" : s.mine === "draft" ? "Continue" : "View or change"}
                                <span className="visually-hidden"> {s.name}</span>
                              </Link>
                              {s.mine !== "none" ? <div className="muted small">{s.mine === "draft" ? "draft" : "submitted"}</div> : null}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
          <AgreementSection projectId={id} />
          {adjudicates ? <RobvisImport projectId={id} onImported={list.reload} /> : null}
        </>
      ) : null}
    </>
  );
}

function ToolLine({ form }: { form: Pick<AppraisalForm, "tool"> }) {
  const c = form.tool.citation;
  return (
    <p className="muted">
      {form.tool.name}, version {form.tool.version}. {c.authors}, <cite>{c.title}</cite> ({c.year}
      {c.edition ? `, ${c.edition}` : ""}){c.url ? <>, <a href={c.url}>{c.url}</a></> : null}.
    </p>
  );
}

/** One reviewer's own independent assessment of a study. */
export function AssessPage({ params }: { params: Params }) {
  const { id, role } = useProject();
  const studyId = params.studyId!;
  const [toolParam, setTool] = useSearchParam("tool");
  const [outcomeParam, setOutcome] = useSearchParam("outcome");
  const { user } = useSession();
  const [form, setForm] = useState<AppraisalForm | null>(null);
  const loaded = useApi(
    (s) => call(appraisalRoutes.form, { params: { id, studyId }, query: { ...(toolParam ? { tool: toolParam } : {}), ...(outcomeParam ? { outcome: outcomeParam } : {}) } }, s),
    [id, studyId, toolParam, outcomeParam],
  );
  /** The question last focused: where a quote from the full text goes. */
  const [activeQ, setActiveQ] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft());
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const reviewer = role != null && roleAllows(role, "reviewer");

  useEffect(() => {
    if (!loaded.data) return;
    setForm(loaded.data);
    setDraft(draftOf(loaded.data.mine));
  }, [loaded.data]);

  const save = async (submit: boolean) => {
    if (!form) return;
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const r = submit ? appraisalRoutes.submit : appraisalRoutes.save;
      const next = await call(r, { params: { id, studyId }, body: bodyOf(form.tool, draft, form.outcome?.id ?? null) });
      setForm(next);
      setDraft(draftOf(next.mine));
      setSaid(submit ? `Your assessment of ${next.study.name}${next.outcome ? `, result ${next.outcome.name},` : ""} is submitted.` : `Draft saved.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitted = form?.mine?.status === "submitted";
  const adjudicates = role != null && roleAllows(role, "adjudicator");
  const onQuote =
    reviewer && activeQ
      ? (quote: string, page: number) => {
          setDraft((d) => ({ ...d, support: { ...d.support, [activeQ]: { quote: quoteWithPage(quote, page), comment: d.support?.[activeQ]?.comment ?? "" } } }));
          // Shown where the quote went, so it can be checked before saving.
          const details = document.querySelector(`[data-support="${CSS.escape(activeQ)}"]`);
          if (details instanceof HTMLDetailsElement) details.open = true;
        }
      : null;
  return (
    <>
      <PageTitle>{form ? `Appraise ${form.study.name}${form.outcome ? `: ${form.outcome.name}` : ""}` : "Appraise"}</PageTitle>
      <p>
        <Link to={`/projects/${enc(id)}/appraisal`}>Back to the studies</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !form ? <Loading what="the appraisal form" /> : null}
      {form ? (
        <div className="appraisal-layout">
        <ReportsPanel projectId={id} reports={form.reports} target={activeQ ? `question ${activeQ}` : null} onQuote={onQuote} />
        <div className="stack-lg appraisal-main">
        <form
          className="stack-lg"
          aria-label={`Assessment of ${form.study.name}${form.outcome ? `, result ${form.outcome.name}` : ""}`}
          onSubmit={(e) => {
            e.preventDefault();
            void save(true);
          }}
        >
          <div className="stack">
            {form.choices.length > 1 ? (
              <div className="field tool-choice">
                <label htmlFor="appraisal-tool">Tool</label>
                <select id="appraisal-tool" value={form.tool.id} onChange={(e) => setTool(e.target.value)}>
                  {form.choices.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            <ToolLine form={form} />
            {form.study.design ? <p>Design: {form.study.design}</p> : null}
            {form.tool.resultLevel ? (
              <div className="field">
                <label htmlFor="appraisal-result">Result assessed</label>
                <span id="appraisal-result-hint" className="hint">
                  {form.tool.name.split(" (")[0]} judges a result: {form.tool.resultLevel.domains.join(", ")} can differ between outcomes of one study. Choose an outcome to appraise its result on its own.
                </span>
                <select id="appraisal-result" aria-describedby="appraisal-result-hint" value={form.outcome?.id ?? ""} onChange={(e) => setOutcome(e.target.value || null)}>
                  <option value="">The study as a whole</option>
                  {form.outcomes.map((o) => (
                    <option key={o.id} value={o.id}>
                      Result: {o.name}
                    </option>
                  ))}
                </select>
                {form.outcomes.length === 0 ? <span className="muted small">The study has no outcomes entered yet.</span> : null}
              </div>
            ) : null}
            <p data-status="mine">
              {form.mine
                ? submitted
                  ? `You submitted this assessment; submitting again replaces it.`
                  : "Your draft: saved, not yet submitted. Others do not see it, and it does not show you theirs."
                : "You have not started this assessment."}
            </p>
            {form.departures.map((d) => (
              <p key={d.id} className="muted">
                Project departure: {d.text}
              </p>
            ))}
            {form.hiddenOthers > 0 ? (
              <p className="alert" data-hidden-others={form.hiddenOthers}>
                {plural(form.hiddenOthers, "other assessment")} of this study {form.hiddenOthers === 1 ? "is" : "are"} hidden until you submit yours:
                assessments are independent.
              </p>
            ) : null}
          </div>
          <AssessmentEditor tool={form.tool} departures={form.departures} draft={draft} onChange={setDraft} idPrefix="mine" onFocusQuestion={setActiveQ} />
          {reviewer ? (
            <div className="row form-actions">
              {!submitted ? (
                <button type="button" className="button-secondary" disabled={busy} onClick={() => void save(false)}>
                  Save draft
                </button>
              ) : null}
              <button type="submit" disabled={busy}>
                {submitted ? "Submit again" : "Submit assessment"}
              </button>
            </div>
          ) : (
            <p className="muted">Viewers read the form; reviewers fill it in.</p>
          )}
          <ErrorMessage error={error} />
          {said ? <LiveStatus>{said}</LiveStatus> : null}
          {form.others.length > 0 ? <OthersPanel form={form} /> : null}
        </form>
        <FlagsSection projectId={id} flags={form.flags} canAccept={adjudicates} onAccepted={loaded.reload} />
        <SeniorCheckSection
          projectId={id}
          studyId={studyId}
          sampled={form.seniorCheck.sampled}
          checks={form.seniorCheck.checks}
          assessments={[...(form.mine ? [form.mine] : []), ...form.others, ...(form.consensus ? [form.consensus] : [])]}
          canCheck={adjudicates}
          me={user?.name ?? null}
          onChecked={loaded.reload}
        />
        </div>
        </div>
      ) : null}
    </>
  );
}

/** Other reviewers' submitted assessments, once blinding allows. */
function OthersPanel({ form }: { form: AppraisalForm }) {
  return (
    <section aria-labelledby="others-heading" className="stack">
      <h2 id="others-heading">Other assessments</h2>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">Domain judgements of the other assessors</caption>
          <thead>
            <tr>
              <th scope="col">Domain</th>
              {form.others.map((o) => (
                <th scope="col" key={o.appraisalId}>
                  {o.reviewer}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {form.tool.domains.map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.id}</th>
                {form.others.map((o) => (
                  <td key={o.appraisalId}>{o.judgements[d.id]?.judgement ?? "—"}</td>
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row">Overall</th>
              {form.others.map((o) => (
                <td key={o.appraisalId}>{o.overall ?? "—"}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The consensus draft to start from: answers both assessors gave alike; where they differ, the adjudicator answers. */
function agreedDraft(c: AppraisalComparison): Draft {
  if (c.recorded) return draftOf(c.recorded);
  const [a, b] = c.assessments;
  if (!a || !b) return emptyDraft();
  const answers: Record<string, string> = {};
  for (const [q, v] of Object.entries(a.answers)) if (b.answers[q] === v) answers[q] = v;
  return { answers, judgements: {}, overall: null, overallReason: "" };
}

/** Two independent assessments side by side, where they differ, and the consensus the adjudicator records. */
export function ComparePage({ params }: { params: Params }) {
  const { id } = useProject();
  const studyId = params.studyId!;
  const { role } = useProject();
  const [toolParam] = useSearchParam("tool");
  const [outcomeParam] = useSearchParam("outcome");
  const loaded = useApi(
    (s) => call(appraisalRoutes.comparison, { params: { id, studyId }, query: { ...(toolParam ? { tool: toolParam } : {}), ...(outcomeParam ? { outcome: outcomeParam } : {}) } }, s),
    [id, studyId, toolParam, outcomeParam],
  );
  const [activeQ, setActiveQ] = useState<string | null>(null);
  const [cmp, setCmp] = useState<AppraisalComparison | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft());
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!loaded.data) return;
    setCmp(loaded.data);
    setDraft(agreedDraft(loaded.data));
  }, [loaded.data]);

  const record = async () => {
    if (!cmp) return;
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const next = await call(appraisalRoutes.consensus, { params: { id, studyId }, body: bodyOf(cmp.tool, draft, cmp.outcome?.id ?? null) });
      setCmp(next);
      setDraft(agreedDraft(next));
      setSaid(`Consensus recorded for ${next.study.name}: overall ${next.recorded?.overall ?? "none"}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const [a, b] = cmp?.assessments ?? [];
  const qLabel = (q: string) => cmp?.tool.domains.flatMap((d) => d.questions).find((x) => x.id === q)?.label ?? "";
  const ans = (code: string | null) => (code === null ? "no answer" : (cmp?.tool.answerLabels[code] ?? code));
  return (
    <>
      <PageTitle>{cmp ? `Consensus for ${cmp.study.name}${cmp.outcome ? `: ${cmp.outcome.name}` : ""}` : "Consensus"}</PageTitle>
      <p>
        <Link to={`/projects/${enc(id)}/appraisal`}>Back to the studies</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !cmp ? <Loading what="the two assessments" /> : null}
      {cmp && a && b ? (
        <div className="appraisal-layout">
        <ReportsPanel
          projectId={id}
          reports={cmp.reports}
          target={activeQ ? `question ${activeQ}` : null}
          onQuote={
            activeQ
              ? (quote, page) => setDraft((d) => ({ ...d, support: { ...d.support, [activeQ]: { quote: quoteWithPage(quote, page), comment: d.support?.[activeQ]?.comment ?? "" } } }))
              : null
          }
        />
        <div className="stack-lg appraisal-main">
          <ToolLine form={cmp} />
          {cmp.outcome ? <p>Result assessed: {cmp.outcome.name}</p> : null}
          <section aria-labelledby="differences-heading" className="stack">
            <h2 id="differences-heading">Where {a.reviewer} and {b.reviewer} differ</h2>
            <p>
              {cmp.consensus.agreedQuestions} of {plural(cmp.consensus.comparedQuestions, "question")} answered alike;{" "}
              {plural(cmp.consensus.domains.length, "domain judgement")} differ.
            </p>
            {cmp.consensus.questions.length > 0 ? (
              <div className="table-wrap">
                <table className="data-table">
                  <caption>Signalling questions answered differently</caption>
                  <thead>
                    <tr>
                      <th scope="col">Question</th>
                      <th scope="col">{a.reviewer}</th>
                      <th scope="col">{b.reviewer}</th>
                      <th scope="col">Difference</th>
                    </tr>
                  </thead>
                  <tbody>
                    {cmp.consensus.questions.map((q) => (
                      <tr key={q.question}>
                        <th scope="row">
                          {q.question} {qLabel(q.question)}
                        </th>
                        <td>{ans(q.a)}</td>
                        <td>{ans(q.b)}</td>
                        <td>{q.kind === "minor" ? "minor (same side)" : "major"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {cmp.consensus.domains.length > 0 ? (
              <div className="table-wrap">
                <table className="data-table">
                  <caption>Domain judgements that differ</caption>
                  <thead>
                    <tr>
                      <th scope="col">Domain</th>
                      <th scope="col">{a.reviewer}</th>
                      <th scope="col">{b.reviewer}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {cmp.consensus.domains.map((d) => (
                      <tr key={d.domain}>
                        <th scope="row">{d.domain}</th>
                        <td>
                          {d.a ?? "none"}
                          {d.a !== d.proposedA ? <span className="muted"> (proposed {d.proposedA ?? "none"}; reason: {a.judgements[d.domain]?.reason || "—"})</span> : null}
                        </td>
                        <td>
                          {d.b ?? "none"}
                          {d.b !== d.proposedB ? <span className="muted"> (proposed {d.proposedB ?? "none"}; reason: {b.judgements[d.domain]?.reason || "—"})</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {cmp.consensus.overall ? (
              <p>
                Overall: {a.reviewer} {cmp.consensus.overall.a ?? "none"}, {b.reviewer} {cmp.consensus.overall.b ?? "none"}.
              </p>
            ) : null}
          </section>
          <form
            className="stack-lg"
            aria-labelledby="consensus-heading"
            onSubmit={(e) => {
              e.preventDefault();
              void record();
            }}
          >
            <h2 id="consensus-heading">Consensus assessment</h2>
            <p className="muted">
              {cmp.recorded
                ? `Recorded by ${cmp.recorded.reviewer}; recording again replaces it.`
                : "Answers both gave alike are filled in; each question they answered differently shows both answers and waits for yours."}
            </p>
            <AssessmentEditor
              tool={cmp.tool}
              departures={cmp.departures}
              draft={draft}
              onChange={setDraft}
              hints={[a, b].map((x) => ({ reviewer: x.reviewer, answers: x.answers }))}
              idPrefix="consensus"
              onFocusQuestion={setActiveQ}
            />
            <div className="row form-actions">
              <button type="submit" disabled={busy}>
                Record consensus
              </button>
            </div>
            <ErrorMessage error={error} />
            {said ? <LiveStatus>{said}</LiveStatus> : null}
          </form>
          <FlagsSection projectId={id} flags={cmp.flags} canAccept={role != null && roleAllows(role, "adjudicator")} onAccepted={loaded.reload} />
        </div>
        </div>
      ) : null}
    </>
  );
}
