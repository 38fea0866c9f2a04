import { z } from "zod";
import type { MetaSpecResult } from "@homeward/meta";
import type { SavedAnalysis } from "@homeward/model";
import type { WhatMoved } from "@homeward/review";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export type { WhatMoved };

export const SavedAnalysisParams = z.object({ id: z.string().min(1), savedId: z.string().min(1) });

/**
 * A save: the name (a name saved before gets its next version), an optional
 * note, and the analysis request exactly as the analysis route takes it (a
 * meta spec with `data`, plus `figures` and `figureOptions`), checked by
 * @homeward/meta so the reasons are the CLI's.
 */
export const SaveAnalysisBody = z
  .object({
    name: z.string({ error: "give the analysis a name" }).trim().min(1, "give the analysis a name").max(200, "a name is at most 200 characters"),
    description: z.string().trim().max(10_000, "a note is at most 10,000 characters").nullable().optional(),
    spec: z.record(z.string(), z.unknown(), { error: "spec must be an analysis spec (a JSON object)" }),
  })
  .strict();

/** One version as listed: what it is, who saved it and when, and its headline numbers (no rows). */
export interface SavedAnalysisVersion {
  id: string;
  name: string;
  version: number;
  description: string | null;
  savedBy: string;
  savedAt: string;
  k: number | null;
  measure: string | null;
  /** The model in a few words ("three-level (study/esid), REML, t; 1 moderator; CR2 by study"). */
  model: string;
}

/** Saved analyses by name, versions newest first. */
export interface SavedAnalysesAnswer {
  analyses: { name: string; latest: SavedAnalysisVersion; versions: SavedAnalysisVersion[] }[];
}

/** A re-run of a saved version against the project's data today. */
export interface RerunAnswer {
  saved: SavedAnalysisVersion;
  /** Today's fit, as the analysis route answers it (without figures). */
  result: MetaSpecResult;
  moved: WhatMoved;
}

/** Named, versioned analyses: saved with their result, listed, read, and re-run to see what moved. */
export const savedAnalysesRoutes = {
  list: route<SavedAnalysesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/saved-analyses",
    params: IdParams,
    summary: "the project's saved analyses by name, each with its versions (who saved them, when, k, the model)",
  }),
  save: route<SavedAnalysis>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/saved-analyses",
    params: IdParams,
    body: SaveAnalysisBody,
    bodyName: "saved analysis",
    status: 201,
    summary: "fit an analysis spec and save it under a name, with its result and rows (the next version of a name saved before); signed by the caller",
  }),
  get: route<SavedAnalysis>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/saved-analyses/:savedId",
    params: SavedAnalysisParams,
    summary: "one saved version: its spec, result and the rows it was fitted to",
  }),
  rerun: route<RerunAnswer>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/saved-analyses/:savedId/rerun",
    params: SavedAnalysisParams,
    summary: "re-run a saved version against today's data: old and new estimates and intervals per coefficient, k, and the effect sizes added, removed or changed (nothing is saved)",
  }),
} as const;
