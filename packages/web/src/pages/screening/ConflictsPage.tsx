import { useState, type FormEvent } from "react";
import { roleAllows, type ExclusionReason } from "@homeward/model";
import { errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { screeningApi, stageLabel, useActingUser, VERDICT_LABEL, type ReviewerDecision, type Stage, type Verdict } from "./screeningApi";
import { reasonLabel, ScreeningNav, StageSelect, useStageParam, useStageProtocol } from "./shared";

/** Dual-screening disagreements, each settled by a named reviewer with the reason recorded. */
export function ConflictsPage() {
  const { id } = useProject();
  const [stage, setStage] = useStageParam();
  const user = useActingUser();
  const { reasons } = useStageProtocol(stage);
  const status = useApi((s) => screeningApi.status(id, stage, s), [id, stage]);
  const [done, setDone] = useState("");
  const conflicts = status.data?.conflicts ?? [];

  return (
    <>
      <PageTitle>Screening conflicts</PageTitle>
      <ScreeningNav />
      <StageSelect stage={stage} onChange={setStage} />
      <ErrorMessage error={status.error} />
      {status.loading && !status.data ? <Loading what="conflicts" /> : null}
      <LiveStatus>
        {status.data
          ? `${stageLabel(stage)}: ${plural(conflicts.length, "conflict")} to reconcile, ${plural(status.data.counts.reconciled, "record")} reconciled.`
          : ""}
        {done ? ` ${done}` : ""}
      </LiveStatus>
      {status.data && conflicts.length === 0 ? <p className="empty">No conflicts at this stage.</p> : null}
      <ul className="conflict-list">
        {conflicts.map((c) => (
          <li key={c.recordId}>
            <Conflict
              stage={stage}
              recordId={c.recordId}
              title={c.title}
              decisions={c.decisions}
              reasons={reasons}
              user={user}
              onDone={(msg) => {
                setDone(msg);
                status.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </>
  );
}

function Conflict({
  stage,
  recordId,
  title,
  decisions,
  reasons,
  user,
  onDone,
}: {
  stage: Stage;
  recordId: string;
  title: string;
  decisions: ReviewerDecision[];
  reasons: ExclusionReason[];
  user: string;
  onDone: (message: string) => void;
}) {
  const { id, role } = useProject();
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [why, setWhy] = useState("");
  const [invalid, setInvalid] = useState<{ verdict?: string; why?: string; reasons?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const key = recordId.replace(/[^A-Za-z0-9_-]/g, "_");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: typeof invalid = {};
    if (!verdict) problems.verdict = "Choose the final decision.";
    if (!why.trim()) problems.why = "Give the reason for resolving it this way.";
    if (verdict === "exclude" && stage === "full_text" && chosen.size === 0) problems.reasons = "A full-text exclusion needs a reason.";
    setInvalid(problems);
    if (Object.keys(problems).length) {
      const first = problems.verdict ? `conflict-${key}-verdict-include` : problems.reasons ? `conflict-${key}-reason-0` : `conflict-${key}-why`;
      document.getElementById(first)?.focus();
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await screeningApi.reconcile(id, stage, {
        recordId,
        decision: verdict!,
        reasons: verdict === "exclude" ? reasons.filter((r) => chosen.has(r.code)).map((r) => r.code) : [],
        reason: why.trim(),
      });
      onDone(`“${title}” reconciled as ${VERDICT_LABEL[verdict!].toLowerCase()} by ${user}.`);
    } catch (err) {
      setError(new Error(errorMessage(err)));
      setSaving(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby={`conflict-${key}-title`}>
      <h2 id={`conflict-${key}-title`} className="record-title">
        {title || "(untitled)"}
      </h2>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">Decisions on this record</caption>
          <thead>
            <tr>
              <th scope="col">Reviewer</th>
              <th scope="col">Decision</th>
              <th scope="col">Reasons</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d) => (
              <tr key={d.reviewer}>
                <th scope="row">{d.reviewer}</th>
                <td data-label="Decision">{VERDICT_LABEL[d.verdict]}</td>
                <td data-label="Reasons">{(d.reasons ?? []).map((r) => reasonLabel(r, reasons)).join("; ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {role !== undefined && !roleAllows(role, "adjudicator") ? (
        <p className="muted">An adjudicator or owner of this project reconciles this conflict.</p>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <fieldset className={`row${invalid.verdict ? " field-invalid" : ""}`} aria-describedby={invalid.verdict ? `conflict-${key}-verdict-error` : undefined}>
            <legend>Final decision</legend>
            {(["include", "maybe", "exclude"] as Verdict[]).map((v) => (
              <label key={v} className="check">
                <input
                  id={`conflict-${key}-verdict-${v}`}
                  type="radio"
                  name={`conflict-${key}-verdict`}
                  checked={verdict === v}
                  onChange={() => setVerdict(v)}
                />
                {VERDICT_LABEL[v]}
              </label>
            ))}
            {invalid.verdict ? (
              <span id={`conflict-${key}-verdict-error`} className="field-error">
                {invalid.verdict}
              </span>
            ) : null}
          </fieldset>
          {verdict === "exclude" ? (
            <fieldset className="stack" aria-describedby={invalid.reasons ? `conflict-${key}-reasons-error` : undefined}>
              <legend>Exclusion reasons</legend>
              {reasons.map((r, i) => (
                <label key={r.code} className="check">
                  <input
                    id={`conflict-${key}-reason-${i}`}
                    type="checkbox"
                    checked={chosen.has(r.code)}
                    onChange={() =>
                      setChosen((s) => {
                        const n = new Set(s);
                        if (n.has(r.code)) n.delete(r.code);
                        else n.add(r.code);
                        return n;
                      })
                    }
                  />
                  {r.label}
                </label>
              ))}
              {invalid.reasons ? (
                <span id={`conflict-${key}-reasons-error`} className="field-error">
                  {invalid.reasons}
                </span>
              ) : null}
            </fieldset>
          ) : null}
          <div className={`field${invalid.why ? " field-invalid" : ""}`}>
            <label htmlFor={`conflict-${key}-why`}>Reason for this resolution</label>
            <textarea
              id={`conflict-${key}-why`}
              rows={2}
              value={why}
              onChange={(e) => setWhy(e.target.value)}
              aria-invalid={invalid.why ? true : undefined}
              aria-describedby={`conflict-${key}-why-hint${invalid.why ? ` conflict-${key}-why-error` : ""}`}
            />
            <span id={`conflict-${key}-why-hint`} className="hint">
              Recorded with your name ({user}) in the audit log.
            </span>
            {invalid.why ? (
              <span id={`conflict-${key}-why-error`} className="field-error">
                {invalid.why}
              </span>
            ) : null}
          </div>
          <div className="row">
            <button type="submit" disabled={saving}>
              Reconcile as {user}
            </button>
          </div>
          <ErrorMessage error={error} />
        </form>
      )}
    </section>
  );
}
