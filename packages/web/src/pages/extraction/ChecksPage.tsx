import { useState, type FormEvent, type ReactNode } from "react";
import { extractionRoutes, type CheckedOutcomeDatum, type CheckedValue, type CheckView, type CodebookRow, type ExtractionChecksAnswer } from "@homeward/api";
import { roleAllows, type ExtractionCheck, type OutcomeDataKind } from "@homeward/model";
import { call, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatDateTime, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, type Params } from "../../router";
import { useSession } from "../../session";
import { FIELDS, fieldsOf, rawOfInputs, type Raw as InputsRaw } from "../outcomes/fields";
import { enc, rawOf, shown, valueOf, ValueField, type Raw } from "./values";
import "./extraction.css";

const STATUS: Record<CheckView["status"], string> = {
  unchecked: "Not checked",
  agreed: "Checked: agreed",
  proposed: "Change proposed",
  accepted: "Checked: change accepted",
  disputed: "Change disputed",
  settled: "Checked: settled",
};
const ACTION: Record<ExtractionCheck["action"], string> = { agree: "agreed", propose: "proposed a change", accept: "accepted", dispute: "disputed", settle: "settled", sampled: "drew for the senior check" };

/** Outcome-data inputs as one line, field by field in the kind's order. */
function inputsText(inputs: unknown): string {
  const x = (inputs ?? {}) as Record<string, unknown>;
  const kind = x.kind as OutcomeDataKind | undefined;
  const defs = kind && FIELDS[kind] ? FIELDS[kind] : [];
  return defs.filter((f) => x[f.key] !== undefined).map((f) => `${f.label} ${String(x[f.key])}`).join("; ");
}

type Act = (path: "check" | "answer" | "settle", body: Record<string, unknown>, checkId?: string) => Promise<void>;

/**
 * A checker's view of one study: each value and outcome datum next to what
 * its extractor entered, agreed with or changed through a proposal that the
 * extractor accepts or disputes and an adjudicator settles. Every step stays
 * in the history shown under it.
 */
export function ExtractionChecksPage({ params }: { params: Params }) {
  const { id, role } = useProject();
  const { user } = useSession();
  const studyId = params.studyId!;
  const loaded = useApi((s) => call(extractionRoutes.checks, { params: { id, studyId } }, s), [id, studyId]);
  const [data, setData] = useState<ExtractionChecksAnswer | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const view = data ?? loaded.data;
  const me = user?.name ?? "";
  const reviews = role != null && roleAllows(role, "reviewer");
  const adjudicates = role != null && roleAllows(role, "adjudicator");

  const act: Act = async (path, body, checkId) => {
    setError(null);
    try {
      const next =
        path === "check"
          ? await call(extractionRoutes.check, { params: { id, studyId }, body: body as never })
          : path === "answer"
            ? await call(extractionRoutes.answerCheck, { params: { id, studyId, checkId: checkId! }, body: body as never })
            : await call(extractionRoutes.settleCheck, { params: { id, studyId, checkId: checkId! }, body: body as never });
      setData(next);
      setStatus(`Saved. ${plural(next.uncheckedOutcomeData, "outcome datum", "outcome data")} not checked yet.`);
    } catch (e) {
      setError(errorMessage(e));
      throw e;
    }
  };

  return (
    <>
      <PageTitle>{view ? `Check ${view.study.name}` : "Check a study"}</PageTitle>
      <p>
        <Link to={`/projects/${enc(id)}/extraction`}>All studies</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !view ? <Loading what="the study's values" /> : null}
      {error ? (
        <p role="alert" className="alert">
          {error}
        </p>
      ) : null}
      <LiveStatus>{status}</LiveStatus>
      {view ? (
        <>
          <p className="muted">
            Mode: {view.setup.mode === "single" ? "single extraction" : view.setup.mode === "single_checked" ? "single extraction, every outcome datum checked by a second reviewer" : "dual and blind extraction"}.
            {view.sampled ? " This study is in the senior check's sample: check every value." : ""}
          </p>
          <section aria-labelledby="checks-outcome-heading" className="stack">
            <h2 id="checks-outcome-heading">Outcome data</h2>
            <p data-testid="unchecked-outcome-data" className={view.uncheckedOutcomeData ? "alert" : "muted"}>
              {view.outcomeData.length === 0 ? "No outcome data entered yet." : `${plural(view.uncheckedOutcomeData, "outcome datum", "outcome data")} of ${view.outcomeData.length} not checked yet.`}
            </p>
            <ul className="check-list">
              {view.outcomeData.map((o) => (
                <li key={o.data.id} className="check-item">
                  <OutcomeDatum o={o} answer={view} me={me} reviews={reviews} adjudicates={adjudicates} act={act} />
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="checks-values-heading" className="stack">
            <h2 id="checks-values-heading">Values</h2>
            {view.hiddenExtractors ? <p className="muted">{plural(view.hiddenExtractors, "extraction")} hidden until you have extracted the study yourself.</p> : null}
            {view.values.length === 0 ? <p className="empty">No values entered yet.</p> : null}
            <ul className="check-list">
              {view.values.map((v) => {
                const item = view.items.find((i) => i.id === v.value.itemId);
                return item ? (
                  <li key={v.value.id} className="check-item">
                    <ValueCheck v={v} item={item} answer={view} me={me} reviews={reviews} adjudicates={adjudicates} act={act} />
                  </li>
                ) : null;
              })}
            </ul>
          </section>
        </>
      ) : null}
    </>
  );
}

function History({ steps, show }: { steps: ExtractionCheck[]; show: (x: unknown) => string }) {
  if (steps.length === 0) return null;
  return (
    <details>
      <summary>History ({plural(steps.length, "step")})</summary>
      <ol>
        {steps.map((s) => (
          <li key={s.id}>
            {formatDateTime(s.at)}: {s.reviewer} {ACTION[s.action]}
            {s.action === "propose" ? ` (${show(s.basis)} → ${show(s.proposed)})` : ""}
            {s.reason ? `: ${s.reason}` : ""}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The answer to an open proposal: the extractor accepts or disputes it, an adjudicator settles a dispute. */
function OpenProposal({ c, label, me, adjudicates, act, show, original }: { c: CheckView; label: string; me: string; adjudicates: boolean; act: Act; show: (x: unknown) => string; original: unknown }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const open = c.open!;
  const run = async (path: "answer" | "settle", body: Record<string, unknown>) => {
    setBusy(true);
    try {
      await act(path, body, open.id);
    } catch {
      // Shown by the page.
    } finally {
      setBusy(false);
    }
  };
  const rid = `reason-${open.id}`;
  return (
    <div className="check-proposal" role="group" aria-label={`Proposed change to ${label}`}>
      <p>
        <strong>{open.reviewer}</strong> proposes <strong>{show(open.proposed)}</strong> instead of {show(original)}: {open.reason}
      </p>
      {c.status === "proposed" && c.extractor === me ? (
        <div className="row">
          <button type="button" disabled={busy} onClick={() => run("answer", { action: "accept" })}>
            Accept<span className="visually-hidden"> the change to {label}</span>
          </button>
          <div className="field">
            <label htmlFor={rid}>Why you dispute it</label>
            <input id={rid} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="button" disabled={busy} onClick={() => run("answer", { action: "dispute", reason })}>
            Dispute<span className="visually-hidden"> the change to {label}</span>
          </button>
        </div>
      ) : null}
      {c.status === "proposed" && c.extractor !== me ? <p className="muted">Waiting for {c.extractor} to accept or dispute it.</p> : null}
      {c.status === "disputed" ? (
        adjudicates ? (
          <div className="row">
            <div className="field">
              <label htmlFor={rid}>How the dispute is settled</label>
              <input id={rid} value={reason} onChange={(e) => setReason(e.target.value)} />
            </div>
            <button type="button" disabled={busy} onClick={() => run("settle", { keep: "original", reason })}>
              Keep the original<span className="visually-hidden"> of {label}</span>
            </button>
            <button type="button" disabled={busy} onClick={() => run("settle", { keep: "proposed", reason })}>
              Take the proposed change<span className="visually-hidden"> to {label}</span>
            </button>
          </div>
        ) : (
          <p className="muted">Disputed by {c.extractor}; an adjudicator settles it.</p>
        )
      ) : null}
    </div>
  );
}

/** A checker's two answers to someone else's entry; a failed agreement is shown by the page. */
function AgreeOrPropose({ label, onAgree, onPropose }: { label: string; onAgree: () => Promise<unknown>; onPropose: () => void }) {
  return (
    <div className="row">
      <button type="button" onClick={() => onAgree().catch(() => undefined)}>
        Agree<span className="visually-hidden"> with {label}</span>
      </button>
      <button type="button" onClick={onPropose}>
        Propose a change<span className="visually-hidden"> to {label}</span>
      </button>
    </div>
  );
}

/** A proposed change: the entry's own fields (children), then the reason every proposal needs. */
function ProposalForm({ pid, label, reason, onReason, problem, onSubmit, onCancel, children }: { pid: string; label: string; reason: string; onReason: (r: string) => void; problem?: string | null; onSubmit: (e: FormEvent) => void; onCancel: () => void; children: ReactNode }) {
  return (
    <form onSubmit={onSubmit} className="stack" aria-label={`Propose a change to ${label}`}>
      {children}
      <div className="field">
        <label htmlFor={`${pid}-reason`}>Reason for the change</label>
        <input id={`${pid}-reason`} value={reason} onChange={(e) => onReason(e.target.value)} />
      </div>
      {problem ? <p className="alert">{problem}</p> : null}
      <div className="row">
        <button type="submit">Propose</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function CheckStatusLine({ c }: { c: CheckView }) {
  return (
    <p className={`check-status status-${c.status}`}>
      Entered by {c.extractor}. <strong>{STATUS[c.status]}</strong>
      {c.checkedBy && c.status !== "unchecked" && c.status !== "proposed" && c.status !== "disputed" ? ` by ${c.checkedBy}` : ""}.
    </p>
  );
}

function OutcomeDatum({ o, answer, me, reviews, adjudicates, act }: { o: CheckedOutcomeDatum; answer: ExtractionChecksAnswer; me: string; reviews: boolean; adjudicates: boolean; act: Act }) {
  const arm = (aid: string) => answer.arms.find((a) => a.id === aid)?.label ?? aid;
  const time = o.data.timePointId ? (answer.timePoints.find((t) => t.id === o.data.timePointId)?.label ?? o.data.timePointId) : null;
  const label = `${o.outcome.name}, ${(o.data.armIds ?? []).map(arm).join(" vs ")}${time ? `, ${time}` : ""}`;
  const kind = (o.data.inputs as { kind: OutcomeDataKind }).kind;
  const [proposing, setProposing] = useState(false);
  const [raw, setRaw] = useState<InputsRaw>(() => rawOfInputs(o.data.inputs));
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<string | null>(null);
  const canCheck = reviews && o.extractor !== me && o.status !== "proposed" && o.status !== "disputed";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = fieldsOf(kind, raw);
    if ("error" in parsed) return setLocal(parsed.error);
    setLocal(null);
    try {
      await act("check", { target: "outcomeData", id: o.data.id, action: "propose", value: parsed.inputs, reason });
      setProposing(false);
    } catch {
      // Shown by the page.
    }
  };
  const pid = `od-${o.data.id}`;
  return (
    <article aria-labelledby={`${pid}-h`} data-outcome-datum={label}>
      <h3 id={`${pid}-h`}>{label}</h3>
      <p>
        As entered: {inputsText(o.data.inputs)}. Effect size (SMD) <span data-testid="effect-size">{o.data.yi?.toFixed(3)}</span>
      </p>
      <CheckStatusLine c={o} />
      {o.open ? <OpenProposal c={o} label={label} me={me} adjudicates={adjudicates} act={act} show={inputsText} original={o.data.inputs} /> : null}
      {canCheck && !proposing ? <AgreeOrPropose label={label} onAgree={() => act("check", { target: "outcomeData", id: o.data.id, action: "agree" })} onPropose={() => setProposing(true)} /> : null}
      {proposing ? (
        <ProposalForm pid={pid} label={label} reason={reason} onReason={setReason} problem={local} onSubmit={submit} onCancel={() => setProposing(false)}>
          <div className="row check-fields">
            {FIELDS[kind].map((f) => (
              <div className="field" key={f.key}>
                <label htmlFor={`${pid}-${f.key}`}>
                  {f.label}
                  {f.optional ? " (optional)" : ""}
                </label>
                <input id={`${pid}-${f.key}`} inputMode="decimal" value={raw[f.key] ?? ""} onChange={(e) => setRaw({ ...raw, [f.key]: e.target.value })} />
                <span className="muted">entered: {rawOfInputs(o.data.inputs)[f.key] ?? "—"}</span>
              </div>
            ))}
          </div>
        </ProposalForm>
      ) : null}
      <History steps={o.history} show={inputsText} />
    </article>
  );
}

function ValueCheck({ v, item, answer, me, reviews, adjudicates, act }: { v: CheckedValue; item: CodebookRow; answer: ExtractionChecksAnswer; me: string; reviews: boolean; adjudicates: boolean; act: Act }) {
  const outcome = v.value.outcomeId ? answer.outcomes.find((o) => o.id === v.value.outcomeId)?.name : null;
  const label = `${item.label || item.code}${outcome ? ` (${outcome})` : ""}${answer.values.filter((x) => x.value.itemId === v.value.itemId && x.value.outcomeId === v.value.outcomeId).length > 1 ? `, ${v.extractor}` : ""}`;
  const show = (x: unknown) => shown(item, x);
  const [proposing, setProposing] = useState(false);
  const [raw, setRaw] = useState<Raw>(() => rawOf(item, v.value.value));
  const [reason, setReason] = useState("");
  const canCheck = reviews && v.extractor !== me && v.status !== "proposed" && v.status !== "disputed";
  const pid = `val-${v.value.id}`;
  return (
    <article aria-labelledby={`${pid}-h`}>
      <h3 id={`${pid}-h`}>{label}</h3>
      <p>As entered: {show(v.value.value)}</p>
      <CheckStatusLine c={v} />
      {v.open ? <OpenProposal c={v} label={label} me={me} adjudicates={adjudicates} act={act} show={show} original={v.value.value} /> : null}
      {canCheck && !proposing ? <AgreeOrPropose label={label} onAgree={() => act("check", { target: "value", id: v.value.id, action: "agree" })} onPropose={() => setProposing(true)} /> : null}
      {proposing ? (
        <ProposalForm
          pid={pid}
          label={label}
          reason={reason}
          onReason={setReason}
          onSubmit={(e) => {
            e.preventDefault();
            act("check", { target: "value", id: v.value.id, action: "propose", value: valueOf(item, raw), reason })
              .then(() => setProposing(false))
              .catch(() => undefined);
          }}
          onCancel={() => setProposing(false)}
        >
          <ValueField item={item} raw={raw} onChange={setRaw} idPrefix={pid} />
        </ProposalForm>
      ) : null}
      <History steps={v.history} show={show} />
    </article>
  );
}
