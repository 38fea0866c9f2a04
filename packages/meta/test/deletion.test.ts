import { describe, expect, it } from "vitest";
import { influenceDiagnostics, leaveOneOut, rma } from "@homeward/meta";
import type { Method, RmaUniFit, Test } from "@homeward/meta";

// Leave-one-out and influence use a fast case-deletion path (warm-started
// τ², reused buffers). Its reference here is the plain `refit` of each
// reduced data set, which starts from scratch and is itself checked
// against metafor for every estimator in parity.test.ts.

function data(k: number, seed: number, tau2: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
  const yi: number[] = [], vi: number[] = [], x: number[] = [];
  for (let i = 0; i < k; i++) {
    const v = 0.01 + rnd() * 0.2;
    x.push(rnd());
    vi.push(v);
    yi.push(0.3 + 0.4 * x[i] + gauss() * Math.sqrt(tau2) + gauss() * Math.sqrt(v));
  }
  return { yi, vi, x };
}

function close(a: number, b: number): void {
  if (Number.isNaN(b)) return void expect(a).toBeNaN();
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(b)));
}

function reference(fit: RmaUniFit, i: number): RmaUniFit | null {
  try {
    return fit.refit(Array.from({ length: fit.k }, (_, j) => j).filter((j) => j !== i));
  } catch {
    return null;
  }
}

const METHODS: Method[] = ["REML", "ML", "EB", "PM", "DL", "HE", "SJ", "FE"];

describe("case deletion equals refitting each reduced data set", () => {
  for (const method of METHODS) {
    for (const [label, tau2] of [["heterogeneous", 0.08], ["homogeneous", 0]] as const) {
      it(`${method}, ${label}, intercept only (leave-one-out)`, () => {
        const d = data(25, 7 + tau2 * 100, tau2);
        const fit = rma({ yi: d.yi, vi: d.vi, method });
        const l1o = leaveOneOut(fit);
        for (let i = 0; i < fit.k; i++) {
          const r = reference(fit, i)!;
          close(l1o.estimate[i], r.coefficients[0].estimate);
          close(l1o.se[i], r.coefficients[0].se);
          close(l1o.ciLower[i], r.coefficients[0].ciLower);
          close(l1o.tau2[i], r.tau2);
          close(l1o.I2[i], r.I2);
          close(l1o.QE[i], r.QE);
        }
      });
    }
    for (const test of ["z", "t"] as Test[]) {
      it(`${method}, moderator, ${test} test (influence)`, () => {
        const d = data(20, 11, 0.05);
        const fit = rma({ yi: d.yi, vi: d.vi, mods: [{ name: "x", values: d.x }], method, test });
        const inf = influenceDiagnostics(fit);
        for (let i = 0; i < fit.k; i++) {
          const r = reference(fit, i)!;
          close(inf.tau2Del[i], r.tau2);
          close(inf.QEDel[i], r.QE);
          let cd = 0;
          const vbInv = [fit.vb[3], -fit.vb[1], -fit.vb[2], fit.vb[0]].map((x) => x / (fit.vb[0] * fit.vb[3] - fit.vb[1] * fit.vb[2]));
          const db = [fit.beta[0] - r.beta[0], fit.beta[1] - r.beta[1]];
          for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) cd += db[a] * vbInv[a * 2 + b] * db[b];
          close(inf.cookD[i], cd);
          close(inf.covRatio[i], (r.vb[0] * r.vb[3] - r.vb[1] * r.vb[2]) / (fit.vb[0] * fit.vb[3] - fit.vb[1] * fit.vb[2]));
        }
      });
    }
  }

  it("a deletion that leaves the design rank-deficient gives NaN, as refit refuses it", () => {
    const d = data(8, 3, 0.05);
    const x = [1, 0, 0, 0, 0, 0, 0, 0]; // only row 0 separates the moderator from the intercept
    const fit = rma({ yi: d.yi, vi: d.vi, mods: [{ name: "x", values: x }] });
    expect(reference(fit, 0)).toBeNull();
    const inf = influenceDiagnostics(fit);
    expect(inf.tau2Del[0]).toBeNaN();
    expect(Number.isFinite(inf.tau2Del[1])).toBe(true);
  });
});
