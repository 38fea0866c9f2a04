import { Fragment } from "react";
import { askState, conditionQuestions, overall as proposeOverall, proposeJudgements, type Departure, type DomainProposal, type Question, type Tool } from "@homeward/appraisal";
import type { AssessmentInput, AssessmentView } from "@homeward/api";
import { AnswerSupportFields, type Support } from "./AnswerSupport";

/** What the editor holds: answers, the judgements that override a proposal (or that the tool leaves to the assessor), the overall. */
export interface Draft {
  answers: Record<string, string>;
  /** Per question id, the quote and comment supporting the answer. */
  support?: Record<string, Support>;
  judgements: Record<string, { judgement: string; reason: string }>;
  overall: string | null;
  overallReason: string;
}

export const emptyDraft = (): Draft => ({ answers: {}, judgements: {}, overall: null, overallReason: "" });

/**
 * A stored assessment as the editor holds it: a recorded judgement counts as
 * the assessor's own only where it differs from what the tool proposed (or
 * the tool proposed nothing), so a proposal that later changes is followed.
 */
export function draftOf(v: AssessmentView | null): Draft {
  if (!v) return emptyDraft();
  const judgements: Draft["judgements"] = {};
  for (const [id, j] of Object.entries(v.judgements)) {
    if (j.judgement !== null && (j.proposed === null || j.judgement !== j.proposed)) judgements[id] = { judgement: j.judgement, reason: j.reason };
  }
  return { answers: { ...v.answers }, support: { ...v.support }, judgements, overall: v.overall, overallReason: v.overallReason };
}

export const bodyOf = (tool: Tool, d: Draft, outcomeId: string | null = null): AssessmentInput => ({
  tool: tool.id,
  outcomeId,
  answers: d.answers,
  support: d.support ?? {},
  judgements: d.judgements,
  overall: d.overall,
  overallReason: d.overallReason,
});

/** The engine's proposals for a draft, and the overall from the domain judgements it would record. */
export function evaluate(tool: Tool, departures: readonly Departure[], d: Draft) {
  const proposals = proposeJudgements(tool, d.answers, departures);
  const judged = Object.fromEntries(proposals.map((p) => [p.domain, p.applies ? (d.judgements[p.domain]?.judgement ?? p.proposed) : null]));
  return { proposals, judged, overall: proposeOverall(tool, judged) };
}

/** The domains whose unanswered questions decide whether a domain applies. */
function waitingOn(tool: Tool, c: Parameters<typeof conditionQuestions>[0], answers: Record<string, string>): string[] {
  const open = new Set(conditionQuestions(c).filter((x) => !answers[x]));
  return tool.domains.filter((d) => d.questions.some((q) => open.has(q.id))).map((d) => d.id);
}

const answerText = (tool: Tool, code: string | null | undefined) => (code == null ? "no answer" : (tool.answerLabels[code] ?? code));

/** Another assessor's answers shown beside a question (the adjudicator's comparison). */
export interface Hint {
  reviewer: string;
  answers: Record<string, string>;
}

/**
 * The form of one assessment: each domain with its signalling questions
 * (official wording, help as a disclosure, allowed answers as a radio
 * group), questions the skip logic does not ask left out and said so, the
 * tool's proposed judgement with its reasons and any departure that changed
 * it, an override with its reason, and the overall with the engine's flags.
 */
export function AssessmentEditor({
  tool,
  departures,
  draft,
  onChange,
  hints = [],
  idPrefix,
  onFocusQuestion,
}: {
  tool: Tool;
  departures: readonly Departure[];
  draft: Draft;
  onChange: (d: Draft) => void;
  hints?: Hint[];
  idPrefix: string;
  /** Told which question the assessor is answering (a quote from the full text goes to it). */
  onFocusQuestion?: (questionId: string) => void;
}) {
  const { proposals, overall } = evaluate(tool, departures, draft);
  const scale = tool.scale.levels.map((l) => l.label);

  const setAnswer = (q: string, value: string) => {
    const answers = { ...draft.answers, [q]: value };
    // Answers to questions the new answer skips would be refused on submission: they go.
    for (const d of tool.domains) {
      const st = askState(d, answers);
      for (const s of st.skipped) delete answers[s];
    }
    onChange({ ...draft, answers });
  };
  const setJudgement = (domain: string, judgement: string, reason: string) => {
    const judgements = { ...draft.judgements };
    if (judgement === "") delete judgements[domain];
    else judgements[domain] = { judgement, reason };
    onChange({ ...draft, judgements });
  };

  return (
    <div className="stack-lg appraisal-editor">
      {tool.domains.map((d, i) => {
        const p = proposals[i]!;
        if (!p.applies) {
          return (
            <section key={d.id} className="appraisal-domain" aria-labelledby={`${idPrefix}-${d.id}-h`}>
              <h2 id={`${idPrefix}-${d.id}-h`}>
                {d.id}. {d.name}
              </h2>
              <p className="muted" data-not-applying={d.id}>
                {d.appliesWhen && conditionQuestions(d.appliesWhen).some((x) => !draft.answers[x])
                  ? `Asked once the questions of ${waitingOn(tool, d.appliesWhen, draft.answers).join(", ")} are answered.`
                  : "Does not apply to this study, from the answers above."}
              </p>
            </section>
          );
        }
        // Asked from the assessor's own answers, as the submission is checked: a departure changes what the proposal reads, not what is asked.
        const st = askState(d, draft.answers);
        // A question whose condition reads an unanswered one is waiting, not skipped.
        const waits = (q: Question) => q.askedWhen !== undefined && conditionQuestions(q.askedWhen).some((x) => !draft.answers[x]);
        const skipped = d.questions.filter((q) => st.skipped.includes(q.id) && !waits(q));
        const waiting = d.questions.filter((q) => st.skipped.includes(q.id) && waits(q));
        return (
          <section key={d.id} className="appraisal-domain stack" aria-labelledby={`${idPrefix}-${d.id}-h`}>
            <h2 id={`${idPrefix}-${d.id}-h`}>
              {d.id}. {d.name}
            </h2>
            {d.questions
              .filter((q) => st.asked.includes(q.id))
              .map((q) => (
                <QuestionField key={q.id} tool={tool} q={q} value={draft.answers[q.id]} onChange={(v) => setAnswer(q.id, v)} idPrefix={idPrefix} hints={hints} onFocus={onFocusQuestion}
                  support={draft.support?.[q.id]} onSupport={(v) => onChange({ ...draft, support: { ...draft.support, [q.id]: v } })} />
              ))}
            <p className="muted small" aria-live="polite" data-skipped={d.id}>
              {skipped.length === 0
                ? null
                : `Not asked, from your answers: ${skipped.map((q) => `${q.id}${q.askedWhenText ? ` (asked ${q.askedWhenText})` : ""}`).join("; ")}.`}
              {skipped.length > 0 && waiting.length > 0 ? " " : null}
              {waiting.length === 0 ? null : `Asked or not once earlier questions are answered: ${waiting.map((q) => q.id).join(", ")}.`}
            </p>
            <DomainJudgement
              tool={tool}
              domainId={d.id}
              domainName={d.name}
              proposal={p}
              allowed={d.judgements ?? scale}
              value={draft.judgements[d.id]}
              onChange={(j, r) => setJudgement(d.id, j, r)}
              idPrefix={idPrefix}
            />
          </section>
        );
      })}
      <section className="appraisal-domain stack" aria-labelledby={`${idPrefix}-overall-h`}>
        <h2 id={`${idPrefix}-overall-h`}>Overall</h2>
        {tool.overall.kind === "none" ? (
          <>
            <p className="muted">{tool.overall.reason}</p>
            {tool.overall.ratings.length > 0 ? (
              <fieldset className="field answer-group">
                <legend>Overall rating</legend>
                <div className="answer-options">
                  {tool.overall.ratings.map((r) => (
                    <label key={r}>
                      <input type="radio" name={`${idPrefix}-overall`} checked={draft.overall === r} onChange={() => onChange({ ...draft, overall: r })} /> {r}
                    </label>
                  ))}
                </div>
              </fieldset>
            ) : null}
          </>
        ) : (
          <>
            <p data-proposed="overall">
              <strong>Proposed overall judgement:</strong> {overall.proposed ?? "none yet"}
              {overall.missing.length > 0 ? <span className="muted"> (waiting for {overall.missing.join(", ")})</span> : null}
            </p>
            <p className="muted small">Rule: {overall.rule}.</p>
            {overall.flags.map((f) => (
              <p key={f.code} className="alert appraisal-flag" data-flag={f.code}>
                <strong>Flag:</strong> {f.message}
              </p>
            ))}
            <OverrideFields
              label="Overall judgement"
              id={`${idPrefix}-overall`}
              proposed={overall.proposed}
              allowed={scale}
              value={draft.overall === null ? undefined : { judgement: draft.overall, reason: draft.overallReason }}
              onChange={(j, r) => onChange({ ...draft, overall: j === "" ? null : j, overallReason: j === "" ? "" : r })}
            />
          </>
        )}
      </section>
    </div>
  );
}

function QuestionField({
  tool,
  q,
  value,
  onChange,
  idPrefix,
  hints,
  support,
  onSupport,
  onFocus,
}: {
  onFocus?: (questionId: string) => void;
  tool: Tool;
  q: Question;
  value: string | undefined;
  onChange: (v: string) => void;
  idPrefix: string;
  hints: Hint[];
  support?: Support;
  onSupport?: (s: Support) => void;
}) {
  const id = `${idPrefix}-q-${q.id}`;
  const others = hints.filter((h) => h.answers[q.id] !== undefined);
  const differ = new Set(others.map((h) => h.answers[q.id])).size > 1;
  const described = [`${id}-text`, others.length ? `${id}-hints` : ""].filter(Boolean).join(" ");
  const wording = (
    <p id={`${id}-text`} className="question-text">
      {q.text ?? <span className="muted">Official wording: {q.wordingAt ?? "see the tool's guidance"}.</span>}
    </p>
  );
  return (
    <fieldset className="field answer-group" aria-describedby={described} data-question={q.id} onFocus={onFocus ? () => onFocus(q.id) : undefined}>
      <legend>
        {q.id} {q.label}
        {q.optional ? <span className="muted"> (optional)</span> : null}
      </legend>
      {wording}
      {others.length > 0 ? (
        <p id={`${id}-hints`} className={differ ? "hint hint-differ" : "hint"}>
          {differ ? "Assessors differ: " : "Assessors agree: "}
          {others.map((h) => `${h.reviewer} ${answerText(tool, h.answers[q.id])}`).join("; ")}
        </p>
      ) : null}
      {q.help ? (
        <details className="question-help">
          <summary>Help for {q.id}</summary>
          <p>{q.help}</p>
        </details>
      ) : null}
      {q.options.length === 0 ? (
        <textarea aria-label={`${q.id} ${q.label}, your answer`} value={value ?? ""} onChange={(e) => onChange(e.target.value)} rows={2} />
      ) : (
        <div className="answer-options">
          {q.options.map((o) => (
            <label key={o}>
              <input type="radio" name={id} value={o} checked={value === o} onChange={() => onChange(o)} /> {tool.answerLabels[o] ?? o}
            </label>
          ))}
        </div>
      )}
      {onSupport ? <AnswerSupportFields questionId={q.id} idPrefix={idPrefix} value={support} onChange={onSupport} /> : null}
    </fieldset>
  );
}

function DomainJudgement({
  tool,
  domainId,
  domainName,
  proposal,
  allowed,
  value,
  onChange,
  idPrefix,
}: {
  tool: Tool;
  domainId: string;
  domainName: string;
  proposal: DomainProposal;
  allowed: readonly string[];
  value: { judgement: string; reason: string } | undefined;
  onChange: (judgement: string, reason: string) => void;
  idPrefix: string;
}) {
  return (
    <div className="proposal stack" data-domain={domainId}>
      <p data-proposed={domainId}>
        <strong>Proposed judgement:</strong> {proposal.proposed ?? (proposal.note ? "none (the tool leaves it to the assessor)" : "none yet")}
        {proposal.missing.length > 0 ? <span className="muted"> (answer {proposal.missing.join(", ")})</span> : null}
        {proposal.score ? (
          <span className="muted">
            {" "}
            (score {proposal.score.value} of {proposal.score.max})
          </span>
        ) : null}
      </p>
      {proposal.note ? <p className="muted small">{proposal.note}</p> : null}
      {proposal.reasons.length > 0 ? (
        <details>
          <summary>Why {proposal.proposed ? `"${proposal.proposed}"` : "so far"}</summary>
          <ol className="reasons">
            {proposal.reasons.map((r, i) => (
              <li key={i}>
                {r.part ? `${r.part}: ` : ""}
                {r.rule}
                {Object.keys(r.answers).length > 0 ? (
                  <span className="muted"> — {Object.entries(r.answers).map(([q, a]) => `${q} ${answerText(tool, a)}`).join(", ")}</span>
                ) : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {proposal.departures.map((dep) => (
        <div key={dep.id} className="alert departure" data-departure={dep.id}>
          <p>
            <strong>Departure from the guidance changed this proposal</strong> (without it: {dep.without ?? "none"}). {dep.text}
          </p>
          <p className="small">
            {dep.overrides.map((o) => `${o.question} read as ${answerText(tool, o.to)} (answered ${answerText(tool, o.from)})`).join("; ")}
          </p>
        </div>
      ))}
      <OverrideFields
        label={`Judgement for ${domainId}`}
        description={domainName}
        id={`${idPrefix}-j-${domainId}`}
        proposed={proposal.proposed}
        allowed={allowed}
        value={value}
        onChange={onChange}
      />
    </div>
  );
}

/** A judgement: the proposal unless another is chosen, which then needs its reason. */
function OverrideFields({
  label,
  description,
  id,
  proposed,
  allowed,
  value,
  onChange,
}: {
  label: string;
  description?: string;
  id: string;
  proposed: string | null;
  allowed: readonly string[];
  value: { judgement: string; reason: string } | undefined;
  onChange: (judgement: string, reason: string) => void;
}) {
  const overriding = value !== undefined && proposed !== null && value.judgement !== proposed;
  return (
    <Fragment>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {description ? (
          <span className="visually-hidden" id={`${id}-d`}>
            {description}
          </span>
        ) : null}
        <select id={id} aria-describedby={description ? `${id}-d` : undefined} value={value?.judgement ?? ""} onChange={(e) => onChange(e.target.value, value?.reason ?? "")}>
          <option value="">{proposed ? `As proposed: ${proposed}` : "Choose…"}</option>
          {allowed.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      {overriding ? (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason for overriding the proposal ({proposed} → {value.judgement})</label>
          <textarea id={`${id}-reason`} required rows={2} value={value.reason} onChange={(e) => onChange(value.judgement, e.target.value)} />
        </div>
      ) : null}
    </Fragment>
  );
}
