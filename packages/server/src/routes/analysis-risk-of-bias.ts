import type { FastifyInstance } from "fastify";
import { riskOfBiasAnalysisRoutes as r } from "@homeward/api";
import { InputError } from "@homeward/model";
import { inlineRows, metaSpecResult, parseMetaSpec, type Row } from "@homeward/meta";
import { effectSizeRows, riskOfBiasSensitivity, studyRiskOfBias, withRiskOfBias } from "@homeward/review";
import type { Store } from "@homeward/store";
import { serve } from "../contract.js";
import { withExtractedModerators } from "./analysis-codebook.js";

/** Keys the analysis page sends beside the meta spec; figures are not drawn here, so they are accepted and ignored. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;

/**
 * The project's effect sizes with each study's overall appraisal judgement
 * (consensus first, else the one submitted assessment), as the analysis
 * data route gives them.
 */
export async function riskOfBiasRows(store: Store, projectId: string) {
  await store.getProject(projectId);
  const [protocol, studies, outcomes, effectSizes, appraisals] = await Promise.all([
    store.getProtocol(projectId),
    store.list(projectId, "studies"),
    store.list(projectId, "outcomes"),
    store.list(projectId, "effectSizes"),
    store.list(projectId, "appraisals"),
  ]);
  return withRiskOfBias(effectSizeRows({ studies, outcomes, effectSizes }), studyRiskOfBias({ studies, appraisals, protocol }));
}

/** The one-click sensitivity analysis: the spec fitted with and without the studies at high risk of bias. */
export async function registerRiskOfBiasAnalysisRoutes(app: FastifyInstance, store: Store): Promise<void> {
  serve(app, r.sensitivity, async ({ params: { id }, body, ctx }) => {
    const spec = parseMetaSpec(body, EXTRA_KEYS);
    const raw = body as Record<string, unknown>;
    let rows: Row[];
    if (raw.data === "effectSizes") {
      // The same rows as the analysis page, codebook moderators included, so a spec that uses them refits.
      const data = await withExtractedModerators(store, id, ctx, await riskOfBiasRows(store, id));
      if (data.rows.length === 0) throw new InputError("the project has no effect sizes with yi and vi");
      rows = data.rows;
    } else if (Array.isArray(raw.data)) {
      await store.getProject(id);
      rows = inlineRows(raw.data);
    } else {
      throw new InputError('spec "data" must be "effectSizes" (the project\'s effect sizes) or an array of row objects');
    }
    const s = riskOfBiasSensitivity(spec, rows);
    return {
      full: metaSpecResult(s.full),
      reduced: s.reduced ? metaSpecResult(s.reduced) : null,
      reducedError: s.reducedError,
      rule: "studies at high risk of bias left out: RoB 2 High; ROBINS-I Serious or Critical",
      dropped: s.dropped,
      unjudged: s.unjudged,
    };
  });
}
