/**
 * Model weights in percent, as metafor's `weights()`: for a univariate model
 * wᵢ = 1/(vᵢ + τ̂²) normalised to 100; for a multilevel model the diagonal of
 * W = V⁻¹ (V the marginal covariance, block-diagonal by study) normalised to
 * 100. These are the weights a forest plot shows.
 */
import { spdInverse } from "../linalg.js";
import { marginalBlock } from "../rmamv.js";
import type { RmaFit } from "../types.js";

export function modelWeights(fit: RmaFit): number[] {
  const w = new Array<number>(fit.k).fill(NaN);
  if (fit.model === "uni") {
    fit.weights.forEach((x, i) => (w[i] = x));
  } else {
    const blocks = new Map<number, number[]>();
    for (let i = 0; i < fit.k; i++) {
      const g = fit.groups[0][i];
      const b = blocks.get(g);
      if (b) b.push(i);
      else blocks.set(g, [i]);
    }
    for (const rows of blocks.values()) {
      const n = rows.length;
      const inv = spdInverse(marginalBlock(fit.vi, fit.groups, fit.sigma2, rows), n);
      if (!inv) continue;
      rows.forEach((r, a) => (w[r] = inv[a * n + a]));
    }
  }
  const total = w.reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0);
  return w.map((x) => (100 * x) / total);
}
