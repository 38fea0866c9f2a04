import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  betaToCor, corToSmd, escalc, isMetaInputError, logOrFromCi, logOrToSmd, logRatioFromCi, logRatioFromP, meanSdFromMedian, qNormPrecise, recode, recodeHigherWorse, rrToOr,
  smdFromF, smdFromMeanDifference, smdFromPValue, smdFromRegressionB, smdFromTStatistic, smdToCor, smdToLogOr, type Conversion,
} from "@homeward/meta";

type Table = Record<string, number[]>;
const fx = JSON.parse(readFileSync(new URL("./fixtures/conversions.json", import.meta.url), "utf8")) as Record<string, Table> & { versions: Record<string, string> };

const near = (a: number, e: number, rel = 1e-10, abs = 1e-14) => expect(Math.abs(a - e), `got ${a}, expected ${e}`).toBeLessThanOrEqual(rel * Math.abs(e) + abs);
/** A published value printed to `dp` decimals. */
const printed = (a: number, e: number, dp = 4) => expect(Math.abs(a - e), `got ${a}, printed ${e}`).toBeLessThanOrEqual(0.5 * 10 ** -dp + 1e-12);
const checkAll = (t: Table, f: (i: number) => Conversion) =>
  t.yi.forEach((y, i) => {
    const c = f(i);
    near(c.yi, y);
    near(c.vi, t.vi[i]);
  });
const refuses = (f: () => unknown, reason: RegExp) => {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(isMetaInputError(err), `expected an input error matching ${reason}`).toBe(true);
  const msg = (err as Error).message;
  expect(msg).toMatch(reason);
  expect(msg).not.toContain("\n");
};

describe(`conversions against metafor ${fx.versions.metafor} escalc and R's quantiles`, () => {
  it("t → SMD (escalc ti)", () => checkAll(fx.fromT, (i) => smdFromTStatistic(fx.fromT.t[i], fx.fromT.n1[i], fx.fromT.n2[i])));
  it("F with one numerator df and a direction → t → SMD", () =>
    checkAll(fx.fromF, (i) => smdFromF(fx.fromF.F[i], 1, fx.fromF.n1[i], fx.fromF.n2[i], fx.fromF.direction[i] as 1 | -1)));
  it("two-sided p with a direction → t → SMD", () =>
    checkAll(fx.fromP, (i) => smdFromPValue(fx.fromP.p[i], fx.fromP.n1[i], fx.fromP.n2[i], fx.fromP.direction[i] as 1 | -1)));
  it("mean difference with SE → t → SMD", () => checkAll(fx.mdSe, (i) => smdFromMeanDifference({ md: fx.mdSe.md[i], se: fx.mdSe.se[i], n1: fx.mdSe.n1[i], n2: fx.mdSe.n2[i] })));
  it("mean difference with a 95% CI (t or z quantile) → SE → t → SMD", () => {
    for (const [t, quantile] of [[fx.mdCiT, "t"], [fx.mdCiZ, "z"]] as const) {
      checkAll(t, (i) => smdFromMeanDifference({ md: t.md[i], lower: t.lower[i], upper: t.upper[i], n1: t.n1[i], n2: t.n2[i], quantile }));
    }
  });
  it("mean difference with group SDs → SMD", () =>
    checkAll(fx.mdSd, (i) => smdFromMeanDifference({ md: fx.mdSd.md[i], sd1: fx.mdSd.sd1[i], sd2: fx.mdSd.sd2[i], n1: fx.mdSd.n1[i], n2: fx.mdSd.n2[i] })));
  it("unstandardised coefficient and outcome SD → d → g", () =>
    checkAll(fx.fromB, (i) => smdFromRegressionB(fx.fromB.b[i], fx.fromB.sdY[i], fx.fromB.n1[i], fx.fromB.n2[i])));
  it("log OR → SMD equals escalc OR2DL", () => checkAll(fx.logOrToSmd, (i) => logOrToSmd({ yi: fx.logOrToSmd.logOr[i], vi: fx.logOrToSmd.vLogOr[i] })));
  it("SMD → log OR equals escalc D2ORL", () => checkAll(fx.smdToLogOr, (i) => smdToLogOr({ yi: fx.smdToLogOr.d[i], vi: fx.smdToLogOr.vd[i] })));
  it("ratio with its 95% CI → log ratio and Wald variance", () =>
    checkAll(fx.ratioCi, (i) => logRatioFromCi({ estimate: fx.ratioCi.estimate[i], lower: fx.ratioCi.lower[i], upper: fx.ratioCi.upper[i] })));
  it("normal quantiles to full precision (R's qnorm)", () => fx.qnorm.p.forEach((p, i) => near(qNormPrecise(p), fx.qnorm.q[i], 1e-14, 0)));
  it("ratio with its Wald p → log ratio and variance", () =>
    checkAll(fx.ratioP, (i) => logRatioFromP({ estimate: fx.ratioP.estimate[i], p: fx.ratioP.p[i] })));
  it("Wan et al. (2014) mean and SD from the median, all three scenarios", () => {
    const w = fx.wan;
    w.n.forEach((n, i) => {
      const s1 = meanSdFromMedian({ n, median: w.median[i], min: w.min[i], max: w.max[i] });
      const s2 = meanSdFromMedian({ n, median: w.median[i], min: w.min[i], max: w.max[i], q1: w.q1[i], q3: w.q3[i] });
      const s3 = meanSdFromMedian({ n, median: w.median[i], q1: w.q1[i], q3: w.q3[i] });
      expect([s1.scenario, s2.scenario, s3.scenario]).toEqual(["S1", "S2", "S3"]);
      near(s1.mean, w.s1Mean[i]); near(s1.sd, w.s1Sd[i]);
      near(s2.mean, w.s2Mean[i]); near(s2.sd, w.s2Sd[i]);
      near(s3.mean, w.s3Mean[i]); near(s3.sd, w.s3Sd[i]);
      near(s3.vi, w.s3Sd[i] ** 2 / n);
      expect(s2.reference).toMatch(/Wan et al\. 2014/);
    });
  });
});

describe("published worked examples", () => {
  // Borenstein et al. (2009), ch. 7, printed to four decimals.
  it("log OR 0.9069 (v 0.0676) → d 0.5000 (v 0.0205) and back", () => {
    const d = logOrToSmd({ yi: 0.9069, vi: 0.0676 });
    printed(d.yi, 0.5); printed(d.vi, 0.0205);
    const o = smdToLogOr({ yi: 0.5, vi: 0.0205 });
    printed(o.yi, 0.9069); printed(o.vi, 0.0674);
    expect(d.measure).toBe("SMD");
    expect(o.measure).toBe("OR");
  });
  it("r 0.50 (v 0.0058) → d 1.1547 (v 0.0550), and d → r with n1 = n2 = 50", () => {
    const d = corToSmd({ r: 0.5, vr: 0.0058 });
    printed(d.yi, 1.1547); printed(d.vi, 0.055);
    const r = smdToCor({ yi: 1.1547, vi: 0.055 }, 50, 50);
    printed(r.yi, 0.5); printed(r.vi, 0.0058);
  });
  it("ch. 4: X̄ 103 vs 100, S 5.5 and 4.5, n 50 each → g 0.5924; d's variance 0.0418 times J² is 0.0411 (metafor vtype LS2)", () => {
    const g = smdFromMeanDifference({ md: 3, sd1: 5.5, sd2: 4.5, n1: 50, n2: 50 });
    printed(g.yi, 0.5924);
    const ls2 = escalc("SMD", { m1i: [103], m2i: [100], sd1i: [5.5], sd2i: [4.5], n1i: [50], n2i: [50] }, { vtype: "LS2" })[0];
    printed(ls2.vi, 0.0411);
  });
  it("ch. 5: 5/100 vs 10/100 events → log OR −0.7472, v 0.3216; its 95% CI (0.1559, 1.4394) gives back SE 0.5671", () => {
    const [or] = escalc("OR", { ai: [5], n1i: [100], ci: [10], n2i: [100] });
    printed(or.yi, -0.7472); printed(or.vi, 0.3216);
    const c = logOrFromCi(0.4737, 0.1559, 1.4394);
    printed(c.yi, -0.7472, 3);
    printed(Math.sqrt(c.vi), 0.5671, 3);
  });
  it("Zhang & Yu (1998): OR → RR is RR = OR/(1−p0+p0·OR); RR → OR inverts it", () => {
    const p0 = 0.2, or = 3;
    const rr = or / (1 - p0 + p0 * or);
    const c = rrToOr({ yi: Math.log(rr), vi: 0.01 }, p0);
    near(Math.exp(c.yi), 3, 1e-14);
    near(c.vi, 0.01 / (1 - rr * p0) ** 2, 1e-14);
  });
  it("Wan et al. (2014) S3 tends to the IQR/1.35 rule for large n; S1's ξ(n) grows with n", () => {
    const s = meanSdFromMedian({ n: 1e6, median: 0, q1: -1.349, q3: 1.349 });
    expect(Math.abs(s.sd - 2)).toBeLessThan(1e-3);
    const a = meanSdFromMedian({ n: 10, median: 0, min: -3, max: 3 }), b = meanSdFromMedian({ n: 1000, median: 0, min: -3, max: 3 });
    expect(b.sd).toBeLessThan(a.sd);
  });
  it("Peterson & Brown (2005): r = β + .05 for β ≥ 0, r = β below, and says it is an approximation", () => {
    const c = betaToCor(0.3, 120);
    near(c.yi, 0.35, 1e-15);
    near(c.vi, (1 - 0.35 ** 2) ** 2 / 119, 1e-14);
    expect(betaToCor(-0.2, 50).yi).toBe(-0.2);
    expect(c.reference).toMatch(/Peterson & Brown 2005/);
    expect(c.chain[0].step).toMatch(/approximation/);
  });
});

describe("provenance chains", () => {
  it("p → t → SMD → log OR keeps every step with formula, reference, inputs and value", () => {
    const c = smdToLogOr(smdFromPValue(0.03, 24, 26, -1));
    expect(c.chain.map((s) => s.step)).toEqual(["t from two-sided p", "SMD from t", "log OR from SMD"]);
    expect(c.chain[0].value).toBeLessThan(0);
    expect(c.chain[0].inputs).toEqual({ p: 0.03, n1: 24, n2: 26, direction: -1 });
    expect(c.formula.split(" → ").length).toBeGreaterThanOrEqual(3);
    for (const s of c.chain) expect(s.reference.length).toBeGreaterThan(0);
    expect(c.yi).toBe(c.chain[2].value);
  });
  it("a CI-based mean difference records the quantile it used", () => {
    const c = smdFromMeanDifference({ md: 2, lower: 0.5, upper: 3.5, n1: 20, n2: 22, quantile: "z" });
    expect(c.chain.map((s) => s.step)).toEqual(["SE from the CI", "t from mean difference and SE", "SMD from t"]);
    expect(c.chain[0].inputs.quantile).toBe("z");
  });
  it("recoding when higher is worse flips the sign once and is recorded once", () => {
    const g = smdFromTStatistic(2.5, 30, 30);
    const r = recodeHigherWorse(g);
    expect(r.yi).toBe(-g.yi);
    expect(r.vi).toBe(g.vi);
    expect(r.chain.filter((s) => s.step.startsWith("recoded")).length).toBe(1);
    refuses(() => recodeHigherWorse(r), /already been recoded/);
    refuses(() => recodeHigherWorse(recode(escalc("MD", { m1i: [1], sd1i: [1], n1i: [5], m2i: [0], sd2i: [1], n2i: [5] })[0])), /name the measure|already been recoded/);
    const fromEscalc = recodeHigherWorse(escalc("OR", { ai: [5], bi: [95], ci: [10], di: [90] })[0]);
    expect(fromEscalc.measure).toBe("OR");
  });
});

describe("bad input is refused with a one-line reason", () => {
  it.each([
    [() => smdFromMeanDifference({ md: 1, sd1: 0, sd2: 2, n1: 10, n2: 10 }), /sd1 must be > 0/],
    [() => smdFromMeanDifference({ md: 1, sdPooled: -1, n1: 10, n2: 10 }), /pooled SD must be > 0/],
    [() => smdFromMeanDifference({ md: 1, n1: 10, n2: 10 }), /give SDs/],
    [() => smdFromMeanDifference({ md: 5, lower: 0, upper: 2, n1: 10, n2: 10 }), /outside its interval/],
    [() => smdFromMeanDifference({ md: 1, se: 0, n1: 10, n2: 10 }), /standard error must be > 0/],
    [() => smdFromPValue(0, 10, 10, 1), /p must lie in \(0, 1\]/],
    [() => smdFromPValue(1.2, 10, 10, 1), /p must lie in \(0, 1\]/],
    [() => smdFromPValue(0.05, 10, 10, 0 as never), /direction/],
    [() => smdFromF(4, 2, 10, 10, 1), /only df1 = 1/],
    [() => smdFromF(-1, 1, 10, 10, 1), /F must be ≥ 0/],
    [() => smdFromTStatistic(2, 0, 10), /n1 must be > 0/],
    [() => corToSmd({ r: 1, n: 20 }), /strictly between −1 and 1/],
    [() => corToSmd({ r: 0.3 }), /variance vr or the sample size/],
    [() => betaToCor(0.6, 100), /\|β\| < 0.5/],
    [() => rrToOr({ yi: Math.log(3), vi: 0.1 }, 0.4), /would exceed 1/],
    [() => rrToOr({ yi: 0, vi: 0.1 }, 1), /baseline risk/],
    [() => logOrFromCi(2, 2.5, 4), /outside its interval/],
    [() => logOrFromCi(2, 0, 4), /lower limit must be > 0/],
    [() => logRatioFromCi({ lower: 1, upper: 2, level: 95 }), /level must lie strictly between 0 and 1/],
    [() => smdFromRegressionB(1, 0, 10, 10), /outcome SD must be > 0/],
    [() => logRatioFromP({ estimate: 1, p: 0.5 }), /exactly 1 has no standard error/],
    [() => logRatioFromP({ estimate: 2, p: 1 }), /p must lie strictly between 0 and 1/],
    [() => meanSdFromMedian({ n: 20, median: 5 }), /give the range/],
    [() => meanSdFromMedian({ n: 20, median: 5, min: 6, max: 9 }), /ordered min ≤ median ≤ max/],
    [() => meanSdFromMedian({ n: 20, median: 5, q1: 5, q3: 5 }), /IQR is 0/],
    [() => meanSdFromMedian({ n: 20, median: 5, min: 1 }), /both min and max/],
    [() => escalc("OR", { ai: [12], n1i: [10], ci: [3], n2i: [10] }), /row 1: more events than the group size/],
    [() => escalc("PR", { xi: [3, 12], ni: [10, 10] }), /row 2: more events than the group size/],
    [() => escalc("OR", { ai: [1, 2], bi: [9, 8], ci: [3, 3], di: [7, 7], n1i: [10, 11], n2i: [10, 10] }), /row 2: n1i is not ai \+ bi/],
    [() => escalc("PLO", { xi: [3], ni: [10], mi: [6] }), /row 1: ni is not xi \+ mi/],
    [() => escalc("SMD", { pi: [0], n1i: [10], n2i: [10] }), /row 1: p must lie in \(0, 1\]/],
    [() => escalc("SMD", { m1i: [1], sd1i: [-1], n1i: [10], m2i: [0], sd2i: [1], n2i: [10] }), /row 1: a standard deviation is negative/],
    [() => escalc("ROM", { m1i: [1], sd1i: [1], n1i: [10], m2i: [-2], sd2i: [1], n2i: [10] }), /same sign/],
    [() => escalc("SMCR", { m1i: [1], m2i: [0], sd1i: [1], ni: [10], ri: [1.2] }), /correlation outside/],
    [() => escalc("IRR", { x1i: [1], x2i: [2], t1i: [0], t2i: [10] }), /person-time is not positive/],
    [() => escalc("OR", { ai: [0], bi: [10], ci: [3], di: [7] }, { to: "none" }), /row 1: OR is undefined/],
    [() => escalc("SMD", { m1i: [1] }), /needs input "sd1i".*or ti, n1i, n2i/],
    [() => escalc("OR", { ai: [1], bi: [2], ci: [3], di: [4] }, { vtype: "UB" }), /vtype "UB" is not available for OR/],
    [() => escalc("OR", { ai: [1], bi: [2], ci: [3], di: [4] }, { add: -1 }), /"add" must be a number ≥ 0/],
  ])("%#", (f, reason) => refuses(f, reason));
});
