/**
 * Outcome data as reported → one effect size, through @homeward/meta.
 *
 * Here rather than in meta: meta stays standalone (it knows measures and
 * numbers, not studies or outcomes), while this step needs the model's
 * outcome-data kinds, the outcome's direction and messages that name the
 * study, the outcome and the field at fault.
 *
 * Every kind ends as Hedges' g (SMD), the review's common metric (the seed
 * converts odds ratios by the logistic conversion and risk ratios through a
 * baseline risk); each effect keeps its inputs, the formulas, the references
 * and the chain of steps. Group 1 is the arm named first (the intervention):
 * a positive value means group 1 scored higher, and on an outcome where
 * higher is worse the sign is reversed once, as the chain's last step, so
 * that positive always means better for group 1.
 */
import {
  escalc, logOrToSmd, logRatioFromCi, rrToOr, smdFromMeanDifference, smdFromTStatistic, smdFromF, smdFromPValue, corToSmd, betaToCor,
  smdFromRegressionB, meanSdFromMedian, recodeHigherWorse, isMetaInputError, type Conversion, type ConversionStep,
} from "@homeward/meta";
import { InputError, OutcomeData, type Outcome, type Study } from "@homeward/model";

export interface DerivedEffect {
  measure: "SMD";
  yi: number;
  vi: number;
  /** The kind of data it came from, in words, with the last step's method. */
  method: string;
  formula: string;
  reference: string;
  chain: ConversionStep[];
  /** The chain in words, e.g. "log OR 0.81 (SE 0.22) → SMD 0.45 by d = log OR·√3/π (Hasselblad & Hedges 1995)". */
  provenance: string;
  recoded: boolean;
  /** The data as parsed (defaults filled in): what the effect size keeps as its inputs. */
  inputs: OutcomeData;
}

type Named = { study: Pick<Study, "id" | "name">; outcome: Pick<Outcome, "id" | "name"> };

const where = ({ study, outcome }: Named) => `study "${study.name}", outcome "${outcome.name}"`;
const refuse = (who: Named, field: string | null, message: string): never => {
  throw new InputError(`${where(who)}: ${field ? `${field}: ` : ""}${message}`);
};

const HEDGES = "Hedges 1981; metafor escalc (vtype LS)";
const G_FORMULA = "g = c(n1+n2−2)·(m1−m2)/s_p with s_p = √(((n1−1)sd1²+(n2−1)sd2²)/(n1+n2−2)), v = 1/n1+1/n2+g²/(2(n1+n2))";

/** Hedges' g from two groups' means and SDs, as metafor's escalc("SMD"). */
function gStep(step: string, m1: number, sd1: number, n1: number, m2: number, sd2: number, n2: number): ConversionStep {
  const [es] = escalc("SMD", { m1i: [m1], sd1i: [sd1], n1i: [n1], m2i: [m2], sd2i: [sd2], n2i: [n2] });
  return { step, formula: G_FORMULA, reference: HEDGES, inputs: { m1, sd1, n1, m2, sd2, n2 }, value: es.yi, variance: es.vi };
}

function finishChain(chain: ConversionStep[]): Conversion {
  const last = chain[chain.length - 1];
  return {
    yi: last.value, vi: last.variance!, measure: "SMD", chain,
    formula: chain.map((s) => s.formula).join(" → "), reference: [...new Set(chain.map((s) => s.reference))].join("; "),
  };
}

/** log OR from a 2×2 table (events and group sizes), as metafor's escalc("OR") with its ½ correction for zero cells. */
function logOrStep(a: number, n1: number, c: number, n2: number, before: ConversionStep[] = []): Conversion {
  const [es] = escalc("OR", { ai: [a], n1i: [n1], ci: [c], n2i: [n2] });
  const corrected = es.provenance.continuityCorrection === true;
  return {
    yi: es.yi, vi: es.vi, measure: "OR", formula: "", reference: "",
    chain: [...before, {
      step: "log OR from 2×2 counts",
      formula: `log OR = log(a·d/(b·c)), v = 1/a+1/b+1/c+1/d${corrected ? " (½ added to every cell: a cell was 0)" : ""}`,
      reference: "metafor escalc(\"OR\")", inputs: { events1: a, n1, events2: c, n2 }, value: es.yi, variance: es.vi,
    }],
  };
}

function checkCounts(who: Named, e: number, n: number, field: string) {
  if (e > n) refuse(who, field, `${e} events is more than the group's ${n}`);
}

function checkInterval(who: Named, est: number, lo: number, hi: number) {
  if (!(lo < hi)) refuse(who, "lower", `the lower limit ${lo} must be below the upper limit ${hi}`);
  if (est < lo || est > hi) refuse(who, "upper", `the estimate ${est} lies outside its interval [${lo}, ${hi}]`);
}

function compute(who: Named, d: OutcomeData): Conversion {
  switch (d.kind) {
    case "means":
      return finishChain([gStep("SMD from means and SDs", d.m1, d.sd1, d.n1, d.m2, d.sd2, d.n2)]);
    case "md": {
      if (d.se === undefined && (d.lower === undefined || d.upper === undefined)) refuse(who, "se", "give the standard error, or the CI's lower and upper limits");
      if (d.se === undefined) checkInterval(who, d.md, d.lower!, d.upper!);
      return smdFromMeanDifference({ md: d.md, n1: d.n1, n2: d.n2, ...(d.se !== undefined ? { se: d.se } : { lower: d.lower, upper: d.upper, level: d.level }) });
    }
    case "counts":
      checkCounts(who, d.events1, d.n1, "events1");
      checkCounts(who, d.events2, d.n2, "events2");
      return logOrToSmd(logOrStep(d.events1, d.n1, d.events2, d.n2));
    case "percentages": {
      const a = Math.round((d.percent1 * d.n1) / 100), c = Math.round((d.percent2 * d.n2) / 100);
      const steps: ConversionStep[] = [
        { step: "group 1 events from its percentage", formula: "a = round(percent1·n1/100)", reference: "reported percentage of the group", inputs: { percent1: d.percent1, n1: d.n1 }, value: a },
        { step: "group 2 events from its percentage", formula: "c = round(percent2·n2/100)", reference: "reported percentage of the group", inputs: { percent2: d.percent2, n2: d.n2 }, value: c },
      ];
      return logOrToSmd(logOrStep(a, d.n1, c, d.n2, steps));
    }
    case "or":
      checkInterval(who, d.or, d.lower, d.upper);
      return logOrToSmd(logRatioFromCi({ estimate: d.or, lower: d.lower, upper: d.upper, level: d.level, measure: "OR" }));
    case "rr":
      checkInterval(who, d.rr, d.lower, d.upper);
      if (d.rr * d.baselineRisk >= 1) refuse(who, "baselineRisk", `RR × baseline risk is ${d.rr * d.baselineRisk} ≥ 1: group 1's risk would exceed 1`);
      return logOrToSmd(rrToOr(logRatioFromCi({ estimate: d.rr, lower: d.lower, upper: d.upper, level: d.level, measure: "RR" }), d.baselineRisk));
    case "t":
      return smdFromTStatistic(d.t, d.n1, d.n2);
    case "f":
      return smdFromF(d.f, d.df1, d.n1, d.n2, d.direction);
    case "p":
      return smdFromPValue(d.p, d.n1, d.n2, d.direction);
    case "r":
      return corToSmd({ r: d.r, n: d.n });
    case "beta":
      return corToSmd(betaToCor(d.beta, d.n));
    case "b":
      return smdFromRegressionB(d.b, d.sdY, d.n1, d.n2);
    case "medians": {
      const group = (g: 1 | 2) => {
        const [m, lo, hi, n] = g === 1 ? [d.median1, d.low1, d.high1, d.n1] : [d.median2, d.low2, d.high2, d.n2];
        if (!(lo <= m && m <= hi)) refuse(who, `median${g}`, `the median ${m} must lie between ${lo} and ${hi}`);
        if (lo === hi) refuse(who, `high${g}`, `the ${d.spread === "iqr" ? "IQR" : "range"} is 0, so the SD cannot be estimated`);
        const ms = meanSdFromMedian(d.spread === "iqr" ? { n, median: m, q1: lo, q3: hi } : { n, median: m, min: lo, max: hi });
        return { ...ms, chain: ms.chain.map((s) => ({ ...s, step: `group ${g}: ${s.step}` })) };
      };
      const g1 = group(1), g2 = group(2);
      return finishChain([...g1.chain, ...g2.chain, gStep("SMD from the estimated means and SDs", g1.mean, g1.sd, d.n1, g2.mean, g2.sd, d.n2)]);
    }
    case "prepost": {
      const change = (g: 1 | 2): [ConversionStep, number, number] => {
        const [pre, post, sdPre, sdPost, n] = g === 1 ? [d.pre1, d.post1, d.sdPre1, d.sdPost1, d.n1] : [d.pre2, d.post2, d.sdPre2, d.sdPost2, d.n2];
        const m = post - pre, sd = Math.sqrt(sdPre ** 2 + sdPost ** 2 - 2 * d.r * sdPre * sdPost);
        if (!(sd > 0)) refuse(who, "r", `with r = ${d.r} group ${g}'s change SD is 0`);
        return [{
          step: `group ${g}: change from baseline`, formula: "change = post − pre, SD_change = √(SD_pre²+SD_post²−2r·SD_pre·SD_post)",
          reference: "Cochrane Handbook 6.5.2.8 (imputing a change-from-baseline SD with an assumed correlation)",
          inputs: { pre, post, sdPre, sdPost, n, r: d.r }, value: m, variance: (sd * sd) / n,
        }, m, sd];
      };
      const [s1, m1, sd1] = change(1), [s2, m2, sd2] = change(2);
      return finishChain([s1, s2, gStep("SMD of the change scores", m1, sd1, d.n1, m2, sd2, d.n2)]);
    }
  }
}

/**
 * The effect size of one outcome's reported data: parsed (a bad field is
 * named), converted through meta, and recoded once when higher is worse.
 * The outcome must say which direction is better. Throws an InputError with
 * one line naming study, outcome and field; computes nothing partially.
 */
export function effectSizeFromOutcomeData(
  study: Pick<Study, "id" | "name">,
  outcome: Pick<Outcome, "id" | "name" | "higherIsBetter">,
  data: unknown,
): DerivedEffect {
  const who = { study, outcome };
  const parsed = OutcomeData.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    refuse(who, issue.path.length ? issue.path.join(".") : null, issue.message);
  }
  const d = parsed.data!;
  if (outcome.higherIsBetter === null) refuse(who, "higherIsBetter", "say whether higher is better or worse on this outcome before entering its data");
  let conv: Conversion;
  try {
    conv = compute(who, d);
    if (outcome.higherIsBetter === false) conv = recodeHigherWorse(conv, "SMD");
  } catch (e) {
    if (isMetaInputError(e) && !(e instanceof InputError)) refuse(who, null, e.message);
    throw e;
  }
  if (!Number.isFinite(conv!.yi) || !Number.isFinite(conv!.vi)) refuse(who, null, "these values give no finite effect size");
  return {
    measure: "SMD", yi: conv!.yi, vi: conv!.vi, formula: conv!.formula, reference: conv!.reference, chain: conv!.chain,
    method: methodOf(d.kind), provenance: chainInWords(conv!.chain), recoded: outcome.higherIsBetter === false, inputs: d,
  };
}

const METHODS: Record<OutcomeData["kind"], string> = {
  means: "SMD (Hedges' g) from means and SDs",
  md: "SMD from a mean difference and its SE or CI",
  counts: "SMD from a 2×2 table by the logistic conversion",
  percentages: "SMD from percentages by the logistic conversion",
  or: "SMD from an odds ratio and its CI by the logistic conversion",
  rr: "SMD from a risk ratio and baseline risk (via OR) by the logistic conversion",
  t: "SMD from t",
  f: "SMD from F (df1 = 1)",
  p: "SMD from a two-sided p",
  r: "SMD (d) from a correlation",
  beta: "SMD (d) from a standardised β read as r (approximation)",
  b: "SMD from an unstandardised b and the outcome SD",
  medians: "SMD from medians (mean and SD by Wan et al. 2014)",
  prepost: "SMD of change scores with an assumed pre–post correlation",
};
const methodOf = (k: OutcomeData["kind"]) => METHODS[k];

const fmt = (x: number) => {
  const a = Math.abs(x);
  return a !== 0 && (a < 0.001 || a >= 1e6) ? x.toPrecision(3) : String(Math.round(x * 1000) / 1000);
};
/** "log OR and variance from its 95% CI" → "log OR"; "SMD (d) from r" → "SMD (d)". */
const quantity = (step: string) => {
  if (step.startsWith("recoded")) return "recoded (higher is worse): SMD";
  if (step === "variance of r") return "r";
  const m = /^(.*?)(?: and variance| and SD)? (?:from|imputed from|of the) /.exec(step);
  return m ? m[1] : step;
};
const shortFormula = (f: string) => f.split(/, v = |, v unchanged|, SE = |; | with /)[0];
const shortRef = (r: string) => {
  // The authors and year, without the formula some references spell out after a colon.
  const first = r.split(";")[0].split(": ")[0].trim();
  const open = (first.match(/\(/g) ?? []).length, shut = (first.match(/\)/g) ?? []).length;
  // A reference cut inside its parenthesis reads better without it.
  return open > shut ? first.replace(/\s*\([^()]*$/, "") : first;
};

/**
 * The chain in words: each step's quantity and value (with its SE where it
 * has a variance), the formula and the first reference that gave it.
 */
export function chainInWords(chain: readonly ConversionStep[]): string {
  return chain
    .map((s) => {
      const se = s.variance !== undefined ? ` (SE ${fmt(Math.sqrt(s.variance))})` : "";
      return `${quantity(s.step)} ${fmt(s.value)}${se} by ${shortFormula(s.formula)} (${shortRef(s.reference)})`;
    })
    .join(" → ");
}

/**
 * Checks that a comparison names two different arms of the study (by id)
 * and, when given, one of its time points; the message names the field.
 */
export function checkComparison(
  study: Pick<Study, "id" | "name" | "arms" | "timePoints">,
  outcome: Pick<Outcome, "id" | "name">,
  armIds: readonly string[],
  timePointId: string | null,
): void {
  const who = { study, outcome };
  if (armIds.length !== 2) refuse(who, "armIds", "name two arms: group 1 (usually the intervention) and group 2 (the comparison)");
  if (armIds[0] === armIds[1]) refuse(who, "armIds", "group 1 and group 2 must be different arms");
  const known = new Set(study.arms.flatMap((a) => (a.id ? [a.id] : [])));
  for (const id of armIds) if (!known.has(id)) refuse(who, "armIds", `the study has no arm "${id}"`);
  if (timePointId !== null && !study.timePoints.some((t) => t.id === timePointId)) refuse(who, "timePointId", `the study has no time point "${timePointId}"`);
}
