import type { FastifyInstance } from "fastify";
import { AnalysisFigureOptionsSchema, savedAnalysesRoutes as r, type SavedAnalysisVersion } from "@homeward/api";
import { InputError, parseInput, type SavedAnalysis } from "@homeward/model";
import { fitMetaSpec, inlineRows, parseMetaSpec, type FittedSpec, type MetaSpec, type Row } from "@homeward/meta";
import { ANALYSIS_FIGURES, analysisSnapshot, isAnalysisFigureName, whatMoved } from "@homeward/review";
import type { Store } from "@homeward/store";
import { serve } from "../contract.js";
import { writer, type RequestContext } from "../context.js";
import { riskOfBiasRows } from "./analysis-risk-of-bias.js";
import { withExtractedModerators } from "./analysis-codebook.js";

/** Keys of an analysis request besides the meta spec's own (as the analysis route reads them). */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;

/** The model of a spec in a few words, for lists. */
function modelWords(spec: MetaSpec): string {
  const parts = [spec.random.length ? `multilevel (${spec.random.join("/")})` : "random effects", spec.method, spec.test === "t" ? (spec.random.length ? "t tests" : "Knapp–Hartung") : "z tests"];
  if (spec.moderators.length) parts.push(`moderators: ${spec.moderators.map((m) => m.name).join(", ")}`);
  if (spec.cluster) parts.push(`CR2 by ${spec.cluster}`);
  if (spec.diagnostics?.length) parts.push(`diagnostics: ${spec.diagnostics.join(", ")}`);
  return parts.join("; ");
}

function versionOf(a: SavedAnalysis): SavedAnalysisVersion {
  let model: string;
  try {
    model = modelWords(parseMetaSpec(a.spec, EXTRA_KEYS));
  } catch {
    model = "(a spec this version of Homeward no longer reads)";
  }
  const res = a.result as { k?: unknown; measure?: { measure?: unknown } };
  return {
    id: a.id, name: a.name, version: a.version, description: a.description, savedBy: a.savedBy, savedAt: a.savedAt,
    k: typeof res.k === "number" ? res.k : null,
    measure: typeof res.measure?.measure === "string" ? res.measure.measure : null,
    model,
  };
}

/**
 * Fits an analysis request (a saved spec or a new one) to the rows the
 * analysis page fits: the project's effect sizes with risk of bias and the
 * codebook values the caller may see, or inline rows. The one refit of a
 * saved analysis: its rerun, and GRADE, the joint display and the guide
 * where they rest on it.
 */
export async function fitAnalysisRequest(store: Store, projectId: string, request: Record<string, unknown>, ctx: RequestContext): Promise<FittedSpec> {
  const spec = parseMetaSpec(request, EXTRA_KEYS);
  let rows: Row[];
  if (request.data === "effectSizes") {
    const data = await withExtractedModerators(store, projectId, ctx, await riskOfBiasRows(store, projectId));
    if (data.rows.length === 0) throw new InputError("the project has no effect sizes with yi and vi");
    rows = data.rows;
  } else if (Array.isArray(request.data)) {
    await store.getProject(projectId);
    rows = inlineRows(request.data);
  } else {
    throw new InputError(`spec "data" must be "effectSizes" (the project's effect sizes) or an array of row objects`);
  }
  return fitMetaSpec(spec, rows);
}

/**
 * Saved analyses (`savedAnalysesRoutes` in @homeward/api): a spec is fitted
 * to the same rows the analysis page fits (the project's effect sizes with
 * risk of bias and the codebook values the caller may see), and kept with
 * its result and rows under a name and the next version of that name. A
 * re-run fits the saved spec to today's rows and says what moved; it saves
 * nothing.
 */
export async function registerSavedAnalysesRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const fit = (projectId: string, request: Record<string, unknown>, ctx: RequestContext) => fitAnalysisRequest(store, projectId, request, ctx);

  serve(app, r.list, async ({ params: { id } }) => {
    await store.getProject(id);
    const byName = new Map<string, SavedAnalysis[]>();
    for (const a of await store.list(id, "savedAnalyses")) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
    const analyses = [...byName].map(([name, list]) => {
      const versions = list.sort((x, y) => y.version - x.version).map(versionOf);
      return { name, latest: versions[0]!, versions };
    });
    analyses.sort((x, y) => x.name.localeCompare(y.name));
    return { analyses };
  });

  serve(app, r.save, async ({ params: { id }, body, ctx }) => {
    const spec = body.spec;
    if (spec.figures !== undefined && (!Array.isArray(spec.figures) || spec.figures.some((f) => typeof f !== "string" || !isAnalysisFigureName(f)))) {
      throw new InputError(`"figures" must be an array of figure names: ${ANALYSIS_FIGURES.join(", ")}`);
    }
    parseInput(AnalysisFigureOptionsSchema, spec.figureOptions ?? {}, "figureOptions");
    const { result, rows } = analysisSnapshot(await fit(id, spec, ctx));
    const earlier = await store.list(id, "savedAnalyses", { name: body.name });
    const version = earlier.reduce((m, a) => Math.max(m, a.version), 0) + 1;
    const [saved] = await store.insert(id, "savedAnalyses", [{
      name: body.name, version, description: body.description ?? null,
      spec, result: result as unknown as Record<string, unknown>, rows,
      // Signed by the session's user, at the server's time (the collection's signer and stamp).
      savedBy: ctx.actor, savedAt: new Date().toISOString(),
    }], writer(ctx));
    return saved!;
  });

  serve(app, r.get, async ({ params: { id, savedId } }) => store.get(id, "savedAnalyses", savedId));

  serve(app, r.rerun, async ({ params: { id, savedId }, ctx }) => {
    const saved = await store.get(id, "savedAnalyses", savedId);
    const now = analysisSnapshot(await fit(id, saved.spec, ctx));
    return { saved: versionOf(saved), result: now.result, moved: whatMoved(saved, now) };
  });
}
