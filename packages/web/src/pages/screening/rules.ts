/** Exclusion-reason rules as the screening page applies them: the model's, which the store and server apply too. */
import { recordedExclusionReason, stageExclusionReasons, type ExclusionReason, type Protocol } from "@homeward/model";
import type { Stage } from "./screeningApi";

/** The protocol's exclusion reasons usable at `stage`, highest rank (lowest number) first. */
export function stageReasons(p: Pick<Protocol, "exclusionReasons"> | undefined, stage: Stage): ExclusionReason[] {
  return p ? stageExclusionReasons(p, stage) : [];
}

/**
 * With several reasons chosen, the protocol's ranking decides the recorded
 * one: the highest-ranked (lowest rank number). This is the preview of what
 * the server records; `ranked` is the stage's list from `stageReasons`.
 */
export function recordedReason(chosen: ReadonlySet<string>, ranked: readonly ExclusionReason[]): ExclusionReason | null {
  const code = recordedExclusionReason({ exclusionReasons: [...ranked] }, [...chosen]);
  return ranked.find((r) => r.code === code) ?? null;
}

export const reasonLabel = (code: string, ranked: readonly ExclusionReason[]) => ranked.find((r) => r.code === code)?.label ?? code;
