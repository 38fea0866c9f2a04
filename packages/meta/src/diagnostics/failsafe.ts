/**
 * Fail-safe N: how many unpublished null results would overturn the
 * conclusion, as metafor's `fsn`.
 *
 * - Rosenthal (1979), Stouffer combination: zᵢ = yᵢ/√vᵢ, z̄ = |Σzᵢ|/√k,
 *   N = max(0, k·(z̄/z_{1−α})² − k).
 * - Orwin (1983): N = k·(ȳ − target)/target with ȳ the unweighted mean and
 *   target ȳ/2 unless given.
 * - Rosenberg (2005): with wᵢ = 1/vᵢ, N = max(0, k·[(Σwᵢyᵢ / z_{1−α/2})² − Σwᵢ] / Σwᵢ).
 *
 * Non-integer results are rounded up (metafor: ceiling unless within √ε of
 * an integer).
 */
import { qNorm } from "../dist.js";
import { MetaInputError } from "../errors.js";

export interface FailSafeN {
  rosenthal: number;
  orwin: number;
  rosenberg: number;
  /** α used by Rosenthal (one-sided) and Rosenberg (two-sided). */
  alpha: number;
  /** Target effect used by Orwin. */
  orwinTarget: number;
}

export function failSafeN(yi: ArrayLike<number>, vi: ArrayLike<number>, options: { alpha?: number; orwinTarget?: number } = {}): FailSafeN {
  const alpha = options.alpha ?? 0.05;
  const k = yi.length;
  if (k < 1 || vi.length !== k) throw new MetaInputError("fail-safe N needs matching, non-empty yi and vi");
  if (!(alpha > 0 && alpha < 1)) throw new MetaInputError(`alpha must be in (0, 1), got ${alpha}`);
  let sz = 0, sy = 0, sw = 0, swy = 0;
  for (let i = 0; i < k; i++) {
    if (!(vi[i] > 0)) throw new MetaInputError(`fail-safe N needs positive sampling variances (row ${i + 1})`);
    sz += yi[i] / Math.sqrt(vi[i]);
    sy += yi[i];
    sw += 1 / vi[i];
    swy += yi[i] / vi[i];
  }
  const zAvg = Math.abs(sz) / Math.sqrt(k);
  const rosenthal = Math.max(0, k * (zAvg / qNorm(1 - alpha)) ** 2 - k);

  const mean = sy / k;
  let target = options.orwinTarget ?? mean / 2;
  let orwin: number;
  if (target === 0) orwin = Infinity;
  else {
    if (Math.sign(target) !== Math.sign(mean)) target = -target;
    orwin = Math.max(0, (k * (mean - target)) / target);
  }

  const wp = (swy / qNorm(1 - alpha / 2)) ** 2 - sw;
  const rosenberg = Math.max(0, (k * wp) / sw);
  return { rosenthal: roundUp(rosenthal), orwin: roundUp(orwin), rosenberg: roundUp(rosenberg), alpha, orwinTarget: target };
}

function roundUp(n: number): number {
  if (!Number.isFinite(n)) return n;
  return Math.abs(n - Math.round(n)) >= Math.sqrt(Number.EPSILON) ? Math.ceil(n) : Math.round(n);
}
