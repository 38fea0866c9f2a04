import { z } from "zod";
import { Id, OptText, Timestamp, UserName } from "./common.js";

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
