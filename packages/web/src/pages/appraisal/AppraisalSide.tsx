import { useState, type FormEvent } from "react";
import { appraisalRoutes, fullTextRoutes, reviewRoutes, type AppraisalFlagView, type AppraisalReport, type AssessmentView, type SeniorCheckView } from "@homeward/api";
import { call, callFile } from "../../api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { Link } from "../../router";
import { PdfViewer } from "../extraction/PdfViewer";

const enc = encodeURIComponent;

/** The PDF open beside the form, if any. */
export interface OpenPdf {
  reportId: string;
  label: string;
  data: ArrayBuffer;
}

/**
 * The study's reports beside the appraisal form, each stored PDF opening in
 * the extraction stage's pdf.js viewer (the same component). Text selected
 * there goes, with its page, to the supporting quote of the question last
 * focused on the form.
 */
export function ReportsPanel({
  projectId,
  reports,
  target,
  onQuote,
}: {
  projectId: string;
  reports: AppraisalReport[];
  /** The question a quote goes to (its label), or null when none is focused or the caller cannot write. */
  target: string | null;
  onQuote: ((quote: string, page: number) => void) | null;
}) {
  const [viewing, setViewing] = useState<OpenPdf | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const open = async (r: AppraisalReport) => {
    setOpening(r.id);
    setError(null);
    try {
      const blob = await callFile(fullTextRoutes.downloadFile, { params: { id: projectId, recordId: r.recordId! } });
      setViewing({ reportId: r.id, label: r.citation || r.pdf || r.recordId!, data: await blob.arrayBuffer() });
    } catch (err) {
      setError(err);
    } finally {
      setOpening(null);
    }
  };
  return (
    <>
      <aside className="appraisal-reports stack" aria-labelledby="appraisal-reports-heading">
        <h2 id="appraisal-reports-heading">Reports of this study</h2>
        {reports.length === 0 ? (
          <p className="empty">No reports linked.</p>
        ) : (
          <ul>
            {reports.map((r) => (
              <li key={r.id}>
                {r.recordId ? <Link to={`/projects/${enc(projectId)}/records/${enc(r.recordId)}`}>{r.citation || r.recordId}</Link> : r.citation}
                {r.role === "lead" ? <span className="badge"> Lead</span> : null}
                {r.recordId && r.pdf ? (
                  <div>
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => void open(r)}
                      disabled={opening === r.id}
                      aria-label={`Open the full text of ${r.citation || r.recordId}`}
                      aria-pressed={viewing?.reportId === r.id}
                    >
                      Open the PDF
                    </button>
                  </div>
                ) : (
                  <div className="muted small">no full text stored</div>
                )}
              </li>
            ))}
          </ul>
        )}
        <ErrorMessage error={error} />
      </aside>
      {viewing ? <PdfViewer data={viewing.data} label={viewing.label} target={target} onQuote={onQuote} onClose={() => setViewing(null)} /> : null}
    </>
  );
}

const whose = (f: AppraisalFlagView) => (f.consensus ? `the consensus (${f.reviewer})` : `${f.reviewer}'s assessment`);

/**
 * Recorded overall judgements that contradict their domains under the
 * tool's rule, each with the rule it breaks; an adjudicator accepts one with
 * a justification. The judgement stays as recorded.
 */
export function FlagsSection({ projectId, flags, canAccept, onAccepted }: { projectId: string; flags: AppraisalFlagView[]; canAccept: boolean; onAccepted: () => void }) {
  if (flags.length === 0) return null;
  return (
    <section aria-labelledby="appraisal-flags-heading" className="stack">
      <h2 id="appraisal-flags-heading">Flags on recorded judgements</h2>
      <ul className="stack">
        {flags.map((f) => (
          <FlagItem key={`${f.appraisalId}-${f.rule}`} projectId={projectId} flag={f} canAccept={canAccept} onAccepted={onAccepted} />
        ))}
      </ul>
    </section>
  );
}

function FlagItem({ projectId, flag: f, canAccept, onAccepted }: { projectId: string; flag: AppraisalFlagView; canAccept: boolean; onAccepted: () => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(reviewRoutes.acceptFlag, { params: { id: projectId }, body: { appraisalId: f.appraisalId, rule: f.rule, justification: text } });
      setText("");
      onAccepted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldId = `flag-justify-${f.appraisalId}`;
  return (
    <li className="card alert appraisal-flag" data-flag-of={f.reviewer}>
      <p>
        <strong>Flag on {whose(f)}:</strong> recorded overall <strong>{f.recorded ?? "none"}</strong>
        {f.implied ? (
          <>
            ; the tool's rule gives <strong>{f.implied}</strong>
          </>
        ) : null}
        .
      </p>
      <p className="small">
        Rule: {f.rule} <span className="muted">({f.source})</span>
      </p>
      {f.message ? <p className="small">{f.message}</p> : null}
      {f.accepted ? (
        <p data-accepted>
          Accepted by {f.accepted.by} ({new Date(f.accepted.at).toLocaleDateString()}): {f.accepted.justification}
        </p>
      ) : canAccept ? (
        <form onSubmit={(e) => void submit(e)} className="stack">
          <div className="field">
            <label htmlFor={fieldId}>Justification for accepting the flag on {whose(f)}</label>
            <textarea id={fieldId} rows={2} required value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <div>
            <button type="submit" disabled={busy || text.trim() === ""}>
              Accept the flag
            </button>
          </div>
          <ErrorMessage error={error} />
        </form>
      ) : (
        <p className="muted small">Not accepted yet; an adjudicator can accept it with a justification.</p>
      )}
    </li>
  );
}

/**
 * The senior check: whether the study is in the sample, the checks
 * recorded, and for an adjudicator a form to agree or disagree with one of
 * the submitted assessments they can see, with a note.
 */
export function SeniorCheckSection({
  projectId,
  studyId,
  sampled,
  checks,
  assessments,
  canCheck,
  me,
  onChecked,
}: {
  projectId: string;
  studyId: string;
  sampled: boolean;
  checks: SeniorCheckView[];
  /** Submitted assessments the caller can see (not drafts). */
  assessments: AssessmentView[];
  canCheck: boolean;
  me: string | null;
  onChecked: () => void;
}) {
  const checkable = assessments.filter((a) => a.status === "submitted" && a.reviewer !== me);
  const [target, setTarget] = useState<string>("");
  const [verdict, setVerdict] = useState<"agree" | "disagree" | "">("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  if (!sampled && checks.length === 0) return null;
  const label = (a: AssessmentView) => (a.consensus ? `Consensus (${a.reviewer})` : a.reviewer);
  const chosen = target || checkable[0]?.appraisalId || "";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (verdict === "") return;
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const c = await call(appraisalRoutes.seniorCheck, { params: { id: projectId, studyId }, body: { appraisalId: chosen, verdict, note } });
      setSaid(`Senior check recorded: ${c.verdict}.`);
      setNote("");
      setVerdict("");
      onChecked();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const byId = new Map(assessments.map((a) => [a.appraisalId, a]));
  return (
    <section aria-labelledby="senior-check-heading" className="stack" data-senior-check>
      <h2 id="senior-check-heading">Senior check</h2>
      {sampled ? <p>This study is in the sample drawn for a senior check.</p> : null}
      {checks.length > 0 ? (
        <ul>
          {checks.map((c) => (
            <li key={`${c.appraisalId}-${c.at}`} data-check={c.verdict}>
              {c.by} {c.verdict === "agree" ? "agrees with" : "disagrees with"} {byId.get(c.appraisalId) ? label(byId.get(c.appraisalId)!) : "an assessment"}: {c.note}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No senior check recorded yet.</p>
      )}
      {sampled && canCheck ? (
        checkable.length === 0 ? (
          <p className="muted">No submitted assessment by someone else is open to you to check yet.</p>
        ) : (
          <form onSubmit={(e) => void submit(e)} className="stack">
            {checkable.length > 1 ? (
              <div className="field">
                <label htmlFor="senior-target">Assessment checked</label>
                <select id="senior-target" value={chosen} onChange={(e) => setTarget(e.target.value)}>
                  {checkable.map((a) => (
                    <option key={a.appraisalId} value={a.appraisalId}>
                      {label(a)}
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              <p>Checking {label(checkable[0]!)}.</p>
            )}
            <fieldset className="field answer-group">
              <legend>Your verdict</legend>
              <div className="answer-options">
                {(["agree", "disagree"] as const).map((v) => (
                  <label key={v}>
                    <input type="radio" name="senior-verdict" value={v} checked={verdict === v} onChange={() => setVerdict(v)} /> {v === "agree" ? "Agree" : "Disagree"}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="field">
              <label htmlFor="senior-note">Note on the check</label>
              <textarea id="senior-note" rows={2} required value={note} onChange={(e) => setNote(e.target.value)} />
            </div>
            <div>
              <button type="submit" disabled={busy || verdict === "" || note.trim() === ""}>
                Record the senior check
              </button>
            </div>
            <ErrorMessage error={error} />
            {said ? <LiveStatus>{said}</LiveStatus> : null}
          </form>
        )
      ) : null}
    </section>
  );
}
