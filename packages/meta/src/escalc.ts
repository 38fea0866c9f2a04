/**
 * Effect sizes and their sampling variances with the semantics and defaults
 * of metafor's `escalc` (vtype = "LS", add = 1/2, to = "only0"):
 *
 * - MD:  yᵢ = m₁ − m₂, vᵢ = sd₁²/n₁ + sd₂²/n₂.
 * - SMD (Hedges' g; Hedges 1981): s_p = √(((n₁−1)sd₁² + (n₂−1)sd₂²)/m), m = n₁+n₂−2,
 *   d = (m₁−m₂)/s_p, c(m) = Γ(m/2) / (√(m/2)·Γ((m−1)/2)) (exact correction),
 *   yᵢ = c(m)·d, vᵢ = 1/n₁ + 1/n₂ + yᵢ²/(2(n₁+n₂)) (large-sample variance).
 * - 2×2 tables (a, b events/non-events in group 1; c, d in group 2), after
 *   adding 1/2 to every cell of tables with a zero cell:
 *   OR: log(ad/bc), v = 1/a+1/b+1/c+1/d;  RR: log((a/n₁)/(c/n₂)), v = 1/a−1/n₁+1/c−1/n₂;
 *   RD: a/n₁ − c/n₂, v = p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂;
 *   PETO (Yusuf et al. 1985): O−E over V, yᵢ = (a − E)/V, vᵢ = 1/V with
 *   E = (a+c)n₁/N, V = (a+c)(b+d)n₁n₂/(N²(N−1));
 *   OR2DL (Chinn 2000; logistic): yᵢ = √3/π·log OR, vᵢ = 3/π²·v_OR;
 *   OR2DN (Cox & Snell 1989; normal): yᵢ = log OR/1.65, vᵢ = v_OR/1.65².
 * - COR: yᵢ = r, vᵢ = (1−r²)²/(n−1);  ZCOR (Fisher 1921): yᵢ = atanh r, vᵢ = 1/(n−3).
 *
 * Every value keeps its inputs and method (provenance).
 */
import gammaln from "@stdlib/math-base-special-gammaln";
import { qT } from "./dist.js";
import { MetaInputError } from "./errors.js";

export type Measure = "SMD" | "MD" | "OR" | "RR" | "RD" | "PETO" | "OR2DL" | "OR2DN" | "COR" | "ZCOR";

export const MEASURE_INPUTS: Record<Measure, readonly string[]> = {
  SMD: ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"],
  MD: ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"],
  OR: ["ai", "bi", "ci", "di"],
  RR: ["ai", "bi", "ci", "di"],
  RD: ["ai", "bi", "ci", "di"],
  PETO: ["ai", "bi", "ci", "di"],
  OR2DL: ["ai", "bi", "ci", "di"],
  OR2DN: ["ai", "bi", "ci", "di"],
  COR: ["ri", "ni"],
  ZCOR: ["ri", "ni"],
};

/** Where a computed effect size came from. */
export interface Provenance {
  measure: Measure | "SMD from t" | "SMD from p" | "SMD from regression coefficient" | "OR from RR" | "recoded";
  inputs: Record<string, number>;
  /** Human-readable method, with its reference. */
  method: string;
  /** True when 1/2 was added to the cells of a 2×2 table with a zero cell. */
  continuityCorrection?: boolean;
}

export interface EffectSize {
  yi: number;
  vi: number;
  provenance: Provenance;
}

const METHOD_TEXT: Record<Measure, string> = {
  SMD: "Hedges' g: exact small-sample correction Γ(m/2)/(√(m/2)Γ((m−1)/2)); large-sample variance 1/n1+1/n2+g²/(2N) (Hedges 1981; metafor escalc)",
  MD: "raw mean difference; variance sd1²/n1+sd2²/n2",
  OR: "log odds ratio; variance 1/a+1/b+1/c+1/d",
  RR: "log risk ratio; variance 1/a−1/n1+1/c−1/n2",
  RD: "risk difference; variance p1(1−p1)/n1+p2(1−p2)/n2",
  PETO: "Peto log odds ratio (Yusuf et al. 1985)",
  OR2DL: "log odds ratio × √3/π, logistic conversion to SMD (Chinn 2000)",
  OR2DN: "log odds ratio / 1.65, normal conversion to SMD (Cox & Snell 1989)",
  COR: "raw correlation; variance (1−r²)²/(n−1)",
  ZCOR: "Fisher's r-to-z; variance 1/(n−3)",
};

/** Hedges' exact correction factor c(m) (metafor `.cmicalc`). */
export function hedgesCorrection(m: number): number {
  return m <= 1 ? NaN : Math.exp(gammaln(m / 2) - Math.log(Math.sqrt(m / 2)) - gammaln((m - 1) / 2));
}

/**
 * Effect sizes for every row. `data` maps each input name of the measure
 * (see MEASURE_INPUTS) to a column; a missing or non-finite value, or an
 * impossible one (negative count or SD, |r| > 1), is an error naming the row
 * and input.
 */
export function escalc(measure: Measure, data: Readonly<Record<string, ArrayLike<unknown>>>): EffectSize[] {
  const need = MEASURE_INPUTS[measure];
  if (!need) throw new MetaInputError(`unknown measure "${String(measure)}"; use one of ${Object.keys(MEASURE_INPUTS).join(", ")}`);
  for (const n of need) if (!data[n]) throw new MetaInputError(`measure ${measure} needs input "${n}"`);
  const k = data[need[0]].length;
  for (const n of need) if (data[n].length !== k) throw new MetaInputError(`input "${n}" has ${data[n].length} values, expected ${k}`);
  const out: EffectSize[] = [];
  for (let i = 0; i < k; i++) {
    const x: Record<string, number> = {};
    for (const n of need) {
      const v = data[n][i];
      const num = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      if (!Number.isFinite(num)) throw new MetaInputError(`row ${i + 1}: input "${n}" is missing or not a number`);
      x[n] = num;
    }
    out.push(one(measure, x, i + 1));
  }
  return out;
}

function one(measure: Measure, x: Record<string, number>, row: number): EffectSize {
  const bad = (msg: string) => new MetaInputError(`row ${row}: ${msg}`);
  const prov = (cc?: boolean): Provenance => ({ measure, inputs: { ...x }, method: METHOD_TEXT[measure], ...(cc === undefined ? {} : { continuityCorrection: cc }) });
  switch (measure) {
    case "MD":
    case "SMD": {
      const { m1i, sd1i, n1i, m2i, sd2i, n2i } = x;
      if (sd1i < 0 || sd2i < 0) throw bad("a standard deviation is negative");
      if (n1i <= 0 || n2i <= 0) throw bad("a group size is not positive");
      if (measure === "MD") return { yi: m1i - m2i, vi: (sd1i * sd1i) / n1i + (sd2i * sd2i) / n2i, provenance: prov() };
      const m = n1i + n2i - 2;
      const sp = Math.sqrt(((n1i - 1) * sd1i * sd1i + (n2i - 1) * sd2i * sd2i) / m);
      const g = hedgesCorrection(m) * ((m1i - m2i) / sp);
      if (!Number.isFinite(g)) throw bad("the SMD is undefined (pooled SD is 0 or total n ≤ 3)");
      return { yi: g, vi: 1 / n1i + 1 / n2i + (g * g) / (2 * (n1i + n2i)), provenance: prov() };
    }
    case "COR":
    case "ZCOR": {
      const { ri, ni } = x;
      if (Math.abs(ri) > 1) throw bad("correlation outside [−1, 1]");
      if (ni <= 0) throw bad("sample size is not positive");
      if (measure === "COR") {
        if (ni <= 1) throw bad("variance undefined for n ≤ 1");
        return { yi: ri, vi: (1 - ri * ri) ** 2 / (ni - 1), provenance: prov() };
      }
      if (ni <= 3) throw bad("variance of Fisher's z undefined for n ≤ 3");
      return { yi: 0.5 * Math.log((1 + ri) / (1 - ri)), vi: 1 / (ni - 3), provenance: prov() };
    }
    default: {
      let { ai, bi, ci, di } = x;
      if (ai < 0 || bi < 0 || ci < 0 || di < 0) throw bad("a cell count is negative");
      const zero = ai === 0 || bi === 0 || ci === 0 || di === 0;
      if (zero) { ai += 0.5; bi += 0.5; ci += 0.5; di += 0.5; }
      const n1 = ai + bi, n2 = ci + di, N = n1 + n2;
      const p1 = ai / n1, p2 = ci / n2;
      let yi: number, vi: number;
      if (measure === "RR") {
        yi = Math.log(p1) - Math.log(p2);
        vi = 1 / ai - 1 / n1 + 1 / ci - 1 / n2;
      } else if (measure === "RD") {
        yi = p1 - p2;
        vi = (p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2;
      } else if (measure === "PETO") {
        const E = ((ai + ci) * n1) / N;
        const V = ((ai + ci) * (bi + di) * (n1 / N) * (n2 / N)) / (N - 1);
        yi = (ai - E) / V;
        vi = 1 / V;
      } else {
        yi = Math.log(p1 / (1 - p1)) - Math.log(p2 / (1 - p2));
        vi = 1 / ai + 1 / bi + 1 / ci + 1 / di;
        if (measure === "OR2DL") { yi *= Math.sqrt(3) / Math.PI; vi *= 3 / (Math.PI * Math.PI); }
        if (measure === "OR2DN") { yi /= 1.65; vi /= 1.65 * 1.65; }
      }
      if (!Number.isFinite(yi) || !Number.isFinite(vi)) throw bad(`${measure} is undefined for this table`);
      return { yi, vi, provenance: prov(zero) };
    }
  }
}

/**
 * Standardised mean difference from an independent-samples t statistic, as
 * metafor's `escalc("SMD", ti = …)` and the Campbell Collaboration effect
 * size calculator (Wilson 2001; Lipsey & Wilson 2001, Table B10):
 * d = t·√(1/n₁ + 1/n₂), then g = c(n₁+n₂−2)·d and vᵢ = 1/n₁ + 1/n₂ + g²/(2(n₁+n₂)).
 */
export function smdFromT(t: number, n1: number, n2: number): EffectSize {
  if (![t, n1, n2].every(Number.isFinite) || n1 <= 0 || n2 <= 0) throw new MetaInputError("smdFromT needs a finite t and positive group sizes");
  const g = hedgesCorrection(n1 + n2 - 2) * t * Math.sqrt(1 / n1 + 1 / n2);
  return {
    yi: g,
    vi: 1 / n1 + 1 / n2 + (g * g) / (2 * (n1 + n2)),
    provenance: { measure: "SMD from t", inputs: { t, n1, n2 }, method: "d = t·√(1/n1+1/n2), Hedges' exact correction, large-sample variance (Lipsey & Wilson 2001)" },
  };
}

/**
 * SMD from a two-sided p-value of an independent-samples t test: t is the
 * upper p/2 quantile of t with n₁+n₂−2 df, signed by the direction of the
 * effect (`sign` = +1 if group 1 scored higher), then as `smdFromT`.
 */
export function smdFromP(p: number, n1: number, n2: number, sign: 1 | -1): EffectSize {
  if (!(p > 0 && p < 1)) throw new MetaInputError("p must lie strictly between 0 and 1");
  const t = sign * qT(1 - p / 2, n1 + n2 - 2);
  const es = smdFromT(t, n1, n2);
  return { ...es, provenance: { measure: "SMD from p", inputs: { p, n1, n2, sign }, method: `t = ${sign > 0 ? "" : "−"}qt(1 − p/2, n1+n2−2), then d = t·√(1/n1+1/n2) with Hedges' correction` } };
}

/**
 * SMD from an unstandardised regression coefficient b of a treatment
 * indicator and its standard error: the coefficient's t = b/se is an
 * independent-groups t statistic adjusted for covariates, converted as
 * `smdFromT` (Campbell calculator "regression coefficient" via t; Lipsey &
 * Wilson 2001).
 */
export function smdFromRegression(b: number, se: number, n1: number, n2: number): EffectSize {
  if (!(se > 0)) throw new MetaInputError("the coefficient's standard error must be positive");
  const es = smdFromT(b / se, n1, n2);
  return { ...es, provenance: { measure: "SMD from regression coefficient", inputs: { b, se, n1, n2 }, method: "t = b/se, then d = t·√(1/n1+1/n2) with Hedges' correction" } };
}

/**
 * Log odds ratio from a log risk ratio given the baseline (control) risk p₀
 * (Zhang & Yu 1998): OR = RR(1 − p₀)/(1 − RR·p₀). Its variance by the delta
 * method: d log OR / d log RR = 1/(1 − RR·p₀), so v_OR = v_RR/(1 − RR·p₀)².
 */
export function logOrFromLogRr(logRr: number, vLogRr: number, p0: number): EffectSize {
  if (!(p0 > 0 && p0 < 1)) throw new MetaInputError("the baseline risk must lie strictly between 0 and 1");
  const rr = Math.exp(logRr);
  if (rr * p0 >= 1) throw new MetaInputError("RR × baseline risk must be below 1 (the treated risk would exceed 1)");
  const or = (rr * (1 - p0)) / (1 - rr * p0);
  return {
    yi: Math.log(or),
    vi: vLogRr / (1 - rr * p0) ** 2,
    provenance: { measure: "OR from RR", inputs: { logRr, vLogRr, p0 }, method: "OR = RR(1−p0)/(1−RR·p0) (Zhang & Yu 1998); variance by the delta method" },
  };
}

/**
 * Recodes an effect where a higher value means a worse outcome so that
 * higher is always better: yᵢ → −yᵢ, vᵢ unchanged.
 */
export function recode(es: EffectSize): EffectSize {
  return { yi: -es.yi, vi: es.vi, provenance: { measure: "recoded", inputs: { yi: es.yi, vi: es.vi }, method: `sign reversed (higher is worse) of: ${es.provenance.method}` } };
}
