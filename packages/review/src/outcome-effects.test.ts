import { describe, expect, it } from "vitest";
import {
  betaToCor, corToSmd, escalc, logOrToSmd, logRatioFromCi, meanSdFromMedian, qNormPrecise, rrToOr, smdFromF, smdFromPValue, smdFromRegressionB, smdFromTStatistic,
} from "@homeward/meta";
import { checkComparison, effectSizeFromOutcomeData } from "./outcome-effects.js";

const study = { id: "s1", name: "Akin 2017" };
const better = { id: "o1", name: "Reunification", higherIsBetter: true };
const worse = { id: "o2", name: "Re-entry to care", higherIsBetter: false };
const es = (data: unknown, outcome: { id: string; name: string; higherIsBetter: boolean | null } = better) => effectSizeFromOutcomeData(study, outcome, data);
const close = (a: number, b: number, tol = 1e-10) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

// Borenstein et al. (2009), ch. 4: two groups of 50, means 103 and 100, SDs 5.5 and 4.5.
const B = { m1: 103, sd1: 5.5, n1: 50, m2: 100, sd2: 4.5, n2: 50 };
const sp = Math.sqrt((49 * 5.5 ** 2 + 49 * 4.5 ** 2) / 98);
const se = sp * Math.sqrt(1 / 50 + 1 / 50);
const t = 3 / se;

describe("effect sizes from outcome data as reported", () => {
  const ref = escalc("SMD", { m1i: [103], sd1i: [5.5], n1i: [50], m2i: [100], sd2i: [4.5], n2i: [50] })[0];

  it("means, SDs and ns: Hedges' g as escalc, and Borenstein's worked example (g = 0.5924)", () => {
    const e = es({ kind: "means", ...B });
    expect(e.measure).toBe("SMD");
    close(e.yi, ref.yi);
    close(e.vi, ref.vi);
    expect(e.yi.toFixed(4)).toBe("0.5924");
    expect(e.recoded).toBe(false);
    expect(e.chain).toHaveLength(1);
    expect(e.reference).toContain("Hedges 1981");
    expect(e.inputs).toEqual({ kind: "means", ...B });
  });

  it("the same comparison reported as t, F, p, MD with SE or CI, or b with the outcome SD gives the same g", () => {
    close(es({ kind: "t", t, n1: 50, n2: 50 }).yi, ref.yi);
    close(es({ kind: "t", t, n1: 50, n2: 50 }).yi, smdFromTStatistic(t, 50, 50).yi);
    close(es({ kind: "f", f: t * t, df1: 1, direction: 1, n1: 50, n2: 50 }).yi, ref.yi, 1e-9);
    close(es({ kind: "f", f: t * t, df1: 1, direction: -1, n1: 50, n2: 50 }).yi, -smdFromF(t * t, 1, 50, 50, 1).yi);
    close(es({ kind: "md", md: 3, se, n1: 50, n2: 50 }).yi, ref.yi);
    const q = 1.984467454426692; // qt(0.975, 98)
    close(es({ kind: "md", md: 3, lower: 3 - q * se, upper: 3 + q * se, n1: 50, n2: 50 }).yi, ref.yi, 1e-8);
    close(es({ kind: "b", b: 3, sdY: sp, n1: 50, n2: 50 }).yi, ref.yi);
    close(es({ kind: "b", b: 3, sdY: sp, n1: 50, n2: 50 }).vi, smdFromRegressionB(3, sp, 50, 50).vi);
    const pv = smdFromPValue(0.0036, 50, 50, 1);
    const e = es({ kind: "p", p: 0.0036, direction: 1, n1: 50, n2: 50 });
    close(e.yi, pv.yi);
    close(e.vi, pv.vi);
    expect(e.chain.map((s) => s.step)).toEqual(["t from two-sided p", "SMD from t"]);
  });

  it("an odds ratio with its CI: log OR → SMD by √3/π (Borenstein et al. 2009, ch. 7: log OR 0.9070, v 0.0676 → d 0.5000, v 0.0205)", () => {
    const s = Math.sqrt(0.0676), z = qNormPrecise(0.975);
    const e = es({ kind: "or", or: Math.exp(0.907), lower: Math.exp(0.907 - z * s), upper: Math.exp(0.907 + z * s) });
    expect(e.yi.toFixed(4)).toBe("0.5001");
    expect(e.vi.toFixed(4)).toBe("0.0205");
    const direct = logOrToSmd(logRatioFromCi({ estimate: Math.exp(0.907), lower: Math.exp(0.907 - z * s), upper: Math.exp(0.907 + z * s), measure: "OR" }));
    close(e.yi, direct.yi);
    close(e.vi, direct.vi);
    expect(e.chain.map((c) => c.step)).toEqual(["log OR and variance from its 95% CI", "SMD from log OR"]);
    expect(e.provenance).toBe("log OR 0.907 (SE 0.26) by y = log OR (Wald interval on the log scale) → SMD 0.5 (SE 0.143) by d = log OR·√3/π (Hasselblad & Hedges 1995)");
  });

  it("a risk ratio with its CI and a baseline risk: RR → OR (Zhang & Yu) → SMD", () => {
    const e = es({ kind: "rr", rr: 0.6, lower: 0.4, upper: 0.9, baselineRisk: 0.3 });
    const direct = logOrToSmd(rrToOr(logRatioFromCi({ estimate: 0.6, lower: 0.4, upper: 0.9, measure: "RR" }), 0.3));
    close(e.yi, direct.yi);
    close(e.vi, direct.vi);
    // OR = RR(1−p0)/(1−RR·p0) = 0.6·0.7/0.82
    close(e.chain[1].value, Math.log((0.6 * 0.7) / 0.82));
    expect(e.reference).toContain("Zhang & Yu 1998");
  });

  it("2×2 counts and percentages: log OR as escalc, then the logistic conversion", () => {
    const lor = escalc("OR", { ai: [5], n1i: [100], ci: [10], n2i: [100] })[0];
    const e = es({ kind: "counts", events1: 5, n1: 100, events2: 10, n2: 100 });
    close(e.yi, logOrToSmd(lor).yi);
    close(e.vi, logOrToSmd(lor).vi);
    const pc = es({ kind: "percentages", percent1: 5, n1: 100, percent2: 10, n2: 100 });
    close(pc.yi, e.yi);
    expect(pc.chain).toHaveLength(4);
    const zero = es({ kind: "counts", events1: 0, n1: 20, events2: 4, n2: 20 });
    expect(zero.chain[0].formula).toContain("½ added");
  });

  it("a correlation (Borenstein et al. 2009, ch. 7: r = 0.5 → d = 1.1547) and a standardised β read as r", () => {
    const e = es({ kind: "r", r: 0.5, n: 100 });
    expect(e.yi.toFixed(4)).toBe("1.1547");
    close(e.vi, corToSmd({ r: 0.5, n: 100 }).vi);
    const b = es({ kind: "beta", beta: 0.2, n: 80 });
    close(b.yi, corToSmd(betaToCor(0.2, 80)).yi);
    expect(b.provenance).toContain("r 0.25");
  });

  it("medians with the IQR or the range (Wan et al. 2014), then g from the estimated means and SDs", () => {
    const e = es({ kind: "medians", spread: "iqr", median1: 10, low1: 7, high1: 14, n1: 40, median2: 8, low2: 5, high2: 12, n2: 40 });
    const a = meanSdFromMedian({ n: 40, median: 10, q1: 7, q3: 14 }), b = meanSdFromMedian({ n: 40, median: 8, q1: 5, q3: 12 });
    const g = escalc("SMD", { m1i: [a.mean], sd1i: [a.sd], n1i: [40], m2i: [b.mean], sd2i: [b.sd], n2i: [40] })[0];
    close(e.yi, g.yi);
    close(e.vi, g.vi);
    expect(e.reference).toContain("Wan et al. 2014");
    const r = es({ kind: "medians", spread: "range", median1: 10, low1: 2, high1: 20, n1: 30, median2: 9, low2: 1, high2: 19, n2: 30 });
    expect(r.chain[0].step).toContain("scenario S1");
  });

  it("pre–post change with an assumed correlation: change SDs imputed, then g of the change scores", () => {
    const e = es({ kind: "prepost", pre1: 20, post1: 26, sdPre1: 5, sdPost1: 6, n1: 30, pre2: 21, post2: 23, sdPre2: 5, sdPost2: 5.5, n2: 32, r: 0.5 });
    const sd1 = Math.sqrt(25 + 36 - 2 * 0.5 * 5 * 6), sd2 = Math.sqrt(25 + 30.25 - 2 * 0.5 * 5 * 5.5);
    const g = escalc("SMD", { m1i: [6], sd1i: [sd1], n1i: [30], m2i: [2], sd2i: [sd2], n2i: [32] })[0];
    close(e.yi, g.yi);
    close(e.vi, g.vi);
  });

  it("an outcome where higher is worse is recoded once, as the chain's last step", () => {
    const e = es({ kind: "means", ...B }, worse);
    close(e.yi, -ref.yi);
    close(e.vi, ref.vi);
    expect(e.recoded).toBe(true);
    expect(e.chain.at(-1)!.step).toBe("recoded: higher is worse");
    expect(e.chain.filter((s) => s.step.startsWith("recoded"))).toHaveLength(1);
    expect(e.provenance).toMatch(/→ recoded \(higher is worse\): SMD -0\.592/);
  });

  it("refuses bad statistics with one line naming study, outcome and field", () => {
    const msg = (data: unknown, o = better) => {
      try {
        es(data, o);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(msg({ kind: "means", ...B, sd1: 0 })).toBe('study "Akin 2017", outcome "Reunification": sd1: an SD must be > 0');
    expect(msg({ kind: "p", p: 0, direction: 1, n1: 10, n2: 10 })).toBe('study "Akin 2017", outcome "Reunification": p: p must lie in (0, 1]');
    expect(msg({ kind: "p", p: 1.2, direction: 1, n1: 10, n2: 10 })).toContain("p: p must lie in (0, 1]");
    expect(msg({ kind: "counts", events1: 12, n1: 10, events2: 2, n2: 10 })).toBe('study "Akin 2017", outcome "Reunification": events1: 12 events is more than the group\'s 10');
    expect(msg({ kind: "or", or: 3, lower: 1, upper: 2 })).toContain("upper: the estimate 3 lies outside its interval [1, 2]");
    expect(msg({ kind: "f", f: 4, df1: 2, direction: 1, n1: 10, n2: 10 })).toContain("df1: only F with one numerator df converts");
    expect(msg({ kind: "md", md: 2, n1: 10, n2: 10 })).toContain("se: give the standard error, or the CI");
    expect(msg({ kind: "odds", or: 2 })).toContain("kind must be one of means, md");
    expect(msg({ kind: "means", ...B }, { ...better, higherIsBetter: null } as never)).toContain("higherIsBetter: say whether higher is better or worse");
    expect(msg({ kind: "rr", rr: 3, lower: 2, upper: 4, baselineRisk: 0.5 })).toContain("baselineRisk: RR × baseline risk is 1.5 ≥ 1");
    for (const m of [msg({ kind: "means", ...B, sd1: 0 }), msg({ kind: "counts", events1: 12, n1: 10, events2: 2, n2: 10 })]) expect(m.split("\n")).toHaveLength(1);
  });

  it("a comparison names two different arms of the study and one of its time points", () => {
    const s = { ...study, arms: [{ id: "a1", label: "FRP", description: null, n: 50 }, { id: "a2", label: "Usual care", description: null, n: 50 }], timePoints: [{ id: "t1", label: "12 months" }] };
    expect(() => checkComparison(s, better, ["a1", "a2"], "t1")).not.toThrow();
    expect(() => checkComparison(s, better, ["a1", "a1"], null)).toThrow(/armIds: group 1 and group 2 must be different arms/);
    expect(() => checkComparison(s, better, ["a1", "a9"], null)).toThrow(/the study has no arm "a9"/);
    expect(() => checkComparison(s, better, ["a1", "a2"], "t9")).toThrow(/timePointId: the study has no time point "t9"/);
  });
});
