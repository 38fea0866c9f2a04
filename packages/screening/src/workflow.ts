import { ScreeningInputError } from "./errors.js";

/**
 * The screening workflow as pure functions over a record's decisions: how many
 * reviewers it needs, what each reviewer may see, whether reviewers conflict
 * and what the final decision is.
 */

export type Stage = "title_abstract" | "full_text";
export type Verdict = "include" | "exclude" | "maybe";

export interface Decision {
  reviewer: string;
  verdict: Verdict;
  /** Exclusion reasons given (full text requires at least one on exclude). */
  reasons?: readonly string[];
}

export interface Reconciliation {
  reviewer: string;
  verdict: Verdict;
  /** Why the conflict was resolved this way (required). */
  reason: string;
  reasons?: readonly string[];
}

/**
 * Assignment modes:
 * - single: one reviewer per record;
 * - dual: two independent reviewers, blind to each other until both decided;
 * - dual_then_single: the first `dualShare` of the stage's records (by the
 *   order they are served) dual-screened, then single screening, as the
 *   review did with its first 20%.
 */
export type AssignmentMode = { kind: "single" } | { kind: "dual" } | { kind: "dual_then_single"; dualShare: number };

/**
 * Reviewers a record needs. `ordinal` is the 0-based position in which the
 * record was first served in this stage, `total` the stage's record count.
 */
export function reviewersNeeded(mode: AssignmentMode, ordinal: number, total: number): 1 | 2 {
  switch (mode.kind) {
    case "single":
      return 1;
    case "dual":
      return 2;
    case "dual_then_single": {
      const s = mode.dualShare;
      if (!(s >= 0 && s <= 1)) throw new ScreeningInputError(`dual share must be in [0, 1], got ${s}`);
      // The epsilon keeps float noise (0.2 × 10 = 2.0000000000000004) from adding a record.
      return ordinal < Math.ceil(s * total - 1e-9) ? 2 : 1;
    }
  }
}

/** Does a verdict send the record on to full text (or, at full text, into the review)? */
export function advances(verdict: Verdict): boolean {
  return verdict !== "exclude";
}

export type RecordStatus =
  | { state: "unscreened" }
  | { state: "awaiting_second"; decided: string[] }
  | { state: "decided"; verdict: Verdict; reasons: string[] }
  | { state: "conflict"; decisions: Decision[] }
  | { state: "reconciled"; verdict: Verdict; reasons: string[]; by: string; reason: string };

/**
 * Two verdicts conflict when they lead to different outcomes. At title and
 * abstract "maybe" and "include" both go to full text, so only exclude versus
 * the others is a conflict; at full text any difference is.
 */
export function conflicts(stage: Stage, a: Verdict, b: Verdict): boolean {
  return stage === "title_abstract" ? advances(a) !== advances(b) : a !== b;
}

/**
 * Status of one record in one stage from its decisions (latest decision per
 * reviewer; earlier ones stay in the audit log) and its reconciliation if any.
 */
export function recordStatus(stage: Stage, needed: 1 | 2, decisions: readonly Decision[], reconciliation?: Reconciliation): RecordStatus {
  const latest = latestPerReviewer(decisions);
  if (reconciliation) {
    return {
      state: "reconciled",
      verdict: reconciliation.verdict,
      reasons: [...(reconciliation.reasons ?? [])],
      by: reconciliation.reviewer,
      reason: reconciliation.reason,
    };
  }
  if (latest.length === 0) return { state: "unscreened" };
  if (latest.length < needed) return { state: "awaiting_second", decided: latest.map((d) => d.reviewer) };
  const [first, ...rest] = latest;
  if (rest.some((d) => conflicts(stage, first.verdict, d.verdict))) return { state: "conflict", decisions: latest };
  // Agreeing reviewers: "include" wins over "maybe" (both advance), and the
  // reasons of all excluding reviewers are kept.
  const verdict = latest.some((d) => d.verdict === "include") ? "include" : first.verdict;
  const reasons = [...new Set(latest.flatMap((d) => d.reasons ?? []))];
  return { state: "decided", verdict, reasons };
}

function latestPerReviewer(decisions: readonly Decision[]): Decision[] {
  const by = new Map<string, Decision>();
  for (const d of decisions) by.set(d.reviewer, d);
  return [...by.values()];
}

/**
 * What `viewer` may see of a record's decisions: in blind dual screening,
 * only their own until every needed reviewer has decided.
 */
export function visibleDecisions(needed: 1 | 2, decisions: readonly Decision[], viewer: string): Decision[] {
  const latest = latestPerReviewer(decisions);
  if (latest.length >= needed) return latest;
  return latest.filter((d) => d.reviewer === viewer);
}

/** Can `reviewer` screen this record now? */
export function canScreen(needed: 1 | 2, decisions: readonly Decision[], reviewer: string, reconciled: boolean): boolean {
  if (reconciled) return false;
  const latest = latestPerReviewer(decisions);
  return latest.length < needed && !latest.some((d) => d.reviewer === reviewer);
}

/**
 * Checks a decision against the workflow's rules before it is stored. Whether
 * its reasons are the protocol's, and which is recorded, is the model's
 * exclusion-reason rule (`rankExclusionReasons` in @homeward/model), which
 * the engine applies with it (`ScreeningEngine.decisionPlan`).
 */
export function validateDecision(stage: Stage, d: Decision): void {
  if (!d.reviewer.trim()) throw new ScreeningInputError("a decision needs a reviewer");
  if (d.verdict !== "include" && d.verdict !== "exclude" && d.verdict !== "maybe") {
    throw new ScreeningInputError(`verdict must be include, exclude or maybe, got ${String(d.verdict)}`);
  }
  const reasons = d.reasons ?? [];
  if (d.verdict !== "exclude" && reasons.length > 0) throw new ScreeningInputError("exclusion reasons go with an exclude verdict only");
  if (stage === "full_text" && d.verdict === "exclude" && reasons.length === 0) {
    throw new ScreeningInputError("a full-text exclusion needs a reason");
  }
}

/** Checks a reconciliation: a record in conflict, a named reviewer, a verdict and the reason for it. */
export function validateReconciliation(stage: Stage, status: RecordStatus, rec: Reconciliation): void {
  if (status.state !== "conflict") throw new ScreeningInputError(`only a conflict can be reconciled; this record is ${status.state.replace("_", " ")}`);
  if (!rec.reason.trim()) throw new ScreeningInputError("a reconciliation needs the reason it was resolved that way");
  validateDecision(stage, { reviewer: rec.reviewer, verdict: rec.verdict, reasons: rec.reasons });
}
