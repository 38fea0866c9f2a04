import { describe, expect, it } from "vitest";
import {
  designMatrix, isMetaInputError, logOrFromLogRr, MetaInputError, pChisqUpper, pFUpper, pNormTwoSided, pTTwoSided, qNorm, qT,
  recode, rma, rmaMv, robust, smdFromRegression, smdFromT,
} from "@homeward/meta";

const rel = (a: number, e: number) => Math.abs(a - e) / Math.abs(e);

describe("distributions keep relative accuracy far in the tails (values from R 4.2)", () => {
  it.each([
    ["pchisq(400, 2, lower=F)", () => pChisqUpper(400, 2), 1.3838965267367376e-87],
    ["2 pnorm(30, lower=F)", () => pNormTwoSided(30), 9.8134278542963744e-198],
    ["2 pt(40, 5, lower=F)", () => pTTwoSided(40, 5), 1.8411962171772952e-7],
    ["pf(300, 3, 12, lower=F)", () => pFUpper(300, 3, 12), 1.5132501680029598e-11],
    ["2 pt(2.5, 1.3, lower=F)", () => pTTwoSided(2.5, 1.3), 0.19328076715615339],
    ["qt(0.975, 1.01)", () => qT(0.975, 1.01), 12.412738499102536],
    ["qt(0.975, 3.7)", () => qT(0.975, 3.7), 2.8675207071911917],
    ["qnorm(0.975)", () => qNorm(0.975), 1.9599639845400536],
  ])("%s", (_, f, expected) => {
    expect(rel(f(), expected)).toBeLessThan(1e-10);
  });
});

describe("design matrix", () => {
  it("treatment-codes a categorical moderator against its first listed level", () => {
    const d = designMatrix(3, [{ name: "g", values: ["b", "a", "c"], levels: ["b", "a", "c"] }]);
    expect(d.terms).toEqual(["intrcpt", "g[a]", "g[c]"]);
    expect(Array.from(d.X)).toEqual([1, 0, 0, 1, 1, 0, 1, 0, 1]);
  });
  it("without intercept gives the first categorical moderator one column per level, as R", () => {
    const d = designMatrix(2, [{ name: "x", values: [1, 2] }, { name: "g", values: ["u", "v"], levels: ["u", "v"] }], false);
    expect(d.terms).toEqual(["x", "g[u]", "g[v]"]);
  });
  it("names the row of a value that is not a listed level", () => {
    expect(() => designMatrix(2, [{ name: "g", values: ["u", "w"], levels: ["u", "v"] }])).toThrow(/row 2: moderator "g" has value "w"/);
  });
});

describe("input errors", () => {
  const yi = [0.1, 0.3, 0.2, 0.5], vi = [0.01, 0.02, 0.015, 0.03];
  it("are MetaInputError with kind 'input'", () => {
    try {
      rma({ yi, vi: [0.1, 0.2] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MetaInputError);
      expect(isMetaInputError(err)).toBe(true);
      expect((err as MetaInputError).kind).toBe("input");
    }
  });
  it("rejects a negative variance, naming the row", () => {
    expect(() => rma({ yi, vi: [0.01, -0.02, 0.015, 0.03] })).toThrow(/row 2: vi is negative/);
  });
  it("rejects a rank-deficient design", () => {
    expect(() => rma({ yi, vi, mods: [{ name: "c", values: [1, 1, 1, 1] }] })).toThrow(/not of full rank/);
  });
  it("rejects unknown methods", () => {
    expect(() => rma({ yi, vi, method: "XX" as never })).toThrow(/unknown method/);
  });
  it("rejects random effects not nested in the robust clusters", () => {
    const fit = rmaMv({ yi, vi, random: [{ name: "s", values: ["a", "a", "b", "b"] }, { name: "e", values: [1, 2, 3, 4] }] });
    expect(() => robust(fit, ["x", "y", "x", "y"])).toThrow(/not nested/);
  });
});

describe("refit", () => {
  it("refits the same model on a subset of rows", () => {
    const yi = [0.1, 0.3, 0.2, 0.5, -0.1, 0.4], vi = [0.01, 0.02, 0.015, 0.03, 0.02, 0.01];
    const fit = rma({ yi, vi, method: "DL" });
    const sub = fit.refit([0, 2, 3, 5]);
    const direct = rma({ yi: [0.1, 0.2, 0.5, 0.4], vi: [0.01, 0.015, 0.03, 0.01], method: "DL" });
    expect(sub.tau2).toBe(direct.tau2);
    expect(Array.from(sub.beta)).toEqual(Array.from(direct.beta));
  });
});

describe("conversions (hand-computed from the published formulas)", () => {
  it("SMD from a regression coefficient equals SMD from its t = b/se", () => {
    const a = smdFromRegression(0.6, 0.25, 40, 45);
    const b = smdFromT(2.4, 40, 45);
    expect(a.yi).toBe(b.yi);
    expect(a.vi).toBe(b.vi);
  });
  it("RR → OR with baseline risk: OR = RR(1−p0)/(1−RR·p0)", () => {
    // RR = 2, p0 = 0.2: OR = 2·0.8/0.6 = 8/3; variance factor 1/(1−0.4)² = 1/0.36.
    const es = logOrFromLogRr(Math.log(2), 0.04, 0.2);
    expect(rel(Math.exp(es.yi), 8 / 3)).toBeLessThan(1e-14);
    expect(rel(es.vi, 0.04 / 0.36)).toBeLessThan(1e-14);
  });
  it("recoding reverses the sign and keeps provenance", () => {
    const es = recode(smdFromT(2, 20, 20));
    expect(es.yi).toBeLessThan(0);
    expect(es.provenance.measure).toBe("recoded");
    expect(es.provenance.method).toMatch(/Hedges/);
  });
});
