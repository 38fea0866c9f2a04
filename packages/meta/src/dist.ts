/**
 * Tail probabilities and quantiles of the reference distributions.
 *
 * Upper tails are evaluated directly from the regularised incomplete gamma /
 * beta functions rather than as `1 - cdf`, so p-values far below machine
 * epsilon keep their relative accuracy (as R's `lower.tail = FALSE`):
 *   P(Z > z)            = erfc(z / √2) / 2
 *   P(|T_ν| > |t|)      = I_{ν/(ν+t²)}(ν/2, 1/2)
 *   P(χ²_ν > x)         = Q(ν/2, x/2)                (upper regularised gamma)
 *   P(F_{d1,d2} > f)    = I_{d2/(d2+d1 f)}(d2/2, d1/2)
 * (Abramowitz & Stegun 1964, 26.2.29, 26.7.1, 26.4.19, 26.6.2.)
 */
import erfc from "@stdlib/math-base-special-erfc";
import betainc from "@stdlib/math-base-special-betainc";
import gammainc from "@stdlib/math-base-special-gammainc";
import qnormal from "@stdlib/stats-base-dists-normal-quantile";
import qt from "@stdlib/stats-base-dists-t-quantile";

/** Two-sided normal p-value 2·P(Z > |z|). */
export function pNormTwoSided(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Two-sided t p-value 2·P(T_df > |t|); df = Infinity falls back to the normal. */
export function pTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(df)) return pNormTwoSided(t);
  if (!Number.isFinite(t)) return 0;
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/** Upper tail P(χ²_df > x). */
export function pChisqUpper(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** Upper tail P(F_{df1,df2} > f); df2 = Infinity gives the χ²_{df1}/df1 limit. */
export function pFUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return NaN;
  if (f <= 0) return 1;
  if (!Number.isFinite(df2)) return pChisqUpper(f * df1, df1);
  return betainc(df2 / (df2 + df1 * f), df2 / 2, df1 / 2, true, false);
}

/** Standard normal quantile. */
export function qNorm(p: number): number {
  return qnormal(p, 0, 1);
}

/** Student t quantile (df = Infinity gives the normal quantile). */
export function qT(p: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (!Number.isFinite(df)) return qNorm(p);
  return qt(p, df);
}

/**
 * Critical value for a two-sided interval at confidence `level`: the upper
 * (1-level)/2 quantile of N(0,1) (df null) or t_df.
 */
export function critical(level: number, df: number | null): number {
  const p = 1 - (1 - level) / 2;
  return df === null ? qNorm(p) : qT(p, df);
}
