import type { MetaSpecResult } from "@homeward/meta";
import { AnalysisSpecBody } from "./analysis.js";
import { IdParams } from "./core.js";
import { route } from "./route.js";

/** The same model fitted on all rows and without the studies at high risk of bias. */
export interface RiskOfBiasSensitivityAnswer {
  full: MetaSpecResult;
  /** The refit without high-risk studies; null with `reducedError` when no model can be fitted to what is left. */
  reduced: MetaSpecResult | null;
  reducedError: string | null;
  /** The rule applied, in words. */
  rule: string;
  /** Studies left out (label, tool, judgement) and how many rows went with them. */
  dropped: { studies: { study: string; tool: string; judgement: string }[]; rows: number };
  /** Rows of studies with no risk-of-bias judgement, kept in both fits. */
  unjudged: number;
}

/** Risk of bias in the meta-analysis: a sensitivity analysis excluding the studies at high risk. */
export const riskOfBiasAnalysisRoutes = {
  sensitivity: route<RiskOfBiasSensitivityAnswer>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/analysis/risk-of-bias-sensitivity",
    params: IdParams,
    body: AnalysisSpecBody,
    bodyName: "spec",
    summary: "fit a meta spec on all rows and again without the studies at high risk of bias (RoB 2 High; ROBINS-I Serious or Critical), with the studies dropped",
  }),
} as const;
