import { z } from "zod";
import { Id, OptText, Timestamp, UserName } from "./common.js";
import { InputError } from "./errors.js";
import type { RuleContext } from "./rules/context.js";

/**
 * A named analysis, frozen as saved: the analysis spec exactly as the
 * analysis route and `homeward meta --spec` take it (data selection, model,
 * moderators, robust inference, diagnostics, figures and their options),
 * what it gave at the time (`result`, the `homeward meta` answer) and the
 * effect sizes it was fitted to (`rows`), so that a re-run against the data
 * of a later day can say what moved. Saving under a name already used adds
 * the next version; versions are never changed or removed, since reports
 * cite them.
 */
export const SavedAnalysisRow = z.object({
  effectSizeId: Id,
  /** The study label the row was grouped under. */
  study: z.string(),
  yi: z.number(),
  vi: z.number(),
});
export type SavedAnalysisRow = z.infer<typeof SavedAnalysisRow>;

export const SavedAnalysis = z.object({
  id: Id,
  name: z.string().trim().min(1, "a saved analysis needs a name").max(200),
  /** 1 for the first save of a name, then one more per save of the same name. */
  version: z.number().int().min(1),
  description: OptText,
  /** The analysis request (a meta spec plus `figures` and `figureOptions`); checked by @homeward/meta when saved. */
  spec: z.record(z.string(), z.unknown()),
  /** The fit as saved: the `homeward meta` answer (estimates, SEs, CIs, τ²/σ², Q, I², k, robust results, diagnostics). */
  result: z.record(z.string(), z.unknown()),
  /** The rows fitted, in order, with the values they had. */
  rows: z.array(SavedAnalysisRow).default([]),
  savedBy: UserName,
  savedAt: Timestamp,
});
export type SavedAnalysis = z.infer<typeof SavedAnalysis>;

/**
 * Versions of a name run 1, 2, 3… with no gap and no repeat: a save names
 * the version after the latest stored one. Within a batch (an import) the
 * versions of a name are checked together.
 */
export async function validateSavedAnalyses(entities: readonly SavedAnalysis[], ctx: RuleContext): Promise<void> {
  const names = [...new Set(entities.map((e) => e.name))];
  if (names.length === 0) return;
  const ids = new Set(entities.map((e) => e.id));
  const stored = (await ctx.find("savedAnalyses", { name: names })).filter((s) => !ids.has(s.id));
  for (const name of names) {
    const taken = new Set(stored.filter((s) => s.name === name).map((s) => s.version));
    const adding = entities.filter((e) => e.name === name).map((e) => e.version).sort((a, b) => a - b);
    let next = taken.size === 0 ? 1 : Math.max(...taken) + 1;
    for (const v of adding) {
      if (taken.has(v)) throw new InputError(`saved analysis "${name}" already has a version ${v}`, 409);
      if (v !== next) throw new InputError(`saved analysis "${name}": the next version is ${next}, not ${v}`, 409);
      next += 1;
    }
  }
}
