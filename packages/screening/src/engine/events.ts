import type { AuditEntry, BibRecord, DuplicateGroup, Member, QaSample, ScreeningAssignment, Reconciliation, ScreeningDecision, ScreeningSettings } from "@homeward/model";
import type { AssignmentMode, Stage } from "../workflow.js";

/** A record as screening sees it: the text the ranking model learns from and its duplicate group. */
export interface ScreeningRecord {
  id: string;
  text: string;
  group: string | null;
  /** Its place in the project's record order (`recordOrder`); without it, the order records were given in. */
  order?: string;
}

/**
 * A record's place in the store's record order (created, then id) as one
 * string that sorts the same way (ISO times have one length, and the
 * separator sorts before any character of an id).
 */
export function recordOrder(createdAt: string, id: string): string {
  return `${createdAt}\u0000${id}`;
}

/**
 * A served record held for one reviewer until `expiresAt` (milliseconds since
 * the epoch). `key` is the record's duplicate group, or the record when it
 * has none: a reviewer holds the report, not one of its copies.
 */
export interface Lease {
  key: string;
  recordId: string;
  reviewer: string;
  expiresAt: number;
}

export type DecisionEvent = Pick<ScreeningDecision, "id" | "recordId" | "stage" | "reviewer" | "decision" | "reasons" | "at">;
export type ReconciliationEvent = Pick<Reconciliation, "id" | "recordId" | "stage" | "decision" | "reasons" | "resolvedBy" | "reason" | "at">;
export type SettingsEvent = Pick<ScreeningSettings, "id" | "stage" | "mode" | "dualFraction" | "updatedAt"> & Partial<Pick<ScreeningSettings, "reviewers" | "model">>;
export type MemberEvent = Pick<Member, "id" | "userName" | "role">;
export type AssignmentEvent = Pick<ScreeningAssignment, "id" | "stage" | "reviewer">;
export type QaSampleEvent = QaSample;

/**
 * Everything the screening state follows. Review data (records, decisions,
 * reconciliations, settings, QA samples) comes from the store; leases come
 * from whoever hands records out (the store's lease table on the server, the
 * engine itself when used alone). Applying an event twice changes nothing.
 */
export type ScreeningEvent =
  | { type: "record.added"; record: ScreeningRecord }
  /**
   * The project holds `count` records in all, those named so far included.
   * Those not named are unscreened and in no duplicate group; they are named
   * later (`record.listed`, `records.page`) when a query needs them, so the
   * state costs what was decided, grouped or served, not what was imported.
   */
  | { type: "records.counted"; count: number }
  /** One of the records counted (`records.counted`), named: where a new record would be `record.added`. */
  | { type: "record.listed"; record: ScreeningRecord }
  /**
   * The records that follow `after` in record order (null: the first), as
   * the store read them, each with its `order`; `end` when no more follow.
   * Ignored unless the title/abstract stage has read exactly up to `after`.
   */
  | { type: "records.page"; after: string | null; records: readonly ScreeningRecord[]; end: boolean }
  | { type: "record.grouped"; recordId: string; group: string | null }
  /** A duplicate group and the record that stands for it in screening (its primary). */
  | { type: "group"; group: Pick<DuplicateGroup, "id" | "primaryRecordId"> }
  | { type: "group.removed"; id: string }
  /** A project member and their role (who may screen, with the stage's listed reviewers). */
  | { type: "member"; member: MemberEvent }
  | { type: "member.removed"; id: string }
  /** A screening assignment: its reviewer is one of the stage's listed reviewers. */
  | { type: "assignment"; assignment: AssignmentEvent }
  | { type: "assignment.removed"; id: string }
  /** The text of a record admitted to full text, which the full-text ranking model asked for (`textsWanted`). */
  | { type: "record.text"; recordId: string; text: string }
  | { type: "decision"; decision: DecisionEvent }
  | { type: "reconciliation"; reconciliation: ReconciliationEvent }
  | { type: "settings"; settings: SettingsEvent }
  | { type: "settings.removed"; id: string }
  | { type: "qa.sample"; sample: QaSampleEvent }
  | { type: "qa.sample.removed"; id: string }
  /** A lease given to `lease.reviewer`, replacing any other they held in the stage. */
  | { type: "lease.granted"; stage: Stage; lease: Lease }
  | { type: "lease.released"; stage: Stage; reviewer: string }
  /**
   * What the lease holder knows now: every lease of the stage, or with `key`
   * the leases of that key only. Replaces what the engine knew of them.
   */
  | { type: "leases"; stage: Stage; leases: readonly Lease[]; key?: string }
  /** Forgets leases that ran out by `now` (queries ignore them anyway; this frees their memory). */
  | { type: "leases.expired"; now: number };

/** The text the ranking model learns a record from. */
export function recordText(r: Pick<BibRecord, "title" | "abstract">): string {
  return `${r.title} ${r.abstract ?? ""}`;
}

export function screeningRecord(r: Pick<BibRecord, "id" | "title" | "abstract" | "duplicateGroupId"> & { createdAt?: string }): ScreeningRecord {
  const out: ScreeningRecord = { id: r.id, text: recordText(r), group: r.duplicateGroupId ?? null };
  if (typeof r.createdAt === "string") out.order = recordOrder(r.createdAt, r.id);
  return out;
}

/** A stage's current settings: the most recently updated (then the greatest id), none when never set. */
export function currentSettings<S extends Pick<ScreeningSettings, "id" | "updatedAt">>(rows: readonly S[]): S | undefined {
  let best: S | undefined;
  for (const s of rows) if (!best || s.updatedAt > best.updatedAt || (s.updatedAt === best.updatedAt && s.id > best.id)) best = s;
  return best;
}

/** The assignment mode of a stage's current settings; single screening when never set. */
export function assignmentMode(s: Pick<ScreeningSettings, "mode" | "dualFraction"> | undefined): AssignmentMode {
  if (!s || s.mode === "single") return { kind: "single" };
  if (s.mode === "dual") return { kind: "dual" };
  return { kind: "dual_then_single", dualShare: s.dualFraction ?? 0.2 };
}

/**
 * The screening events one audit entry stands for, or null when it cannot be
 * applied piecemeal (a bulk write, logged as one summary entry; a change the
 * entry does not carry whole): the state must then be rebuilt from the
 * project. Entries that do not bear on screening give no event.
 */
export function eventsOfAuditEntry(e: Pick<AuditEntry, "action" | "entity" | "entityId" | "after">): ScreeningEvent[] | null {
  const after = e.after as Record<string, unknown> | null;
  const whole = after !== null && typeof after === "object" && typeof after.id === "string";
  const op = e.action.slice(e.action.lastIndexOf(".") + 1);
  switch (e.entity) {
    case "screeningDecisions":
      return op === "create" && whole ? [{ type: "decision", decision: after as unknown as ScreeningDecision }] : null;
    case "reconciliations":
      return op === "create" && whole ? [{ type: "reconciliation", reconciliation: after as unknown as Reconciliation }] : null;
    case "screeningSettings":
      if (op === "remove" && e.entityId) return [{ type: "settings.removed", id: e.entityId }];
      return (op === "create" || op === "update") && whole ? [{ type: "settings", settings: after as unknown as ScreeningSettings }] : null;
    case "qaSamples":
      if (op === "remove" && e.entityId) return [{ type: "qa.sample.removed", id: e.entityId }];
      return (op === "create" || op === "update") && whole ? [{ type: "qa.sample", sample: after as unknown as QaSample }] : null;
    case "screeningAssignments":
      if (op === "remove" && e.entityId) return [{ type: "assignment.removed", id: e.entityId }];
      return (op === "create" || op === "update") && whole ? [{ type: "assignment", assignment: after as unknown as ScreeningAssignment }] : null;
    case "members":
      if (op === "remove" && e.entityId) return [{ type: "member.removed", id: e.entityId }];
      return (op === "create" || op === "update") && whole ? [{ type: "member", member: after as unknown as Member }] : null;
    case "duplicateGroups": {
      if (op === "remove" && e.entityId) return [{ type: "group.removed", id: e.entityId }];
      if (!((op === "create" || op === "update") && whole)) return null;
      const g = after as unknown as DuplicateGroup;
      return [{ type: "group", group: { id: g.id, primaryRecordId: g.primaryRecordId } }];
    }
    case "records": {
      if (!whole) return null;
      const r = after as unknown as BibRecord;
      if (op === "create") return [{ type: "record.added", record: screeningRecord(r) }];
      // An edited title or abstract is not followed: the model keeps the text it was given.
      if (op === "update") return [{ type: "record.grouped", recordId: r.id, group: r.duplicateGroupId ?? null }];
      return null;
    }
    default:
      // Nothing else bears on screening (the protocol's reasons are read when a decision is made).
      return [];
  }
}
