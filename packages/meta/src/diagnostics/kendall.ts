/**
 * Kendall's rank correlation as R's `cor.test(x, y, method = "kendall")`
 * computes it (Hollander & Wolfe 1973, §8.1; Kendall 1970):
 *
 *   τ_b = S / √((T₀ − T₁)(T₀ − T₂)),  S = #concordant − #discordant pairs,
 *   T₀ = n(n−1)/2, T₁ = Σ t(t−1)/2 over tie groups in x, T₂ likewise in y.
 *
 * Without ties the p-value is exact: the number of concordant pairs
 * q = (τ+1)·n(n−1)/4 has the Mahonian distribution (inversions of a random
 * permutation). With ties it falls back to the normal approximation with the
 * tie-corrected variance of S (no continuity correction), as R does.
 */
import { pNormTwoSided } from "../dist.js";

export interface KendallResult {
  tau: number;
  p: number;
  /** True when the p-value is exact (no ties). */
  exact: boolean;
}

export function kendallTest(x: ArrayLike<number>, y: ArrayLike<number>): KendallResult {
  const n = x.length;
  if (y.length !== n) throw new RangeError("x and y differ in length");
  if (n < 2) return { tau: NaN, p: NaN, exact: false };
  let s = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i], yi = y[i];
    for (let j = i + 1; j < n; j++) s += Math.sign(x[j] - xi) * Math.sign(y[j] - yi);
  }
  const tx = tieSizes(x);
  const ty = tieSizes(y);
  const t0 = (n * (n - 1)) / 2;
  const t1 = tx.reduce((a, t) => a + (t * (t - 1)) / 2, 0);
  const t2 = ty.reduce((a, t) => a + (t * (t - 1)) / 2, 0);
  const denom = Math.sqrt((t0 - t1) * (t0 - t2));
  if (!(denom > 0)) return { tau: NaN, p: NaN, exact: false };
  const tau = s / denom;
  if (tx.length === 0 && ty.length === 0) {
    const q = Math.round(((tau + 1) * n * (n - 1)) / 4);
    // Two-sided: double the smaller tail; the distribution is symmetric about T₀/2.
    const lower = q > (n * (n - 1)) / 4 ? t0 - q : q;
    return { tau, p: Math.min(1, 2 * mahonianCdf(lower, n)), exact: true };
  }
  const sum = (ts: number[], f: (t: number) => number) => ts.reduce((a, t) => a + f(t), 0);
  const v0 = n * (n - 1) * (2 * n + 5);
  const vt = sum(tx, (t) => t * (t - 1) * (2 * t + 5));
  const vu = sum(ty, (t) => t * (t - 1) * (2 * t + 5));
  const v1 = sum(tx, (t) => t * (t - 1)) * sum(ty, (t) => t * (t - 1));
  const v2 = sum(tx, (t) => t * (t - 1) * (t - 2)) * sum(ty, (t) => t * (t - 1) * (t - 2));
  const varS = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2));
  return { tau, p: pNormTwoSided(s / Math.sqrt(varS)), exact: false };
}

/** Sizes (≥ 2) of the groups of equal values. */
function tieSizes(v: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(v).sort();
  const out: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) out.push(run);
      run = 1;
    }
  }
  return out;
}

/**
 * P(T ≤ q) for T the number of inversions of a uniformly random permutation
 * of n items. The distribution of inversions for n items is the convolution
 * of uniforms on {0, …, j−1}, j = 1..n, so one pass per j with a sliding
 * window sum gives it in O(n·q). Working with probabilities (each pass
 * divides by j) instead of counts avoids the overflow of n! beyond n = 170.
 */
export function mahonianCdf(q: number, n: number): number {
  if (q < 0) return 0;
  const max = (n * (n - 1)) / 2;
  if (q >= max) return 1;
  let f = new Float64Array(q + 1);
  let g = new Float64Array(q + 1);
  f[0] = 1;
  for (let j = 2; j <= n; j++) {
    // g[t] = (1/j) Σ_{i=0}^{j-1} f[t−i]
    let window = 0;
    const inv = 1 / j;
    for (let t = 0; t <= q; t++) {
      window += f[t];
      if (t - j >= 0) window -= f[t - j];
      g[t] = window * inv;
    }
    [f, g] = [g, f];
  }
  let p = 0;
  for (let t = 0; t <= q; t++) p += f[t];
  return Math.min(1, p);
}
