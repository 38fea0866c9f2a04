import { z } from "zod";

/**
 * Outcome data in the form a study reported it, one comparison of group 1
 * (the arm named first, usually the intervention) with group 2 at one time
 * point. Held in `EffectSize.inputs`; the effect size is derived from it
 * (@homeward/review `effectSizeFromOutcomeData`). Field checks that need
 * only the field (an SD ≤ 0, a p outside (0, 1]) live here so that the
 * message names the field; checks across fields (events larger than the
 * group, a CI that misses its estimate) live in the use case.
 */
const num = (what: string) => z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`);
const sd = num("an SD").refine((x) => x > 0, "an SD must be > 0");
const n = num("a group size").refine((x) => Number.isInteger(x) && x >= 1, "a group size must be a whole number ≥ 1");
const count = num("a count").refine((x) => Number.isInteger(x) && x >= 0, "a count must be a whole number ≥ 0");
const positive = (what: string) => num(what).refine((x) => x > 0, `${what} must be > 0`);
const level = z.number().refine((x) => x > 0 && x < 1, "the confidence level must lie strictly between 0 and 1 (e.g. 0.95)").optional();
/** Which group scored higher, for statistics that carry no sign (F, p). */
const direction = z.union([z.literal(1), z.literal(-1)], { error: "direction must be 1 (group 1 higher) or −1 (group 1 lower)" });

export const OutcomeDataKind = z.enum(["means", "md", "counts", "percentages", "or", "rr", "t", "f", "p", "r", "beta", "b", "medians", "prepost"]);
export type OutcomeDataKind = z.infer<typeof OutcomeDataKind>;

export const OutcomeData = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("means"), m1: num("a mean"), sd1: sd, n1: n, m2: num("a mean"), sd2: sd, n2: n }).strict(),
  /** A (possibly adjusted) mean difference with its SE, or with its CI. */
  z.object({ kind: z.literal("md"), md: num("the mean difference"), se: positive("the standard error").optional(), lower: num("the lower limit").optional(), upper: num("the upper limit").optional(), level, n1: n, n2: n }).strict(),
  z.object({ kind: z.literal("counts"), events1: count, n1: n, events2: count, n2: n }).strict(),
  z.object({
    kind: z.literal("percentages"),
    percent1: num("a percentage").refine((x) => x >= 0 && x <= 100, "a percentage must lie in [0, 100]"), n1: n,
    percent2: num("a percentage").refine((x) => x >= 0 && x <= 100, "a percentage must lie in [0, 100]"), n2: n,
  }).strict(),
  z.object({ kind: z.literal("or"), or: positive("the odds ratio"), lower: positive("the lower limit"), upper: positive("the upper limit"), level }).strict(),
  /** A risk ratio with its CI and the comparison group's (baseline) risk, turned into an OR. */
  z.object({
    kind: z.literal("rr"), rr: positive("the risk ratio"), lower: positive("the lower limit"), upper: positive("the upper limit"), level,
    baselineRisk: num("the baseline risk").refine((x) => x > 0 && x < 1, "the baseline risk must lie strictly between 0 and 1"),
  }).strict(),
  z.object({ kind: z.literal("t"), t: num("t"), n1: n, n2: n }).strict(),
  z.object({ kind: z.literal("f"), f: num("F").refine((x) => x >= 0, "F must be ≥ 0"), df1: z.literal(1, { error: "only F with one numerator df converts (two groups)" }), direction, n1: n, n2: n }).strict(),
  z.object({ kind: z.literal("p"), p: num("p").refine((x) => x > 0 && x <= 1, "p must lie in (0, 1]"), direction, n1: n, n2: n }).strict(),
  z.object({ kind: z.literal("r"), r: num("r").refine((x) => Math.abs(x) < 1, "r must lie strictly between −1 and 1"), n: n.refine((x) => x > 1, "n must exceed 1") }).strict(),
  /** A standardised regression coefficient of group membership, read as r (Peterson & Brown 2005). */
  z.object({ kind: z.literal("beta"), beta: num("β").refine((x) => Math.abs(x) < 0.5, "Peterson & Brown's imputation holds for |β| < 0.5 only"), n: n.refine((x) => x > 1, "n must exceed 1") }).strict(),
  /** An unstandardised coefficient of group membership and the outcome's SD. */
  z.object({ kind: z.literal("b"), b: num("b"), sdY: sd, n1: n, n2: n }).strict(),
  /** Medians with the interquartile range (low = q1, high = q3) or the range (low = min, high = max): Wan et al. 2014. */
  z.object({
    kind: z.literal("medians"), spread: z.enum(["iqr", "range"], { error: 'spread must be "iqr" or "range"' }),
    median1: num("a median"), low1: num("a lower quartile or minimum"), high1: num("an upper quartile or maximum"), n1: n.refine((x) => x >= 2, "a group size must be at least 2"),
    median2: num("a median"), low2: num("a lower quartile or minimum"), high2: num("an upper quartile or maximum"), n2: n.refine((x) => x >= 2, "a group size must be at least 2"),
  }).strict(),
  /** Pre and post means and SDs per group; the change SDs use an assumed pre–post correlation r. */
  z.object({
    kind: z.literal("prepost"),
    pre1: num("a mean"), post1: num("a mean"), sdPre1: sd, sdPost1: sd, n1: n,
    pre2: num("a mean"), post2: num("a mean"), sdPre2: sd, sdPost2: sd, n2: n,
    r: num("the assumed correlation").refine((x) => x > -1 && x < 1, "the assumed correlation must lie strictly between −1 and 1"),
  }).strict(),
], { error: (iss) => (iss.code === "invalid_union" ? `kind must be one of ${OutcomeDataKind.options.join(", ")}` : undefined) });
export type OutcomeData = z.infer<typeof OutcomeData>;
export type OutcomeDataInput = z.input<typeof OutcomeData>;

/** What each kind asks for, in words (for forms and messages). */
export const OUTCOME_DATA_KINDS: Record<OutcomeDataKind, string> = {
  means: "means, SDs and group sizes",
  md: "mean difference with its SE or CI",
  counts: "2×2 counts (events and group sizes)",
  percentages: "percentages with events and group sizes",
  or: "odds ratio with its CI",
  rr: "risk ratio with its CI and the baseline risk",
  t: "t statistic with group sizes",
  f: "F with one numerator df, direction and group sizes",
  p: "two-sided p with direction and group sizes",
  r: "correlation with the sample size",
  beta: "standardised regression coefficient (β) with the sample size",
  b: "unstandardised regression coefficient (b) with the outcome SD",
  medians: "medians with the IQR or range",
  prepost: "pre–post means and SDs with an assumed correlation",
};
