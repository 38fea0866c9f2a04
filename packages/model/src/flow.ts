import type { ScreeningStage } from "./common.js";
import type { Decision, FullTextRetrieval, Reconciliation, ScreeningDecision } from "./entities.js";

/**
 * A record's place in the PRISMA 2020 flow: everything the flow's boxes past
 * identification need to know of one record, worked out from that record's
 * own decisions, reconciliations and retrievals and whether it is a
 * duplicate. The store keeps each record's place and the number of records
 * per search and place in step in every write's transaction (migration
 * 0025), and the review package counts the flow from those numbers, so the
 * flow is read as a few rows however many records were screened; counted
 * from a whole project held in memory, the flow goes through this same
 * function record by record.
 */
export interface RecordFlow {
  /** A member of a duplicate group other than its primary: identified, then removed before screening. */
  duplicate: boolean;
  /** Whether anyone decided the record at title/abstract (a reconciliation alone is not a screening). */
  titleAbstractDecided: boolean;
  /** The record's decision at title/abstract: its latest reconciliation, else its reviewers' current decisions when they agree. */
  titleAbstract: Decision | null;
  fullTextDecided: boolean;
  fullText: Decision | null;
  /** The reasons of the full-text decision when it excludes (the reported one is picked by the protocol's ranking when read). */
  fullTextReasons: string[];
  /** The record's latest full-text retrieval: absent, not retrieved, or any other status. */
  retrieval: "none" | "not_retrieved" | "other";
}

export type FlowDecisionOf = Pick<ScreeningDecision, "id" | "stage" | "reviewer" | "decision" | "reasons" | "at">;
export type FlowReconciliationOf = Pick<Reconciliation, "id" | "stage" | "decision" | "reasons" | "at">;
export type FlowRetrievalOf = Pick<FullTextRetrieval, "id" | "status" | "updatedAt">;

/** What one record's place is worked out from: its own decisions, reconciliations and retrievals, in any order. */
export interface RecordFlowInput {
  duplicate: boolean;
  decisions: readonly FlowDecisionOf[];
  reconciliations: readonly FlowReconciliationOf[];
  retrievals: readonly FlowRetrievalOf[];
}

/** Text in code-unit order (both engines' order of these keys once read; see the store's `list`). */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The last of `xs` by (time, id): history is ordered by time, and equal times by id, as the store lists it. */
function latest<T extends { id: string }>(xs: readonly T[], time: (x: T) => string): T | undefined {
  let best: T | undefined;
  for (const x of xs) if (!best || cmp(time(x), time(best)) > 0 || (time(x) === time(best) && cmp(x.id, best.id) >= 0)) best = x;
  return best;
}

function finalDecision(input: RecordFlowInput, stage: ScreeningStage): { decided: boolean; decision: Decision | null; reasons: string[] } {
  const ds = input.decisions.filter((d) => d.stage === stage);
  const recon = latest(
    input.reconciliations.filter((r) => r.stage === stage),
    (r) => r.at,
  );
  if (recon) return { decided: ds.length > 0, decision: recon.decision, reasons: recon.reasons };
  // Each reviewer's current decision is their latest; the record is decided when they all agree.
  const byReviewer = new Map<string, FlowDecisionOf[]>();
  for (const d of ds) byReviewer.set(d.reviewer, [...(byReviewer.get(d.reviewer) ?? []), d]);
  if (byReviewer.size === 0) return { decided: false, decision: null, reasons: [] };
  // An agreed exclusion reports the reasons of the reviewer who decided first (by time, then id),
  // so the answer does not depend on the order the rows were read in.
  const first = (xs: FlowDecisionOf[]) => xs.reduce((a, d) => (cmp(d.at, a.at) < 0 || (d.at === a.at && cmp(d.id, a.id) < 0) ? d : a));
  const current = [...byReviewer.values()]
    .sort((a, b) => {
      const x = first(a), y = first(b);
      return cmp(x.at, y.at) || cmp(x.id, y.id);
    })
    .map((xs) => latest(xs, (d) => d.at)!);
  const lead = current[0]!;
  return current.every((d) => d.decision === lead.decision)
    ? { decided: true, decision: lead.decision, reasons: lead.reasons }
    : { decided: true, decision: null, reasons: [] };
}

/** A record's place in the flow (see `RecordFlow`). */
export function recordFlow(input: RecordFlowInput): RecordFlow {
  const ta = finalDecision(input, "title_abstract");
  const ft = finalDecision(input, "full_text");
  const ret = latest(input.retrievals, (r) => r.updatedAt);
  return {
    duplicate: input.duplicate,
    titleAbstractDecided: ta.decided,
    titleAbstract: ta.decision,
    fullTextDecided: ft.decided,
    fullText: ft.decision,
    fullTextReasons: ft.decision === "exclude" ? ft.reasons : [],
    retrieval: !ret ? "none" : ret.status === "not_retrieved" ? "not_retrieved" : "other",
  };
}

/**
 * A place as one short text, the key of the counts kept per search: "" for a
 * record identified and not yet screened or retrieved (the place of most
 * records, which is not stored: it is the records per search less the
 * others), "duplicate" for a duplicate (nothing else about it counts),
 * else the non-default parts as JSON in a fixed order.
 */
export function flowKey(f: RecordFlow): string {
  if (f.duplicate) return "duplicate";
  const parts: Record<string, unknown> = {};
  if (f.titleAbstractDecided) parts.taDecided = true;
  if (f.titleAbstract) parts.ta = f.titleAbstract;
  if (f.fullTextDecided) parts.ftDecided = true;
  if (f.fullText) parts.ft = f.fullText;
  if (f.fullTextReasons.length) parts.reasons = f.fullTextReasons;
  if (f.retrieval !== "none") parts.retrieval = f.retrieval;
  return Object.keys(parts).length ? JSON.stringify(parts) : "";
}

/** The place a key stands for (`flowKey`'s inverse). */
export function parseFlowKey(key: string): RecordFlow {
  if (key === "duplicate") return { ...NOT_SCREENED, duplicate: true };
  if (key === "") return NOT_SCREENED;
  const p = JSON.parse(key) as { taDecided?: boolean; ta?: Decision; ftDecided?: boolean; ft?: Decision; reasons?: string[]; retrieval?: "not_retrieved" | "other" };
  return {
    duplicate: false,
    titleAbstractDecided: p.taDecided === true,
    titleAbstract: p.ta ?? null,
    fullTextDecided: p.ftDecided === true,
    fullText: p.ft ?? null,
    fullTextReasons: p.reasons ?? [],
    retrieval: p.retrieval ?? "none",
  };
}

const NOT_SCREENED: RecordFlow = {
  duplicate: false,
  titleAbstractDecided: false,
  titleAbstract: null,
  fullTextDecided: false,
  fullText: null,
  fullTextReasons: [],
  retrieval: "none",
};

/** Records of one search at one place in the flow (`key` as `flowKey` gives it). */
export interface FlowCount {
  searchId: string;
  key: string;
  n: number;
}
