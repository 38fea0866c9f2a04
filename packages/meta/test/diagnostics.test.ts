/**
 * Parity of the diagnostics with metafor 3.8 (fixtures from
 * fixtures/generate-diagnostics.R) at relative tolerance 1e-6.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  beggTest, cohensU3, eggerTest, failSafeN, influenceDiagnostics, influenceFlags, kendallTest, leaveOneOut, mahonianCdf,
  modelWeights, readEffect, rma, rmaMv, roundHalfEven, runDiagnostics, subgroupAnalysis, tau2ConfidenceInterval, trimAndFill,
  type Method,
} from "@homeward/meta";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/diagnostics.json", import.meta.url), "utf8"));
const REL = 1e-6;

/** |a − e| ≤ rel·max(|e|, floor): relative, with an absolute floor for values that are zero in theory. */
function close(actual: number | null, expected: number | null, floor = 1e-10, rel = REL): void {
  if (expected === null) {
    expect(actual === null || Number.isNaN(actual)).toBe(true);
    return;
  }
  expect(actual).not.toBeNull();
  const err = Math.abs((actual as number) - expected);
  const scale = Math.max(Math.abs(expected), floor);
  if (!(err <= rel * scale)) expect.fail(`got ${actual}, expected ${expected} (relative error ${err / Math.abs(expected)})`);
}

function closeAll(actual: ArrayLike<number>, expected: number[], floor = 1e-10, rel = REL): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) close(actual[i], expected[i], floor, rel);
}

const uniCases = fixtures.cases.filter((c: { multilevel?: boolean }) => !c.multilevel);

describe.each(uniCases)("metafor parity: $name", (c) => {
  const fit = rma({ yi: c.yi, vi: c.vi, method: c.method as Method });

  it("fits the same model", () => {
    close(fit.beta[0], c.fit.estimate);
    close(fit.tau2, c.fit.tau2);
  });

  it("influence diagnostics", () => {
    const inf = influenceDiagnostics(fit);
    for (const key of ["rstudent", "dffits", "cookD", "covRatio", "tau2Del", "QEDel", "hat", "weight"] as const) {
      // τ² after deletion can be exactly 0 (truncation); DFFITS and residuals can be ~0 by symmetry.
      closeAll(inf[key], c.influence[key], 1e-8);
    }
    closeAll(modelWeights(fit), c.influence.weight);
  });

  it("review flags: Bonferroni outliers and Cook's distance thresholds", () => {
    const flags = influenceFlags(influenceDiagnostics(fit));
    close(flags.outlierThreshold, c.rules.outlierThreshold);
    close(flags.cookThresholdIQR, c.rules.cookThresholdIQR);
    close(flags.cookThreshold4k, c.rules.cookThreshold4k);
    const oneBased = (xs: number[]) => xs.map((i) => i + 1);
    expect(oneBased(flags.outliers)).toEqual(c.rules.outliers);
    expect(oneBased(flags.cookInfluentialIQR)).toEqual(c.rules.cookInfluentialIQR);
    expect(oneBased(flags.cookInfluential4k)).toEqual(c.rules.cookInfluential4k);
  });

  it("leave-one-out", () => {
    const l1o = leaveOneOut(fit);
    expect(l1o.unit).toBe("outcome");
    for (const key of ["estimate", "se", "tau2", "I2", "QE", "ciLower", "ciUpper"] as const) closeAll(l1o[key], c.leave1out[key], 1e-8);
  });

  it("Egger's regression test with limit estimate", () => {
    const eg = eggerTest(fit);
    close(eg.statistic, c.egger.statistic);
    close(eg.p, c.egger.p);
    close(eg.limitEstimate, c.egger.limitEstimate);
    close(eg.limitLower, c.egger.limitLower);
    close(eg.limitUpper, c.egger.limitUpper);
  });

  it("Begg and Mazumdar's rank correlation", () => {
    const b = beggTest(c.yi, c.vi);
    close(b.tau, c.begg.tau);
    close(b.p, c.begg.p);
  });

  it("trim-and-fill", () => {
    const tf = trimAndFill(fit);
    expect(tf.k0).toBe(c.trimfill.k0);
    expect(tf.side).toBe(c.trimfill.side);
    close(tf.estimate, c.trimfill.estimate);
    close(tf.se, c.trimfill.se);
    close(tf.tau2, c.trimfill.tau2, 1e-8);
    closeAll(tf.filledYi, c.trimfill.filledYi);
    closeAll(tf.filledVi, c.trimfill.filledVi);
  });

  it("fail-safe N (Rosenthal, Orwin, Rosenberg)", () => {
    const f = failSafeN(c.yi, c.vi);
    expect([f.rosenthal, f.orwin, f.rosenberg]).toEqual([c.fsn.rosenthal, c.fsn.orwin, c.fsn.rosenberg]);
  });

  it("Q-profile interval for τ² and I²", () => {
    const ci = tau2ConfidenceInterval(fit);
    close(ci.lower, c.tau2CI.lower, 1e-8);
    close(ci.upper, c.tau2CI.upper);
    close(ci.I2Lower, c.tau2CI.I2Lower, 1e-8);
    close(ci.I2Upper, c.tau2CI.I2Upper);
  });

  it("subgroup analysis", () => {
    const s = subgroupAnalysis(fit, c.group);
    expect(s.levels).toEqual(c.subgroups.levels);
    expect(s.k).toEqual(c.subgroups.k);
    closeAll(s.estimate, c.subgroups.estimate);
    closeAll(s.se, c.subgroups.se);
    closeAll(s.tau2, c.subgroups.tau2, 1e-8);
    closeAll(s.QW, c.subgroups.QW);
    close(s.QB, c.subgroups.QB);
    expect(s.QBdf).toBe(c.subgroups.QBdf);
    close(s.QBp, c.subgroups.QBp);
  });
});

describe("metafor parity: multilevel leave-one-study-out (konstantopoulos2011)", () => {
  const c = fixtures.cases.find((x: { name: string }) => x.name === "konstantopoulos2011");
  const fit = rmaMv({ yi: c.yi, vi: c.vi, random: [{ name: "district", values: c.study }, { name: "school", values: c.outcome }] });

  it("removes one study at a time", () => {
    const l1o = leaveOneOut(fit, { studyLabels: c.study });
    expect(l1o.unit).toBe("study");
    expect(l1o.omitted).toEqual(c.leave1out.study);
    closeAll(l1o.estimate, c.leave1out.estimate);
    closeAll(l1o.se, c.leave1out.se);
    closeAll(l1o.tau2, c.leave1out.tau2);
    closeAll(l1o.I2, c.leave1out.I2);
    l1o.sigma2!.forEach((s, i) => closeAll(s, c.leave1out.sigma2[i], 1e-8));
  });

  it("model weights (diagonal of W = V⁻¹, in percent)", () => {
    closeAll(modelWeights(fit), c.fit.weights);
  });
});

describe("Kendall's tau (R cor.test)", () => {
  it("exact null distribution matches the Mahonian numbers", () => {
    // Inversions of permutations of 4 items: 1, 3, 5, 6, 5, 3, 1 (OEIS A008302).
    const counts = [1, 3, 5, 6, 5, 3, 1];
    let cum = 0;
    counts.forEach((n, q) => {
      cum += n;
      close(mahonianCdf(q, 4), cum / 24, 0, 1e-14);
    });
  });

  it.each(fixtures.kendall.map((c: { exact: boolean }, i: number) => ({ ...c, i })))(
    "matches R cor.test, case $i (exact p: $exact)",
    (c: { x: number[]; y: number[]; tau: number; p: number; exact: boolean }) => {
      const r = kendallTest(c.x, c.y);
      expect(r.exact).toBe(c.exact);
      close(r.tau, c.tau);
      close(r.p, c.p);
    },
  );
});

describe("Kendall's tau beyond R's exact range", () => {
  it("stays exact for n = 200, where R's exact p overflows to NaN, and agrees with the normal approximation", () => {
    const c = fixtures.kendallLarge;
    expect(c.pExactR).toBeNull();
    const r = kendallTest(c.x, c.y);
    expect(r.exact).toBe(true);
    close(r.tau, c.tau);
    expect(r.p).toBeGreaterThan(0);
    // For n = 200 the exact and asymptotic p agree to well within 1%.
    expect(Math.abs(r.p - c.pNormal)).toBeLessThan(0.01 * c.pNormal);
  });
});

describe("Cohen's U3", () => {
  it("is Φ(d) (R pnorm)", () => {
    closeAll(fixtures.u3.d.map(cohensU3), fixtures.u3.U3, 0, 1e-12);
  });
  it("reads 0.25 as better than 60%", () => {
    expect(readEffect(0.25, "families receiving an intervention", "those who do not").sentence).toBe(
      "An effect size of 0.25 means that, on average, families receiving an intervention score better than 60% of those who do not.",
    );
  });
});

describe("R's rounding and bad input", () => {
  it("rounds half to even", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2]);
  });
  it("rejects diagnostics that do not apply", () => {
    const c = uniCases[0];
    const fit = rma({ yi: c.yi, vi: c.vi, mods: [{ name: "x", values: c.yi.map((_: number, i: number) => i) }] });
    expect(() => leaveOneOut(fit)).toThrow(/without moderators/);
    expect(() => runDiagnostics(fit, { diagnostics: ["funnel"] })).toThrow(/unknown diagnostic "funnel"/);
    expect(() => runDiagnostics(rma({ yi: c.yi, vi: c.vi }), { diagnostics: ["subgroups"] })).toThrow(/subgroup/);
  });
});
