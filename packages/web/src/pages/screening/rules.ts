/** Exclusion-reason rules as the screening page applies them (pure, unit-tested against @homeward/screening). */
import type { ExclusionReason, Protocol } from "@homeward/model";
import type { Stage } from "./screeningApi";

/** The protocol's exclusion reasons usable at `stage`, highest rank (lowest number) first. */
export function stageReasons(p: Pick<Protocol, "exclusionReasons"> | undefined, stage: Stage): ExclusionReason[] {
  return [...(p?.exclusionReasons ?? [])].filter((r) => (r.stage ?? "any") === "any" || r.stage === stage).sort((a, b) => a.rank - b.rank);
}

/**
 * With several reasons chosen, the protocol's ranking decides the recorded
 * one: the highest-ranked (lowest rank number). The server applies the same
 * rule when it stores the decision; this is the preview.
 */
export function recordedReason(chosen: ReadonlySet<string>, ranked: readonly ExclusionReason[]): ExclusionReason | null {
  return ranked.find((r) => chosen.has(r.code)) ?? null;
}

export const reasonLabel = (code: string, ranked: readonly ExclusionReason[]) => ranked.find((r) => r.code === code)?.label ?? code;

