/**
 * Confidence interval for τ² by the Q-profile method (Viechtbauer 2007,
 * Stat Med 26:37–52), metafor's `confint` default for `rma.uni`. The
 * generalised Q statistic
 *
 *   Q(τ²) = Σ wᵢ (yᵢ − xᵢβ̂(τ²))²,  wᵢ = 1/(vᵢ + τ²),  β̂(τ²) the WLS estimate,
 *
 * follows χ²_{k−p} at the true τ² and decreases in τ², so the bounds solve
 * Q(τ²_lb) = χ²_{k−p, 1−α/2} and Q(τ²_ub) = χ²_{k−p, α/2}, truncated to the
 * search interval [min(0, τ̂²), max(100, 10τ̂²)] exactly as metafor does. The
 * matching I² bounds are 100·τ²/(ṽ + τ²) with ṽ the model's typical
 * sampling variance.
 */
import qchisq from "@stdlib/stats-base-dists-chisquare-quantile";
import { cholesky, cholSolveVec } from "../linalg.js";
import { MetaInputError } from "../errors.js";
import type { RmaUniFit } from "../types.js";
import { brentRoot } from "../rma.js";

export interface Tau2Interval {
  lower: number;
  upper: number;
  I2Lower: number;
  I2Upper: number;
  level: number;
  /** True when even τ² = 0 is too large (Q(0) below the lower critical value): the interval is {0}. */
  empty: boolean;
}

/** Q(τ²) for the model's yi, vi and design. */
export function generalisedQ(fit: Pick<RmaUniFit, "yi" | "vi" | "X" | "k" | "p">, tau2: number): number {
  const { yi, vi, X, k, p } = fit;
  const xtwx = new Float64Array(p * p);
  const xtwy = new Float64Array(p);
  for (let i = 0; i < k; i++) {
    const w = 1 / (vi[i] + tau2);
    for (let a = 0; a < p; a++) {
      const xa = X[i * p + a] * w;
      xtwy[a] += xa * yi[i];
      for (let b = 0; b <= a; b++) xtwx[a * p + b] += xa * X[i * p + b];
    }
  }
  for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) xtwx[a * p + b] = xtwx[b * p + a];
  if (!cholesky(xtwx, p)) return NaN;
  cholSolveVec(xtwx, p, xtwy);
  let q = 0;
  for (let i = 0; i < k; i++) {
    let r = yi[i];
    for (let a = 0; a < p; a++) r -= X[i * p + a] * xtwy[a];
    q += (r * r) / (vi[i] + tau2);
  }
  return q;
}

export function tau2ConfidenceInterval(fit: RmaUniFit, level = fit.level): Tau2Interval {
  if (fit.method === "FE") throw new MetaInputError("a fixed-effect model has no τ² to bound");
  const { k, p } = fit;
  if (k - p < 1) throw new MetaInputError(`the Q-profile interval needs k − p ≥ 1, got k = ${k}, p = ${p}`);
  for (let i = 0; i < k; i++) {
    if (!(fit.vi[i] > 0)) throw new MetaInputError("the Q-profile interval needs positive sampling variances");
  }
  const alpha = 1 - level;
  const critU = qchisq(1 - alpha / 2, k - p);
  const critL = qchisq(alpha / 2, k - p);
  const tMin = Math.min(0, fit.tau2);
  const tMax = Math.max(100, fit.tau2 * 10, tMin * 10);
  const q = (t: number) => generalisedQ(fit, t);
  const qMin = q(tMin);
  const qMax = q(tMax);
  // Tolerance relative to the interval so tiny and huge τ² alike get ~1e-12 relative accuracy.
  const solve = (crit: number) => brentRoot((t) => q(t) - crit, tMin, tMax, 1e-13 * Math.max(1e-8, Math.abs(fit.tau2)));
  let lower: number, upper: number, empty = false;
  if (qMin < critL) {
    lower = upper = tMin;
    empty = tMin <= 0;
  } else {
    upper = qMax > critL ? tMax : solve(critL);
    if (qMax > critU) lower = upper = tMax;
    else lower = qMin < critU ? tMin : solve(critU);
  }
  const i2 = (t: number) => (100 * t) / (fit.vt + t);
  return { lower, upper, I2Lower: i2(lower), I2Upper: i2(upper), level, empty };
}
