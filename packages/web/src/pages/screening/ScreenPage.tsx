import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { BibRecord, Criterion, ExclusionReason, Search } from "@homeward/model";
import { api, ApiError, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatCount, formatDateTime, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { buildPath, Link } from "../../router";
import { highlightSegments, parseTermList, termPattern, termsFromQuery } from "./highlight";
import { RetrievalPanel } from "./RetrievalPanel";
import { screeningApi, useActingUser, VERDICT_LABEL, type Mode, type MyDecision, type Stage, type StatusAnswer, type Verdict } from "./screeningApi";
import { reasonLabel, recordedReason, ScreeningNav, useStageProtocol, useStoredFlag } from "./shared";

export function TitleAbstractPage() {
  return <ScreenStage stage="title_abstract" />;
}

export function FullTextPage() {
  return <ScreenStage stage="full_text" />;
}

const SHORTCUTS: [string, string][] = [
  ["I", "Include"],
  ["E", "Exclude (with the reasons ticked)"],
  ["M", "Maybe"],
  ["1–9", "Tick or untick the exclusion reason with that number (protocol rank order)"],
  ["N", "Write a note"],
  ["?", "Show or hide this list"],
];

/** Keys typed into a text field are text, not shortcuts. */
function typingIn(el: EventTarget | null): boolean {
  const t = el as HTMLElement | null;
  if (!t || !t.tagName) return false;
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName === "INPUT") return !["checkbox", "radio", "button", "submit", "reset", "file"].includes((t as HTMLInputElement).type);
  return false;
}

function ScreenStage({ stage }: { stage: Stage }) {
  const { id } = useProject();
  const user = useActingUser();
  const [prioritise, setPrioritise] = useStoredFlag(`homeward.prioritise.${id}.${stage}`, true);
  const [tick, setTick] = useState(0);
  const { protocol, reasons } = useStageProtocol(stage);
  const searches = useApi((s) => api.getSearches(id, s) as Promise<Search[]>, [id]);
  // Opening the page holds nothing: a record is held for its reviewer only once they take one (Start screening).
  const [started, setStarted] = useState(false);
  const next = useApi((s) => (started ? screeningApi.next(id, stage, prioritise, s) : Promise.resolve(null)), [id, stage, prioritise, user, tick, started]);
  // After a decision the counts are asked for once the next record has arrived, so the
  // request the reviewer is waiting for does not share the server with them.
  const [countsTick, setCountsTick] = useState(0);
  useEffect(() => {
    if (!next.loading) setCountsTick(tick);
  }, [next.loading, tick]);
  const status = useApi((s) => screeningApi.status(id, stage, s), [id, stage, user, countsTick]);
  const [changing, setChanging] = useState<{ record: BibRecord; was: MyDecision } | null>(null);
  useEffect(() => {
    setChanging(null);
    setStarted(false);
  }, [user, stage]);
  const mine = useApi((s) => screeningApi.myDecisions(id, stage, 10, s), [id, stage, user, countsTick]);
  const record = changing?.record ?? next.data?.record ?? null;
  // The decided record's buttons go away with it; focus, if it was there, moves to the next record's title.
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current || !record) return;
    refocus.current = false;
    if (document.activeElement === document.body || document.activeElement === null) document.getElementById("screening-record-title")?.focus();
  }, [record?.id]);
  const decidedBy = useApi((s) => (record ? screeningApi.reviewersOf(id, stage, record.id, s) : Promise.resolve(null)), [id, stage, record?.id]);
  const firstReviewers = (decidedBy.data?.reviewers ?? []).filter((r) => r !== user);
  const title = stage === "full_text" ? "Full text screening" : "Title and abstract screening";

  // What the last decision did, announced politely.
  const [outcome, setOutcome] = useState<string>("");

  const you = status.data?.you;
  // Refused on asking (403), or known from the status before asking.
  const refusal =
    next.error instanceof ApiError && next.error.status === 403 ? next.error.message : you && !you.allowed ? (you.refusal ?? "") : null;
  const remaining = refusal !== null ? undefined : (next.data?.remaining ?? you?.remaining);
  const start = () => {
    if (started || refusal !== null) return;
    refocus.current = true;
    setOutcome("");
    setStarted(true);
  };
  // Stopping gives the held record back at once rather than when its hold runs out.
  const [stopError, setStopError] = useState<unknown>(null);
  const startButton = useRef<HTMLButtonElement>(null);
  const refocusStart = useRef(false);
  const stop = async () => {
    setStopError(null);
    try {
      await screeningApi.release(id, stage);
    } catch (err) {
      setStopError(err);
      return;
    }
    refocusStart.current = true;
    setStarted(false);
    setOutcome("Stopped. The record you held is free for other reviewers.");
  };
  useEffect(() => {
    if (!refocusStart.current || !startButton.current) return;
    refocusStart.current = false;
    startButton.current.focus();
  });
  const startKey = useRef<(e: KeyboardEvent) => void>(() => {});
  startKey.current = (e: KeyboardEvent) => {
    if (started || changing || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    if ((e.key === "s" || e.key === "S") && you?.allowed && (you.remaining ?? 0) > 0) {
      e.preventDefault();
      start();
    }
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => startKey.current(e);
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  return (
    <>
      <PageTitle>{title}</PageTitle>
      <ScreeningNav />
      <ErrorMessage error={refusal !== null ? status.error : (next.error ?? status.error)} />
      <Progress stage={stage} status={status.data} remaining={remaining} user={user} />
      <div className="screening-layout">
        <div className="stack">
          <div className="row spread">
            <QueueControl prioritise={prioritise} onChange={setPrioritise} prioritised={next.data?.prioritised ?? false} />
            {started && !changing && record ? (
              <button type="button" className="button-secondary" onClick={() => void stop()}>
                Stop screening
              </button>
            ) : null}
          </div>
          <ErrorMessage error={stopError} />
          {outcome ? <p className="screening-outcome">{outcome}</p> : null}
          {refusal !== null && !changing ? <NotReviewer refusal={refusal} /> : null}
          {!started && !changing && refusal === null && you && you.remaining > 0 ? (
            <section className="card stack start-screening" aria-labelledby="start-heading">
              <h2 id="start-heading">Ready to screen</h2>
              <p>
                {plural(you.remaining, "record")} left for you at this stage. Taking a record holds it for you for 10 minutes, so no one else screens it
                meanwhile; nothing is held until you start.
              </p>
              <div className="row">
                <button type="button" ref={startButton} onClick={start} aria-keyshortcuts="S" aria-describedby="start-hint">
                  Start screening <kbd aria-hidden="true">S</kbd>
                </button>
              </div>
              <p id="start-hint" className="hint">
                Or press S.
              </p>
            </section>
          ) : null}
          {!started && !changing && refusal === null && you && you.remaining === 0 ? (
            <p className="empty">
              Nothing left for you to screen at this stage.
              {status.data?.counts.awaiting_second ? ` ${plural(status.data.counts.awaiting_second, "record")} await a second reviewer.` : ""}
              {stage === "title_abstract" ? (
                <>
                  {" "}
                  <Link to={buildPath("/projects/:id/screening/full-text", { id })}>Go to full-text screening</Link>
                </>
              ) : null}
            </p>
          ) : null}
          {started && next.loading && !next.data ? <Loading what="the next record" /> : null}
          {next.data && !record && !changing && next.data.remaining > 0 ? (
            <div className="empty stack">
              <p>
                The {plural(next.data.remaining, "record")} left for you {next.data.remaining === 1 ? "is" : "are"} open on other reviewers' screens
                just now. A served record is held for its reviewer for a while, so two people do not screen the same one at once.
              </p>
              <div className="row">
                <button type="button" className="button-secondary" onClick={() => setTick((t) => t + 1)}>
                  Check again
                </button>
              </div>
            </div>
          ) : null}
          {next.data && !record && !changing && next.data.remaining === 0 ? (
            <p className="empty">
              Nothing left for you to screen at this stage.
              {next.data.awaitingSecond ? ` ${plural(next.data.awaitingSecond, "record")} await a second reviewer.` : ""}
              {stage === "title_abstract" ? (
                <>
                  {" "}
                  <Link to={buildPath("/projects/:id/screening/full-text", { id })}>Go to full-text screening</Link>
                </>
              ) : null}
            </p>
          ) : null}
          {changing ? (
            <div className="changing row spread">
              <p>
                Changing your decision on this record (now: <strong>{VERDICT_LABEL[changing.was.decision]}</strong>). The earlier decision stays in the
                audit log.
              </p>
              <button type="button" className="button-secondary" onClick={() => setChanging(null)}>
                Back to the queue
              </button>
            </div>
          ) : null}
          {record && !changing && firstReviewers.length && decidedBy.data ? (
            <p className="second-screening">
              <span className="badge badge-live">Awaiting a second reviewer</span> You are the second reviewer of this record; the first decision stays
              hidden until you have decided.
            </p>
          ) : null}
          {record ? (
            <RecordScreen
              key={`${record.id}${changing ? ":change" : ""}`}
              stage={stage}
              record={record}
              initial={changing?.was}
              reasons={reasons}
              busy={!changing && next.loading}
              searches={searches.data ?? []}
              onDecided={(msg) => {
                refocus.current = true;
                setOutcome(msg);
                setChanging(null);
                setTick((t) => t + 1);
              }}
            />
          ) : null}
          <RecentDecisions
            data={mine.data}
            error={mine.error}
            reasons={reasons}
            onChange={async (d) => {
              const r = await api.getRecord(id, d.recordId);
              setChanging({ record: r, was: d });
              setOutcome("");
            }}
          />
          {/* The next record is announced when it arrives. */}
          <LiveStatus className="visually-hidden">
            {changing
              ? `Changing your decision on: ${changing.record.title}`
              : next.loading || !started
                ? ""
                : `${outcome} ${record ? `Next record: ${record.title}` : next.data ? "No records left to screen." : ""}`}
          </LiveStatus>
        </div>
        <aside className="stack screening-aside" aria-label="Criteria">
          <Criteria inclusion={protocol.data?.eligibility.inclusion ?? []} exclusion={protocol.data?.eligibility.exclusion ?? []} reasons={reasons} />
          <ErrorMessage error={protocol.error} />
        </aside>
      </div>
    </>
  );
}

function NotReviewer({ refusal }: { refusal: string }) {
  const { id } = useProject();
  return (
    <section className="card stack not-reviewer" aria-labelledby="not-reviewer-heading">
      <h2 id="not-reviewer-heading">You are not a reviewer of this stage</h2>
      {refusal ? <p>{refusal}.</p> : null}
      <p className="small">
        No record has been held for you. A project owner can list you as a reviewer in the{" "}
        <Link to={buildPath("/projects/:id/screening/settings", { id })}>screening set-up</Link>.
      </p>
    </section>
  );
}

function modeText(mode: Mode): string {
  switch (mode.kind) {
    case "single":
      return "Single screening: one reviewer per record.";
    case "dual":
      return "Dual screening: two independent reviewers per record, blind to each other until both have decided.";
    case "dual_then_single":
      return `Dual screening for the first ${Math.round(mode.dualShare * 100)}% of records, then single screening.`;
  }
}

function Progress({ stage, status, remaining, user }: { stage: Stage; status: StatusAnswer | undefined; remaining: number | undefined; user: string }) {
  const { id } = useProject();
  if (!status) return null;
  const c = status.counts;
  const settled = c.decided + c.reconciled;
  return (
    <section aria-labelledby="screening-progress-heading" className="card stack screening-progress">
      <div className="row spread">
        <h2 id="screening-progress-heading">Progress</h2>
        <p className="small muted">
          {modeText(status.mode)} <Link to={buildPath("/projects/:id/screening/settings", { id })}>Change set-up</Link>
        </p>
      </div>
      <div className="stack">
        <label htmlFor={`progress-${stage}`} className="small">
          {formatCount(settled)} of {plural(status.records, "record")} settled
        </label>
        <progress id={`progress-${stage}`} max={Math.max(status.records, 1)} value={settled} />
      </div>
      <dl className="inline-stats">
        <div>
          <dt>Not yet screened</dt>
          <dd data-count="unscreened">{formatCount(c.unscreened)}</dd>
        </div>
        <div>
          <dt>Awaiting a second reviewer</dt>
          <dd data-count="awaiting_second">{formatCount(c.awaiting_second)}</dd>
        </div>
        <div>
          <dt>Included</dt>
          <dd data-count="include">{formatCount(c.include)}</dd>
        </div>
        <div>
          <dt>Maybe</dt>
          <dd data-count="maybe">{formatCount(c.maybe)}</dd>
        </div>
        <div>
          <dt>Excluded</dt>
          <dd data-count="exclude">{formatCount(c.exclude)}</dd>
        </div>
        <div>
          <dt>Conflicts</dt>
          <dd data-count="conflict">
            {c.conflict ? <Link to={`${buildPath("/projects/:id/screening/conflicts", { id })}${stage === "full_text" ? "?stage=full_text" : ""}`}>{formatCount(c.conflict)}</Link> : "0"}
          </dd>
        </div>
        <div>
          <dt>Reconciled</dt>
          <dd data-count="reconciled">{formatCount(c.reconciled)}</dd>
        </div>
        {remaining !== undefined ? (
          <div>
            <dt>Left for {user}</dt>
            <dd data-count="remaining">{formatCount(remaining)}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

function QueueControl({ prioritise, onChange, prioritised }: { prioritise: boolean; onChange: (v: boolean) => void; prioritised: boolean }) {
  return (
    <div className="stack queue-control">
      <label className="check">
        <input type="checkbox" checked={prioritise} onChange={(e) => onChange(e.target.checked)} aria-describedby="prioritise-hint" />
        Prioritise the queue by likely relevance
      </label>
      <p id="prioritise-hint" className="hint">
        {!prioritise
          ? "Records come in the order they were added."
          : prioritised
            ? "Ordered by a model trained on this stage's decisions so far, retrained as decisions arrive. It only orders the queue; nothing is excluded automatically."
            : "The model orders the queue once it has decisions to learn from; until then records come in the order they were added."}
      </p>
    </div>
  );
}

function RecordScreen({
  stage,
  record,
  initial,
  reasons,
  busy,
  searches,
  onDecided,
}: {
  stage: Stage;
  record: BibRecord;
  /** The reviewer's current decision when changing it. */
  initial?: MyDecision;
  reasons: ExclusionReason[];
  busy: boolean;
  searches: Search[];
  onDecided: (message: string) => void;
}) {
  const { id } = useProject();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(initial?.reasons ?? []));
  const [note, setNote] = useState(initial?.note ?? "");
  const [labels, setLabels] = useState((initial?.labels ?? []).join(", "));
  const [error, setError] = useState<string>("");
  const [saving, setSaving] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const reasonsRef = useRef<HTMLFieldSetElement>(null);
  const shortcuts = reasons.slice(0, 9);

  const toggle = (code: string) =>
    setChosen((s) => {
      const n = new Set(s);
      if (n.has(code)) n.delete(code);
      else n.add(code);
      return n;
    });

  const decide = async (verdict: Verdict) => {
    if (saving || busy) return;
    const codes = verdict === "exclude" ? reasons.filter((r) => chosen.has(r.code)).map((r) => r.code) : [];
    if (verdict === "exclude" && stage === "full_text" && codes.length === 0) {
      setError("A full-text exclusion needs a reason: tick one or more (keys 1–9), then exclude.");
      reasonsRef.current?.querySelector("input")?.focus();
      return;
    }
    if (verdict !== "exclude" && chosen.size > 0) {
      setError("Exclusion reasons go with Exclude only: untick them to include or mark maybe.");
      return;
    }
    setError("");
    setSaving(true);
    try {
      const res = await screeningApi.decide(id, stage, {
        recordId: record.id,
        decision: verdict,
        reasons: codes,
        note: note.trim() ? note.trim() : undefined,
        labels: labels.split(",").map((l) => l.trim()).filter(Boolean),
      });
      const group = res.decisions.length > 1 ? ` (and ${plural(res.decisions.length - 1, "duplicate")})` : "";
      const why = res.recordedReason ? ` — recorded reason: ${reasonLabel(res.recordedReason, reasons)}` : "";
      onDecided(`${VERDICT_LABEL[verdict]}: “${record.title}”${group}${why}.`);
    } catch (err) {
      setError(errorMessage(err));
      setSaving(false);
    }
  };

  // Shortcuts work anywhere on the page except while typing in a field.
  const handler = useRef<(e: KeyboardEvent) => void>(() => {});
  handler.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    if (document.querySelector("dialog[open]") && e.key !== "?") return;
    const k = e.key;
    if (k === "?") setShowHelp((v) => !v);
    else if (k === "i" || k === "I") void decide("include");
    else if (k === "e" || k === "E") void decide("exclude");
    else if (k === "m" || k === "M") void decide("maybe");
    else if (k === "n" || k === "N") noteRef.current?.focus();
    else if (/^[1-9]$/.test(k) && shortcuts[Number(k) - 1]) toggle(shortcuts[Number(k) - 1]!.code);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => handler.current(e);
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  const recorded = recordedReason(chosen, reasons);
  const disabled = saving || busy;

  return (
    <div className="stack">
      <RecordView record={record} searches={searches} busy={disabled} focus={initial !== undefined} />
      <section aria-labelledby="decision-heading" className="card stack decision">
        <div className="row spread">
          <h2 id="decision-heading">Decision</h2>
          <button type="button" className="button-link" onClick={() => setShowHelp(true)} aria-keyshortcuts="Shift+?">
            Keyboard shortcuts (?)
          </button>
        </div>
        <div className="row decision-buttons">
          <button type="button" onClick={() => void decide("include")} disabled={disabled} aria-keyshortcuts="I">
            Include <kbd aria-hidden="true">I</kbd>
          </button>
          <button type="button" onClick={() => void decide("maybe")} disabled={disabled} aria-keyshortcuts="M" className="button-secondary">
            Maybe <kbd aria-hidden="true">M</kbd>
          </button>
          <button type="button" onClick={() => void decide("exclude")} disabled={disabled} aria-keyshortcuts="E" className="button-danger">
            Exclude <kbd aria-hidden="true">E</kbd>
          </button>
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <fieldset className="reasons" ref={reasonsRef} aria-describedby="reasons-hint">
          <legend>Exclusion reasons{stage === "full_text" ? " (at least one to exclude)" : ""}</legend>
          <p id="reasons-hint" className="hint">
            In the protocol's rank order. When several apply, the highest-ranked is the one recorded; the others are kept.
          </p>
          {reasons.length === 0 ? <p className="muted">The protocol lists no exclusion reasons for this stage.</p> : null}
          <ul className="reason-list">
            {reasons.map((r, i) => (
              <li key={r.code}>
                <label className="check">
                  <input type="checkbox" checked={chosen.has(r.code)} onChange={() => toggle(r.code)} aria-keyshortcuts={i < 9 ? String(i + 1) : undefined} />
                  {i < 9 ? <kbd aria-hidden="true">{i + 1}</kbd> : null} {r.label} <span className="muted small">(rank {r.rank})</span>
                </label>
              </li>
            ))}
          </ul>
          {recorded ? (
            <p className="recorded-reason" aria-live="polite">
              Recorded reason: <strong>{recorded.label}</strong>
              {chosen.size > 1 ? ` (highest-ranked of the ${chosen.size} ticked; the others are kept)` : ""}
            </p>
          ) : null}
        </fieldset>
        <div className="field">
          <label htmlFor="decision-note">
            Note <kbd aria-hidden="true">N</kbd>
          </label>
          <textarea id="decision-note" ref={noteRef} rows={2} value={note} onChange={(e) => setNote(e.target.value)} onKeyDown={(e) => e.key === "Escape" && (e.currentTarget.blur(), e.preventDefault())} aria-describedby="note-hint" />
          <span id="note-hint" className="hint">
            Saved with the decision. Escape leaves the field, so the shortcuts work again.
          </span>
        </div>
        <div className="field">
          <label htmlFor="decision-labels">Labels</label>
          <input id="decision-labels" value={labels} onChange={(e) => setLabels(e.target.value)} aria-describedby="labels-hint" />
          <span id="labels-hint" className="hint">
            Comma-separated, e.g. “background, check design”.
          </span>
        </div>
      </section>
      {stage === "full_text" ? <RetrievalPanel recordId={record.id} /> : null}
      <ShortcutHelp open={showHelp} onClose={() => setShowHelp(false)} />
    </div>
  );
}

function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="shortcut-help card" aria-labelledby="shortcut-help-heading" onClose={onClose}>
      <h2 id="shortcut-help-heading">Keyboard shortcuts</h2>
      <dl className="shortcut-list">
        {SHORTCUTS.map(([k, what]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">Shortcuts are off while you type in a field; Escape leaves the note field.</p>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

function RecordView({ record, searches, busy, focus }: { record: BibRecord; searches: Search[]; busy: boolean; focus: boolean }) {
  const { id } = useProject();
  const titleRef = useRef<HTMLHeadingElement>(null);
  // A record opened from the recent decisions takes focus, so the shortcuts act on it at once.
  useEffect(() => {
    if (focus) titleRef.current?.focus();
  }, [focus]);
  const fromSearches = useMemo(() => [...new Set(searches.flatMap((s) => termsFromQuery(s.query ?? "")))], [searches]);
  const [own, setOwn] = useState(() => {
    try {
      return localStorage.getItem(`homeward.highlight.${id}`) ?? "";
    } catch {
      return "";
    }
  });
  const [useSearchTerms, setUseSearchTerms] = useStoredFlag(`homeward.highlight-searches.${id}`, true);
  const terms = useMemo(() => [...(useSearchTerms ? fromSearches : []), ...parseTermList(own)], [useSearchTerms, fromSearches, own]);
  const pattern = useMemo(() => termPattern(terms), [terms]);
  const mark = (text: string): ReactNode =>
    highlightSegments(text, pattern).map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>));
  const doi = record.doi?.replace(/^https?:\/\/(dx\.)?doi\.org\//i, "");
  const authors = record.authors ?? [];

  return (
    <>
      <article className="card stack screening-record" aria-labelledby="screening-record-title" aria-busy={busy} data-record-id={record.id}>
        <h2 id="screening-record-title" className="record-title" ref={titleRef} tabIndex={-1}>
          {record.title ? mark(record.title) : "(untitled)"}
        </h2>
        <p className="record-authors">{authors.length ? authors.join("; ") : <span className="muted">No authors listed</span>}</p>
        <p className="record-source muted">
          {[record.journal, record.year].filter((x) => x !== null && x !== undefined && x !== "").join(" · ") || "No journal or year"}
          {doi ? (
            <>
              {" · DOI "}
              <a href={`https://doi.org/${encodeURI(doi)}`} target="_blank" rel="noreferrer">
                {doi}
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            </>
          ) : null}
        </p>
        <section aria-label="Abstract">
          {record.abstract ? <p className="abstract">{mark(record.abstract)}</p> : <p className="muted">No abstract.</p>}
        </section>
      </article>
      <details className="highlight-settings">
        <summary>Highlighted terms ({terms.length})</summary>
        <div className="stack">
          <label className="check">
            <input type="checkbox" checked={useSearchTerms} onChange={(e) => setUseSearchTerms(e.target.checked)} />
            Terms from the review's searches
          </label>
          {fromSearches.length ? <p className="small muted">{fromSearches.join(", ")}</p> : <p className="small muted">No search strings recorded.</p>}
          <div className="field">
            <label htmlFor="own-terms">Your own terms</label>
            <textarea
              id="own-terms"
              rows={2}
              value={own}
              onChange={(e) => {
                setOwn(e.target.value);
                try {
                  localStorage.setItem(`homeward.highlight.${id}`, e.target.value);
                } catch {
                  // Not kept across visits when storage is disabled.
                }
              }}
              aria-describedby="own-terms-hint"
            />
            <span id="own-terms-hint" className="hint">
              Comma-separated; end a term with * to match words starting with it (e.g. reunif*).
            </span>
          </div>
        </div>
      </details>
    </>
  );
}

function Criteria({ inclusion, exclusion, reasons }: { inclusion: Criterion[]; exclusion: Criterion[]; reasons: ExclusionReason[] }) {
  return (
    <section aria-labelledby="criteria-heading" className="card stack criteria">
      <h2 id="criteria-heading">Eligibility criteria</h2>
      <CriteriaList title="Include when" items={inclusion} />
      <CriteriaList title="Exclude when" items={exclusion} />
      <h3>Exclusion reasons by rank</h3>
      {reasons.length ? (
        <ol className="ranked-reasons">
          {reasons.map((r, i) => (
            <li key={r.code}>
              {i < 9 ? <kbd aria-hidden="true">{i + 1}</kbd> : null} {r.label}
              {r.description ? <div className="small muted">{r.description}</div> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">None in the protocol.</p>
      )}
    </section>
  );
}

function CriteriaList({ title, items }: { title: string; items: Criterion[] }) {
  return (
    <div className="stack">
      <h3>{title}</h3>
      {items.length ? (
        <ul className="criteria-list">
          {items.map((c) => (
            <li key={c.code}>
              {c.category ? <span className="muted small">{c.category}: </span> : null}
              {c.label}
              {c.description ? <div className="small muted">{c.description}</div> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None defined.</p>
      )}
    </div>
  );
}

function RecentDecisions({
  data,
  error,
  reasons,
  onChange,
}: {
  data: { total: number; items: MyDecision[] } | undefined;
  error: unknown;
  reasons: ExclusionReason[];
  onChange: (d: MyDecision) => Promise<void>;
}) {
  const [failed, setFailed] = useState<unknown>(null);
  if (!data?.items.length && !error) return null;
  return (
    <section aria-labelledby="recent-heading" className="stack recent-decisions">
      <h2 id="recent-heading">Your recent decisions</h2>
      <ErrorMessage error={error ?? failed} />
      {data ? (
        <p className="small muted">
          The last {formatCount(data.items.length)} of your {plural(data.total, "decision")} at this stage. Changing one records a new decision.
        </p>
      ) : null}
      <ul className="recent-list">
        {(data?.items ?? []).map((d) => (
          <li key={d.recordId}>
            <span className="recent-title">{d.title || "(untitled)"}</span>
            <span className="small">
              <strong>{VERDICT_LABEL[d.decision]}</strong>
              {d.reasons.length ? ` — ${d.reasons.map((r) => reasonLabel(r, reasons)).join("; ")}` : ""}
              <span className="muted"> · {formatDateTime(d.at)}</span>
            </span>
            <button type="button" className="button-link" onClick={() => onChange(d).catch(setFailed)}>
              Change<span className="visually-hidden"> your decision on “{d.title}”</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
