import { rankExclusionReasons, type BibRecord, type DuplicateGroup, type Protocol, type QaSample } from "@homeward/model";
import { stoppingEstimate, type StoppingOptions } from "../stopping.js";
import { validateDecision, validateReconciliation, type Decision, type Reconciliation, type Stage } from "../workflow.js";
import type { AgreementAnswer, QaSampleView, StageCounts, StoppingAnswer } from "./answers.js";
import { screeningAccess, type ScreeningAccess } from "../reviewers.js";
import { assignmentMode, currentSettings, screeningRecord, type AssignmentEvent, type DecisionEvent, type MemberEvent, type ReconciliationEvent, type ScreeningEvent, type ScreeningRecord, type SettingsEvent } from "./events.js";
import { qaReview, type RecordText } from "./qa-review.js";
import { ImportOrder, StageEngine, type Candidate, type CandidateOptions, type RankingQueue, type StageSnapshot } from "./stage.js";

export interface ScreeningEngineOptions {
  /** The ranking queue of each stage (e.g. `RankingService.open(…)`); import order without one. */
  ranking?: Partial<Record<Stage, RankingQueue>>;
}

/** A project's screening data as the store holds it: what the state is rebuilt from. */
export interface ProjectScreeningData {
  records: readonly (ScreeningRecord | (Pick<BibRecord, "id" | "title" | "abstract" | "duplicateGroupId"> & { createdAt?: string }))[];
  /**
   * The number of records in the project, when `records` names only some of
   * them (at least those decided, reconciled, held or in a duplicate group):
   * the rest are unscreened and are read on in record order as they are
   * served (see `records.counted`).
   */
  count?: number;
  members?: readonly MemberEvent[];
  assignments?: readonly AssignmentEvent[];
  /** Duplicate groups with their primary record (without them a group's first record in record order stands in). */
  duplicateGroups?: readonly Pick<DuplicateGroup, "id" | "primaryRecordId">[];
  decisions: readonly DecisionEvent[];
  reconciliations: readonly ReconciliationEvent[];
  settings: readonly SettingsEvent[];
  qaSamples?: readonly QaSample[];
}

/** The rows a decision or a reconciliation writes. */
export interface DecisionPlan {
  /** The records it covers (a duplicate group's members). */
  recordIds: string[];
  /** Exclusion reasons in the protocol's rank order. */
  reasons: string[];
  /** The reason recorded (the highest-ranked), null without one. */
  recorded: string | null;
}

/** A stage's status: mode, size, counts and the records in conflict (in record order). */
export interface StageStatus {
  stage: Stage;
  mode: StageEngine["mode"];
  records: number;
  counts: StageCounts;
  conflicts: ReturnType<StageEngine["conflicts"]>;
}

/**
 * The events that build a project's screening state from its data, in the
 * order the reload applies them: settings, members, assignments, duplicate groups, records, then each stage's
 * decisions and reconciliations in the order given (the store's: by time).
 */
export function projectEvents(data: ProjectScreeningData): ScreeningEvent[] {
  const events: ScreeningEvent[] = [];
  for (const settings of data.settings) events.push({ type: "settings", settings });
  for (const member of data.members ?? []) events.push({ type: "member", member });
  for (const a of data.assignments ?? []) events.push({ type: "assignment", assignment: a });
  for (const g of data.duplicateGroups ?? []) events.push({ type: "group", group: { id: g.id, primaryRecordId: g.primaryRecordId } });
  if (data.count !== undefined) events.push({ type: "records.counted", count: data.count });
  const type = data.count !== undefined ? "record.listed" : "record.added";
  for (const r of data.records) events.push({ type, record: "text" in r ? r : screeningRecord(r) });
  for (const stage of ["title_abstract", "full_text"] as const) {
    for (const decision of data.decisions) if (decision.stage === stage) events.push({ type: "decision", decision });
    for (const reconciliation of data.reconciliations) if (reconciliation.stage === stage) events.push({ type: "reconciliation", reconciliation });
  }
  for (const sample of data.qaSamples ?? []) events.push({ type: "qa.sample", sample });
  return events;
}

/**
 * The whole screening state machine of one project, as a pure function of
 * the events it was given (no I/O, no clock: times are arguments; the ranking
 * queues it is given are its only moving part). Both stages, duplicate
 * groups (a lease is per group), the admission of title/abstract outcomes to
 * full text, assignment modes, leases, QA samples; every query answers from
 * state kept up to date per event, so serving the next record costs what it
 * skips, not the size of the project.
 */
export class ScreeningEngine {
  /** The records named so far: all of them, or (after `records.counted`) those a query needed. */
  private readonly records = new Map<string, { group: string | null; index: number; order?: string }>();
  /** Records in the project (named or not); while it is not told (`records.counted`), those named. */
  private counted = 0;
  /** True once told the number of records (`records.counted`): the rest are read on as needed. */
  private paged = false;
  private readonly groups = new Map<string, Set<string>>();
  /** Each duplicate group's primary record, as the store names it. */
  private readonly primaries = new Map<string, string>();
  private readonly members = new Map<string, MemberEvent>();
  private readonly assignments = new Map<string, AssignmentEvent>();
  /** Per stage, each assigned reviewer's number of assignments (so the names are known without a scan). */
  private readonly assigned: Record<Stage, Map<string, number>> = { title_abstract: new Map(), full_text: new Map() };
  /** Texts of records kept out of screening (a group's copies), for when one becomes its group's primary. */
  private readonly outside = new Map<string, string>();
  private readonly settings = new Map<string, SettingsEvent>();
  private readonly samplesById = new Map<string, QaSample>();
  /** Records admitted to full text whose text the full-text ranking model still needs. */
  private readonly wanted = new Set<string>();
  readonly titleAbstract: StageEngine;
  readonly fullText: StageEngine;

  constructor(options: ScreeningEngineOptions = {}) {
    const host = {
      groupOf: (id: string) => this.groupOf(id),
      keyMembers: (key: string): Iterable<string> => this.groups.get(key) ?? (this.records.has(key) ? [key] : []),
      compare: (a: string, b: string) => this.compare(a, b),
      orderKey: (id: string) => this.records.get(id)?.order,
      outcome: (id: string, advancing: boolean) => this.titleAbstractOutcome(id, advancing),
    };
    this.titleAbstract = new StageEngine("title_abstract", options.ranking?.title_abstract ?? new ImportOrder(), host);
    this.fullText = new StageEngine("full_text", options.ranking?.full_text ?? new ImportOrder(), host);
  }

  /** The state of a project rebuilt from its data (the reload path). */
  static fromProject(data: ProjectScreeningData, options: ScreeningEngineOptions = {}): ScreeningEngine {
    const engine = new ScreeningEngine(options);
    engine.applyAll(projectEvents(data));
    return engine;
  }

  stage(s: Stage): StageEngine {
    return s === "title_abstract" ? this.titleAbstract : this.fullText;
  }

  // ------------------------------------------------------------ events

  /**
   * Applies one event. False when it refers to a record the engine does not
   * know: the caller's view of the project is behind, and the state should
   * be rebuilt (nothing was changed).
   */
  apply(e: ScreeningEvent): boolean {
    switch (e.type) {
      case "record.added":
        if (!this.records.has(e.record.id)) this.counted++;
        this.addRecord(e.record);
        return true;
      case "records.counted":
        this.paged = true;
        this.counted = e.count;
        this.countUnlisted();
        return true;
      case "record.listed":
        if (!this.paged && !this.records.has(e.record.id)) this.counted++;
        this.addRecord(e.record);
        return true;
      case "records.page": {
        const ta = this.titleAbstract;
        const { frontier, exhausted } = ta.backlog;
        if (!this.paged || exhausted || frontier !== e.after) return true;
        for (const r of e.records) this.addRecord(r);
        const last = e.records[e.records.length - 1];
        ta.readOn(last?.order ?? null, e.end);
        return true;
      }
      case "record.grouped":
        if (!this.records.has(e.recordId)) return false;
        this.setGroup(e.recordId, e.group);
        return true;
      case "member":
        this.members.set(e.member.id, { id: e.member.id, userName: e.member.userName, role: e.member.role });
        return true;
      case "member.removed":
        this.members.delete(e.id);
        return true;
      case "assignment":
        this.unassign(e.assignment.id);
        this.assignments.set(e.assignment.id, { id: e.assignment.id, stage: e.assignment.stage, reviewer: e.assignment.reviewer });
        this.assigned[e.assignment.stage].set(e.assignment.reviewer, (this.assigned[e.assignment.stage].get(e.assignment.reviewer) ?? 0) + 1);
        return true;
      case "assignment.removed":
        this.unassign(e.id);
        return true;
      case "group":
        this.primaries.set(e.group.id, e.group.primaryRecordId);
        this.placeGroup(e.group.id);
        return true;
      case "group.removed":
        this.primaries.delete(e.id);
        this.placeGroup(e.id);
        return true;
      case "record.text":
        if (!this.records.has(e.recordId)) return false;
        this.wanted.delete(e.recordId);
        if (this.fullText.has(e.recordId)) this.fullText.addText(e.recordId, e.text);
        return true;
      case "decision":
        if (!this.records.has(e.decision.recordId)) return false;
        this.stage(e.decision.stage).addDecision(e.decision);
        return true;
      case "reconciliation":
        if (!this.records.has(e.reconciliation.recordId)) return false;
        this.stage(e.reconciliation.stage).addReconciliation(e.reconciliation);
        return true;
      case "settings":
        this.settings.set(e.settings.id, e.settings);
        this.refreshModes();
        return true;
      case "settings.removed":
        this.settings.delete(e.id);
        this.refreshModes();
        return true;
      case "qa.sample":
        this.samplesById.set(e.sample.id, e.sample);
        return true;
      case "qa.sample.removed":
        this.samplesById.delete(e.id);
        return true;
      case "lease.granted":
        this.stage(e.stage).grant(e.lease);
        return true;
      case "lease.released":
        this.stage(e.stage).release(e.reviewer);
        return true;
      case "leases":
        this.stage(e.stage).setLeases(e.leases, e.key);
        return true;
      case "leases.expired":
        this.titleAbstract.expire(e.now);
        this.fullText.expire(e.now);
        return true;
    }
  }

  /** Applies events in order; false at the first it cannot apply (see `apply`). */
  applyAll(events: Iterable<ScreeningEvent>): boolean {
    for (const e of events) if (!this.apply(e)) return false;
    return true;
  }

  private unassign(id: string): void {
    const a = this.assignments.get(id);
    if (!a) return;
    this.assignments.delete(id);
    const counts = this.assigned[a.stage];
    const n = (counts.get(a.reviewer) ?? 1) - 1;
    if (n > 0) counts.set(a.reviewer, n);
    else counts.delete(a.reviewer);
  }

  /** Records counted but not named are the title/abstract stage's unlisted ones (none of them in a group). */
  private countUnlisted(): void {
    if (this.paged) this.titleAbstract.setUnlisted(Math.max(0, this.counted - this.records.size));
  }

  /** Compares two records' places in record order (their `order` keys, else the order they were named). */
  private compare(a: string, b: string): number {
    const x = this.records.get(a);
    const y = this.records.get(b);
    if (x?.order !== undefined && y?.order !== undefined) return x.order < y.order ? -1 : x.order > y.order ? 1 : 0;
    return (x?.index ?? 0) - (y?.index ?? 0);
  }

  private addRecord(r: ScreeningRecord): void {
    if (this.records.has(r.id)) return;
    this.records.set(r.id, r.order === undefined ? { group: null, index: this.records.size } : { group: null, index: this.records.size, order: r.order });
    // Named now: no longer among the stage's unlisted records (before it joins, so the stage's size never overshoots).
    this.countUnlisted();
    this.outside.set(r.id, r.text);
    this.setGroup(r.id, r.group);
    this.place(r.id);
  }

  private setGroup(recordId: string, group: string | null): void {
    const info = this.records.get(recordId)!;
    if (info.group === group) return;
    const was = info.group;
    if (was) {
      const g = this.groups.get(was)!;
      g.delete(recordId);
      if (g.size === 0) this.groups.delete(was);
    }
    info.group = group;
    if (group) {
      const g = this.groups.get(group) ?? new Set<string>();
      g.add(recordId);
      this.groups.set(group, g);
    }
    this.place(recordId);
    if (was) this.placeGroup(was);
    if (group) this.placeGroup(group);
  }

  /**
   * A duplicate group's primary: the record the store names, or, while the
   * group itself is unknown (or names a record no longer in it), its first
   * record in record order.
   */
  primaryOf(group: string): string | undefined {
    const members = this.groups.get(group);
    if (!members?.size) return undefined;
    const named = this.primaries.get(group);
    if (named !== undefined && members.has(named)) return named;
    let first: string | undefined;
    for (const m of members) if (first === undefined || this.compare(m, first) < 0) first = m;
    return first;
  }

  /**
   * Is the record screened itself? Only a duplicate group's primary is: a
   * decision on it is written for every record of the group, so counting
   * the copies too would count one report several times (in progress,
   * agreement and the stopping sequence).
   */
  screened(recordId: string): boolean {
    const g = this.records.get(recordId)?.group;
    return !g || this.primaryOf(g) === recordId;
  }

  /** Puts the record in title/abstract screening, or takes it out, as `screened` says. */
  private place(recordId: string): void {
    if (!this.records.has(recordId)) return;
    const ta = this.titleAbstract;
    if (this.screened(recordId)) {
      if (ta.has(recordId)) return;
      const text = this.outside.get(recordId);
      this.outside.delete(recordId);
      ta.join(recordId, text);
    } else if (ta.has(recordId)) ta.leave(recordId);
  }

  private placeGroup(group: string): void {
    for (const m of [...(this.groups.get(group) ?? [])]) this.place(m);
  }

  private refreshModes(): void {
    const rows = [...this.settings.values()];
    for (const st of [this.titleAbstract, this.fullText]) {
      const current = currentSettings(rows.filter((s) => s.stage === st.stage));
      st.setMode(assignmentMode(current));
      st.ranking.useModel?.(current?.model ?? null);
    }
  }

  /** Admission to full text: a title/abstract record goes on while its outcome is include or maybe, and leaves when it changes. */
  private titleAbstractOutcome(recordId: string, advancing: boolean): void {
    const ft = this.fullText;
    if (!advancing) {
      this.wanted.delete(recordId);
      ft.leave(recordId);
      return;
    }
    if (ft.has(recordId)) return;
    if (ft.ranking.wantsText === false && !ft.ranking.has(recordId)) ft.ranking.addRecord(recordId, "");
    ft.join(recordId);
    if (!ft.ranking.has(recordId)) this.wanted.add(recordId);
  }

  // ------------------------------------------------------------ project queries

  /** Is the record named (see `records.counted`: a record not named may still be one of the project's)? */
  has(recordId: string): boolean {
    return this.records.has(recordId);
  }

  /** Records in the project, named or not. */
  get size(): number {
    return this.paged ? Math.max(this.counted, this.records.size) : this.records.size;
  }

  groupOf(recordId: string): string | null {
    return this.records.get(recordId)?.group ?? null;
  }

  /** The record's duplicate group (or the record alone), in the order the records came. */
  groupMembers(recordId: string): string[] {
    const g = this.groupOf(recordId);
    return g ? [...(this.groups.get(g) ?? [recordId])] : [recordId];
  }

  /** Records admitted to full text whose text the full-text ranking model needs (give them with `record.text`). */
  textsWanted(): string[] {
    return [...this.wanted];
  }

  /** Is the record in the full-text stage (sent on by title/abstract screening)? */
  admittedToFullText(recordId: string): boolean {
    return this.fullText.has(recordId);
  }

  /** The records a decision on `recordId` covers: its whole duplicate group. */
  decisionTargets(recordId: string): string[] {
    return this.records.has(recordId) ? this.groupMembers(recordId) : [recordId];
  }

  /**
   * What a reviewer's decision on `recordId` writes, after checking it: one
   * decision per member of the record's duplicate group, its reasons in the
   * protocol's rank order (the model's rule: the first is the one recorded).
   */
  decisionPlan(stage: Stage, recordId: string, d: Decision, protocol: Pick<Protocol, "exclusionReasons">): DecisionPlan {
    validateDecision(stage, d);
    const { recorded, others } = rankExclusionReasons(protocol, stage, d.reasons ?? []);
    return { recordIds: this.decisionTargets(recordId), reasons: recorded === null ? [] : [recorded, ...others], recorded };
  }

  /**
   * What settling the conflict on `recordId` writes, after checking it (in
   * the stage, in conflict, a reason given): one reconciliation per member
   * of its duplicate group, as the decisions were written (the conflict is
   * the primary's, which stands for the group), reasons ranked as a
   * decision's.
   */
  reconciliationPlan(stage: Stage, recordId: string, rec: Reconciliation, protocol: Pick<Protocol, "exclusionReasons">): DecisionPlan {
    const st = this.stage(stage);
    // A copy's conflict is its primary's.
    const group = this.groupOf(recordId);
    const target = group && !this.screened(recordId) ? (this.primaryOf(group) ?? recordId) : recordId;
    validateReconciliation(stage, st.requireStatus(target), rec);
    const { recorded, others } = rankExclusionReasons(protocol, stage, rec.reasons ?? []);
    return {
      recordIds: this.groupMembers(target).filter((r) => r === target || !st.has(r)),
      reasons: recorded === null ? [] : [recorded, ...others],
      recorded,
    };
  }

  // ------------------------------------------------------------ stage queries

  status(stage: Stage): StageStatus {
    const st = this.stage(stage);
    return { stage, mode: st.mode, records: st.total, counts: { ...st.counts }, conflicts: st.conflicts() };
  }

  /** May `user` be served records of the stage (see `screeningAccess`)? */
  access(stage: Stage, user: string): ScreeningAccess {
    const current = currentSettings([...this.settings.values()].filter((s) => s.stage === stage));
    return screeningAccess(user, stage, current?.reviewers ?? [], [...this.members.values()], [...this.assigned[stage].keys()]);
  }

  /**
   * Is `user` a QA re-checker of the record: is it in a sample of the stage
   * that names them as checker, or names none (see `qaReview`)?
   */
  mayRecheck(stage: Stage, recordId: string, user: string): boolean {
    for (const s of this.samplesById.values()) if (s.stage === stage && (s.checker === null || s.checker === user) && s.recordIds.includes(recordId)) return true;
    return false;
  }

  /** See `StageEngine.candidate`. */
  candidate(stage: Stage, reviewer: string, options: CandidateOptions): Candidate | null {
    return this.stage(stage).candidate(reviewer, options);
  }

  /** See `StageEngine.next`: serving from this engine alone. */
  next(stage: Stage, reviewer: string, options: CandidateOptions & { ttlMs: number }): string | null {
    return this.stage(stage).next(reviewer, options);
  }

  agreement(stage: Stage): AgreementAnswer {
    return { stage, ...this.stage(stage).agreement() };
  }

  stoppingSequence(stage: Stage): number[] {
    return this.stage(stage).stoppingSequence();
  }

  stopping(stage: Stage, options: StoppingOptions = {}): StoppingAnswer {
    const st = this.stage(stage);
    return stoppingEstimate(st.stoppingSequence(), st.total, options);
  }

  qaPool(stage: Stage): string[] {
    return this.stage(stage).qaPool();
  }

  /** The stage's QA samples, newest first. */
  samples(stage: Stage): QaSample[] {
    return [...this.samplesById.values()]
      .filter((s) => s.stage === stage)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** The stage's QA samples, newest first, each with its re-checks matched (see `qaReview`). */
  qaSamples(stage: Stage, textOf: (recordId: string) => RecordText | string = () => ""): QaSampleView[] {
    const st = this.stage(stage);
    return this.samples(stage).map((s) => qaReview(s, (rid) => st.decisionsOf(rid), textOf));
  }

  reviewersOf(stage: Stage, recordId: string): string[] {
    return this.stage(stage).reviewersOf(recordId);
  }

  /** Everything the queries can tell, in canonical form: two states are the same when their snapshots are. */
  snapshot(now: number): { records: [string, string | null][]; stages: StageSnapshot[]; qaSamples: QaSampleView[][] } {
    return {
      records: [...this.records].map(([id, r]): [string, string | null] => [id, r.group]).sort((a, b) => this.compare(a[0], b[0])),
      stages: [this.titleAbstract.snapshot(now), this.fullText.snapshot(now)],
      qaSamples: [this.qaSamples("title_abstract"), this.qaSamples("full_text")],
    };
  }
}
