import { z } from "zod";
import { Id, OptText, Timestamp, UserName } from "./common.js";
import { InputError } from "./errors.js";
import type { Permit, RuleContext } from "./rules/context.js";

/**
 * A version of the review's report. Number 0 is the draft: the report spec
 * being edited (sections, text, blocks). Numbers 1, 2, … are frozen
 * versions: the spec and the data it was rendered from (`data`, the
 * @homeward/report snapshot with its hash), so a version renders the same
 * whatever the project has become since. A frozen version is never changed
 * or removed.
 */
export const ReportVersion = z.object({
  id: Id,
  number: z.number().int().min(0),
  /** The report spec (@homeward/report `ReportSpec`; checked by the report routes). */
  spec: z.record(z.string(), z.unknown()),
  /** Frozen versions: the report data as rendered; the draft: null. */
  data: z.record(z.string(), z.unknown()).nullable().default(null),
  dataHash: OptText,
  note: OptText,
  savedBy: UserName,
  savedAt: Timestamp,
});
export type ReportVersion = z.infer<typeof ReportVersion>;

/** One draft and frozen versions numbered 1, 2, … with no gap and no repeat. */
export async function validateReportVersions(entities: readonly ReportVersion[], ctx: RuleContext): Promise<void> {
  const ids = new Set(entities.map((e) => e.id));
  // One read per number written (a write is one version), not the whole history with its data.
  const stored: ReportVersion[] = [];
  for (const n of new Set(entities.map((e) => e.number))) stored.push(...(await ctx.find("reportVersions", { number: n })).filter((v) => !ids.has(v.id)));
  const seen = new Set<number>();
  for (const e of entities) {
    if (seen.has(e.number) || stored.some((s) => s.number === e.number)) throw new InputError(`report version ${e.number} already exists`, 409);
    seen.add(e.number);
    if (e.number > 0 && (e.data === null || !e.dataHash)) throw new InputError(`report version ${e.number} must hold the data it was rendered from`);
    if (e.number === 0 && e.data !== null) throw new InputError("the report draft holds no frozen data");
  }
}

/** A frozen version stays as frozen. */
export const permitReportVersion: Permit<ReportVersion> = (op, before) => {
  if (op !== "create" && before && before.number > 0) throw new InputError(`report version ${before.number} is frozen and cannot be changed`, 409);
};
