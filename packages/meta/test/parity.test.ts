import { describe, expect, it } from "vitest";
import { escalc, predict, rma, rmaMv, robust, smdFromP, smdFromT, type Measure, type Method, type MvMethod, type RmaFit } from "@homeward/meta";
import { arr, close, compareCoefs, fixtures, mods, random, type FixtureCase } from "./parity.js";

function fitCase(c: FixtureCase): RmaFit {
  const common = { yi: c.input.yi, vi: c.input.vi, mods: mods(c), intercept: c.input.intercept, test: c.input.test };
  return c.kind === "uni"
    ? rma({ ...common, method: c.input.method as Method })
    : rmaMv({ ...common, method: c.input.method as MvMethod, random: random(c) });
}

describe(`parity with metafor ${fixtures.versions.metafor} / clubSandwich ${fixtures.versions.clubSandwich} (${fixtures.versions.R})`, () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const fit = fitCase(c);
      const e = c.expected;
      expect(fit.k).toBe(e.k);
      compareCoefs(fit.coefficients, e.coefficients, c.name);
      if (fit.model === "uni") {
        close(fit.tau2, e.tau2, "tau2");
        close(fit.seTau2, e.seTau2, "seTau2");
        close(fit.I2, e.I2, "I2");
        close(fit.H2, e.H2, "H2");
      } else {
        const s2 = arr(e.sigma2 as number | number[]);
        // Boundary estimates: R's optimiser stops near, not at, zero.
        fit.sigma2.forEach((s, l) => close(s, s2[l], `sigma2[${l}]`, 1e-6, 1e-7));
      }
      close(fit.QE, e.QE, "QE");
      expect(fit.QEdf).toBe(e.QEdf);
      close(fit.QEp, e.QEp, "QEp");
      close(fit.omnibus.QM, e.QM, "QM");
      const qmdf = arr(e.QMdf as number | number[]);
      expect(fit.omnibus.QMdf[0]).toBe(qmdf[0]);
      if (qmdf[1] !== null && qmdf[1] !== undefined) close(fit.omnibus.QMdf[1], qmdf[1], "QMdf[1]");
      close(fit.omnibus.QMp, e.QMp, "QMp");
      close(fit.logLik, e.logLik, "logLik");
      close(fit.logLikML, e.logLikML, "logLikML");
      close(fit.logLikREML, e.logLikREML, "logLikREML");
      if (e.prediction) {
        const pr = predict(fit);
        const ep = e.prediction as Record<string, number>;
        for (const key of ["estimate", "se", "ciLower", "ciUpper", "lower", "upper"] as const) close(pr[key], ep[key], `prediction ${key}`);
      }
      if (e.robust) {
        const r = robust(fit, c.input.cluster!);
        const er = e.robust as Record<string, unknown>;
        compareCoefs(r.coefficients, er.coefficients, `${c.name} robust`);
        close(r.QM, er.QM, "robust QM");
        const df = arr(er.QMdf as number[]);
        close(r.QMdf[0], df[0], "robust QMdf[0]");
        close(r.QMdf[1], df[1], "robust QMdf[1]");
        close(r.QMp, er.QMp, "robust QMp");
      }
    });
  }
});

describe("escalc parity", () => {
  for (const c of fixtures.escalc) {
    it(c.name, () => {
      const out = escalc(c.measure as Measure, c.columns);
      c.expected.yi.forEach((y, i) => {
        close(out[i].yi, y, `${c.name} yi[${i}]`, 1e-10, 1e-14);
        close(out[i].vi, c.expected.vi[i], `${c.name} vi[${i}]`, 1e-10, 1e-14);
        expect(out[i].provenance.measure).toBe(c.measure);
      });
    });
  }
  it("SMD from t and from p (metafor escalc with ti)", () => {
    const t = fixtures.conversions.fromT;
    t.t.forEach((tv, i) => {
      const es = smdFromT(tv, t.n1[i], t.n2[i]);
      close(es.yi, t.yi[i], "yi", 1e-10);
      close(es.vi, t.vi[i], "vi", 1e-10);
    });
    const p = fixtures.conversions.fromP;
    p.p.forEach((pv, i) => {
      const es = smdFromP(pv, p.n1[i], p.n2[i], 1);
      close(es.yi, p.yi[i], "yi", 1e-8);
      close(es.vi, p.vi[i], "vi", 1e-8);
    });
  });
});
