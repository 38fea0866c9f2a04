import type { AuditEntry, BibRecord, Reconciliation, ScreeningDecision, ScreeningSettings, ScreeningStage } from "@homeward/model";
import {
  advances,
  RankedQueue,
  recordStatus,
  reviewersNeeded,
  type AssignmentMode,
  type BackgroundPrioritiser,
  type Decision,
  type RankingService,
  type RecordStatus,
  type Reconciliation as WorkflowReconciliation,
} from "@homeward/screening";
import type { Store } from "@homeward/store";

/**
 * The screening state of one project, held in memory by the server and kept
 * in step with the store through the project's audit log.
 *
 * Why: the next record must be served in well under 100 ms with 100,000
 * records, and reading every record and decision per request takes seconds.
 * Every write to a project appends to its audit log in the same transaction
 * (see @homeward/store), so the log is a complete change feed: before
 * answering, `sync()` reads the log's length and newest entry (one indexed
 * count and one row); when they moved, it reads just the new entries and
 * applies them, whoever wrote them (this server's routes, other routes, the
 * CLI on the same database). Entries it cannot apply piecemeal (bulk writes
 * of more than 50 entities, which the store logs as one summary entry) make
 * it reload the project. Applying is idempotent (decisions and
 * reconciliations by id), so a write that lands while a reload reads is
 * harmless when it shows up again in the log.
 */

/** New log entries applied one by one at most; more and the project is reloaded. */
const MAX_DELTA = 500;
/** Entries read beyond the new ones, to catch commits that landed out of log order (PostgreSQL). */
const MARGIN = 50;
/** Log entry ids remembered as applied. */
const SEEN_MAX = 5000;
/** How long a served record is held for its reviewer. */
export const LEASE_MS = 10 * 60 * 1000;

interface StoredDecision extends Decision {
  id: string;
  at: string;
}

const UNSCREENED: RecordStatus = Object.freeze({ state: "unscreened" });

export interface StageCounts {
  unscreened: number;
  awaiting_second: number;
  decided: number;
  conflict: number;
  reconciled: number;
  include: number;
  exclude: number;
  maybe: number;
}

export class StageState {
  readonly decisions = new Map<string, StoredDecision[]>();
  readonly reconciliations = new Map<string, WorkflowReconciliation>();
  /** Order in which records got their first decision in this stage (for dual-then-single). */
  readonly ordinal = new Map<string, number>();
  private readonly byOrdinal: string[] = [];
  readonly status = new Map<string, RecordStatus>();
  /** Records of the stage, in the order they entered it. */
  readonly members = new Map<string, number>();
  readonly counts: StageCounts = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0, include: 0, exclude: 0, maybe: 0 };
  /** Records in conflict (kept so listing them does not scan the stage). */
  readonly conflicts = new Set<string>();
  /** Records awaiting a second reviewer, per reviewer who made the first decision. */
  private readonly awaitingBy = new Map<string, number>();
  private readonly ids = new Set<string>();
  /** Import order, for reviewers who switch prioritisation off. */
  readonly plain = new RankedQueue();
  mode: AssignmentMode = { kind: "single" };
  /** Labels changed since the last retrain request. */
  dirty = false;
  /** Served records held for their reviewer: key (duplicate group or record) → reviewer → expiry. */
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly held = new Map<string, string>();

  constructor(
    readonly stage: ScreeningStage,
    readonly prio: BackgroundPrioritiser,
    private readonly project: ProjectState,
  ) {}

  get total(): number {
    return this.members.size;
  }

  needed(recordId: string): 1 | 2 {
    return reviewersNeeded(this.mode, this.ordinal.get(recordId) ?? this.ordinal.size, this.total);
  }

  /** Adds a decision (idempotent by id); returns whether it was new. */
  addDecision(d: ScreeningDecision): boolean {
    if (this.ids.has(d.id)) return false;
    this.ids.add(d.id);
    const list = this.decisions.get(d.recordId) ?? [];
    const entry: StoredDecision = { id: d.id, at: d.at, reviewer: d.reviewer, verdict: d.decision, reasons: d.reasons };
    // Latest per reviewer counts, so the list stays in time order even if entries arrive out of order.
    let i = list.length;
    while (i > 0 && (list[i - 1].at > d.at || (list[i - 1].at === d.at && list[i - 1].id > d.id))) i--;
    list.splice(i, 0, entry);
    this.decisions.set(d.recordId, list);
    if (!this.ordinal.has(d.recordId)) {
      this.ordinal.set(d.recordId, this.ordinal.size);
      this.byOrdinal.push(d.recordId);
    }
    this.release(d.reviewer);
    this.refresh(d.recordId);
    return true;
  }

  addReconciliation(r: Reconciliation): boolean {
    if (this.ids.has(r.id)) return false;
    this.ids.add(r.id);
    this.reconciliations.set(r.recordId, { reviewer: r.resolvedBy, verdict: r.decision, reasons: r.reasons, reason: r.reason });
    this.refresh(r.recordId);
    return true;
  }

  join(recordId: string, text: string): void {
    if (this.members.has(recordId)) return;
    const before = this.total;
    this.members.set(recordId, this.members.size);
    this.plain.add(recordId);
    this.prio.addRecord(recordId, text);
    this.refresh(recordId);
    this.totalChanged(before);
  }

  leave(recordId: string): void {
    const before = this.total;
    if (!this.members.delete(recordId)) return;
    this.refresh(recordId);
    this.totalChanged(before);
  }

  /**
   * With a dual share, the records decided first need two reviewers: when the
   * stage's size changes, so does that count, and the records between the
   * old and the new count change status.
   */
  private totalChanged(before: number): void {
    if (this.mode.kind !== "dual_then_single") return;
    const cut = (total: number) => reviewersNeededCut(this.mode, total);
    const [a, b] = [cut(before), cut(this.total)].sort((x, y) => x - y);
    for (let k = a; k < b && k < this.byOrdinal.length; k++) this.refresh(this.byOrdinal[k]);
  }

  setMode(mode: AssignmentMode): void {
    if (JSON.stringify(mode) === JSON.stringify(this.mode)) return;
    this.mode = mode;
    this.refreshAll();
  }

  refreshAll(): void {
    for (const id of this.members.keys()) this.refresh(id);
  }

  /** Recomputes one record's status and passes the outcome on (counts, queues, model, full-text stage). */
  refresh(recordId: string): void {
    const old = this.status.get(recordId);
    let next = this.members.has(recordId)
      ? recordStatus(this.stage, this.needed(recordId), this.decisions.get(recordId) ?? [], this.reconciliations.get(recordId))
      : undefined;
    // Most records are unscreened: one shared object keeps 100,000 of them off the heap.
    if (next?.state === "unscreened") next = UNSCREENED;
    if (old) this.count(old, -1);
    if (next) {
      this.count(next, 1);
      this.status.set(recordId, next);
    } else this.status.delete(recordId);
    if (next?.state === "conflict") this.conflicts.add(recordId);
    else this.conflicts.delete(recordId);
    const open = next !== undefined && (next.state === "unscreened" || next.state === "awaiting_second");
    const relevant = next !== undefined && (next.state === "decided" || next.state === "reconciled") ? advances(next.verdict) : null;
    if (this.plain.has(recordId)) this.plain.setClosed(this.plain.row(recordId), !open);
    if (this.prio.has(recordId) && this.prio.setDecision(recordId, relevant, !open)) this.dirty = true;
    if (this.stage === "title_abstract") this.project.titleAbstractOutcome(recordId, relevant === true);
  }

  private count(s: RecordStatus, sign: 1 | -1): void {
    this.counts[s.state] += sign;
    if (s.state === "decided" || s.state === "reconciled") this.counts[s.verdict] += sign;
    if (s.state === "awaiting_second") for (const r of s.decided) this.awaitingBy.set(r, (this.awaitingBy.get(r) ?? 0) + sign);
  }

  /** Records `reviewer` can screen now. */
  remaining(reviewer: string): number {
    return this.counts.unscreened + this.counts.awaiting_second - (this.awaitingBy.get(reviewer) ?? 0);
  }

  /** Can `reviewer` screen this record now (rules of `canScreen`), with no one else holding its last free place? */
  openFor(recordId: string, reviewer: string, now: number): boolean {
    const s = this.status.get(recordId);
    if (!s) return false;
    if (s.state === "awaiting_second") {
      if (s.decided.includes(reviewer)) return false;
    } else if (s.state !== "unscreened") return false;
    const holders = this.leases.get(this.leaseKey(recordId));
    if (!holders) return true;
    let others = 0;
    for (const [r, until] of holders) if (r !== reviewer && until > now && !(s.state === "awaiting_second" && s.decided.includes(r))) others++;
    const free = this.needed(recordId) - (s.state === "awaiting_second" ? s.decided.length : 0);
    return others < free;
  }

  /**
   * The next record for `reviewer`: the one they were served last if they
   * can still screen it (a reload shows the same record), else the best open
   * one. It is then held for them for `LEASE_MS`, so reviewers screening at
   * the same time are served different records (or, in dual screening, at
   * most two reviewers the same one).
   */
  next(reviewer: string, prioritise: boolean, now: number): string | null {
    const heldKey = this.held.get(reviewer);
    let id: string | null = null;
    if (heldKey !== undefined) {
      const until = this.leases.get(heldKey)?.get(reviewer) ?? 0;
      const rid = this.project.leaseRecord(heldKey, this);
      if (until > now && rid !== null && this.openFor(rid, reviewer, now)) id = rid;
    }
    const skip = (rid: string) => !this.openFor(rid, reviewer, now);
    id ??= prioritise ? this.prio.next(skip) : this.plain.next(skip);
    this.release(reviewer);
    if (id !== null) {
      const key = this.leaseKey(id);
      const holders = this.leases.get(key) ?? new Map<string, number>();
      holders.set(reviewer, now + LEASE_MS);
      this.leases.set(key, holders);
      this.held.set(reviewer, key);
    }
    return id;
  }

  private release(reviewer: string): void {
    const key = this.held.get(reviewer);
    if (key === undefined) return;
    this.held.delete(reviewer);
    const holders = this.leases.get(key);
    holders?.delete(reviewer);
    if (holders?.size === 0) this.leases.delete(key);
  }

  private leaseKey(recordId: string): string {
    return this.project.groupOf(recordId) ?? recordId;
  }

  /** Records of the stage in the project's record order (members matching `keep`, when given). */
  memberIds(keep?: (id: string) => boolean): string[] {
    return this.inRecordOrder(keep ? [...this.members.keys()].filter(keep) : [...this.members.keys()]);
  }

  /** Sorts ids in the project's record order. */
  inRecordOrder(ids: string[]): string[] {
    const index = (id: string) => this.project.records.get(id)?.index ?? 0;
    // Usually already in order (records join in the order they were created); sorting checks it in one pass then.
    for (let k = 1; k < ids.length; k++) if (index(ids[k - 1]) > index(ids[k])) return ids.sort((a, b) => index(a) - index(b));
    return ids;
  }

  /** Records with a decision in this stage, in the order they got their first. */
  decidedOrder(): readonly string[] {
    return this.byOrdinal;
  }
}

interface RecordInfo {
  group: string | null;
  /** Position in the project's record list (creation order). */
  index: number;
}

/** Where dual screening ends in dual-then-single mode: records with a lower ordinal need two reviewers. */
function reviewersNeededCut(mode: AssignmentMode, total: number): number {
  let k = 0;
  // reviewersNeeded is the rule; find its cut by bisection rather than restating the formula.
  let hi = total;
  while (k < hi) {
    const mid = (k + hi) >>> 1;
    if (reviewersNeeded(mode, mid, total) === 2) k = mid + 1;
    else hi = mid;
  }
  return k;
}

export class ProjectState {
  readonly records = new Map<string, RecordInfo>();
  private readonly groups = new Map<string, Set<string>>();
  ta: StageState;
  ft: StageState;
  private auditTotal = -1;
  private auditTop: string | null = null;
  private readonly seen = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private loaded = false;
  /** Records waiting to join full text (their text is fetched when they do). */
  private joining = new Set<string>();

  constructor(
    private readonly store: Store,
    readonly projectId: string,
    service: RankingService,
  ) {
    const open = (stage: ScreeningStage) => service.open(`${projectId}\u0000${stage}`, { seed: 1 });
    this.ta = new StageState("title_abstract", open("title_abstract"), this);
    this.ft = new StageState("full_text", open("full_text"), this);
  }

  stage(s: ScreeningStage): StageState {
    return s === "title_abstract" ? this.ta : this.ft;
  }

  groupOf(recordId: string): string | null {
    return this.records.get(recordId)?.group ?? null;
  }

  /** Records of a duplicate group (or just the record), in the stage's order. */
  groupMembers(recordId: string): string[] {
    const g = this.groupOf(recordId);
    return g ? [...(this.groups.get(g) ?? [recordId])] : [recordId];
  }

  /** The member of a lease key (group or record) still open in `st`, if any. */
  leaseRecord(key: string, st: StageState): string | null {
    const members = this.groups.get(key) ?? (this.records.has(key) ? [key] : []);
    for (const id of members) if (st.status.has(id)) return id;
    return null;
  }

  /** Called by the title/abstract stage when a record's outcome changes. */
  titleAbstractOutcome(recordId: string, advancing: boolean): void {
    if (advancing && !this.ft.members.has(recordId)) this.joining.add(recordId);
    else if (!advancing) {
      this.joining.delete(recordId);
      this.ft.leave(recordId);
    }
  }

  /**
   * Brings the state up to date with the store. Calls run one after another,
   * each reading the log afresh, so a request that follows its own write sees
   * that write.
   */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.syncNow());
    // A failed sync must not block the next one, which reloads.
    this.chain = run.catch(() => {
      this.loaded = false;
    });
    return run;
  }

  private async syncNow(): Promise<void> {
    if (!this.loaded) return this.reload();
    const head = await this.store.listAudit(this.projectId, { offset: 0, limit: 1 });
    if (head.total === this.auditTotal && (head.items[0]?.id ?? null) === this.auditTop) return;
    const delta = head.total - this.auditTotal;
    if (delta <= 0 || delta > MAX_DELTA) return this.reload();
    const entries: AuditEntry[] = [];
    for (let offset = 0; offset < delta + MARGIN; offset += 1000) {
      const page = await this.store.listAudit(this.projectId, { offset, limit: Math.min(1000, delta + MARGIN - offset) });
      entries.push(...page.items);
      if (page.items.length === 0) break;
    }
    const fresh = entries.filter((e) => !this.seen.has(e.id)).reverse();
    // Fewer or more unseen entries than the log grew by: something is off (an
    // entry outside the window); start again from the store.
    if (fresh.length !== delta) return this.reload();
    let reload = false;
    let settings = false;
    for (const e of fresh) {
      const r = this.apply(e);
      if (r === "reload") reload = true;
      if (r === "settings") settings = true;
    }
    if (reload) return this.reload();
    this.remember(entries.map((e) => e.id));
    this.auditTotal = head.total;
    this.auditTop = entries[0]?.id ?? null;
    if (settings) await this.loadSettings();
    await this.admitToFullText();
    this.retrainIfDirty();
  }

  /** Applies one log entry; says when it cannot. */
  private apply(e: AuditEntry): "ok" | "reload" | "settings" {
    const after = e.after as Record<string, unknown> | null;
    const whole = after !== null && typeof after === "object" && typeof after.id === "string";
    switch (e.entity) {
      case "screeningDecisions": {
        if (!e.action.endsWith(".create") || !whole) return "reload";
        const d = after as unknown as ScreeningDecision;
        if (!this.records.has(d.recordId)) return "reload";
        this.stage(d.stage).addDecision(d);
        return "ok";
      }
      case "reconciliations": {
        if (!e.action.endsWith(".create") || !whole) return "reload";
        const r = after as unknown as Reconciliation;
        if (!this.records.has(r.recordId)) return "reload";
        this.stage(r.stage).addReconciliation(r);
        return "ok";
      }
      case "screeningSettings":
        return "settings";
      case "records": {
        if (!whole) return "reload";
        const rec = after as unknown as BibRecord;
        if (e.action.endsWith(".create")) this.addRecord(rec);
        else if (e.action.endsWith(".update")) {
          if (!this.records.has(rec.id)) return "reload";
          this.setGroup(rec.id, rec.duplicateGroupId ?? null);
        } else return "reload";
        return "ok";
      }
      default:
        // Nothing else bears on screening (protocol reasons are read per write).
        return "ok";
    }
  }

  private addRecord(r: BibRecord): void {
    if (this.records.has(r.id)) return;
    this.records.set(r.id, { group: null, index: this.records.size });
    this.setGroup(r.id, r.duplicateGroupId ?? null);
    this.ta.join(r.id, recordText(r));
  }

  private setGroup(recordId: string, group: string | null): void {
    const info = this.records.get(recordId)!;
    if (info.group === group) return;
    if (info.group) {
      const g = this.groups.get(info.group)!;
      g.delete(recordId);
      if (g.size === 0) this.groups.delete(info.group);
    }
    info.group = group;
    if (group) {
      const g = this.groups.get(group) ?? new Set<string>();
      g.add(recordId);
      this.groups.set(group, g);
    }
  }

  private async loadSettings(): Promise<void> {
    const rows = await this.store.list(this.projectId, "screeningSettings");
    for (const st of [this.ta, this.ft]) st.setMode(modeOf(rows.filter((s) => s.stage === st.stage)));
  }

  /** Records that title/abstract screening sent on join the full-text stage, with their text. */
  private async admitToFullText(texts?: Map<string, string>): Promise<void> {
    if (this.joining.size === 0) return;
    const ids = [...this.joining];
    this.joining.clear();
    for (const id of ids) {
      const s = this.ta.status.get(id);
      if (!(s && (s.state === "decided" || s.state === "reconciled") && advances(s.verdict))) continue;
      const text = texts?.get(id) ?? recordText(await this.store.get(this.projectId, "records", id));
      this.ft.join(id, text);
    }
  }

  private retrainIfDirty(): void {
    for (const st of [this.ta, this.ft]) {
      // The first ranking is asked for at load even before any decision, so
      // records can be hashed while reviewers start.
      if (st.total > 0 && (st.dirty || (st.prio.rankings === 0 && !st.prio.busy))) {
        st.dirty = false;
        st.prio.retrain();
      }
    }
  }

  /** Reads the project's screening afresh (first use, bulk writes, anything unexpected). */
  private async reload(): Promise<void> {
    // The log position first: whatever lands after it is applied again from the log (idempotently).
    const top = await this.store.listAudit(this.projectId, { offset: 0, limit: 1000 });
    const [records, decisions, reconciliations] = await Promise.all([
      this.store.list(this.projectId, "records"),
      this.store.list(this.projectId, "screeningDecisions"),
      this.store.list(this.projectId, "reconciliations"),
    ]);
    this.records.clear();
    this.groups.clear();
    this.joining.clear();
    this.ta = new StageState("title_abstract", this.ta.prio, this);
    this.ft = new StageState("full_text", this.ft.prio, this);
    await this.loadSettings();
    const texts = new Map<string, string>();
    for (const r of records) {
      this.records.set(r.id, { group: null, index: this.records.size });
      this.setGroup(r.id, r.duplicateGroupId ?? null);
    }
    for (const r of records) {
      texts.set(r.id, recordText(r));
      this.ta.join(r.id, texts.get(r.id)!);
    }
    for (const d of decisions) if (d.stage === "title_abstract" && this.records.has(d.recordId)) this.ta.addDecision(d);
    for (const r of reconciliations) if (r.stage === "title_abstract" && this.records.has(r.recordId)) this.ta.addReconciliation(r);
    await this.admitToFullText(texts);
    for (const d of decisions) if (d.stage === "full_text" && this.records.has(d.recordId)) this.ft.addDecision(d);
    for (const r of reconciliations) if (r.stage === "full_text" && this.records.has(r.recordId)) this.ft.addReconciliation(r);
    this.seen.clear();
    this.remember(top.items.map((e) => e.id));
    this.auditTotal = top.total;
    this.auditTop = top.items[0]?.id ?? null;
    this.loaded = true;
    for (const st of [this.ta, this.ft]) st.dirty = true;
    this.retrainIfDirty();
  }

  private remember(ids: string[]): void {
    for (const id of ids) {
      this.seen.delete(id);
      this.seen.add(id);
    }
    if (this.seen.size > SEEN_MAX) {
      let drop = this.seen.size - SEEN_MAX;
      for (const id of this.seen) {
        if (drop-- <= 0) break;
        this.seen.delete(id);
      }
    }
  }
}

function recordText(r: BibRecord): string {
  return `${r.title} ${r.abstract ?? ""}`;
}

/** The stage's assignment mode: its most recently updated settings, single screening without any. */
export function modeOf(settings: ScreeningSettings[]): AssignmentMode {
  const s = [...settings].sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : 1)).pop();
  if (!s || s.mode === "single") return { kind: "single" };
  if (s.mode === "dual") return { kind: "dual" };
  return { kind: "dual_then_single", dualShare: s.dualFraction ?? 0.2 };
}
