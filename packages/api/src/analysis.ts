import { z } from "zod";
import type { MetaSpecResult } from "@homeward/meta";
import type { AnalysisData, AnalysisFigureOptions } from "@homeward/review";
import { IdParams } from "./core.js";
import { checkedBody, route, type FileAnswer } from "./route.js";

export const AnalysisFigureParams = z.object({ id: z.string().min(1), name: z.string().min(1) });
export const AnalysisFigureQuery = z.object({
  format: z.enum(["svg", "png", "csv"]).default("svg"),
  scale: z.coerce.number().gt(0).max(10).default(2),
});

/** Options of the figures drawn from a fit (a key of the analysis body beside the meta spec's). */
export const AnalysisFigureOptionsSchema = z
  .object({
    label: z.string().min(1).optional(),
    measure: z.string().max(200).optional(),
    contour: z.boolean().optional(),
    trimfill: z.boolean().optional(),
    metric: z.enum(["estimate", "I2"]).optional(),
    cookRule: z.enum(["iqr", "4k"]).optional(),
    column: z.string().min(1).max(200).optional(),
  })
  .strict() satisfies z.ZodType<AnalysisFigureOptions>;

/**
 * A meta spec (the keys of `homeward meta`, with `data` an array of row
 * objects or "effectSizes" for the project's own) plus `figures` and
 * `figureOptions`. Checked by @homeward/meta's `parseMetaSpec`, so the
 * reasons are the CLI's. The project's rows carry their effect measure:
 * `measure` picks the one to pool, and rows mixing measures are refused.
 */
export const AnalysisSpecBody = checkedBody<Record<string, unknown>>();

/** A figure as the analysis answer carries it. */
export interface AnalysisFigureAnswer {
  title: string;
  description: string;
  alt: string;
  svg: string;
  /** Compiled Vega specification (data inline), for clients that draw interactively. */
  vegaSpec: unknown;
  /** The data behind the figure. */
  csv: string;
}

/**
 * The fit (with `measure`, the measure pooled, and `warnings`, each naming
 * the key and row of the answer it qualifies) plus figures.
 */
export type AnalysisAnswer = MetaSpecResult & {
  /** Requested figures; one the model cannot have (e.g. a forest plot with moderators) carries `error` instead. */
  figures?: Record<string, AnalysisFigureAnswer | { error: string }>;
  /** With `data: "effectSizes"`: effect sizes left out and why. */
  skipped?: AnalysisData["skipped"];
};

/** Meta-analysis of a project's effect sizes or of inline rows, with figures. */
export const analysisRoutes = {
  data: route<AnalysisData>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/analysis/data",
    params: IdParams,
    summary: "the project's effect sizes joined to outcomes and studies, as analysis rows",
  }),
  analyse: route<AnalysisAnswer>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/analysis",
    params: IdParams,
    body: AnalysisSpecBody,
    bodyName: "spec",
    summary: "fit a meta spec; the `homeward meta` answer plus the requested figures",
  }),
  figure: route<FileAnswer>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/analysis/figures/:name",
    params: AnalysisFigureParams,
    query: AnalysisFigureQuery,
    body: AnalysisSpecBody,
    bodyName: "spec",
    summary: "one figure of a fit as SVG, PNG or the data behind it as CSV",
  }),
} as const;
