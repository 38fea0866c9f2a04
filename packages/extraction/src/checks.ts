import type { ExtractionCheck } from "@homeward/model";

export type CheckStatus = "unchecked" | "agreed" | "proposed" | "accepted" | "disputed" | "settled";

export interface CheckState {
  status: CheckStatus;
  /** The proposal awaiting an answer (proposed) or a settlement (disputed). */
  open: ExtractionCheck | null;
  /** Who agreed, had a change accepted or settled the value last. */
  checkedBy: string | null;
  /** The target's steps, oldest first (stale ones included: they are its history). */
  history: ExtractionCheck[];
}

// Steps stamped in the same instant still read in the order they can happen: a proposal, its answer, its settlement.
const RANK: Record<ExtractionCheck["action"], number> = { sampled: 0, agree: 1, propose: 1, accept: 2, dispute: 2, settle: 3 };
const order = (a: ExtractionCheck, b: ExtractionCheck) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : RANK[a.action] - RANK[b.action] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Where the check of one value or outcome datum stands, from its steps and
 * what is in force now. Each step records the value it leaves in force
 * (`basis`); when the value in force differs from the last step's basis, it
 * was changed by other means since and counts as unchecked again, its
 * earlier steps kept as history.
 */
export function checkState(steps: readonly ExtractionCheck[], current: unknown, same: (a: unknown, b: unknown) => boolean): CheckState {
  const history = [...steps].filter((s) => s.action !== "sampled").sort(order);
  let status: CheckStatus = "unchecked";
  let open: ExtractionCheck | null = null;
  let checkedBy: string | null = null;
  let proposal: ExtractionCheck | null = null;
  for (const s of history) {
    switch (s.action) {
      case "agree":
        status = "agreed";
        checkedBy = s.reviewer;
        open = null;
        break;
      case "propose":
        status = "proposed";
        open = proposal = s;
        break;
      case "accept":
        status = "accepted";
        checkedBy = proposal?.reviewer ?? null;
        open = null;
        break;
      case "dispute":
        status = "disputed";
        open = proposal;
        break;
      case "settle":
        status = "settled";
        checkedBy = s.reviewer;
        open = null;
        break;
    }
  }
  const last = history[history.length - 1];
  if (last && !same(last.basis ?? null, current ?? null)) return { status: "unchecked", open: null, checkedBy: null, history };
  return { status, open, checkedBy, history };
}

/** Whether a state counts as checked by a second reviewer. */
export const isChecked = (s: CheckStatus): boolean => s === "agreed" || s === "accepted" || s === "settled";

/**
 * Who may take `action` on a target whose work is `extractor`'s: a checker
 * agrees or proposes (not on their own work, and not while a proposal is
 * open), only the extractor answers a proposal, and only an open dispute is
 * settled. The reason it may not, or null.
 */
export function checkStepIssue(state: CheckState, action: ExtractionCheck["action"], actor: string, extractor: string): string | null {
  switch (action) {
    case "agree":
    case "propose":
      if (actor === extractor) return "you cannot check your own extraction; another reviewer checks it";
      if (state.status === "proposed") return "a change is already proposed; its extractor answers it first";
      if (state.status === "disputed") return "a change is disputed; an adjudicator settles it first";
      return null;
    case "accept":
    case "dispute":
      if (state.status !== "proposed") return "no change is proposed to answer";
      if (actor !== extractor) return `only ${extractor}, who extracted it, answers a proposed change`;
      return null;
    case "settle":
      if (state.status !== "disputed") return "only a disputed change is settled";
      return null;
    default:
      return `"${action}" is not a step of a check`;
  }
}

const canonical = (x: unknown): string =>
  JSON.stringify(x ?? null, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
/** Whether two outcome-data inputs say the same, whatever order their fields were given in. */
export const sameInputs = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
