import { critical, pChisqUpper, pFUpper, pNormTwoSided, pTTwoSided } from "./dist.js";
import { MetaInputError } from "./errors.js";
import { spdInverse } from "./linalg.js";
import type { Coefficient, OmnibusTest } from "./types.js";

/**
 * Wald tests and intervals per coefficient: statistic b/se, two-sided p from
 * N(0,1) (df null) or t_df, interval b ± crit·se.
 */
export function coefficientTable(
  terms: readonly string[],
  beta: ArrayLike<number>,
  se: ArrayLike<number>,
  df: number | null | ArrayLike<number>,
  level: number,
): Coefficient[] {
  return terms.map((term, j) => {
    const d = df === null ? null : typeof df === "number" ? df : df[j];
    const stat = beta[j] / se[j];
    const crit = critical(level, d);
    return {
      term,
      estimate: beta[j],
      se: se[j],
      statistic: stat,
      df: d,
      p: d === null ? pNormTwoSided(stat) : pTTwoSided(stat, d),
      ciLower: beta[j] - crit * se[j],
      ciUpper: beta[j] + crit * se[j],
    };
  });
}

/**
 * Default coefficients for the omnibus test, as metafor: all but the
 * intercept when there are moderators, else all coefficients.
 */
export function defaultBtt(p: number, intercept: boolean): number[] {
  const all = Array.from({ length: p }, (_, j) => j);
  return intercept && p > 1 ? all.slice(1) : all;
}

/**
 * Omnibus Wald test of H0: β_btt = 0. QM = b'(V_btt)⁻¹b ~ χ²_m, or with a t
 * test QM/m ~ F(m, df) (metafor `rma`, Knapp & Hartung 2003).
 */
export function omnibusTest(beta: ArrayLike<number>, vb: Float64Array, p: number, btt: number[], df: number | null): OmnibusTest {
  const m = btt.length;
  const sub = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = vb[btt[a] * p + btt[b]];
  const inv = spdInverse(sub, m);
  let q = NaN;
  if (inv) {
    q = 0;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) q += beta[btt[a]] * inv[a * m + b] * beta[btt[b]];
  }
  if (df === null) return { QM: q, QMdf: [m], QMp: pChisqUpper(q, m), btt };
  return { QM: q / m, QMdf: [m, df], QMp: df > 0 ? pFUpper(q / m, m, df) : NaN, btt };
}

/** Validates effect sizes and sampling variances; returns Float64Array copies. */
export function checkYiVi(yi: ArrayLike<number>, vi: ArrayLike<number>): { y: Float64Array; v: Float64Array } {
  if (yi.length !== vi.length) throw new MetaInputError(`yi has ${yi.length} values but vi has ${vi.length}`);
  const y = new Float64Array(yi.length);
  const v = new Float64Array(vi.length);
  for (let i = 0; i < yi.length; i++) {
    if (typeof yi[i] !== "number" || !Number.isFinite(yi[i])) throw new MetaInputError(`row ${i + 1}: yi is not a finite number`);
    if (typeof vi[i] !== "number" || !Number.isFinite(vi[i])) throw new MetaInputError(`row ${i + 1}: vi is not a finite number`);
    if (vi[i] < 0) throw new MetaInputError(`row ${i + 1}: vi is negative`);
    y[i] = yi[i];
    v[i] = vi[i];
  }
  return { y, v };
}
