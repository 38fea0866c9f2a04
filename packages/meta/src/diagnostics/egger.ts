/**
 * Egger's regression test for funnel-plot asymmetry in the form metafor's
 * `regtest` uses by default (Egger et al. 1997; Sterne & Egger 2005): the
 * fitted model is refitted with the standard error √vᵢ added as a predictor,
 *
 *   yᵢ = xᵢβ + γ·√vᵢ + uᵢ + εᵢ,
 *
 * with the same τ² estimator and test. The test of γ = 0 is the asymmetry
 * test; for a model without moderators the intercept is the "limit
 * estimate", the expected effect of an infinitely precise study (Rücker et
 * al. 2011), reported with its CI.
 */
import { rma } from "../rma.js";
import { MetaInputError } from "../errors.js";
import type { RmaUniFit } from "../types.js";

export interface EggerTest {
  /** z (or t under Knapp–Hartung) statistic of the standard-error coefficient. */
  statistic: number;
  /** Degrees of freedom of the t statistic; null for z. */
  df: number | null;
  p: number;
  /** Intercept of the model with the SE as predictor (models without moderators only). */
  limitEstimate: number | null;
  limitLower: number | null;
  limitUpper: number | null;
}

export function eggerTest(fit: RmaUniFit): EggerTest {
  const { k, p, X } = fit;
  if (k < p + 2) throw new MetaInputError(`the regression test needs at least ${p + 2} outcomes, got ${k}`);
  const Xs = new Float64Array(k * (p + 1));
  for (let i = 0; i < k; i++) {
    for (let a = 0; a < p; a++) Xs[i * (p + 1) + a] = X[i * p + a];
    Xs[i * (p + 1) + p] = Math.sqrt(fit.vi[i]);
  }
  let reg: RmaUniFit;
  try {
    reg = rma({
      yi: fit.yi, vi: fit.vi,
      design: { X: Xs, k, p: p + 1, terms: [...fit.terms, "sei"], intercept: fit.intercept },
      method: fit.method, test: fit.test, level: fit.level,
    });
  } catch (err) {
    throw new MetaInputError(`the regression test cannot be fitted (${err instanceof Error ? err.message : String(err)})`);
  }
  const g = reg.coefficients[p];
  const limit = p === 1 && fit.intercept ? reg.coefficients[0] : null;
  return {
    statistic: g.statistic, df: g.df, p: g.p,
    limitEstimate: limit?.estimate ?? null, limitLower: limit?.ciLower ?? null, limitUpper: limit?.ciUpper ?? null,
  };
}
