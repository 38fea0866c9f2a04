import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { InputError, isInputError, parseInput } from "@homeward/model";
import { fitMetaSpec, inlineRows, metaSpecResult, parseMetaSpec, type FittedSpec, type MetaSpecResult, type Row } from "@homeward/meta";
import { renderPng, renderSvg, toVegaSpec } from "@homeward/figures";
import {
  ANALYSIS_FIGURES, analysisFigure, effectSizeRows, figureTableCsv, isAnalysisFigureName,
  type AnalysisData, type AnalysisFigureName, type AnalysisFigureOptions,
} from "@homeward/review";
import type { Store } from "@homeward/store";

const IdParams = z.object({ id: z.string().min(1) });
const FigureParams = z.object({ id: z.string().min(1), name: z.string().min(1) });
const FigureQuery = z.object({
  format: z.enum(["svg", "png", "csv"]).default("svg"),
  scale: z.coerce.number().gt(0).max(10).default(2),
});
const FigureOptions = z
  .object({
    label: z.string().min(1).optional(),
    measure: z.string().max(200).optional(),
    contour: z.boolean().optional(),
    trimfill: z.boolean().optional(),
    metric: z.enum(["estimate", "I2"]).optional(),
    cookRule: z.enum(["iqr", "4k"]).optional(),
  })
  .strict();
/** Keys of the request besides the meta spec's own. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;
/** The `data` value that means "this project's effect sizes". */
const PROJECT_DATA = "effectSizes";

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

export type AnalysisAnswer = MetaSpecResult & {
  /** Requested figures; one the model cannot have (e.g. a forest plot with moderators) carries `error` instead. */
  figures?: Record<string, AnalysisFigureAnswer | { error: string }>;
  /** With `data: "effectSizes"`: effect sizes left out and why. */
  skipped?: AnalysisData["skipped"];
};

/**
 * Meta-analysis of a project's data from a meta spec (the keys of `homeward
 * meta`), with figures.
 *
 *   GET  /api/projects/:id/analysis/data            → {columns, rows, skipped}: the project's effect sizes joined to outcomes and studies
 *   POST /api/projects/:id/analysis                 body: meta spec + figures? + figureOptions? → the `homeward meta` answer + figures
 *   POST /api/projects/:id/analysis/figures/:name   ?format=svg|png|csv, body as above → the file
 *
 * `data` is an array of row objects or "effectSizes". Bad specs are 400s
 * with the same one-line reason the CLI prints.
 */
export async function registerAnalysisRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const projectData = async (projectId: string): Promise<AnalysisData> => {
    await store.getProject(projectId);
    const [studies, outcomes, effectSizes] = await Promise.all([
      store.list(projectId, "studies"),
      store.list(projectId, "outcomes"),
      store.list(projectId, "effectSizes"),
    ]);
    return effectSizeRows({ studies, outcomes, effectSizes });
  };

  /** Checks the request, reads its data and fits the model. */
  const fit = async (req: FastifyRequest) => {
    const { id } = parseInput(IdParams, req.params, "path");
    const body = req.body;
    const spec = parseMetaSpec(body, EXTRA_KEYS);
    const raw = body as Record<string, unknown>;
    const figureOptions = parseInput(FigureOptions, raw.figureOptions ?? {}, "figureOptions") as AnalysisFigureOptions;
    let rows: Row[];
    let skipped: AnalysisData["skipped"] | undefined;
    if (raw.data === PROJECT_DATA) {
      const data = await projectData(id);
      if (data.rows.length === 0) {
        throw new InputError(`the project has no effect sizes with yi and vi${data.skipped.length ? ` (${data.skipped.length} without)` : ""}`);
      }
      rows = data.rows;
      skipped = data.skipped;
    } else if (Array.isArray(raw.data)) {
      await store.getProject(id);
      rows = inlineRows(raw.data);
    } else {
      throw new InputError(`spec "data" must be "${PROJECT_DATA}" (the project's effect sizes) or an array of row objects`);
    }
    return { fitted: fitMetaSpec(spec, rows), figureOptions, skipped, raw };
  };

  const figureNames = (value: unknown): AnalysisFigureName[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !isAnalysisFigureName(v))) {
      throw new InputError(`"figures" must be an array of figure names: ${ANALYSIS_FIGURES.join(", ")}`);
    }
    return [...new Set(value as AnalysisFigureName[])];
  };

  const drawAnswer = async (name: AnalysisFigureName, fitted: FittedSpec, opts: AnalysisFigureOptions): Promise<AnalysisFigureAnswer | { error: string }> => {
    let drawn;
    try {
      drawn = analysisFigure(name, fitted, opts);
    } catch (err) {
      if (isInputError(err)) return { error: err.message };
      throw err;
    }
    const { figure, table } = drawn;
    return {
      title: figure.title, description: figure.description, alt: figure.alt,
      svg: await renderSvg(figure), vegaSpec: toVegaSpec(figure.spec), csv: figureTableCsv(table),
    };
  };

  app.get("/api/projects/:id/analysis/data", async (req) => projectData(parseInput(IdParams, req.params, "path").id));

  app.post("/api/projects/:id/analysis", async (req): Promise<AnalysisAnswer> => {
    const { fitted, figureOptions, skipped, raw } = await fit(req);
    const names = figureNames(raw.figures);
    const answer: AnalysisAnswer = metaSpecResult(fitted);
    if (names.length > 0) {
      answer.figures = {};
      for (const name of names) answer.figures[name] = await drawAnswer(name, fitted, figureOptions);
    }
    if (skipped) answer.skipped = skipped;
    return answer;
  });

  app.post("/api/projects/:id/analysis/figures/:name", async (req, reply) => {
    const { name } = parseInput(FigureParams, req.params, "path");
    if (!isAnalysisFigureName(name)) throw new InputError(`no such figure "${name}" (one of ${ANALYSIS_FIGURES.join(", ")})`, 404);
    const q = parseInput(FigureQuery, req.query, "figure query");
    const { fitted, figureOptions } = await fit(req);
    const { figure, table } = analysisFigure(name, fitted, figureOptions);
    reply.header("content-disposition", `attachment; filename="${name}.${q.format}"`);
    if (q.format === "csv") return reply.type("text/csv; charset=utf-8").send(figureTableCsv(table));
    if (q.format === "png") return reply.type("image/png").send(await renderPng(figure, { scale: q.scale }));
    return reply.type("image/svg+xml; charset=utf-8").send(await renderSvg(figure));
  });
}
