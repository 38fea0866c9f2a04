/**
 * Effect sizes and their sampling variances with the semantics, argument
 * names and defaults of metafor 3.8's `escalc` (vtype = "LS", add = 1/2,
 * to = "only0"; add = 0 for IRSD, PAS and PFT). Formulas follow metafor's
 * documentation (Viechtbauer 2010, `?escalc`) and the papers named per
 * measure below. m = n₁+n₂−2 (two groups) or n−1 (one group), and
 * c(m) = Γ(m/2)/(√(m/2)·Γ((m−1)/2)) is Hedges' (1981) exact bias correction.
 *
 * Two independent groups, means (m1i, sd1i, n1i, m2i, sd2i, n2i):
 * - MD: m₁−m₂; v = sd₁²/n₁+sd₂²/n₂ (LS, UB), s_p²(1/n₁+1/n₂) (HO).
 * - SMD (Hedges' g; Hedges 1981): s_p² = ((n₁−1)sd₁²+(n₂−1)sd₂²)/m, d = (m₁−m₂)/s_p,
 *   g = c(m)·d; v = 1/n₁+1/n₂+g²/(2N) (LS; Hedges 1982), 1/n₁+1/n₂+(1−(m−2)/(m·c²))g² (UB, unbiased;
 *   Hedges 1983), c²(1/n₁+1/n₂+d²/(2N)) (LS2; Borenstein 2009, eq. 12.17), ḡ² in place of g² with ḡ the N-weighted
 *   mean (AV). Also from ti (d = t√(1/n₁+1/n₂)), di, or a signed two-sided pi
 *   (t = sign(p)·t_{1−|p|/2, m}; the sign says which group scored higher, as metafor 4).
 * - SMDH (Bonett 2008, 2009; heteroscedastic): s = √((sd₁²+sd₂²)/2), g = c(m)(m₁−m₂)/s;
 *   v = c²[g²(sd₁⁴/(n₁−1)+sd₂⁴/(n₂−1))/(2(sd₁²+sd₂²)²) + (sd₁²/(n₁−1)+sd₂²/(n₂−1))/s²] (LS).
 * - ROM (Hedges, Gurevitch & Curtis 1999): log(m₁/m₂); v = sd₁²/(n₁m₁²)+sd₂²/(n₂m₂²) (LS);
 *   HO with s_p, AV/AVHO with n-weighted mean coefficients of variation.
 * - D2ORL / D2ORN: d·π/√3 (Hasselblad & Hedges 1995) or d·1.65 (Cox & Snell 1989), variance
 *   of the uncorrected d times the squared factor.
 *
 * One group measured twice (m1i, m2i, sd1i, sd2i, ni, ri with ri the pre–post r):
 * - MC: m₁−m₂; v = (sd₁²+sd₂²−2r·sd₁sd₂)/n.
 * - SMCC (change-score standardisation; Gibbons et al. 1993): d = (m₁−m₂)/sd_diff,
 *   g = c(n−1)d; v = 1/n + g²/(2n).
 * - SMCR (raw-score standardisation; Becker 1988): d = (m₁−m₂)/sd₁, g = c(n−1)d;
 *   v = 2(1−r)/n + g²/(2n) (LS), c²(2(1−r)/n + d²/(2n)) (LS2). sd2i is not needed.
 * - SMCRH (Bonett 2008): g = c(n−1)(m₁−m₂)/sd₁, v = c²(sd_diff²/(sd₁²(n−1)) + g²/(2(n−1))).
 * - ROMC (Lajeunesse 2011): log(m₁/m₂); v = sd₁²/(nm₁²)+sd₂²/(nm₂²)−2r·sd₁sd₂/(m₁m₂n).
 *
 * 2×2 tables (ai, bi events / non-events in group 1; ci, di in group 2; or ai, n1i,
 * ci, n2i), `add` added to every cell of tables with a zero cell (to = "only0"):
 * - OR: log(ad/bc), v = 1/a+1/b+1/c+1/d;  RR: log((a/n₁)/(c/n₂)), v = 1/a−1/n₁+1/c−1/n₂;
 * - RD: p₁−p₂, v = p₁(1−p₁)/n₁+p₂(1−p₂)/n₂ (LS; n−1 for UB; n-weighted mean p for AV);
 * - PETO (Yusuf et al. 1985): (a−E)/V, v = 1/V, E = (a+c)n₁/N, V = (a+c)(b+d)n₁n₂/(N²(N−1));
 * - OR2DL = √3/π·log OR (Chinn 2000), OR2DN = log OR/1.65 (Cox & Snell 1989).
 *
 * Incidence (x1i, x2i events over person-times t1i, t2i; Rothman et al. 2008):
 * IRR log(x₁t₂/(x₂t₁)), v = 1/x₁+1/x₂; IRD x₁/t₁−x₂/t₂, v = x₁/t₁²+x₂/t₂²;
 * IRSD √(x₁/t₁)−√(x₂/t₂), v = 1/(4t₁)+1/(4t₂) (square-root transformation).
 *
 * One proportion (xi events of ni, or xi and mi = ni − xi): PR p, v = p(1−p)/n;
 * PLN log p, v = 1/x−1/n; PLO log(p/(1−p)), v = 1/x+1/(n−x); PAS asin√p, v = 1/(4n);
 * PFT (Freeman & Tukey 1950) ½(asin√(x/(n+1)) + asin√((x+1)/(n+1))), v = 1/(4n+2).
 *
 * One mean (mi, sdi, ni): MN m, v = sd²/n; MNLN log m, v = sd²/(nm²);
 * SMN c(n−1)·m/sd, v = 1/n + y²/(2n).
 *
 * Correlations (ri, ni): COR r, v = (1−r²)²/(n−1) (LS; AV with the n-weighted mean r);
 * ZCOR (Fisher 1921) atanh r, v = 1/(n−3).
 *
 * Every value keeps its inputs and method (provenance).
 */
import gammaln from "@stdlib/math-base-special-gammaln";
import { qT } from "./dist.js";
import { MetaInputError } from "./errors.js";

export type Measure =
  | "SMD" | "SMDH" | "MD" | "ROM" | "D2ORL" | "D2ORN"
  | "MC" | "SMCC" | "SMCR" | "SMCRH" | "ROMC"
  | "OR" | "RR" | "RD" | "PETO" | "OR2DL" | "OR2DN"
  | "IRR" | "IRD" | "IRSD"
  | "PR" | "PLN" | "PLO" | "PAS" | "PFT"
  | "MN" | "MNLN" | "SMN"
  | "COR" | "ZCOR";

/** metafor's sampling-variance variants (`vtype`). */
export type VType = "LS" | "UB" | "LS2" | "HO" | "AV" | "AVHO";

/** metafor's continuity-correction rule for zero cells (`to`). */
export type AddTo = "only0" | "all" | "if0all" | "none";

export interface EscalcOptions {
  /** Added to the cells or counts per `to` (default 1/2; 0 for IRSD, PAS, PFT). */
  add?: number;
  to?: AddTo;
  vtype?: VType;
}

const MEANS2 = ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"] as const;
const PREPOST = ["m1i", "m2i", "sd1i", "sd2i", "ni", "ri"] as const;
const TABLE = ["ai", "bi", "ci", "di"] as const;
const TABLE_N = ["ai", "n1i", "ci", "n2i"] as const;
const RATES = ["x1i", "x2i", "t1i", "t2i"] as const;
const PROP = ["xi", "ni"] as const;
const PROP_M = ["xi", "mi"] as const;
const MEAN1 = ["mi", "sdi", "ni"] as const;
const CORR = ["ri", "ni"] as const;

/**
 * Every accepted set of inputs per measure, in the order they are tried:
 * the first set whose inputs are all supplied is used.
 */
export const MEASURE_INPUT_SETS: Record<Measure, readonly (readonly string[])[]> = {
  SMD: [MEANS2, ["ti", "n1i", "n2i"], ["pi", "n1i", "n2i"], ["di", "n1i", "n2i"]],
  SMDH: [MEANS2], MD: [MEANS2], ROM: [MEANS2], D2ORL: [MEANS2], D2ORN: [MEANS2],
  MC: [PREPOST], SMCC: [PREPOST], SMCR: [PREPOST, ["m1i", "m2i", "sd1i", "ni", "ri"]], SMCRH: [PREPOST], ROMC: [PREPOST],
  OR: [TABLE, TABLE_N], RR: [TABLE, TABLE_N], RD: [TABLE, TABLE_N], PETO: [TABLE, TABLE_N], OR2DL: [TABLE, TABLE_N], OR2DN: [TABLE, TABLE_N],
  IRR: [RATES], IRD: [RATES], IRSD: [RATES],
  PR: [PROP, PROP_M], PLN: [PROP, PROP_M], PLO: [PROP, PROP_M], PAS: [PROP, PROP_M], PFT: [PROP, PROP_M],
  MN: [MEAN1], MNLN: [MEAN1], SMN: [MEAN1],
  COR: [CORR], ZCOR: [CORR],
};

/** The usual inputs of each measure (the first of MEASURE_INPUT_SETS). */
export const MEASURE_INPUTS: Record<Measure, readonly string[]> = Object.fromEntries(
  Object.entries(MEASURE_INPUT_SETS).map(([m, sets]) => [m, sets[0]]),
) as Record<Measure, readonly string[]>;

/** The vtype values each measure accepts; the first is metafor's default. */
export const MEASURE_VTYPES: Record<Measure, readonly VType[]> = {
  SMD: ["LS", "UB", "LS2", "AV"], SMDH: ["LS", "LS2"], MD: ["LS", "UB", "HO"], ROM: ["LS", "HO", "AV", "AVHO"],
  D2ORL: ["LS"], D2ORN: ["LS"],
  MC: ["LS"], SMCC: ["LS", "LS2"], SMCR: ["LS", "LS2"], SMCRH: ["LS"], ROMC: ["LS"],
  OR: ["LS"], RR: ["LS"], RD: ["LS", "UB", "AV"], PETO: ["LS"], OR2DL: ["LS"], OR2DN: ["LS"],
  IRR: ["LS"], IRD: ["LS"], IRSD: ["LS"],
  PR: ["LS", "UB", "AV"], PLN: ["LS"], PLO: ["LS", "AV"], PAS: ["LS"], PFT: ["LS"],
  MN: ["LS"], MNLN: ["LS"], SMN: ["LS"],
  COR: ["LS", "AV"], ZCOR: ["LS"],
};

/** Where a computed effect size came from. */
export interface Provenance {
  measure: Measure | "SMD from t" | "SMD from p" | "SMD from regression coefficient" | "OR from RR" | "recoded";
  inputs: Record<string, number>;
  /** Human-readable method, with its reference. */
  method: string;
  /** For counts: true when `add` was added to this row's cells or counts. */
  continuityCorrection?: boolean;
}

export interface EffectSize {
  yi: number;
  vi: number;
  provenance: Provenance;
}

const METHOD_TEXT: Record<Measure, string> = {
  SMD: "Hedges' g: exact small-sample correction Γ(m/2)/(√(m/2)Γ((m−1)/2)); large-sample variance 1/n1+1/n2+g²/(2N) (Hedges 1981; metafor escalc)",
  SMDH: "SMD standardised by √((sd1²+sd2²)/2), heteroscedastic variance (Bonett 2008, 2009; metafor escalc)",
  MD: "raw mean difference; variance sd1²/n1+sd2²/n2",
  ROM: "log ratio of means; variance sd1²/(n1·m1²)+sd2²/(n2·m2²) (Hedges, Gurevitch & Curtis 1999)",
  D2ORL: "SMD × π/√3, logistic conversion to log OR (Hasselblad & Hedges 1995)",
  D2ORN: "SMD × 1.65, normal conversion to log OR (Cox & Snell 1989)",
  MC: "raw mean change; variance (sd1²+sd2²−2r·sd1·sd2)/n",
  SMCC: "standardised mean change, change-score standardisation, Hedges' correction; variance 1/n+g²/(2n) (Gibbons et al. 1993)",
  SMCR: "standardised mean change, raw-score (pre-test SD) standardisation, Hedges' correction; variance 2(1−r)/n+g²/(2n) (Becker 1988)",
  SMCRH: "standardised mean change, raw-score standardisation, heteroscedastic variance (Bonett 2008)",
  ROMC: "log ratio of means for one group measured twice (Lajeunesse 2011)",
  OR: "log odds ratio; variance 1/a+1/b+1/c+1/d",
  RR: "log risk ratio; variance 1/a−1/n1+1/c−1/n2",
  RD: "risk difference; variance p1(1−p1)/n1+p2(1−p2)/n2",
  PETO: "Peto log odds ratio (Yusuf et al. 1985)",
  OR2DL: "log odds ratio × √3/π, logistic conversion to SMD (Chinn 2000)",
  OR2DN: "log odds ratio / 1.65, normal conversion to SMD (Cox & Snell 1989)",
  IRR: "log incidence rate ratio; variance 1/x1+1/x2",
  IRD: "incidence rate difference; variance x1/t1²+x2/t2²",
  IRSD: "square-root transformed incidence rate difference; variance 1/(4t1)+1/(4t2)",
  PR: "raw proportion; variance p(1−p)/n",
  PLN: "log proportion; variance 1/x−1/n",
  PLO: "logit proportion; variance 1/x+1/(n−x)",
  PAS: "arcsine square-root proportion; variance 1/(4n)",
  PFT: "Freeman–Tukey double arcsine proportion; variance 1/(4n+2) (Freeman & Tukey 1950)",
  MN: "raw mean; variance sd²/n",
  MNLN: "log mean; variance sd²/(n·m²)",
  SMN: "single-group standardised mean m/sd with Hedges' correction; variance 1/n+y²/(2n)",
  COR: "raw correlation; variance (1−r²)²/(n−1)",
  ZCOR: "Fisher's r-to-z; variance 1/(n−3)",
};

/** Hedges' exact correction factor c(m) (as metafor's `.cmicalc`). */
export function hedgesCorrection(m: number): number {
  return m <= 1 ? NaN : Math.exp(gammaln(m / 2) - Math.log(Math.sqrt(m / 2)) - gammaln((m - 1) / 2));
}

/**
 * t statistic of a two-sided p-value with the direction in its sign
 * (t = sign(p)·t_{1−|p|/2, df}); the upper quantile is taken as −t_{|p|/2}
 * so that tiny p keep their precision.
 */
export function tFromSignedP(p: number, df: number): number {
  return Math.sign(p) * -qT(Math.abs(p) / 2, df);
}

function num(v: unknown): number {
  return typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
}

const isMeasure = (m: unknown): m is Measure => typeof m === "string" && Object.prototype.hasOwnProperty.call(MEASURE_INPUT_SETS, m);

/**
 * Effect sizes for every row. `data` maps metafor's argument names (see
 * MEASURE_INPUT_SETS) to columns; the first input set fully supplied is
 * used. A missing or non-finite value, or an impossible one (negative count
 * or SD, |r| > 1, more events than the group size, …), is an error naming
 * the row and input.
 */
export function escalc(measure: Measure, data: Readonly<Record<string, ArrayLike<unknown> | undefined>>, options: EscalcOptions = {}): EffectSize[] {
  if (!isMeasure(measure)) throw new MetaInputError(`unknown measure "${String(measure)}"; use one of ${Object.keys(MEASURE_INPUT_SETS).join(", ")}`);
  const sets = MEASURE_INPUT_SETS[measure];
  const need = sets.find((s) => s.every((n) => data[n] !== undefined && data[n] !== null));
  if (!need) {
    const first = sets[0].find((n) => !data[n])!;
    const alt = sets.length > 1 ? ` (or ${sets.slice(1).map((s) => s.join(", ")).join("; or ")})` : "";
    throw new MetaInputError(`measure ${measure} needs input "${first}": give ${sets[0].join(", ")}${alt}`);
  }
  const vtype = options.vtype ?? "LS";
  if (!MEASURE_VTYPES[measure].includes(vtype)) throw new MetaInputError(`vtype "${String(vtype)}" is not available for ${measure}; use ${MEASURE_VTYPES[measure].join(", ")}`);
  const to = options.to ?? "only0";
  if (!["only0", "all", "if0all", "none"].includes(to)) throw new MetaInputError(`"to" must be only0, all, if0all or none, not "${String(to)}"`);
  const add = options.add ?? (measure === "IRSD" || measure === "PAS" || measure === "PFT" ? 0 : 0.5);
  if (!(Number.isFinite(add) && add >= 0)) throw new MetaInputError(`"add" must be a number ≥ 0`);

  const k = data[need[0]]!.length;
  const cols: Record<string, Float64Array> = {};
  for (const n of need) {
    const col = data[n]!;
    if (col.length !== k) throw new MetaInputError(`input "${n}" has ${col.length} values, expected ${k}`);
    const x = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      x[i] = num(col[i]);
      if (!Number.isFinite(x[i])) throw new MetaInputError(`row ${i + 1}: input "${n}" is missing or not a number`);
    }
    cols[n] = x;
  }
  // As metafor: group sizes given beside the cells they total must agree with them.
  const totals: [string, string[]][] = need === TABLE ? [["n1i", ["ai", "bi"]], ["n2i", ["ci", "di"]]] : need === PROP ? [["mi", []]] : [];
  for (const [total, parts] of totals) {
    const col = data[total];
    if (col === undefined || col === null) continue;
    for (let i = 0; i < k; i++) {
      const v = num(col[i]);
      if (total === "mi" ? v !== cols.ni[i] - cols.xi[i] : v !== cols[parts[0]][i] + cols[parts[1]][i]) {
        throw new MetaInputError(total === "mi" ? `row ${i + 1}: ni is not xi + mi` : `row ${i + 1}: ${total} is not ${parts.join(" + ")}`);
      }
    }
  }
  const inputs = (i: number) => Object.fromEntries(need.map((n) => [n, cols[n][i]]));
  const rows = compute(measure, need, cols, k, { vtype, to, add });
  const method = METHOD_TEXT[measure] + (vtype === "LS" ? "" : `; vtype ${vtype}`) + (rows.from ? `; from ${rows.from}` : "");
  return rows.yi.map((yi, i) => {
    const vi = rows.vi[i];
    if (!Number.isFinite(yi) || !Number.isFinite(vi)) throw new MetaInputError(`row ${i + 1}: ${measure} is undefined for these values${rows.why ? ` (${rows.why})` : ""}`);
    const provenance: Provenance = { measure, inputs: inputs(i), method };
    if (rows.cc) provenance.continuityCorrection = rows.cc[i];
    return { yi, vi, provenance };
  });
}

interface Computed { yi: number[]; vi: number[]; cc?: boolean[]; from?: string; why?: string }
interface Opts { vtype: VType; to: AddTo; add: number }

const bad = (row: number, msg: string) => new MetaInputError(`row ${row + 1}: ${msg}`);
const wmean = (x: ArrayLike<number>, w: ArrayLike<number>) => {
  let s = 0, sw = 0;
  for (let i = 0; i < x.length; i++) { s += x[i] * w[i]; sw += w[i]; }
  return s / sw;
};
const range = (k: number) => Array.from({ length: k }, (_, i) => i);

/** Which rows get `add`: metafor's `to` rule given each row's zero flag. */
function addRows(zero: boolean[], to: AddTo): boolean[] {
  if (to === "all") return zero.map(() => true);
  if (to === "none") return zero.map(() => false);
  if (to === "if0all") { const any = zero.some(Boolean); return zero.map(() => any); }
  return zero;
}

function compute(measure: Measure, need: readonly string[], c: Record<string, Float64Array>, k: number, o: Opts): Computed {
  const R = range(k);
  switch (measure) {
    case "SMD": case "SMDH": case "MD": case "ROM": case "D2ORL": case "D2ORN": {
      const { n1i, n2i } = c;
      let m1i = c.m1i, m2i = c.m2i, sd1i = c.sd1i, sd2i = c.sd2i, from: string | undefined;
      for (const i of R) if (!(n1i[i] > 0 && n2i[i] > 0)) throw bad(i, "a group size is not positive");
      if (need[0] !== "m1i") {
        // metafor turns t (or d) into d and then treats it as a mean difference with unit SDs.
        const di = need[0] === "di" ? c.di : R.map((i) => {
          const t = need[0] === "ti" ? c.ti[i] : pToT(c.pi[i], n1i[i] + n2i[i] - 2, i);
          return t * Math.sqrt(1 / n1i[i] + 1 / n2i[i]);
        });
        m1i = Float64Array.from(di); m2i = new Float64Array(k); sd1i = new Float64Array(k).fill(1); sd2i = sd1i;
        from = need[0] === "ti" ? "t: d = t·√(1/n1+1/n2)" : need[0] === "pi" ? "signed two-sided p: t = sign(p)·qt(1−|p|/2, n1+n2−2), d = t·√(1/n1+1/n2)" : "d";
      }
      for (const i of R) if (sd1i[i] < 0 || sd2i[i] < 0) throw bad(i, "a standard deviation is negative");
      const N = R.map((i) => n1i[i] + n2i[i]);
      const mi = R.map((i) => N[i] - 2);
      const sdp = R.map((i) => Math.sqrt(((n1i[i] - 1) * sd1i[i] ** 2 + (n2i[i] - 1) * sd2i[i] ** 2) / mi[i]));
      const d = R.map((i) => (m1i[i] - m2i[i]) / sdp[i]);
      const inv = R.map((i) => 1 / n1i[i] + 1 / n2i[i]);
      if (measure === "MD") {
        return { yi: R.map((i) => m1i[i] - m2i[i]), vi: R.map((i) => (o.vtype === "HO" ? sdp[i] ** 2 * inv[i] : sd1i[i] ** 2 / n1i[i] + sd2i[i] ** 2 / n2i[i])) };
      }
      if (measure === "SMD") {
        const cm = mi.map(hedgesCorrection);
        const yi = R.map((i) => cm[i] * d[i]);
        const ybar = wmean(yi, N);
        const vi = R.map((i) => {
          switch (o.vtype) {
            case "UB": return inv[i] + (1 - (mi[i] - 2) / (mi[i] * cm[i] ** 2)) * yi[i] ** 2;
            case "LS2": return cm[i] ** 2 * (inv[i] + d[i] ** 2 / (2 * N[i]));
            case "AV": return inv[i] + ybar ** 2 / (2 * N[i]);
            default: return inv[i] + yi[i] ** 2 / (2 * N[i]);
          }
        });
        return { yi, vi, from, why: "pooled SD is 0 or n1+n2 ≤ 3" };
      }
      if (measure === "SMDH") {
        const yi: number[] = [], vi: number[] = [];
        for (const i of R) {
          const cm = hedgesCorrection(mi[i]);
          const s1 = sd1i[i] ** 2, s2 = sd2i[i] ** 2;
          const y = (cm * (m1i[i] - m2i[i])) / Math.sqrt((s1 + s2) / 2);
          yi.push(y);
          vi.push(o.vtype === "LS2"
            ? (y ** 2 * s1) / (2 * n1i[i] * (s1 + s2) ** 2) + (y ** 2 * s2) / (2 * n2i[i] * (s1 + s2) ** 2) + (2 * s1) / (n1i[i] * (s1 + s2)) + (2 * s2) / (n2i[i] * (s1 + s2))
            : cm ** 2 * ((y ** 2 * (s1 ** 2 / (n1i[i] - 1) + s2 ** 2 / (n2i[i] - 1))) / (2 * (s1 + s2) ** 2) + (s1 / (n1i[i] - 1) + s2 / (n2i[i] - 1)) / ((s1 + s2) / 2)));
        }
        return { yi, vi, why: "both SDs are 0 or a group has n ≤ 1" };
      }
      if (measure === "ROM") {
        for (const i of R) if (!(m1i[i] / m2i[i] > 0)) throw bad(i, "ROM needs two means of the same sign, neither 0");
        const cv1 = R.map((i) => sd1i[i] / m1i[i]), cv2 = R.map((i) => sd2i[i] / m2i[i]);
        const mcv1 = wmean(cv1, n1i), mcv2 = wmean(cv2, n2i);
        const mcv = (R.reduce((s, i) => s + n1i[i] * cv1[i], 0) + R.reduce((s, i) => s + n2i[i] * cv2[i], 0)) / R.reduce((s, i) => s + N[i], 0);
        const vi = R.map((i) => {
          switch (o.vtype) {
            case "HO": return sdp[i] ** 2 / (n1i[i] * m1i[i] ** 2) + sdp[i] ** 2 / (n2i[i] * m2i[i] ** 2);
            case "AV": return mcv1 ** 2 / n1i[i] + mcv2 ** 2 / n2i[i];
            case "AVHO": return mcv ** 2 * inv[i];
            default: return sd1i[i] ** 2 / (n1i[i] * m1i[i] ** 2) + sd2i[i] ** 2 / (n2i[i] * m2i[i] ** 2);
          }
        });
        return { yi: R.map((i) => Math.log(m1i[i] / m2i[i])), vi };
      }
      const f = measure === "D2ORL" ? Math.PI / Math.sqrt(3) : 1.65;
      return { yi: d.map((x) => f * x), vi: R.map((i) => f ** 2 * (inv[i] + d[i] ** 2 / (2 * N[i]))), why: "pooled SD is 0" };
    }

    case "MC": case "SMCC": case "SMCR": case "SMCRH": case "ROMC": {
      const { m1i, m2i, sd1i, ni, ri } = c;
      const sd2i = c.sd2i ?? new Float64Array(k);
      for (const i of R) {
        if (sd1i[i] < 0 || sd2i[i] < 0) throw bad(i, "a standard deviation is negative");
        if (Math.abs(ri[i]) > 1) throw bad(i, "correlation outside [−1, 1]");
        if (!(ni[i] > 0)) throw bad(i, "sample size is not positive");
      }
      const vard = R.map((i) => sd1i[i] ** 2 + sd2i[i] ** 2 - 2 * ri[i] * sd1i[i] * sd2i[i]);
      const cm = R.map((i) => hedgesCorrection(ni[i] - 1));
      if (measure === "MC") return { yi: R.map((i) => m1i[i] - m2i[i]), vi: R.map((i) => vard[i] / ni[i]) };
      if (measure === "ROMC") {
        for (const i of R) if (!(m1i[i] / m2i[i] > 0)) throw bad(i, "ROMC needs two means of the same sign, neither 0");
        return {
          yi: R.map((i) => Math.log(m1i[i] / m2i[i])),
          vi: R.map((i) => sd1i[i] ** 2 / (ni[i] * m1i[i] ** 2) + sd2i[i] ** 2 / (ni[i] * m2i[i] ** 2) - (2 * ri[i] * sd1i[i] * sd2i[i]) / (m1i[i] * m2i[i] * ni[i])),
        };
      }
      if (measure === "SMCC") {
        const d = R.map((i) => (m1i[i] - m2i[i]) / Math.sqrt(vard[i]));
        const yi = R.map((i) => cm[i] * d[i]);
        return { yi, vi: R.map((i) => (o.vtype === "LS2" ? cm[i] ** 2 * (1 / ni[i] + d[i] ** 2 / (2 * ni[i])) : 1 / ni[i] + yi[i] ** 2 / (2 * ni[i]))), why: "SD of the change is 0 or n ≤ 2" };
      }
      const d = R.map((i) => (m1i[i] - m2i[i]) / sd1i[i]);
      const yi = R.map((i) => cm[i] * d[i]);
      if (measure === "SMCRH") {
        return { yi, vi: R.map((i) => cm[i] ** 2 * (vard[i] / (sd1i[i] ** 2 * (ni[i] - 1)) + yi[i] ** 2 / (2 * (ni[i] - 1)))), why: "sd1i is 0 or n ≤ 2" };
      }
      return {
        yi,
        vi: R.map((i) => (o.vtype === "LS2" ? cm[i] ** 2 * ((2 * (1 - ri[i])) / ni[i] + d[i] ** 2 / (2 * ni[i])) : (2 * (1 - ri[i])) / ni[i] + yi[i] ** 2 / (2 * ni[i]))),
        why: "sd1i is 0 or n ≤ 2",
      };
    }

    case "OR": case "RR": case "RD": case "PETO": case "OR2DL": case "OR2DN": {
      const ai = Float64Array.from(c.ai), ci = Float64Array.from(c.ci);
      const bi = need[1] === "bi" ? Float64Array.from(c.bi) : R.map((i) => c.n1i[i] - ai[i]);
      const di = need[1] === "bi" ? Float64Array.from(c.di) : R.map((i) => c.n2i[i] - ci[i]);
      for (const i of R) {
        if (need[1] === "n1i" && (ai[i] > c.n1i[i] || ci[i] > c.n2i[i])) throw bad(i, "more events than the group size");
        if (ai[i] < 0 || bi[i] < 0 || ci[i] < 0 || di[i] < 0) throw bad(i, "a cell count is negative");
      }
      const cc = addRows(R.map((i) => ai[i] === 0 || bi[i] === 0 || ci[i] === 0 || di[i] === 0), o.to).map((x) => x && o.add > 0);
      for (const i of R) if (cc[i]) { ai[i] += o.add; bi[i] += o.add; ci[i] += o.add; di[i] += o.add; }
      const n1 = R.map((i) => ai[i] + bi[i]), n2 = R.map((i) => ci[i] + di[i]);
      const p1 = R.map((i) => ai[i] / n1[i]), p2 = R.map((i) => ci[i] / n2[i]);
      let yi: number[], vi: number[];
      if (measure === "RR") {
        yi = R.map((i) => Math.log(p1[i]) - Math.log(p2[i]));
        vi = R.map((i) => 1 / ai[i] - 1 / n1[i] + 1 / ci[i] - 1 / n2[i]);
      } else if (measure === "RD") {
        yi = R.map((i) => p1[i] - p2[i]);
        const mp1 = wmean(p1, n1), mp2 = wmean(p2, n2);
        vi = R.map((i) => {
          if (o.vtype === "UB") return (p1[i] * (1 - p1[i])) / (n1[i] - 1) + (p2[i] * (1 - p2[i])) / (n2[i] - 1);
          if (o.vtype === "AV") return (mp1 * (1 - mp1)) / n1[i] + (mp2 * (1 - mp2)) / n2[i];
          return (p1[i] * (1 - p1[i])) / n1[i] + (p2[i] * (1 - p2[i])) / n2[i];
        });
      } else if (measure === "PETO") {
        yi = []; vi = [];
        for (const i of R) {
          const N = n1[i] + n2[i];
          const E = ((ai[i] + ci[i]) * n1[i]) / N;
          const V = ((ai[i] + ci[i]) * (bi[i] + di[i]) * (n1[i] / N) * (n2[i] / N)) / (N - 1);
          yi.push((ai[i] - E) / V);
          vi.push(1 / V);
        }
      } else {
        const f = measure === "OR2DL" ? Math.sqrt(3) / Math.PI : measure === "OR2DN" ? 1 / 1.65 : 1;
        yi = R.map((i) => Math.log(p1[i] / (1 - p1[i])) - Math.log(p2[i] / (1 - p2[i])));
        vi = R.map((i) => 1 / ai[i] + 1 / bi[i] + 1 / ci[i] + 1 / di[i]);
        if (measure === "OR2DL") { yi = yi.map((y) => y * f); vi = vi.map((v) => (v * 3) / Math.PI ** 2); }
        if (measure === "OR2DN") { yi = yi.map((y) => y / 1.65); vi = vi.map((v) => v / 1.65 ** 2); }
      }
      return { yi, vi, cc, why: "a zero cell without continuity correction, or an empty group" };
    }

    case "IRR": case "IRD": case "IRSD": {
      const x1 = Float64Array.from(c.x1i), x2 = Float64Array.from(c.x2i), { t1i, t2i } = c;
      for (const i of R) {
        if (x1[i] < 0 || x2[i] < 0) throw bad(i, "an event count is negative");
        if (!(t1i[i] > 0 && t2i[i] > 0)) throw bad(i, "a person-time is not positive");
      }
      const cc = addRows(R.map((i) => x1[i] === 0 || x2[i] === 0), o.to).map((x) => x && o.add > 0);
      for (const i of R) if (cc[i]) { x1[i] += o.add; x2[i] += o.add; }
      const r1 = R.map((i) => x1[i] / t1i[i]), r2 = R.map((i) => x2[i] / t2i[i]);
      if (measure === "IRR") return { yi: R.map((i) => Math.log(r1[i]) - Math.log(r2[i])), vi: R.map((i) => 1 / x1[i] + 1 / x2[i]), cc, why: "a zero count without continuity correction" };
      if (measure === "IRD") return { yi: R.map((i) => r1[i] - r2[i]), vi: R.map((i) => r1[i] / t1i[i] + r2[i] / t2i[i]), cc };
      return { yi: R.map((i) => Math.sqrt(r1[i]) - Math.sqrt(r2[i])), vi: R.map((i) => 1 / (4 * t1i[i]) + 1 / (4 * t2i[i])), cc };
    }

    case "PR": case "PLN": case "PLO": case "PAS": case "PFT": {
      const xi = Float64Array.from(c.xi);
      const mi = need[1] === "mi" ? Float64Array.from(c.mi) : R.map((i) => c.ni[i] - xi[i]);
      for (const i of R) {
        if (need[1] === "ni" && xi[i] > c.ni[i]) throw bad(i, "more events than the group size");
        if (xi[i] < 0 || mi[i] < 0) throw bad(i, "a count is negative");
        if (!(xi[i] + mi[i] > 0)) throw bad(i, "the group size is not positive");
      }
      const cc = addRows(R.map((i) => xi[i] === 0 || mi[i] === 0), o.to).map((x) => x && o.add > 0);
      for (const i of R) if (cc[i]) { xi[i] += o.add; mi[i] += o.add; }
      const ni = R.map((i) => xi[i] + mi[i]);
      const p = R.map((i) => xi[i] / ni[i]);
      const why = "a zero count without continuity correction";
      switch (measure) {
        case "PR": {
          const mp = wmean(p, ni);
          return { yi: p, vi: R.map((i) => (o.vtype === "UB" ? (p[i] * (1 - p[i])) / (ni[i] - 1) : o.vtype === "AV" ? (mp * (1 - mp)) / ni[i] : (p[i] * (1 - p[i])) / ni[i])), cc, why: "n = 1 with vtype UB" };
        }
        case "PLN": return { yi: p.map(Math.log), vi: R.map((i) => 1 / xi[i] - 1 / ni[i]), cc, why };
        case "PLO": {
          const mp = wmean(p, ni);
          return { yi: p.map((x) => Math.log(x / (1 - x))), vi: R.map((i) => (o.vtype === "AV" ? 1 / (mp * ni[i]) + 1 / ((1 - mp) * ni[i]) : 1 / xi[i] + 1 / mi[i])), cc, why };
        }
        case "PAS": return { yi: p.map((x) => Math.asin(Math.sqrt(x))), vi: ni.map((n) => 1 / (4 * n)), cc };
        default: return { yi: R.map((i) => 0.5 * (Math.asin(Math.sqrt(xi[i] / (ni[i] + 1))) + Math.asin(Math.sqrt((xi[i] + 1) / (ni[i] + 1))))), vi: ni.map((n) => 1 / (4 * n + 2)), cc };
      }
    }

    case "MN": case "MNLN": case "SMN": {
      const { mi, sdi, ni } = c;
      for (const i of R) {
        if (sdi[i] < 0) throw bad(i, "a standard deviation is negative");
        if (!(ni[i] > 0)) throw bad(i, "sample size is not positive");
        if (measure === "MNLN" && !(mi[i] > 0)) throw bad(i, "MNLN needs a positive mean");
      }
      if (measure === "MN") return { yi: Array.from(mi), vi: R.map((i) => sdi[i] ** 2 / ni[i]) };
      if (measure === "MNLN") return { yi: R.map((i) => Math.log(mi[i])), vi: R.map((i) => sdi[i] ** 2 / (ni[i] * mi[i] ** 2)) };
      const yi = R.map((i) => (hedgesCorrection(ni[i] - 1) * mi[i]) / sdi[i]);
      return { yi, vi: R.map((i) => 1 / ni[i] + yi[i] ** 2 / (2 * ni[i])), why: "SD is 0 or n ≤ 2" };
    }

    case "COR": case "ZCOR": {
      const { ri, ni } = c;
      for (const i of R) {
        if (Math.abs(ri[i]) > 1) throw bad(i, "correlation outside [−1, 1]");
        if (!(ni[i] > 0)) throw bad(i, "sample size is not positive");
        if (measure === "COR" && ni[i] <= 1) throw bad(i, "variance undefined for n ≤ 1");
        if (measure === "ZCOR" && ni[i] <= 3) throw bad(i, "variance of Fisher's z undefined for n ≤ 3");
      }
      if (measure === "ZCOR") return { yi: R.map((i) => 0.5 * Math.log((1 + ri[i]) / (1 - ri[i]))), vi: R.map((i) => 1 / (ni[i] - 3)), why: "|r| = 1" };
      const mr = wmean(ri, ni);
      return { yi: Array.from(ri), vi: R.map((i) => (1 - (o.vtype === "AV" ? mr : ri[i]) ** 2) ** 2 / (ni[i] - 1)) };
    }
  }
}

function pToT(p: number, df: number, row: number): number {
  if (!(p !== 0 && Math.abs(p) <= 1)) throw bad(row, "p must lie in (0, 1], signed by the direction of the effect");
  return tFromSignedP(p, df);
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
 * upper p/2 quantile of t with n₁+n₂−2 df (p = 1 gives t = 0), signed by the direction of the
 * effect (`sign` = +1 if group 1 scored higher), then as `smdFromT`.
 */
export function smdFromP(p: number, n1: number, n2: number, sign: 1 | -1): EffectSize {
  if (!(p > 0 && p <= 1)) throw new MetaInputError("p must lie in (0, 1]");
  const t = tFromSignedP(sign * p, n1 + n2 - 2);
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
