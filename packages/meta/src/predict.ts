import { critical } from "./dist.js";
import { MetaInputError } from "./errors.js";
import type { Prediction, RmaFit } from "./types.js";

/**
 * Predicted mean μ̂ = xᵀβ̂ for covariate vector x (default: the intercept of
 * an intercept-only model), as metafor's `predict.rma`: CI μ̂ ± c·√(xᵀV_βx)
 * and prediction interval μ̂ ± c·√(xᵀV_βx + τ̂²) (Σσ̂² for multilevel
 * models; Riley, Higgins & Deeks 2011), c the normal or (test "t") t_{k−p}
 * critical value.
 */
export function predict(fit: RmaFit, x?: ArrayLike<number>): Prediction {
  const { p } = fit;
  const xv = x ?? (fit.intercept && p === 1 ? [1] : undefined);
  if (!xv) throw new MetaInputError("predict needs a covariate vector for a model with moderators");
  if (xv.length !== p) throw new MetaInputError(`covariate vector has ${xv.length} values, expected ${p}`);
  let est = 0, v = 0;
  for (let a = 0; a < p; a++) {
    est += xv[a] * fit.beta[a];
    for (let b = 0; b < p; b++) v += xv[a] * fit.vb[a * p + b] * xv[b];
  }
  const se = Math.sqrt(v);
  const crit = critical(fit.level, fit.df);
  const het = fit.model === "uni" ? fit.tau2 : fit.sigma2.reduce((s, x) => s + x, 0);
  const pse = Math.sqrt(v + het);
  const fe = fit.model === "uni" && fit.method === "FE";
  return {
    estimate: est, se, ciLower: est - crit * se, ciUpper: est + crit * se,
    lower: fe ? null : est - crit * pse, upper: fe ? null : est + crit * pse,
  };
}
