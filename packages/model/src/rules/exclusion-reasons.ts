import type { ScreeningStage } from "../common.js";
import { InputError } from "../errors.js";
import type { ExclusionReason, Protocol } from "../protocol.js";

type Reasons = Pick<Protocol, "exclusionReasons">;

const STAGE_NAMES: Record<ScreeningStage, string> = { title_abstract: "title-abstract", full_text: "full-text" };

/** The protocol's exclusion reasons, highest-ranked (lowest `rank`) first; equal ranks keep the protocol's order. */
function byRank(reasons: readonly ExclusionReason[]): ExclusionReason[] {
  return [...reasons].sort((a, b) => a.rank - b.rank);
}

/**
 * `codes` without repeats, in the order of `ranking`; codes absent from it
 * go last in the order given, after `unknown` has seen each of them.
 */
function order(ranking: readonly ExclusionReason[], codes: readonly string[], unknown: (code: string) => void): string[] {
  const position = new Map(ranking.map((r, i) => [r.code, i]));
  const unique = [...new Set(codes)];
  for (const c of unique) if (!position.has(c)) unknown(c);
  return unique
    .map((code, i) => ({ code, key: position.get(code) ?? ranking.length + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.code);
}

/** The protocol's exclusion reasons usable at `stage` (its own and "any"), highest-ranked first. */
export function stageExclusionReasons(protocol: Reasons, stage: ScreeningStage): ExclusionReason[] {
  return byRank(protocol.exclusionReasons.filter((r) => r.stage === "any" || r.stage === stage));
}

/**
 * The reasons given for one exclusion at `stage`, as stored: `recorded` is
 * the highest-ranked (reported in the PRISMA flow), `others` the rest in
 * rank order; `recorded` is null when no reason is given. A code that is not
 * one of the stage's reasons is an InputError.
 */
export function rankExclusionReasons(protocol: Reasons, stage: ScreeningStage, codes: readonly string[]): { recorded: string | null; others: string[] } {
  const ordered = order(stageExclusionReasons(protocol, stage), codes, (code) => {
    throw new InputError(`"${code}" is not one of the protocol's exclusion reasons for ${STAGE_NAMES[stage]} screening`);
  });
  return { recorded: ordered[0] ?? null, others: ordered.slice(1) };
}

/**
 * The reason reported for an exclusion already stored, whatever its stage:
 * the highest-ranked of `codes`. Codes the protocol no longer lists rank
 * last (a past decision keeps its reasons when the protocol changes).
 */
export function recordedExclusionReason(protocol: Reasons, codes: readonly string[]): string | null {
  return order(byRank(protocol.exclusionReasons), codes, () => {})[0] ?? null;
}
