/**
 * Duval & Tweedie's (2000) trim-and-fill with metafor's `trimfill`
 * defaults: estimator L0, side chosen from the sign of the Egger-type slope
 * (missing studies on the left when the slope on √vᵢ is positive).
 *
 * With outcomes flipped so the missing side is the left, sorted, and k0
 * the current count of trimmed outcomes: the model (same τ² estimator) is
 * refitted to the k − k0 smallest outcomes giving β̂; the ranks rᵢ of
 * |yᵢ − β̂| (ties broken by order) are signed by yᵢ − β̂, S_r = Σ positive
 * signed ranks, and
 *
 *   L0 = (4S_r − k(k+1)) / (2k − 1),  k0 = max(0, round(L0))
 *
 * (round half to even, as R), iterated until k0 no longer changes. The k0
 * most extreme outcomes are mirrored about the last β̂ (fill = 2β̂ − yᵢ, with
 * their vᵢ) and the model refitted to the k + k0 outcomes (z test, as
 * metafor).
 */
import { rma } from "../rma.js";
import { MetaInputError } from "../errors.js";
import type { RmaUniFit } from "../types.js";

export interface TrimFill {
  /** Estimated number of missing outcomes. */
  k0: number;
  /** Side on which outcomes are imputed. */
  side: "left" | "right";
  /** Pooled estimate and SE after filling (the original fit's when k0 = 0). */
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  tau2: number;
  /** Imputed outcomes and their sampling variances. */
  filledYi: number[];
  filledVi: number[];
}

export function trimAndFill(fit: RmaUniFit, options: { side?: "left" | "right"; maxIter?: number } = {}): TrimFill {
  if (fit.p !== 1 || !fit.intercept) throw new MetaInputError("trim-and-fill applies to models without moderators");
  const k = fit.k;
  if (k < 3) throw new MetaInputError(`trim-and-fill needs at least 3 outcomes, got ${k}`);
  const { method } = fit;
  const side = options.side ?? chooseSide(fit);
  const sign = side === "right" ? -1 : 1;
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sign * fit.yi[a] - sign * fit.yi[b]);
  const y = order.map((i) => sign * fit.yi[i]);
  const v = order.map((i) => fit.vi[i]);

  let k0 = 0;
  let previous = -1;
  let beta = NaN;
  const maxIter = options.maxIter ?? 100;
  for (let iter = 1; k0 !== previous; iter++) {
    if (iter > maxIter) throw new MetaInputError("trim-and-fill did not converge");
    previous = k0;
    beta = rma({ yi: y.slice(0, k - k0), vi: v.slice(0, k - k0), method }).beta[0];
    const centred = y.map((yi) => yi - beta);
    const byAbs = Array.from({ length: k }, (_, i) => i).sort((a, b) => Math.abs(centred[a]) - Math.abs(centred[b]));
    let sr = 0;
    byAbs.forEach((i, rank) => {
      if (centred[i] > 0) sr += rank + 1;
    });
    const l0 = (4 * sr - k * (k + 1)) / (2 * k - 1);
    k0 = Math.max(0, roundHalfEven(l0));
  }

  if (k0 === 0) {
    const c = fit.coefficients[0];
    return { k0, side, estimate: c.estimate, se: c.se, ciLower: c.ciLower, ciUpper: c.ciUpper, tau2: fit.tau2, filledYi: [], filledVi: [] };
  }
  const filledYi: number[] = [];
  const filledVi: number[] = [];
  for (let i = k - k0; i < k; i++) {
    filledYi.push(sign * (2 * beta - y[i]));
    filledVi.push(v[i]);
  }
  const filled = rma({ yi: [...fit.yi, ...filledYi], vi: [...fit.vi, ...filledVi], method, level: fit.level });
  const c = filled.coefficients[0];
  return { k0, side, estimate: c.estimate, se: c.se, ciLower: c.ciLower, ciUpper: c.ciUpper, tau2: filled.tau2, filledYi, filledVi };
}

function chooseSide(fit: RmaUniFit): "left" | "right" {
  const X = new Float64Array(fit.k * 2);
  for (let i = 0; i < fit.k; i++) {
    X[2 * i] = 1;
    X[2 * i + 1] = Math.sqrt(fit.vi[i]);
  }
  const reg = rma({ yi: fit.yi, vi: fit.vi, design: { X, k: fit.k, p: 2, terms: ["intrcpt", "sei"], intercept: true }, method: fit.method });
  return reg.beta[1] < 0 ? "right" : "left";
}

/** IEEE round-half-to-even, as R's round(). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
