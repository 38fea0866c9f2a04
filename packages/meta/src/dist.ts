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

/**
 * Standard normal quantile to full double precision: @stdlib's value (good
 * to about 1e-9 relative far in the tails, −∞ below ~1e-17) polished by Newton steps on the
 * lower tail Φ(x) = erfc(−x/√2)/2, which keeps its relative accuracy; the
 * upper half by symmetry, 1 − p being exact for p ≥ 1/2.
 */
export function qNormPrecise(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (p > 0.5) return -qNormPrecise(1 - p);
  let x = qnormal(p, 0, 1);
  if (!Number.isFinite(x)) {
    // @stdlib gives −∞ below about 1e-17; start from Abramowitz & Stegun 26.2.23 (error < 4.5e-4).
    const t = Math.sqrt(-2 * Math.log(p));
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  }
  for (let i = 0; i < 10; i++) {
    // (Φ(x) − p)/φ(x) as (Φ(x)/p − 1)·p/φ(x), p/φ in logs: φ underflows long before p does.
    const step = (erfc(-x / Math.SQRT2) / 2 / p - 1) * Math.exp(Math.log(p) + 0.5 * x * x + 0.5 * Math.log(2 * Math.PI));
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
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
