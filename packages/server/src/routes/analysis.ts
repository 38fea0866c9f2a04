import type { FastifyInstance } from "fastify";
import { analysisRoutes as r, AnalysisFigureOptionsSchema, type AnalysisAnswer, type AnalysisFigureAnswer } from "@homeward/api";
import { InputError, isInputError, parseInput } from "@homeward/model";
import { fitMetaSpec, inlineRows, metaSpecResult, parseMetaSpec, type FittedSpec, type Row } from "@homeward/meta";
import { renderPng, renderSvg, toVegaSpec } from "@homeward/figures";
import {
  ANALYSIS_FIGURES, analysisFigure, figureTableCsv, isAnalysisFigureName,
  type AnalysisData, type AnalysisFigureName, type AnalysisFigureOptions,
} from "@homeward/review";
import type { Store } from "@homeward/store";
import { serve } from "../contract.js";
import { riskOfBiasRows } from "./analysis-risk-of-bias.js";
import { withExtractedModerators } from "./analysis-codebook.js";
import type { RequestContext } from "../context.js";
import { attachment } from "../security.js";

/** Keys of the request besides the meta spec's own. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;
/** The `data` value that means "this project's effect sizes". */
const PROJECT_DATA = "effectSizes";

/**
 * Meta-analysis of a project's data from a meta spec (the keys of `homeward
 * meta`), with figures (`analysisRoutes` in @homeward/api). `data` is an
 * array of row objects or "effectSizes". Bad specs are 400s with the same
 * one-line reason the CLI prints, among them rows that mix effect measures
 * (the meta spec's rule; `measure` selects one). Warnings come in the
 * answer from `metaSpecResult`.
 */
export async function registerAnalysisRoutes(app: FastifyInstance, store: Store): Promise<void> {
  // Each study's overall risk of bias rides along as a moderator column and the forest plot's text column.
  // So do the codebook values standing for each study and outcome, as far as blinding lets the caller see them.
  const projectData = async (projectId: string, ctx: RequestContext): Promise<AnalysisData> =>
    withExtractedModerators(store, projectId, ctx, await riskOfBiasRows(store, projectId));

  /** Checks the spec, reads its data and fits the model. */
  const fit = async (id: string, body: unknown, ctx: RequestContext) => {
    const spec = parseMetaSpec(body, EXTRA_KEYS);
    const raw = body as Record<string, unknown>;
    const figureOptions = parseInput(AnalysisFigureOptionsSchema, raw.figureOptions ?? {}, "figureOptions");
    let rows: Row[];
    let skipped: AnalysisData["skipped"] | undefined;
    if (raw.data === PROJECT_DATA) {
      const data = await projectData(id, ctx);
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

  serve(app, r.data, async ({ params: { id }, ctx }) => projectData(id, ctx));

  serve(app, r.analyse, async ({ params: { id }, body, ctx }) => {
    const { fitted, figureOptions, skipped, raw } = await fit(id, body, ctx);
    const names = figureNames(raw.figures);
    const answer: AnalysisAnswer = metaSpecResult(fitted);
    if (names.length > 0) {
      answer.figures = {};
      for (const name of names) answer.figures[name] = await drawAnswer(name, fitted, figureOptions);
    }
    if (skipped) answer.skipped = skipped;
    return answer;
  });

  serve(app, r.figure, async ({ params: { id, name }, query: q, body, reply, ctx }) => {
    if (!isAnalysisFigureName(name)) throw new InputError(`no such figure "${name}" (one of ${ANALYSIS_FIGURES.join(", ")})`, 404);
    const { fitted, figureOptions } = await fit(id, body, ctx);
    const { figure, table } = analysisFigure(name, fitted, figureOptions);
    reply.header("content-disposition", attachment(`${name}.${q.format}`));
    if (q.format === "csv") return reply.type("text/csv; charset=utf-8").send(figureTableCsv(table));
    if (q.format === "png") return reply.type("image/png").send(await renderPng(figure, { scale: q.scale }));
    return reply.type("image/svg+xml; charset=utf-8").send(await renderSvg(figure));
  });
}
