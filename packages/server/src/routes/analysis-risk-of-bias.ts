import type { FastifyInstance } from "fastify";
import { riskOfBiasAnalysisRoutes as r } from "@homeward/api";
import { InputError } from "@homeward/model";
import { inlineRows, metaSpecResult, parseMetaSpec, type Row } from "@homeward/meta";
import type { Appraisal } from "@homeward/model";
import { effectSizeRows, RISK_OF_BIAS_COLUMN, RISK_OF_BIAS_TOOL_COLUMN, riskOfBiasSensitivity, studyRiskOfBias, withRiskOfBias, type AnalysisData, type StudyRiskOfBias } from "@homeward/review";
import type { Store } from "@homeward/store";
import { serve } from "../contract.js";
import { withExtractedModerators } from "./analysis-codebook.js";

/** Keys the analysis page sends beside the meta spec; figures are not drawn here, so they are accepted and ignored. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;

/**
 * The project's effect sizes with each study's overall appraisal judgement
 * (consensus first, else the one submitted assessment), as the analysis
 * data route gives them. Where a result was appraised on its own (RoB 2 and
 * ROBINS-I judge a result; an appraisal with an outcome), that result's
 * judgement stands in the rows of its outcome instead of the study's.
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
  const data = withRiskOfBias(effectSizeRows({ studies, outcomes, effectSizes }), studyRiskOfBias({ studies, appraisals, protocol }));
  return withResultRiskOfBias(data, resultRiskOfBias(studies, appraisals, protocol));
}

/**
 * Per outcome, the judgement of its own appraisals, chosen by the same rule
 * as a study's (the review package's `studyRiskOfBias`, given the result's
 * appraisals as if they were the study's).
 */
function resultRiskOfBias(studies: Parameters<typeof studyRiskOfBias>[0]["studies"], appraisals: readonly Appraisal[], protocol: Parameters<typeof studyRiskOfBias>[0]["protocol"]) {
  const byOutcome = new Map<string, Appraisal[]>();
  for (const a of appraisals) if (a.outcomeId !== null) byOutcome.set(a.outcomeId, [...(byOutcome.get(a.outcomeId) ?? []), a]);
  const studyById = new Map(studies.map((s) => [s.id, s]));
  const out = new Map<string, StudyRiskOfBias>();
  for (const [outcomeId, list] of byOutcome) {
    const study = studyById.get(list[0]!.studyId);
    if (!study) continue;
    const j = studyRiskOfBias({ studies: [study], appraisals: list.map((a) => ({ ...a, outcomeId: null })), protocol }).get(study.id);
    if (j) out.set(outcomeId, j);
  }
  return out;
}

function withResultRiskOfBias(data: AnalysisData, byOutcome: ReadonlyMap<string, StudyRiskOfBias>): AnalysisData {
  const applies = (r: AnalysisData["rows"][number]) => typeof r.outcomeId === "string" && byOutcome.has(r.outcomeId);
  if (!data.rows.some(applies)) return data;
  let col = [RISK_OF_BIAS_COLUMN, `appraisal.${RISK_OF_BIAS_COLUMN}`].find((c) => data.columns.includes(c) && data.rows.some((r) => c in r));
  let toolCol = col === RISK_OF_BIAS_COLUMN ? RISK_OF_BIAS_TOOL_COLUMN : `appraisal.${RISK_OF_BIAS_TOOL_COLUMN}`;
  let columns = data.columns;
  if (!col) {
    // No study-level judgement added the columns: add them here, as withRiskOfBias names them.
    const taken = new Set(data.columns);
    col = taken.has(RISK_OF_BIAS_COLUMN) ? `appraisal.${RISK_OF_BIAS_COLUMN}` : RISK_OF_BIAS_COLUMN;
    toolCol = taken.has(RISK_OF_BIAS_TOOL_COLUMN) ? `appraisal.${RISK_OF_BIAS_TOOL_COLUMN}` : RISK_OF_BIAS_TOOL_COLUMN;
    columns = [...data.columns, col, toolCol];
  }
  const rows = data.rows.map((r) => {
    const j = typeof r.outcomeId === "string" ? byOutcome.get(r.outcomeId) : undefined;
    return j ? { ...r, [col!]: j.judgement, [toolCol]: j.tool } : { [col!]: null, [toolCol]: null, ...r };
  });
  return { ...data, columns, rows };
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
