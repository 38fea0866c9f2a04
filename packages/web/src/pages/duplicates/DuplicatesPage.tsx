import { useCallback, useEffect, useRef, useState } from "react";
import { duplicatesRoutes as r, type DedupeJob, type DuplicatePairView } from "@homeward/api";
import type { DedupeProjectResult, DuplicateGroupView, FieldComparison } from "@homeward/records";
import { call, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatAuthors, formatCount, formatDateTime, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { useActingUser } from "../screening/screeningApi";
import { fieldInWords, listInWords, ruleInWords } from "./joinReasons";
import "./duplicates.css";

const GROUPS_PER_PAGE = 20;
const POLL_MS = 400;

const PHASE: Record<DedupeJob["progress"]["phase"], string> = {
  reading: "Reading the records",
  comparing: "Comparing records",
  grouping: "Grouping duplicates",
  saving: "Linking duplicates",
};

const FIELD: Record<FieldComparison["field"], string> = {
  title: "Title",
  authors: "Authors",
  year: "Year",
  journal: "Journal",
  volume: "Volume",
  issue: "Issue",
  pages: "Pages",
  doi: "DOI",
  pmid: "PMID",
};

const STATUS: Record<FieldComparison["status"], string> = {
  same: "Same",
  equivalent: "Same once normalised",
  different: "Different",
  missing: "On one record only",
};

/** Keys typed into a text field are text, not shortcuts. */
function typingIn(el: EventTarget | null): boolean {
  const t = el as HTMLElement | null;
  if (!t || !t.tagName) return false;
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName === "INPUT") return !["checkbox", "radio", "button", "submit", "reset", "file"].includes((t as HTMLInputElement).type);
  return false;
}

function summary(res: DedupeProjectResult): string {
  return `${plural(res.groups, "new group")}, ${plural(res.grouped, "record")} linked, ${plural(res.maybe, "new pair")} to review; ${plural(res.leftToReviewers, "pair")} waiting for a reviewer when it finished.`;
}

/**
 * The duplicates stage: detection as a background run with progress, the
 * uncertain pairs decided side by side (by keyboard), and the groups found,
 * each of which can be split or have a merge undone.
 */
export function DuplicatesPage() {
  const { id } = useProject();
  const user = useActingUser();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const overview = useApi((s) => call(r.duplicatesOverview, { params: { id } }, s), [id, tick]);
  const [announce, setAnnounce] = useState("");

  return (
    <>
      <PageTitle>Duplicates</PageTitle>
      <p className="muted">
        Find records that are the same report, decide the uncertain pairs, and check the groups. Records are linked to a group, never deleted; every
        decision keeps who made it and when.
      </p>
      <ErrorMessage error={overview.error} />
      {overview.data ? (
        <dl className="duplicate-counts" aria-label="Duplicate counts">
          <div>
            <dt>Groups</dt>
            <dd>{formatCount(overview.data.groups)}</dd>
          </div>
          <div>
            <dt>Pairs to review</dt>
            <dd>{formatCount(overview.data.pending)}</dd>
          </div>
          <div>
            <dt>Judged duplicates</dt>
            <dd>{formatCount(overview.data.duplicate)}</dd>
          </div>
          <div>
            <dt>Judged different</dt>
            <dd>{formatCount(overview.data.notDuplicate)}</dd>
          </div>
        </dl>
      ) : overview.loading ? (
        <Loading what="duplicate counts" />
      ) : null}
      <LiveStatus>{announce}</LiveStatus>
      <Detection projectId={id} job={overview.data?.job ?? null} onFinished={refresh} />
      <PairReview projectId={id} user={user} pending={overview.data?.pending ?? 0} tick={tick} onDecided={(msg) => (setAnnounce(msg), refresh())} />
      <Groups projectId={id} tick={tick} onChanged={(msg) => (setAnnounce(msg), refresh())} />
    </>
  );
}

function Detection({ projectId, job: latest, onFinished }: { projectId: string; job: DedupeJob | null; onFinished: () => void }) {
  const [job, setJob] = useState<DedupeJob | null>(latest);
  const [error, setError] = useState<unknown>(null);
  // The overview's run is shown unless this page has started a newer one (or knows it has finished).
  useEffect(() => {
    if (!latest) return;
    const newer = !job || (latest.id !== job.id && latest.startedAt > job.startedAt) || (latest.id === job.id && job.state === "running" && latest.state !== "running");
    if (newer) setJob(latest);
  }, [latest, job]);
  const running = job?.state === "running";
  useEffect(() => {
    if (!running || !job) return;
    let live = true;
    const t = setInterval(() => {
      call(r.getDedupeJob, { params: { id: projectId, jobId: job.id } }).then(
        (j) => {
          if (!live) return;
          setJob(j);
          if (j.state !== "running") onFinished();
        },
        (e: unknown) => live && setError(e),
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [running, job?.id, projectId, onFinished]);

  const start = async () => {
    setError(null);
    try {
      setJob(await call(r.startDedupeJob, { params: { id: projectId } }));
    } catch (e) {
      setError(e);
    }
  };
  const share = job && job.progress.total > 0 ? job.progress.done / job.progress.total : 0;

  return (
    <section className="card stack" aria-labelledby="detect-heading">
      <h2 id="detect-heading">Find duplicates</h2>
      <p className="muted small">
        Compares every record with the ones that could be its copy. Groups you split or undid stay apart, and pairs you decided are not asked again.
      </p>
      <div className="row">
        <button type="button" onClick={() => void start()} disabled={running}>
          {running ? "Finding duplicates…" : "Find duplicates"}
        </button>
      </div>
      <ErrorMessage error={error ?? (job?.state === "failed" ? new Error(`The last run failed, nothing was changed: ${job.error}`) : null)} />
      {job && running ? (
        <div className="detect-progress">
          <label htmlFor="detect-progress">
            {PHASE[job.progress.phase]}
            {job.progress.total > 1 ? ` (${formatCount(job.progress.done)} of ${formatCount(job.progress.total)})` : ""}
          </label>
          <progress id="detect-progress" max={1} value={share} />
        </div>
      ) : null}
      <LiveStatus>
        {job
          ? job.state === "running"
            ? `Finding duplicates: ${PHASE[job.progress.phase].toLowerCase()}.`
            : job.state === "done"
              ? `Last run by ${job.startedBy}, finished ${formatDateTime(job.finishedAt)}: ${summary(job.result!)}`
              : ""
          : ""}
      </LiveStatus>
    </section>
  );
}

function PairReview({ projectId, user, pending, tick, onDecided }: { projectId: string; user: string; pending: number; tick: number; onDecided: (message: string) => void }) {
  // Pairs skipped in this visit: the next pair shown is the first one after them.
  const [skipped, setSkipped] = useState(0);
  const [localTick, setLocalTick] = useState(0);
  const list = useApi((s) => call(r.listDuplicatePairs, { params: { id: projectId }, query: { status: "pending", offset: skipped, limit: 1 } }, s), [projectId, skipped, tick, localTick]);
  const current = list.data?.items[0]?.pair.id ?? null;
  const loaded = useApi((s) => (current ? call(r.getDuplicatePair, { params: { id: projectId, pairId: current } }, s) : Promise.resolve(null)), [projectId, current]);
  // The previous pair stays loaded while the next one arrives; it must not be shown, nor decided by a key press.
  const view = { ...loaded, data: loaded.data && loaded.data.pair.id === current ? loaded.data : null };
  const [why, setWhy] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const moveFocus = useRef(false);
  useEffect(() => {
    if (moveFocus.current && view.data) {
      moveFocus.current = false;
      heading.current?.focus();
    }
  }, [view.data]);
  useEffect(() => {
    if (list.data && skipped > 0 && skipped >= list.data.total) setSkipped(0);
  }, [list.data, skipped]);

  const decide = async (decision: "duplicate" | "not_duplicate") => {
    if (!view.data || saving) return;
    setSaving(true);
    setError(null);
    try {
      const res = await call(r.decideDuplicatePair, { params: { id: projectId, pairId: view.data.pair.id }, body: { decision, reason: why.trim() || undefined } });
      setWhy("");
      moveFocus.current = true;
      onDecided(
        `${decision === "duplicate" ? "Marked as duplicates" : "Marked as different records"}: “${view.data.a.title}” and “${view.data.b.title}”, by ${res.pair.decidedBy} at ${formatDateTime(res.pair.decidedAt)}.`,
      );
      setLocalTick((t) => t + 1);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  const skip = () => {
    if (!list.data || list.data.total < 2) return;
    moveFocus.current = true;
    setSkipped((n) => (n + 1 >= list.data!.total ? 0 : n + 1));
  };

  const handler = useRef<(e: KeyboardEvent) => void>(() => {});
  handler.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    if (!view.data) return;
    const k = e.key.toLowerCase();
    if (k === "d") void decide("duplicate");
    else if (k === "n") void decide("not_duplicate");
    else if (k === "s") skip();
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => handler.current(e);
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  const total = list.data?.total ?? pending;
  return (
    <section className="card stack" aria-labelledby="pairs-heading">
      <h2 id="pairs-heading">Pairs to review ({formatCount(total)})</h2>
      <ErrorMessage error={list.error ?? view.error} />
      {list.data && total === 0 ? <p className="empty">No pairs are waiting for a decision.</p> : null}
      {view.data ? (
        <PairView
          view={view.data}
          position={skipped + 1}
          total={total}
          headingRef={heading}
          why={why}
          setWhy={setWhy}
          saving={saving}
          user={user}
          onDecide={(d) => void decide(d)}
          onSkip={skip}
          error={error}
        />
      ) : current ? (
        <Loading what="the pair" />
      ) : null}
    </section>
  );
}

function PairView({
  view,
  position,
  total,
  headingRef,
  why,
  setWhy,
  saving,
  user,
  onDecide,
  onSkip,
  error,
}: {
  view: DuplicatePairView;
  position: number;
  total: number;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  why: string;
  setWhy: (s: string) => void;
  saving: boolean;
  user: string;
  onDecide: (d: "duplicate" | "not_duplicate") => void;
  onSkip: () => void;
  error: string | null;
}) {
  const differing = view.fields.filter((f) => f.status === "different" || f.status === "missing").map((f) => FIELD[f.field]);
  return (
    <div className="stack" data-pair-id={view.pair.id}>
      <h3 ref={headingRef} tabIndex={-1} id="pair-heading">
        Pair {formatCount(position)} of {formatCount(total)}
      </h3>
      <p>
        <strong>Why it is uncertain:</strong> {view.pair.reasons.join("; ") || view.verdict.reason}.{" "}
        {differing.length ? <span>Differs in: {differing.join(", ")}.</span> : null}
      </p>
      <div className="table-wrap">
        <table className="data-table pair-table">
          <caption className="visually-hidden">The two records field by field; differing fields are marked</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Record A</th>
              <th scope="col">Record B</th>
              <th scope="col">Comparison</th>
            </tr>
          </thead>
          <tbody>
            {view.fields.map((f) => (
              <tr key={f.field} className={`field-${f.status}`}>
                <th scope="row">{FIELD[f.field]}</th>
                <td data-label="Record A">{f.a || <span className="muted">(none)</span>}</td>
                <td data-label="Record B">{f.b || <span className="muted">(none)</span>}</td>
                <td data-label="Comparison">
                  <span className={`compare compare-${f.status}`}>{STATUS[f.status]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="field">
        <label htmlFor="pair-why">Why (optional, kept in the audit log)</label>
        <input id="pair-why" type="text" value={why} onChange={(e) => setWhy(e.target.value)} onKeyDown={(e) => e.key === "Escape" && (e.target as HTMLInputElement).blur()} />
      </div>
      <div className="row pair-actions">
        <button type="button" onClick={() => onDecide("duplicate")} disabled={saving} aria-keyshortcuts="D">
          Duplicates <kbd aria-hidden="true">D</kbd>
        </button>
        <button type="button" className="button-secondary" onClick={() => onDecide("not_duplicate")} disabled={saving} aria-keyshortcuts="N">
          Different records <kbd aria-hidden="true">N</kbd>
        </button>
        <button type="button" className="button-secondary" onClick={onSkip} disabled={saving || total < 2} aria-keyshortcuts="S">
          Skip for now <kbd aria-hidden="true">S</kbd>
        </button>
      </div>
      <p className="muted small">
        Deciding as {user}. Keys: D duplicates, N different records, S skip (not while typing in the reason; Escape leaves the field).
      </p>
      {error ? (
        <p className="alert alert-error" role="alert">
          <strong>Error:</strong> {error}
        </p>
      ) : null}
    </div>
  );
}

function Groups({ projectId, tick, onChanged }: { projectId: string; tick: number; onChanged: (message: string) => void }) {
  const [offset, setOffset] = useState(0);
  const page = useApi((s) => call(r.listDuplicateGroups, { params: { id: projectId }, query: { offset, limit: GROUPS_PER_PAGE } }, s), [projectId, offset, tick]);
  useEffect(() => {
    if (page.data && offset > 0 && offset >= page.data.total) setOffset(Math.max(0, page.data.total - GROUPS_PER_PAGE));
  }, [page.data, offset]);
  const total = page.data?.total ?? 0;
  const pager =
    total > GROUPS_PER_PAGE ? (
      <nav className="pager" aria-label="Group pages">
        <button type="button" className="button-secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - GROUPS_PER_PAGE))}>
          Previous groups
        </button>
        <button type="button" className="button-secondary" disabled={offset + GROUPS_PER_PAGE >= total} onClick={() => setOffset(offset + GROUPS_PER_PAGE)}>
          Next groups
        </button>
      </nav>
    ) : null;
  return (
    <section className="stack" aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups ({formatCount(total)})</h2>
      <ErrorMessage error={page.error} />
      {page.loading && !page.data ? <Loading what="groups" /> : null}
      {page.data && total === 0 ? <p className="empty">No duplicate groups yet.</p> : null}
      {page.data && total > 0 ? (
        <p className="muted">
          Groups {formatCount(offset + 1)}–{formatCount(Math.min(offset + page.data.items.length, total))} of {formatCount(total)}. The first record of each group
          is its primary (the most complete); each other record says which record of the group it was matched with and the fields that decided it.
        </p>
      ) : null}
      {pager}
      <ol className="group-list" start={offset + 1}>
        {page.data?.items.map((g, i) => (
          <li key={g.group.id}>
            <Group projectId={projectId} view={g} number={offset + i + 1} onChanged={onChanged} />
          </li>
        ))}
      </ol>
      {pager}
    </section>
  );
}

function Group({ projectId, view, number, onChanged }: { projectId: string; view: DuplicateGroupView; number: number; onChanged: (message: string) => void }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [why, setWhy] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const ids = view.members.map((m) => m.record.id);
  const members = joinOrder(view.members);
  const titleOf = (id: string) => view.members.find((m) => m.record.id === id)?.record.title || id;
  const key = `group-${number}`;

  const split = async (parts: string[][], message: string) => {
    setSaving(true);
    setError(null);
    try {
      await call(r.splitDuplicateGroup, { params: { id: projectId, groupId: view.group.id }, body: { parts, reason: why.trim() || undefined } });
      setChosen(new Set());
      onChanged(message);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  const takeOut = (id: string) => void split([[id], ids.filter((x) => x !== id)], `Merge undone: “${titleOf(id)}” stands alone again and will not be merged with this group on later runs.`);
  const splitChosen = () => {
    const part = ids.filter((x) => chosen.has(x));
    if (!part.length || part.length === ids.length) {
      setError("Tick some, not all, of the group's records to split them off.");
      return;
    }
    void split([part, ids.filter((x) => !chosen.has(x))], `Group ${number} split: ${plural(part.length, "record")} taken apart.`);
  };
  const dissolve = () => void split(ids.map((x) => [x]), `Group ${number} undone: its ${plural(ids.length, "record")} stand alone.`);
  const how = view.group.method === "automatic" ? `found automatically, ${formatDateTime(view.group.createdAt)}` : `made by ${view.group.createdBy}, ${formatDateTime(view.group.createdAt)}`;

  return (
    <section className="card stack" aria-labelledby={`${key}-heading`} data-group-id={view.group.id}>
      <h3 id={`${key}-heading`}>
        Group {formatCount(number)}: {plural(view.members.length, "record")} <span className="muted small">({how})</span>
      </h3>
      <ol className="member-list">
        {members.map((m, i) => {
          const boxId = `${key}-pick-${m.record.id}`;
          return (
            <li key={m.record.id} className="member" data-record-id={m.record.id}>
              <div className="member-head">
                <input type="checkbox" id={boxId} checked={chosen.has(m.record.id)} onChange={() => setChosen((s) => toggled(s, m.record.id))} disabled={saving} />
                <label htmlFor={boxId} className="member-title">
                  <span className="member-number">Record {formatCount(i + 1)}:</span> {m.record.title || "(untitled)"}
                </label>
              </div>
              <p className="small">
                {formatAuthors(m.record.authors)} {m.record.year ?? ""} {m.record.journal ? `· ${m.record.journal}` : ""}
                {m.record.volume ? ` ${m.record.volume}` : ""}
                {m.record.pages ? `: ${m.record.pages}` : ""}
                {m.record.doi ? ` · doi ${m.record.doi}` : ""}
              </p>
              {m.primary ? (
                <p className="small">
                  <span className="badge">Primary</span> (the most complete record of the group)
                </p>
              ) : (
                <JoinedBecause view={view} members={members} member={m} />
              )}
              <button type="button" className="button-secondary" onClick={() => takeOut(m.record.id)} disabled={saving} aria-label={`Undo merge of “${m.record.title || m.record.id}”`}>
                Undo merge
              </button>
            </li>
          );
        })}
      </ol>
      <div className="field">
        <label htmlFor={`${key}-why`}>Why (optional, kept in the audit log)</label>
        <input id={`${key}-why`} type="text" value={why} onChange={(e) => setWhy(e.target.value)} />
      </div>
      <div className="row">
        <button type="button" className="button-secondary" onClick={splitChosen} disabled={saving}>
          Split ticked records into their own group
        </button>
        <button type="button" className="button-secondary" onClick={dissolve} disabled={saving}>
          Undo the whole group
        </button>
      </div>
      {error ? (
        <p className="alert alert-error" role="alert">
          <strong>Error:</strong> {error}
        </p>
      ) : null}
    </section>
  );
}

type Member = DuplicateGroupView["members"][number];

/**
 * Why a record is in its group: the copy it was matched with (which may be
 * another copy rather than the primary) and the fields that decided, in words.
 * Its comparison with the primary follows only as a difference note, since a
 * record joined through another copy may differ from the primary in what
 * matched it to that copy.
 */
function JoinedBecause({ view, members, member }: { view: DuplicateGroupView; members: Member[]; member: Member }) {
  const j = member.joinedBy;
  const differs = member.fields.filter((f) => f.status === "different").map((f) => midSentence(FIELD[f.field]));
  const differNote = differs.length ? <p className="small">Compared with the primary, it differs in: {listInWords(differs)}.</p> : null;
  if (!j) {
    return (
      <div className="join-why">
        <p className="small">
          <strong>Why it is here:</strong>{" "}
          {view.group.method === "automatic"
            ? "no rule links it to the other records now (the rules may have changed since the group was made). Check it, or undo the merge."
            : `put in this group by ${view.group.createdBy}.`}
        </p>
        {differNote}
      </div>
    );
  }
  const at = members.findIndex((x) => x.record.id === j.recordId);
  const other = members[at];
  const withWhom = other ? `record ${formatCount(at + 1)}${other.primary ? " (the primary)" : ""}` : "another record of the group";
  const journals = { a: member.record.journal, b: other?.record.journal };
  const fields = j.fields.map((f) => fieldInWords(f, journals));
  return (
    <div className="join-why">
      <p className="small">
        <strong>Why it is here:</strong> matched with {withWhom}: {ruleInWords(j.reason)}.
      </p>
      {fields.length ? (
        <p className="small">
          <strong>Deciding fields:</strong> {listInWords(fields)}.
        </p>
      ) : null}
      {differNote}
    </div>
  );
}

/** "Title" within a sentence is "title"; "DOI" stays as it is. */
function midSentence(label: string): string {
  return label === label.toUpperCase() ? label : label[0]!.toLowerCase() + label.slice(1);
}

/**
 * The group's records with each one right after the record it was matched
 * with, so an explanation points back up the list (a chain of copies reads
 * top to bottom); otherwise the server's order, primary first.
 */
function joinOrder(members: readonly Member[]): Member[] {
  const ids = new Set(members.map((m) => m.record.id));
  const out: Member[] = [];
  const placed = new Set<string>();
  const place = (m: Member) => {
    if (placed.has(m.record.id)) return;
    placed.add(m.record.id);
    out.push(m);
    for (const next of members) if (next.joinedBy?.recordId === m.record.id) place(next);
  };
  for (const m of members) if (!m.joinedBy || !ids.has(m.joinedBy.recordId)) place(m);
  for (const m of members) place(m);
  return out;
}

function toggled(s: Set<string>, id: string): Set<string> {
  const n = new Set(s);
  if (n.has(id)) n.delete(id);
  else n.add(id);
  return n;
}
