import { agreement } from "../agreement.js";
import { ScreeningInputError } from "../errors.js";
import { RankedQueue } from "../queue.js";
import { advances, recordStatus, reviewersNeeded, type AssignmentMode, type Decision, type Reconciliation, type RecordStatus, type Stage } from "../workflow.js";
import { agreementFigures, type AgreementFigures, type PairAgreement, type StageCounts } from "./answers.js";
import type { DecisionEvent, Lease, ReconciliationEvent } from "./events.js";

/**
 * The part of prioritisation the engine drives: records in, outcomes in, the
 * best open record out. `BackgroundPrioritiser` (training in a worker thread)
 * is one; `ImportOrder` (no model) is the default.
 */
export interface RankingQueue {
  /** True once the order comes from a trained model. */
  readonly ranked: boolean;
  /** False when the queue does not learn from texts, so records need not wait for theirs. */
  readonly wantsText?: boolean;
  has(id: string): boolean;
  addRecord(id: string, text: string): boolean;
  /** `relevant` null: no outcome yet. `closed`: no one can screen the record now. Returns whether the label changed. */
  setDecision(id: string, relevant: boolean | null, closed: boolean): boolean;
  next(skip?: (id: string) => boolean): string | null;
  /**
   * The best open record among those a model ranked, null when none is
   * (or nothing is ranked): a stage that does not hold every record (see
   * `StageEngine.unlisted`) serves the rest in import order itself, reading
   * on as it needs.
   */
  nextRanked?(skip?: (id: string) => boolean): string | null;
  /** Ranks with the named model (the stage's settings choose it; null: the default). */
  useModel?(name: string | null): void;
}

/** Records in the order they came, never ranked. */
export class ImportOrder implements RankingQueue {
  private readonly queue = new RankedQueue();
  readonly ranked = false;
  readonly wantsText = false;
  has(id: string): boolean {
    return this.queue.has(id);
  }
  addRecord(id: string): boolean {
    return this.queue.add(id) >= 0;
  }
  setDecision(id: string, _relevant: boolean | null, closed: boolean): boolean {
    const row = this.queue.row(id);
    const was = this.queue.isClosed(row);
    this.queue.setClosed(row, closed);
    return was !== closed;
  }
  next(skip?: (id: string) => boolean): string | null {
    return this.queue.next(skip);
  }
}

/** What a stage needs of the project it belongs to. */
export interface StageHost {
  /** The record's duplicate group, null when it has none. */
  groupOf(recordId: string): string | null;
  /** Records sharing a lease key (a group's members, or the record alone). */
  keyMembers(key: string): Iterable<string>;
  /** The records' places in the project's record order (created, then id), compared. */
  compare(a: string, b: string): number;
  /** The record's place in record order as a key (see `recordOrder`); undefined when not known. */
  orderKey(recordId: string): string | undefined;
  /** A title/abstract record's outcome changed: whether it goes on to full text. */
  outcome(recordId: string, advancing: boolean): void;
}

export interface StoredDecision extends Decision {
  id: string;
  at: string;
  reasons: string[];
}

/** A record `reviewer` may be served, and what holding it takes. */
export interface Candidate {
  recordId: string;
  key: string;
  /** Reviewers who may hold the key at once: the places still free on the record. */
  capacity: number;
  /** Reviewers who already decided the record: a lease of theirs left behind takes no place. */
  decided: string[];
}

export interface CandidateOptions {
  /** Serve by the ranking (true, the default) or in import order. */
  prioritise?: boolean;
  /** The time leases are judged at (ms since the epoch). */
  now: number;
  /** Records not to offer (tried already). */
  skip?: ReadonlySet<string>;
}

const UNSCREENED: RecordStatus = Object.freeze({ state: "unscreened" });

/**
 * One stage's screening state, kept incrementally: each event recomputes the
 * records it touches, so no query scans the stage. Statuses come from the
 * workflow rules (`recordStatus`, `reviewersNeeded`); this class keeps their
 * consequences (counts, conflicts, the queues, the first-decision order,
 * leases) in step.
 */
export class StageEngine {
  private readonly decisions = new Map<string, StoredDecision[]>();
  private readonly reconciliations = new Map<string, Reconciliation & { id: string }>();
  /** Order in which records got their first decision in this stage (for dual-then-single and the stopping sequence). */
  private readonly ordinal = new Map<string, number>();
  private readonly byOrdinal: string[] = [];
  /** Which ordinals belong to records of the stage: the dual-then-single cut counts those only. */
  private readonly memberOrdinals = new MemberOrdinals();
  private readonly statuses = new Map<string, RecordStatus>();
  /** Records of the stage, in the order they entered it. */
  private readonly members = new Map<string, number>();
  private readonly countsNow: StageCounts = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0, include: 0, exclude: 0, maybe: 0 };
  /** Records in conflict (kept so listing them does not scan the stage). */
  private readonly conflictIds = new Set<string>();
  /** Records awaiting a second reviewer, per reviewer who made the first decision. */
  private readonly awaitingBy = new Map<string, number>();
  private readonly seen = new Set<string>();
  /** Import order, for reviewers who switch prioritisation off. */
  private readonly plain = new RankedQueue();
  private modeNow: AssignmentMode = { kind: "single" };
  /** Lease key → reviewer → lease. */
  private readonly leases = new Map<string, Map<string, Lease>>();
  /** Reviewer → the key they hold. */
  private readonly held = new Map<string, string>();
  /** Outcomes changed since the ranking was last asked to retrain. */
  dirty = false;
  /**
   * Records of the stage the engine was told of by number only (see
   * `ScreeningEngine`'s `records.counted`): unscreened, in no duplicate
   * group, not listed one by one. Title/abstract only.
   */
  private unlistedNow = 0;
  /** True once the stage holds only some of its records, reading the rest in record order as it needs them. */
  private paged = false;
  /** The order key (`recordOrder`) of the last record read in record order; every record up to it is listed. */
  private frontierNow: string | null = null;
  /** True when every record is listed (nothing left to read on). */
  private exhaustedNow = true;
  /** The import-order queue needs sorting again (records were listed out of record order). */
  private plainSorted = true;
  /** The greatest order key in the import-order queue: a record joining after it keeps the queue in order. */
  private plainLast: string | null = null;
  /** The last candidate search stopped at records not yet read: read the next page (`records.page`) and ask again. */
  wantsPage = false;

  constructor(
    readonly stage: Stage,
    readonly ranking: RankingQueue,
    private readonly host: StageHost,
  ) {}

  get mode(): AssignmentMode {
    return this.modeNow;
  }

  /** Records in the stage. */
  get total(): number {
    return this.members.size + this.unlistedNow;
  }

  /** Records of the stage not listed one by one (all unscreened, see `setUnlisted`). */
  get unlisted(): number {
    return this.unlistedNow;
  }

  /** Where reading records on in record order stands: after `frontier` (null: from the start), unless `exhausted`. */
  get backlog(): { frontier: string | null; exhausted: boolean } {
    return { frontier: this.frontierNow, exhausted: this.exhaustedNow };
  }

  /**
   * The stage has `n` records besides those listed, all unscreened; from the
   * first call on it serves in import order only up to the records read so
   * far in record order (`readOn`), asking for more (`wantsPage`) there.
   */
  setUnlisted(n: number): void {
    if (!this.paged) {
      this.paged = true;
      this.exhaustedNow = n === 0;
      this.plainSorted = false;
    }
    if (n === this.unlistedNow) return;
    const before = this.total;
    this.countsNow.unscreened += n - this.unlistedNow;
    this.unlistedNow = n;
    this.totalChanged(before);
  }

  /** Records up to `frontier` in record order are listed now; `end`: all of them are. */
  readOn(frontier: string | null, end: boolean): void {
    if (frontier !== null && (this.frontierNow === null || frontier > this.frontierNow)) this.frontierNow = frontier;
    if (end) this.exhaustedNow = true;
  }

  get counts(): Readonly<StageCounts> {
    return this.countsNow;
  }

  has(recordId: string): boolean {
    return this.members.has(recordId);
  }

  /** The record's status, undefined when it is not in the stage. */
  statusOf(recordId: string): RecordStatus | undefined {
    return this.statuses.get(recordId);
  }

  /** The record's status; a 404 input error when it is not in the stage. */
  requireStatus(recordId: string): RecordStatus {
    const s = this.statuses.get(recordId);
    if (!s) throw new ScreeningInputError(`record ${recordId} is not in the ${this.stage.replace("_", "/")} stage`, 404);
    return s;
  }

  /**
   * Reviewers the record needs under the current mode. Its position is its
   * rank among the stage's records in the order they were first decided:
   * a duplicate group's copies, decided with their primary but not in the
   * stage, do not take places in the dual-screened share.
   */
  needed(recordId: string): 1 | 2 {
    const o = this.ordinal.get(recordId);
    return reviewersNeeded(this.modeNow, o === undefined ? this.memberOrdinals.count() : this.memberOrdinals.before(o), this.total);
  }

  /** Every decision on the record in this stage, in time order (earlier decisions of a reviewer included). */
  decisionsOf(recordId: string): readonly StoredDecision[] {
    return this.decisions.get(recordId) ?? [];
  }

  /** Who decided the record, in the order they first did. */
  reviewersOf(recordId: string): string[] {
    return [...new Set(this.decisionsOf(recordId).map((d) => d.reviewer))];
  }

  // ------------------------------------------------------------ events

  /** Adds a decision (idempotent by id); returns whether it was new. */
  addDecision(d: DecisionEvent): boolean {
    if (this.seen.has(d.id)) return false;
    this.seen.add(d.id);
    const list = this.decisions.get(d.recordId) ?? [];
    const entry: StoredDecision = { id: d.id, at: d.at, reviewer: d.reviewer, verdict: d.decision, reasons: d.reasons };
    // A reviewer's latest decision counts, so the list stays in time order even if decisions arrive out of order.
    let i = list.length;
    while (i > 0 && (list[i - 1].at > d.at || (list[i - 1].at === d.at && list[i - 1].id > d.id))) i--;
    list.splice(i, 0, entry);
    this.decisions.set(d.recordId, list);
    if (!this.ordinal.has(d.recordId)) {
      this.ordinal.set(d.recordId, this.ordinal.size);
      this.byOrdinal.push(d.recordId);
      this.memberOrdinals.push(this.members.has(d.recordId));
    }
    // A decision ends the reviewer's hold on the record (or on whatever they held).
    this.release(d.reviewer);
    this.refresh(d.recordId);
    return true;
  }

  addReconciliation(r: ReconciliationEvent): boolean {
    if (this.seen.has(r.id)) return false;
    this.seen.add(r.id);
    this.reconciliations.set(r.recordId, { id: r.id, reviewer: r.resolvedBy, verdict: r.decision, reasons: r.reasons, reason: r.reason });
    this.refresh(r.recordId);
    return true;
  }

  /** The record enters the stage; `text` feeds the ranking model, which skips the record until it has it. */
  join(recordId: string, text?: string): void {
    if (this.members.has(recordId)) return;
    const before = this.total;
    this.members.set(recordId, this.members.size);
    const row = this.plain.add(recordId);
    if (this.paged && row >= 0) {
      // Pages come in record order, so the queue mostly stays sorted; a record named out of turn (decided, ranked) sorts it again when next served.
      const key = this.host.orderKey(recordId);
      if (key !== undefined && (this.plainLast === null || key > this.plainLast)) this.plainLast = key;
      else this.plainSorted = false;
    }
    if (text !== undefined) this.ranking.addRecord(recordId, text);
    this.setMemberOrdinal(recordId, true);
    this.refresh(recordId);
    this.totalChanged(before);
  }

  /** Gives the ranking model a member's text (once). */
  addText(recordId: string, text: string): void {
    if (this.ranking.has(recordId)) return;
    this.ranking.addRecord(recordId, text);
    this.refresh(recordId);
  }

  leave(recordId: string): void {
    const before = this.total;
    if (!this.members.delete(recordId)) return;
    this.setMemberOrdinal(recordId, false);
    this.refresh(recordId);
    this.totalChanged(before);
  }

  setMode(mode: AssignmentMode): void {
    if (JSON.stringify(mode) === JSON.stringify(this.modeNow)) return;
    this.modeNow = mode;
    // In record order: records a change sends on to full text join it in that order, however this stage came to hold them.
    for (const id of this.memberIds()) this.refresh(id);
  }

  private setMemberOrdinal(recordId: string, member: boolean): void {
    const o = this.ordinal.get(recordId);
    if (o !== undefined) this.memberOrdinals.set(o, member);
  }

  /**
   * With a dual share, the stage's records decided first need two
   * reviewers: when the stage gains or loses a record, the cut moves with
   * its size, and a decided record coming or going shifts the ranks of
   * those decided after it. Either way only the records ranked next to the
   * old and the new cut can change sides.
   */
  private totalChanged(before: number): void {
    if (this.modeNow.kind !== "dual_then_single") return;
    const cuts = [dualCut(this.modeNow, before), dualCut(this.modeNow, this.total)];
    const hi = Math.max(...cuts) + 1;
    for (let k = Math.max(0, Math.min(...cuts) - 1); k < hi; k++) {
      const o = this.memberOrdinals.at(k);
      if (o < 0) break;
      this.refresh(this.byOrdinal[o]!);
    }
  }

  /** Recomputes one record's status and passes the outcome on (counts, queues, model, the next stage). */
  private refresh(recordId: string): void {
    const old = this.statuses.get(recordId);
    let next = this.members.has(recordId)
      ? recordStatus(this.stage, this.needed(recordId), this.decisions.get(recordId) ?? [], this.reconciliations.get(recordId))
      : undefined;
    // Most records are unscreened: one shared object keeps 100,000 of them off the heap.
    if (next?.state === "unscreened") next = UNSCREENED;
    if (old) this.count(old, -1);
    if (next) {
      this.count(next, 1);
      this.statuses.set(recordId, next);
    } else this.statuses.delete(recordId);
    if (next?.state === "conflict") this.conflictIds.add(recordId);
    else this.conflictIds.delete(recordId);
    const open = next !== undefined && (next.state === "unscreened" || next.state === "awaiting_second");
    const relevant = next !== undefined && (next.state === "decided" || next.state === "reconciled") ? advances(next.verdict) : null;
    if (this.plain.has(recordId)) this.plain.setClosed(this.plain.row(recordId), !open);
    if (this.ranking.has(recordId) && this.ranking.setDecision(recordId, relevant, !open)) this.dirty = true;
    if (this.stage === "title_abstract") this.host.outcome(recordId, relevant === true);
  }

  private count(s: RecordStatus, sign: 1 | -1): void {
    this.countsNow[s.state] += sign;
    if (s.state === "decided" || s.state === "reconciled") this.countsNow[s.verdict] += sign;
    if (s.state === "awaiting_second") for (const r of s.decided) this.awaitingBy.set(r, (this.awaitingBy.get(r) ?? 0) + sign);
  }

  // ------------------------------------------------------------ leases

  /** A lease for its reviewer, replacing any other they held here. */
  grant(lease: Lease): void {
    this.release(lease.reviewer);
    const holders = this.leases.get(lease.key) ?? new Map<string, Lease>();
    holders.set(lease.reviewer, lease);
    this.leases.set(lease.key, holders);
    this.held.set(lease.reviewer, lease.key);
  }

  release(reviewer: string): void {
    const key = this.held.get(reviewer);
    if (key === undefined) return;
    this.held.delete(reviewer);
    const holders = this.leases.get(key);
    holders?.delete(reviewer);
    if (holders?.size === 0) this.leases.delete(key);
  }

  /** Replaces the known leases: all of them, or those of `key`. */
  setLeases(leases: readonly Lease[], key?: string): void {
    if (key === undefined) {
      this.leases.clear();
      this.held.clear();
    } else {
      for (const reviewer of this.leases.get(key)?.keys() ?? []) this.release(reviewer);
    }
    for (const l of leases) if (key === undefined || l.key === key) this.grant(l);
  }

  expire(now: number): void {
    for (const holders of [...this.leases.values()]) for (const l of [...holders.values()]) if (l.expiresAt <= now) this.release(l.reviewer);
  }

  /** Leases in force at `now`. */
  leasesAt(now: number): Lease[] {
    const out: Lease[] = [];
    for (const holders of this.leases.values()) for (const l of holders.values()) if (l.expiresAt > now) out.push(l);
    return out;
  }

  /** The lease `reviewer` holds at `now`, if any. */
  heldBy(reviewer: string, now: number): Lease | undefined {
    const key = this.held.get(reviewer);
    const l = key === undefined ? undefined : this.leases.get(key)?.get(reviewer);
    return l && l.expiresAt > now ? l : undefined;
  }

  keyOf(recordId: string): string {
    return this.host.groupOf(recordId) ?? recordId;
  }

  /**
   * Can `reviewer` screen this record now (the rules of `canScreen`), with
   * no one else holding its last free place at `now`? Holds of reviewers who
   * already decided it take no place.
   */
  openFor(recordId: string, reviewer: string, now: number): boolean {
    const s = this.statuses.get(recordId);
    if (!s) return false;
    const decided = s.state === "awaiting_second" ? s.decided : null;
    if (decided ? decided.includes(reviewer) : s.state !== "unscreened") return false;
    const holders = this.leases.get(this.keyOf(recordId));
    if (!holders) return true;
    let others = 0;
    for (const [r, l] of holders) if (r !== reviewer && l.expiresAt > now && !decided?.includes(r)) others++;
    return others < this.needed(recordId) - (decided?.length ?? 0);
  }

  /**
   * The record to offer `reviewer` next: the one they hold if they can still
   * screen it (a reload shows the same record; after a restart too, when the
   * leases come from the store), else the best open record no one else
   * holds the last place of. Null when none is left.
   */
  candidate(reviewer: string, options: CandidateOptions): Candidate | null {
    const { now, skip } = options;
    const lease = this.heldBy(reviewer, now);
    if (lease) {
      const members = [lease.recordId, ...this.host.keyMembers(lease.key)];
      const rid = members.find((id) => !skip?.has(id) && this.keyOf(id) === lease.key && this.openFor(id, reviewer, now));
      if (rid !== undefined) return this.describe(rid);
    }
    const closed = (id: string) => (skip?.has(id) ?? false) || !this.openFor(id, reviewer, now);
    this.wantsPage = false;
    if (!this.paged) {
      const id = options.prioritise === false ? this.plain.next(closed) : this.ranking.next(closed);
      return id === null ? null : this.describe(id);
    }
    // The ranking holds only the records named so far: its ranked ones come first, the rest in import order.
    if (options.prioritise !== false && this.ranking.nextRanked) {
      const id = this.ranking.nextRanked(closed);
      if (id !== null) return this.describe(id);
    }
    return this.inImportOrder(closed);
  }

  /**
   * The first open record in record order, of a stage that holds only some
   * of its records: every record up to the frontier is held, so one found
   * there is the first; past it, or with none found, a record not yet read
   * may come first, and the caller reads on (`wantsPage`).
   */
  private inImportOrder(closed: (id: string) => boolean): Candidate | null {
    if (!this.plainSorted) {
      this.plain.sortBy((a, b) => this.host.compare(a, b));
      this.plainSorted = true;
    }
    const id = this.plain.next(closed);
    if (this.exhaustedNow) return id === null ? null : this.describe(id);
    const key = id === null ? undefined : this.host.orderKey(id);
    if (id !== null && key !== undefined && this.frontierNow !== null && key <= this.frontierNow) return this.describe(id);
    this.wantsPage = true;
    return null;
  }

  private describe(recordId: string): Candidate {
    const s = this.statuses.get(recordId)!;
    const decided = s.state === "awaiting_second" ? [...s.decided] : [];
    return { recordId, key: this.keyOf(recordId), capacity: this.needed(recordId) - decided.length, decided };
  }

  /**
   * Serves `reviewer` from this engine alone (no one else hands out
   * records): the candidate, held for them until `now + ttlMs`. Null, and
   * nothing held, when no record is left for them.
   */
  next(reviewer: string, options: CandidateOptions & { ttlMs: number }): string | null {
    const c = this.candidate(reviewer, options);
    if (!c) {
      this.release(reviewer);
      return null;
    }
    this.grant({ key: c.key, recordId: c.recordId, reviewer, expiresAt: options.now + options.ttlMs });
    return c.recordId;
  }

  // ------------------------------------------------------------ queries

  /** Records `reviewer` can screen now (leases aside; unlisted records included). */
  remaining(reviewer: string): number {
    return this.countsNow.unscreened + this.countsNow.awaiting_second - (this.awaitingBy.get(reviewer) ?? 0);
  }

  /** Listed records of the stage in the project's record order (those matching `keep`, when given): unlisted ones (see `unlisted`) are all unscreened. */
  memberIds(keep?: (id: string) => boolean): string[] {
    return this.inRecordOrder(keep ? [...this.members.keys()].filter(keep) : [...this.members.keys()]);
  }

  /** Records in conflict, in the project's record order, with the decisions that conflict. */
  conflicts(): { recordId: string; decisions: Decision[] }[] {
    return this.inRecordOrder([...this.conflictIds]).map((recordId) => ({
      recordId,
      decisions: (this.statuses.get(recordId) as Extract<RecordStatus, { state: "conflict" }>).decisions,
    }));
  }

  private inRecordOrder(ids: string[]): string[] {
    const cmp = (a: string, b: string) => this.host.compare(a, b);
    // Usually already in order (records join in the order they were created); checking costs one pass then.
    for (let k = 1; k < ids.length; k++) if (cmp(ids[k - 1], ids[k]) > 0) return ids.sort(cmp);
    return ids;
  }

  /** Records with a decision in this stage, in the order they got their first. */
  decidedOrder(): readonly string[] {
    return this.byOrdinal;
  }

  /**
   * The screening sequence behind the stopping estimate: settled records of
   * the stage in the order they were first decided, 1 when they go on.
   */
  stoppingSequence(): number[] {
    const labels: number[] = [];
    for (const rid of this.byOrdinal) {
      const s = this.statuses.get(rid);
      if (s && (s.state === "decided" || s.state === "reconciled")) labels.push(advances(s.verdict) ? 1 : 0);
    }
    return labels;
  }

  /** Single-screened excludes (settled as exclude by one reviewer's decision), in record order: what QA samples from. */
  qaPool(): string[] {
    return this.memberIds((r) => {
      const s = this.statuses.get(r)!;
      return s.state === "decided" && s.verdict === "exclude" && this.needed(r) === 1;
    });
  }

  /**
   * Agreement per reviewer pair over the records of the stage both decided
   * (each one's latest decision), and over all pairs together.
   */
  agreement(): { overall: AgreementFigures | null; byPair: PairAgreement[] } {
    const pairs = new Map<string, { first: string[]; second: string[] }>();
    for (const [rid, ds] of this.decisions) {
      if (!this.members.has(rid)) continue;
      const latest = new Map<string, string>();
      for (const d of ds) latest.set(d.reviewer, d.verdict);
      const reviewers = [...latest.keys()].sort();
      for (let i = 0; i < reviewers.length; i++) {
        for (let j = i + 1; j < reviewers.length; j++) {
          const k = `${reviewers[i]}\u0000${reviewers[j]}`;
          const p = pairs.get(k) ?? { first: [], second: [] };
          p.first.push(latest.get(reviewers[i])!);
          p.second.push(latest.get(reviewers[j])!);
          pairs.set(k, p);
        }
      }
    }
    const byPair = [...pairs].map(([k, p]): PairAgreement => {
      const [a, b] = k.split("\u0000");
      return { reviewers: [a, b], ...agreementFigures(agreement(p.first, p.second, { categories: CATEGORIES })) };
    });
    const first = [...pairs.values()].flatMap((p) => p.first);
    const second = [...pairs.values()].flatMap((p) => p.second);
    return { overall: first.length ? agreementFigures(agreement(first, second, { categories: CATEGORIES })) : null, byPair };
  }

  /** Everything a query can tell, in a canonical form (for comparing two ways of building the state). */
  snapshot(now: number): StageSnapshot {
    const statuses: [string, RecordStatus, 1 | 2][] = this.memberIds().map((id) => [id, this.statuses.get(id)!, this.needed(id)]);
    return {
      stage: this.stage,
      mode: this.modeNow,
      total: this.total,
      counts: { ...this.countsNow },
      statuses,
      conflicts: this.conflicts().map((c) => c.recordId),
      decidedOrder: [...this.byOrdinal],
      stoppingSequence: this.stoppingSequence(),
      qaPool: this.qaPool(),
      leases: this.leasesAt(now).sort((a, b) => (a.reviewer < b.reviewer ? -1 : a.reviewer > b.reviewer ? 1 : 0)),
    };
  }
}

export interface StageSnapshot {
  stage: Stage;
  mode: AssignmentMode;
  total: number;
  counts: StageCounts;
  statuses: [string, RecordStatus, 1 | 2][];
  conflicts: string[];
  decidedOrder: string[];
  stoppingSequence: number[];
  qaPool: string[];
  leases: Lease[];
}

/** Category order of agreement tables. */
export const CATEGORIES = ["include", "maybe", "exclude"];

/**
 * Ordinals (positions in the order records were first decided) marked as
 * belonging to the stage's records, counted by a Fenwick tree so a record's
 * rank among them, and the ordinal of the k-th, cost O(log n).
 */
class MemberOrdinals {
  private bits = new Uint8Array(64);
  private tree = new Int32Array(65);
  private n = 0;

  push(member: boolean): void {
    if (this.n === this.bits.length) this.grow();
    const o = this.n++;
    if (member) this.set(o, true);
  }

  set(o: number, member: boolean): void {
    const b = member ? 1 : 0;
    if (o >= this.n || this.bits[o] === b) return;
    this.bits[o] = b;
    this.add(o, member ? 1 : -1);
  }

  /** Marked ordinals below `o`. */
  before(o: number): number {
    let sum = 0;
    for (let i = o; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  count(): number {
    return this.before(this.n);
  }

  /** The k-th marked ordinal (from 0), −1 when there are not that many. */
  at(k: number): number {
    let pos = 0;
    let rest = k + 1;
    for (let step = this.bits.length; step > 0; step >>= 1) {
      if (pos + step < this.tree.length && this.tree[pos + step]! < rest) {
        pos += step;
        rest -= this.tree[pos]!;
      }
    }
    return pos < this.n ? pos : -1;
  }

  private add(o: number, d: number): void {
    for (let i = o + 1; i < this.tree.length; i += i & -i) this.tree[i]! += d;
  }

  private grow(): void {
    const bits = new Uint8Array(this.bits.length * 2);
    bits.set(this.bits);
    this.bits = bits;
    this.tree = new Int32Array(bits.length + 1);
    for (let o = 0; o < this.n; o++) if (bits[o]) this.add(o, 1);
  }
}

/** Where dual screening ends in dual-then-single mode: records ranked lower (among the stage's, by first decision) need two reviewers. */
export function dualCut(mode: AssignmentMode, total: number): number {
  // reviewersNeeded is the rule; its cut is found by bisection rather than by restating the formula.
  let k = 0;
  let hi = total;
  while (k < hi) {
    const mid = (k + hi) >>> 1;
    if (reviewersNeeded(mode, mid, total) === 2) k = mid + 1;
    else hi = mid;
  }
  return k;
}
