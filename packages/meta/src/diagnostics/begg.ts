/**
 * Begg & Mazumdar's (1994) rank correlation test for funnel-plot asymmetry,
 * as metafor's `ranktest`: the outcomes are standardised against the
 * fixed-effect (inverse-variance) mean,
 *
 *   θ̂ = Σ wᵢyᵢ / Σ wᵢ,  wᵢ = 1/vᵢ,  v*ᵢ = vᵢ − 1/Σwᵢ,  y*ᵢ = (yᵢ − θ̂)/√v*ᵢ,
 *
 * and Kendall's τ between y*ᵢ and vᵢ is tested (exact p without ties, as
 * metafor requests; normal approximation with ties).
 */
import { kendallTest } from "./kendall.js";
import { MetaInputError } from "../errors.js";

export interface BeggResult {
  tau: number;
  p: number;
  exact: boolean;
}

export function beggTest(yi: ArrayLike<number>, vi: ArrayLike<number>): BeggResult {
  const k = yi.length;
  if (k < 3) throw new MetaInputError(`the rank correlation test needs at least 3 outcomes, got ${k}`);
  let sw = 0, swy = 0;
  for (let i = 0; i < k; i++) {
    if (!(vi[i] > 0)) throw new MetaInputError(`the rank correlation test needs positive sampling variances (row ${i + 1})`);
    sw += 1 / vi[i];
    swy += yi[i] / vi[i];
  }
  const theta = swy / sw;
  const vb = 1 / sw;
  const ystar = new Float64Array(k);
  for (let i = 0; i < k; i++) ystar[i] = (yi[i] - theta) / Math.sqrt(vi[i] - vb);
  return kendallTest(ystar, vi);
}
