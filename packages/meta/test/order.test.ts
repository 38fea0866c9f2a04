import { describe, expect, it } from "vitest";
import { rmaMv, robust, type MvMethod } from "@homeward/meta";
import { arr, close, compareCoefs, fixtures, mods, random, type FixtureCase } from "./parity.js";

/**
 * The multilevel fit and CR2 gather each study's rows into one contiguous
 * block. Interleaving the studies (rows i·step mod k) must reproduce
 * metafor's results on the original order.
 */
const permute = <T>(xs: readonly T[], order: number[]): T[] => order.map((i) => xs[i]);

function interleaved(c: FixtureCase): { order: number[]; c: FixtureCase } {
  const k = c.input.yi.length;
  let step = 37;
  while (gcd(step, k) !== 1) step++;
  const order = Array.from({ length: k }, (_, i) => (i * step) % k);
  const m = Array.isArray(c.input.mods) ? c.input.mods : [];
  return {
    order,
    c: {
      ...c,
      input: {
        ...c.input,
        yi: permute(c.input.yi, order),
        vi: permute(c.input.vi, order),
        mods: m.map((x) => ({ ...x, values: permute(arr(x.values), order) })),
        cluster: c.input.cluster ? permute(arr(c.input.cluster), order) : null,
        random: (c.input.random ?? []).map((r) => ({ ...r, values: permute(arr(r.values), order) })),
      },
    },
  };
}
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

describe("multilevel fit and CR2 with the studies' rows interleaved", () => {
  for (const name of ["assink deltype+year robust", "konstantopoulos year robust", "review-shaped intervention type"]) {
    it(name, () => {
      const orig = fixtures.cases.find((x) => x.name === name)!;
      const { order, c } = interleaved(orig);
      // The permutation really separates rows of the same study.
      const study = arr(orig.input.random![0].values);
      expect(order.some((i, j) => j > 0 && study[i] === study[order[j - 1]])).toBe(false);
      const fit = rmaMv({ yi: c.input.yi, vi: c.input.vi, mods: mods(c), intercept: c.input.intercept, test: c.input.test, method: c.input.method as MvMethod, random: random(c) });
      const e = c.expected;
      compareCoefs(fit.coefficients, e.coefficients, name);
      arr(e.sigma2 as number | number[]).forEach((s, l) => close(fit.sigma2[l], s, `sigma2[${l}]`, 1e-6, 1e-7));
      close(fit.logLik, e.logLik, "logLik");
      const r = robust(fit, c.input.cluster!);
      const er = e.robust as Record<string, unknown>;
      compareCoefs(r.coefficients, er.coefficients, `${name} robust`);
      close(r.QM, er.QM, "robust QM");
      close(r.QMdf[1], arr(er.QMdf as number[])[1], "robust QMdf[1]");
    });
  }
});
