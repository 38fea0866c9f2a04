/**
 * Effect sizes from what a study reported, with provenance: every function
 * is pure and returns `{yi, vi, measure, formula, reference, chain}` where
 * `chain` lists each step taken (its formula, reference, inputs and result),
 * so a converted value can be audited back to the published numbers. The
 * measures use escalc's names and scales ("OR" and "RR" are log ratios,
 * "SMD" is Hedges' g unless a step says otherwise).
 *
 * Functions that take an earlier estimate accept any `{yi, vi, chain?}`
 * (an escalc row, or another conversion) and extend its chain.
 *
 * Impossible input (an SD ≤ 0, a p outside (0, 1], a correlation outside
 * (−1, 1), a CI that does not contain its estimate, …) throws
 * MetaInputError with a one-line reason.
 */
import { escalc, MEASURE_INPUT_SETS, tFromSignedP, type Measure } from "./escalc.js";
import { qNormPrecise, qT } from "./dist.js";
import { MetaInputError } from "./errors.js";

/** escalc's measure names (ratios on the log scale), plus HR for log hazard ratios. */
export type ConversionMeasure = Measure | "HR";

export interface ConversionStep {
  /** What the step produced, e.g. "t from F". */
  step: string;
  formula: string;
  reference: string;
  inputs: Record<string, number | string>;
  /** The quantity the step computed (and its variance where it has one). */
  value: number;
  variance?: number;
}

export interface Conversion {
  yi: number;
  vi: number;
  measure: ConversionMeasure;
  /** The steps' formulas joined in order. */
  formula: string;
  /** The steps' references, each once. */
  reference: string;
  chain: ConversionStep[];
}

/** An estimate to convert further: an escalc row or an earlier conversion. */
export interface Estimate {
  yi: number;
  vi: number;
  chain?: readonly ConversionStep[];
}

export type Direction = 1 | -1;

const REF = {
  hedges: "Hedges 1981; metafor escalc (vtype LS)",
  metaforT: "metafor escalc(\"SMD\", ti = …): d = t·√(1/n1+1/n2) (Lipsey & Wilson 2001), Hedges' exact correction (Hedges 1981)",
  chinn: "Hasselblad & Hedges 1995; Chinn 2000; Borenstein et al. 2009, eq. 7.1–7.2",
  chinnBack: "Hasselblad & Hedges 1995; Borenstein et al. 2009, eq. 7.3–7.4",
  zhangYu: "Zhang & Yu 1998; variance by the delta method",
  wald: "Wald interval on the log scale (Borenstein et al. 2009, ch. 5; Altman & Bland 2011)",
  ciToSe: "Cochrane Handbook 6.5.2.3: SE = (upper − lower)/(2 × quantile)",
  fToT: "t² = F for a one-degree-of-freedom numerator (two-group comparison)",
  pToT: "t = qt(1 − p/2, n1+n2−2), signed by the reported direction (Lipsey & Wilson 2001)",
  rToD: "Borenstein et al. 2009, eq. 7.5–7.6",
  dToR: "Borenstein et al. 2009, eq. 7.7–7.8",
  peterson: "Peterson & Brown 2005: r ≈ β + 0.05λ (λ = 1 if β ≥ 0, else 0), for |β| < 0.5",
  feingold: "Feingold 2009: d = b/SD of the outcome",
  wan: "Wan et al. 2014",
  recode: "sign reversal so that higher means better",
} as const;

const fail = (msg: string): never => {
  throw new MetaInputError(msg);
};
const finite = (x: unknown, name: string): number => (typeof x === "number" && Number.isFinite(x) ? x : fail(`${name} must be a finite number`));
const positive = (x: unknown, name: string): number => (finite(x, name) > 0 ? (x as number) : fail(`${name} must be > 0`));
const groupSize = (x: unknown, name: string): number => (positive(x, name) >= 1 ? (x as number) : fail(`${name} must be ≥ 1`));
const variance = (x: unknown, name: string): number => (finite(x, name) >= 0 ? (x as number) : fail(`${name} (a variance) must be ≥ 0`));
const direction = (d: unknown): Direction => (d === 1 || d === -1 ? d : fail("direction must be 1 (group 1 higher) or −1 (group 1 lower)"));
const levelOf = (l: unknown): number => (l === undefined ? 0.95 : typeof l === "number" && l > 0 && l < 1 ? l : fail("level must lie strictly between 0 and 1 (e.g. 0.95)"));

function finish(measure: ConversionMeasure, yi: number, vi: number, chain: ConversionStep[]): Conversion {
  if (!Number.isFinite(yi) || !Number.isFinite(vi)) fail(`the converted ${measure} is undefined for these values`);
  const refs = [...new Set(chain.map((s) => s.reference))];
  return { yi, vi, measure, formula: chain.map((s) => s.formula).join(" → "), reference: refs.join("; "), chain };
}

const prior = (es: Estimate): ConversionStep[] => {
  finite(es.yi, "yi");
  variance(es.vi, "vi");
  return es.chain ? [...es.chain] : [];
};

/** Hedges' g from t and the two group sizes, exactly as metafor's escalc with `ti`. */
function smdStepFromT(t: number, n1: number, n2: number): ConversionStep {
  const [es] = escalc("SMD", { ti: [t], n1i: [n1], n2i: [n2] });
  return { step: "SMD from t", formula: "g = c(n1+n2−2)·t·√(1/n1+1/n2), v = 1/n1+1/n2+g²/(2(n1+n2))", reference: REF.metaforT, inputs: { t, n1, n2 }, value: es.yi, variance: es.vi };
}

const fromLast = (measure: ConversionMeasure, chain: ConversionStep[]) => {
  const last = chain[chain.length - 1];
  return finish(measure, last.value, last.variance!, chain);
};

/** log OR → SMD (logistic distribution): d = log OR·√3/π, v = v_logOR·3/π². */
export function logOrToSmd(logOr: Estimate): Conversion {
  const chain = prior(logOr);
  const yi = (logOr.yi * Math.sqrt(3)) / Math.PI, vi = (logOr.vi * 3) / Math.PI ** 2;
  chain.push({ step: "SMD from log OR", formula: "d = log OR·√3/π, v = v·3/π²", reference: REF.chinn, inputs: { logOr: logOr.yi, vLogOr: logOr.vi }, value: yi, variance: vi });
  return fromLast("SMD", chain);
}

/** SMD → log OR: log OR = d·π/√3, v = v_d·π²/3. */
export function smdToLogOr(smd: Estimate): Conversion {
  const chain = prior(smd);
  const yi = (smd.yi * Math.PI) / Math.sqrt(3), vi = (smd.vi * Math.PI ** 2) / 3;
  chain.push({ step: "log OR from SMD", formula: "log OR = d·π/√3, v = v·π²/3", reference: REF.chinnBack, inputs: { d: smd.yi, vD: smd.vi }, value: yi, variance: vi });
  return fromLast("OR", chain);
}

/**
 * log RR and the baseline (control-group) risk p₀ → log OR:
 * OR = RR(1−p₀)/(1−RR·p₀); d log OR/d log RR = 1/(1−RR·p₀).
 */
export function rrToOr(logRr: Estimate, p0: number): Conversion {
  const chain = prior(logRr);
  if (!(typeof p0 === "number" && p0 > 0 && p0 < 1)) fail("the baseline risk p0 must lie strictly between 0 and 1");
  const rr = Math.exp(logRr.yi);
  if (rr * p0 >= 1) fail(`RR × baseline risk is ${rr * p0} ≥ 1: the treated-group risk would exceed 1`);
  const yi = Math.log((rr * (1 - p0)) / (1 - rr * p0)), vi = logRr.vi / (1 - rr * p0) ** 2;
  chain.push({ step: "log OR from log RR and baseline risk", formula: "OR = RR(1−p0)/(1−RR·p0), v = v_logRR/(1−RR·p0)²", reference: REF.zhangYu, inputs: { logRr: logRr.yi, vLogRr: logRr.vi, p0 }, value: yi, variance: vi });
  return fromLast("OR", chain);
}

/**
 * A ratio (OR, RR, IRR, HR) with its confidence interval → log ratio and
 * variance: SE = (log upper − log lower)/(2·z_{(1+level)/2}). Without the
 * estimate, the log-scale midpoint of the interval is used.
 */
export function logRatioFromCi(input: { estimate?: number; lower: number; upper: number; level?: number; measure?: "OR" | "RR" | "IRR" | "HR" }): Conversion {
  const measure = input.measure ?? "OR";
  if (!["OR", "RR", "IRR", "HR"].includes(measure)) fail(`measure must be OR, RR, IRR or HR, not "${String(measure)}"`);
  const lo = positive(input.lower, "the lower limit"), hi = positive(input.upper, "the upper limit");
  if (!(lo < hi)) fail("the lower limit must be below the upper limit");
  const level = levelOf(input.level);
  const est = input.estimate === undefined ? Math.sqrt(lo * hi) : positive(input.estimate, `the ${measure}`);
  if (est < lo || est > hi) fail(`the ${measure} ${est} lies outside its interval [${lo}, ${hi}]`);
  const z = qNormPrecise((1 + level) / 2);
  const se = (Math.log(hi) - Math.log(lo)) / (2 * z);
  const chain: ConversionStep[] = [{
    step: `log ${measure} and variance from its ${Math.round(level * 1000) / 10}% CI`,
    formula: `y = log ${measure}${input.estimate === undefined ? " (CI midpoint on the log scale)" : ""}, SE = (log upper − log lower)/(2·${z.toFixed(4)}), v = SE²`,
    reference: REF.wald, inputs: { ...(input.estimate === undefined ? {} : { estimate: est }), lower: lo, upper: hi, level }, value: Math.log(est), variance: se * se,
  }];
  return fromLast(measure, chain);
}

/**
 * A ratio (OR, RR, IRR, HR) with the two-sided p of its Wald test → log
 * ratio and variance: SE = |log ratio|/z_{1−p/2}. p = 1 would need a ratio
 * of exactly 1, whose SE the p cannot give, so it is refused.
 */
export function logRatioFromP(input: { estimate: number; p: number; measure?: "OR" | "RR" | "IRR" | "HR" }): Conversion {
  const measure = input.measure ?? "OR";
  if (!["OR", "RR", "IRR", "HR"].includes(measure)) fail(`measure must be OR, RR, IRR or HR, not "${String(measure)}"`);
  const est = positive(input.estimate, `the ${measure}`);
  const p = input.p;
  if (!(typeof p === "number" && p > 0 && p < 1)) fail(`p must lie strictly between 0 and 1 to give a standard error, not ${p}`);
  if (est === 1) fail(`an ${measure} of exactly 1 has no standard error recoverable from its p`);
  const z = -qNormPrecise(p / 2);
  const se = Math.abs(Math.log(est)) / z;
  return fromLast(measure, [{
    step: `log ${measure} and variance from its Wald p`, formula: `y = log ${measure}, SE = |y|/z(1 − p/2) with z = ${z.toPrecision(6)}, v = SE²`,
    reference: "Wald test on the log scale (Altman & Bland 2011)", inputs: { estimate: est, p }, value: Math.log(est), variance: se * se,
  }]);
}

/** Convenience: an odds ratio with its confidence interval → log OR. */
export function logOrFromCi(or: number, lower: number, upper: number, level = 0.95): Conversion {
  return logRatioFromCi({ estimate: or, lower, upper, level, measure: "OR" });
}

export interface MeanDifferenceInput {
  md: number;
  n1: number;
  n2: number;
  /** Group SDs, or a pooled SD: used first when given. */
  sd1?: number;
  sd2?: number;
  sdPooled?: number;
  /** Otherwise the MD's standard error, or its CI. */
  se?: number;
  lower?: number;
  upper?: number;
  level?: number;
  /** Quantile the CI was built with: t on n1+n2−2 df (default) or z. */
  quantile?: "t" | "z";
}

/**
 * A (possibly covariate-adjusted) mean difference → Hedges' g. With SDs:
 * g from md/s_p as metafor's SMD. With a SE (or a CI turned into one),
 * t = md/SE and g as metafor's escalc with `ti` — the same as s_p =
 * SE/√(1/n₁+1/n₂) (Cochrane Handbook 6.5.2.3).
 */
export function smdFromMeanDifference(x: MeanDifferenceInput): Conversion {
  const md = finite(x.md, "the mean difference");
  const n1 = groupSize(x.n1, "n1"), n2 = groupSize(x.n2, "n2");
  if (n1 + n2 <= 3) fail("n1 + n2 must exceed 3 for Hedges' correction");
  const chain: ConversionStep[] = [];
  if (x.sd1 !== undefined || x.sd2 !== undefined || x.sdPooled !== undefined) {
    let sd1: number, sd2: number;
    if (x.sdPooled !== undefined) sd1 = sd2 = positive(x.sdPooled, "the pooled SD");
    else {
      if (x.sd1 === undefined || x.sd2 === undefined) fail("give both group SDs (sd1 and sd2) or sdPooled");
      sd1 = positive(x.sd1, "sd1");
      sd2 = positive(x.sd2, "sd2");
    }
    const [es] = escalc("SMD", { m1i: [md], m2i: [0], sd1i: [sd1], sd2i: [sd2], n1i: [n1], n2i: [n2] });
    chain.push({
      step: "SMD from mean difference and SDs", formula: "s_p = √(((n1−1)sd1²+(n2−1)sd2²)/(n1+n2−2)), g = c(n1+n2−2)·md/s_p, v = 1/n1+1/n2+g²/(2(n1+n2))",
      reference: REF.hedges, inputs: { md, sd1, sd2, n1, n2 }, value: es.yi, variance: es.vi,
    });
    return fromLast("SMD", chain);
  }
  let se: number;
  if (x.se !== undefined) se = positive(x.se, "the standard error");
  else {
    if (x.lower === undefined || x.upper === undefined) fail("give SDs (sd1, sd2 or sdPooled), the standard error, or the CI (lower, upper)");
    const lo = finite(x.lower, "the lower limit"), hi = finite(x.upper, "the upper limit");
    if (!(lo < hi)) fail("the lower limit must be below the upper limit");
    if (md < lo || md > hi) fail(`the mean difference ${md} lies outside its interval [${lo}, ${hi}]`);
    const level = levelOf(x.level);
    const kind = x.quantile ?? "t";
    if (kind !== "t" && kind !== "z") fail(`quantile must be "t" or "z"`);
    const q = kind === "t" ? qT((1 + level) / 2, n1 + n2 - 2) : qNormPrecise((1 + level) / 2);
    se = (hi - lo) / (2 * q);
    chain.push({
      step: "SE from the CI", formula: `SE = (upper − lower)/(2·${kind === "t" ? `t(${(1 + level) / 2}, ${n1 + n2 - 2})` : `z(${(1 + level) / 2})`}) with quantile ${q.toPrecision(6)}`,
      reference: REF.ciToSe, inputs: { lower: lo, upper: hi, level, quantile: kind }, value: se,
    });
  }
  const t = md / se;
  chain.push({ step: "t from mean difference and SE", formula: "t = md/SE", reference: "t statistic of a two-group comparison", inputs: { md, se }, value: t });
  chain.push(smdStepFromT(t, n1, n2));
  return fromLast("SMD", chain);
}

/** An independent-groups t statistic → Hedges' g (metafor escalc with `ti`). */
export function smdFromTStatistic(t: number, n1: number, n2: number): Conversion {
  finite(t, "t");
  groupSize(n1, "n1");
  groupSize(n2, "n2");
  if (n1 + n2 <= 3) fail("n1 + n2 must exceed 3 for Hedges' correction");
  return fromLast("SMD", [smdStepFromT(t, n1, n2)]);
}

/**
 * F with one numerator df (a two-group ANOVA or a single contrast) → t =
 * direction·√F → Hedges' g. F carries no sign, so the direction must come
 * from the report.
 */
export function smdFromF(F: number, df1: number, n1: number, n2: number, dir: Direction): Conversion {
  if (!(finite(F, "F") >= 0)) fail("F must be ≥ 0");
  if (df1 !== 1) fail(`F with ${df1} numerator df compares more than two groups and has no single t; only df1 = 1 converts`);
  const d = direction(dir);
  groupSize(n1, "n1");
  groupSize(n2, "n2");
  if (n1 + n2 <= 3) fail("n1 + n2 must exceed 3 for Hedges' correction");
  const t = d * Math.sqrt(F);
  return fromLast("SMD", [
    { step: "t from F", formula: `t = ${d > 0 ? "" : "−"}√F`, reference: REF.fToT, inputs: { F, df1, direction: d }, value: t },
    smdStepFromT(t, n1, n2),
  ]);
}

/**
 * A two-sided p of an independent-groups t test, the direction and the
 * group sizes → t = direction·qt(1 − p/2, n₁+n₂−2) → Hedges' g.
 */
export function smdFromPValue(p: number, n1: number, n2: number, dir: Direction): Conversion {
  if (!(typeof p === "number" && p > 0 && p <= 1)) fail(`p must lie in (0, 1], not ${p}`);
  const d = direction(dir);
  groupSize(n1, "n1");
  groupSize(n2, "n2");
  if (n1 + n2 <= 3) fail("n1 + n2 must exceed 3 for Hedges' correction");
  const t = tFromSignedP(d * p, n1 + n2 - 2);
  return fromLast("SMD", [
    { step: "t from two-sided p", formula: `t = ${d > 0 ? "" : "−"}qt(1 − p/2, ${n1 + n2 - 2})`, reference: REF.pToT, inputs: { p, n1, n2, direction: d }, value: t },
    smdStepFromT(t, n1, n2),
  ]);
}

/**
 * A correlation → d = 2r/√(1−r²), v_d = 4v_r/(1−r²)³. The result is on
 * Cohen's d scale (no small-sample correction), as in Borenstein et al.
 * Without v_r, v_r = (1−r²)²/(n−1) from the sample size.
 */
export function corToSmd(x: { r: number; vr?: number; n?: number } | Estimate): Conversion {
  const chain = "yi" in x ? prior(x) : [];
  const r = "yi" in x ? x.yi : finite(x.r, "r");
  if (!(Math.abs(r) < 1)) fail("the correlation must lie strictly between −1 and 1");
  let vr: number;
  if ("yi" in x) vr = x.vi;
  else if (x.vr !== undefined) vr = variance(x.vr, "vr");
  else {
    if (x.n === undefined) fail("give the correlation's variance vr or the sample size n");
    const n = finite(x.n, "n");
    if (!(n > 1)) fail("n must exceed 1");
    vr = (1 - r * r) ** 2 / (n - 1);
    chain.push({ step: "variance of r", formula: "v_r = (1−r²)²/(n−1)", reference: "metafor escalc COR (vtype LS)", inputs: { r, n }, value: r, variance: vr });
  }
  const yi = (2 * r) / Math.sqrt(1 - r * r), vi = (4 * vr) / (1 - r * r) ** 3;
  chain.push({ step: "SMD (d) from r", formula: "d = 2r/√(1−r²), v = 4v_r/(1−r²)³", reference: REF.rToD, inputs: { r, vr }, value: yi, variance: vi });
  return fromLast("SMD", chain);
}

/**
 * d → r with the group sizes: a = (n₁+n₂)²/(n₁n₂), r = d/√(d²+a),
 * v_r = a²v_d/(d²+a)³.
 */
export function smdToCor(smd: Estimate, n1: number, n2: number): Conversion {
  const chain = prior(smd);
  groupSize(n1, "n1");
  groupSize(n2, "n2");
  const a = (n1 + n2) ** 2 / (n1 * n2);
  const yi = smd.yi / Math.sqrt(smd.yi ** 2 + a), vi = (a * a * smd.vi) / (smd.yi ** 2 + a) ** 3;
  chain.push({ step: "r from SMD", formula: "a = (n1+n2)²/(n1·n2), r = d/√(d²+a), v = a²v_d/(d²+a)³", reference: REF.dToR, inputs: { d: smd.yi, vD: smd.vi, n1, n2 }, value: yi, variance: vi });
  return fromLast("COR", chain);
}

/**
 * A standardised regression coefficient β used as a correlation by Peterson
 * & Brown's (2005) imputation r ≈ β + 0.05λ (λ = 1 when β ≥ 0), which they
 * derived for |β| < 0.5 only; variance (1−r²)²/(n−1). An approximation, and
 * the chain says so.
 */
export function betaToCor(beta: number, n: number): Conversion {
  finite(beta, "β");
  if (!(Math.abs(beta) < 0.5)) fail(`Peterson & Brown's imputation holds for |β| < 0.5 only; β = ${beta}`);
  if (!(finite(n, "n") > 1)) fail("n must exceed 1");
  const r = beta + (beta >= 0 ? 0.05 : 0);
  const vi = (1 - r * r) ** 2 / (n - 1);
  return fromLast("COR", [{
    step: "r imputed from a standardised β (approximation)", formula: "r = β + 0.05·λ (λ = 1 if β ≥ 0, else 0), v = (1−r²)²/(n−1)",
    reference: REF.peterson, inputs: { beta, n }, value: r, variance: vi,
  }]);
}

/**
 * An unstandardised coefficient b of a group indicator (a covariate-adjusted
 * mean difference) and the outcome's SD → d = b/SD, then Hedges' correction
 * and metafor's large-sample variance with the group sizes.
 */
export function smdFromRegressionB(b: number, sdY: number, n1: number, n2: number): Conversion {
  finite(b, "b");
  positive(sdY, "the outcome SD");
  groupSize(n1, "n1");
  groupSize(n2, "n2");
  if (n1 + n2 <= 3) fail("n1 + n2 must exceed 3 for Hedges' correction");
  const d = b / sdY;
  const [es] = escalc("SMD", { di: [d], n1i: [n1], n2i: [n2] });
  return fromLast("SMD", [
    { step: "d from an unstandardised coefficient", formula: "d = b/SD_y", reference: REF.feingold, inputs: { b, sdY }, value: d },
    { step: "Hedges' g from d", formula: "g = c(n1+n2−2)·d, v = 1/n1+1/n2+g²/(2(n1+n2))", reference: REF.hedges, inputs: { d, n1, n2 }, value: es.yi, variance: es.vi },
  ]);
}

export interface MedianInput {
  n: number;
  median: number;
  q1?: number;
  q3?: number;
  min?: number;
  max?: number;
}

export interface MeanSd extends Conversion {
  mean: number;
  sd: number;
  /** Wan et al.'s scenario: S1 = {min, median, max}, S2 = all five, S3 = {q1, median, q3}. */
  scenario: "S1" | "S2" | "S3";
}

/**
 * Mean and SD from the median with the range and/or the interquartile range
 * (Wan et al. 2014, assuming normal data): ξ(n) = 2Φ⁻¹((n−0.375)/(n+0.25)),
 * η(n) = 2Φ⁻¹((0.75n−0.125)/(n+0.25)).
 * S1 {a, m, b}: mean = (a+2m+b)/4 (Hozo et al. 2005), SD = (b−a)/ξ(n).
 * S2 {a, q1, m, q3, b}: mean = (a+2q1+2m+2q3+b)/8, SD = (b−a)/(2ξ(n)) + (q3−q1)/(2η(n)).
 * S3 {q1, m, q3}: mean = (q1+m+q3)/3, SD = (q3−q1)/η(n).
 * Returned as measure MN (yi = mean, vi = SD²/n) with `mean`, `sd`, `scenario`.
 */
export function meanSdFromMedian(x: MedianInput): MeanSd {
  const n = finite(x.n, "n");
  if (!(n >= 2)) fail("n must be at least 2");
  const m = finite(x.median, "the median");
  const has = (v: number | undefined) => v !== undefined;
  const range = has(x.min) && has(x.max), iqr = has(x.q1) && has(x.q3);
  if ((has(x.min) !== has(x.max)) || (has(x.q1) !== has(x.q3))) fail("give the range as both min and max, and the IQR as both q1 and q3");
  if (!range && !iqr) fail("give the range (min, max), the interquartile range (q1, q3), or both");
  const xi = 2 * qNormPrecise((n - 0.375) / (n + 0.25));
  const eta = 2 * qNormPrecise((0.75 * n - 0.125) / (n + 0.25));
  const ordered = (vals: number[], names: string) => {
    vals.forEach((v, i) => finite(v, names.split(" ≤ ")[i]));
    for (let i = 1; i < vals.length; i++) if (!(vals[i - 1] <= vals[i])) fail(`the summary must be ordered ${names}`);
    if (vals[0] === vals[vals.length - 1]) fail(`the ${range ? "range" : "IQR"} is 0, so the SD cannot be estimated`);
  };
  let mean: number, sd: number, scenario: MeanSd["scenario"], formula: string;
  if (range && iqr) {
    const [a, q1, q3, b] = [x.min!, x.q1!, x.q3!, x.max!];
    ordered([a, q1, m, q3, b], "min ≤ q1 ≤ median ≤ q3 ≤ max");
    if (q1 === q3) fail("the IQR is 0, so the SD cannot be estimated");
    scenario = "S2";
    mean = (a + 2 * q1 + 2 * m + 2 * q3 + b) / 8;
    sd = (b - a) / (2 * xi) + (q3 - q1) / (2 * eta);
    formula = "mean = (min+2q1+2m+2q3+max)/8, SD = (max−min)/(2ξ(n)) + (q3−q1)/(2η(n))";
  } else if (range) {
    const [a, b] = [x.min!, x.max!];
    ordered([a, m, b], "min ≤ median ≤ max");
    scenario = "S1";
    mean = (a + 2 * m + b) / 4;
    sd = (b - a) / xi;
    formula = "mean = (min+2m+max)/4, SD = (max−min)/ξ(n)";
  } else {
    const [q1, q3] = [x.q1!, x.q3!];
    ordered([q1, m, q3], "q1 ≤ median ≤ q3");
    scenario = "S3";
    mean = (q1 + m + q3) / 3;
    sd = (q3 - q1) / eta;
    formula = "mean = (q1+m+q3)/3, SD = (q3−q1)/η(n)";
  }
  const inputs: Record<string, number> = { n, median: m };
  for (const k of ["min", "q1", "q3", "max"] as const) if (x[k] !== undefined) inputs[k] = x[k]!;
  const chain: ConversionStep[] = [{
    step: `mean and SD from the median (Wan et al. 2014, scenario ${scenario})`,
    formula: `${formula}; ξ(n) = 2Φ⁻¹((n−0.375)/(n+0.25)) = ${xi.toPrecision(6)}, η(n) = 2Φ⁻¹((0.75n−0.125)/(n+0.25)) = ${eta.toPrecision(6)}; normal data assumed`,
    reference: `${REF.wan}${scenario === "S1" ? " (mean: Hozo et al. 2005)" : ""}`, inputs, value: mean, variance: (sd * sd) / n,
  }];
  return { ...fromLast("MN", chain), mean, sd, scenario };
}

/**
 * Reverses the sign of an effect measured where higher is worse, so that
 * higher means better (the variance is unchanged). Done once: an estimate
 * already reversed is refused rather than flipped back silently. Ratios are
 * on the log scale, so the sign flip inverts the ratio.
 */
export function recodeHigherWorse(es: Estimate & { measure?: ConversionMeasure; provenance?: { measure: string } }, measure?: ConversionMeasure): Conversion {
  const chain = prior(es);
  const m = measure ?? es.measure ?? (es.provenance && Object.prototype.hasOwnProperty.call(MEASURE_INPUT_SETS, es.provenance.measure) ? (es.provenance.measure as Measure) : undefined);
  if (m === undefined) fail("name the measure of the estimate to recode");
  if (es.provenance?.measure === "recoded" || chain.some((s) => s.step === "recoded: higher is worse")) fail("this estimate has already been recoded for 'higher is worse'");
  chain.push({ step: "recoded: higher is worse", formula: "y → −y, v unchanged", reference: REF.recode, inputs: { yi: es.yi }, value: -es.yi, variance: es.vi });
  return finish(m!, -es.yi, es.vi, chain);
}
