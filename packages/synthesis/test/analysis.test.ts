import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec, type Row } from "@homeward/meta";
import { analysisEvidence, suggestGrade, u3Statement } from "@homeward/synthesis";

/** metafor on dat.assink2016, written by fixtures/linked-analysis.R. */
const R = JSON.parse(readFileSync(new URL("./fixtures/linked-analysis.json", import.meta.url), "utf8")) as {
  rows: { study: string; esid: number; yi: number; vi: number }[];
  multilevel: Expected & { sigma2: number[]; u3: number };
  univariate: Expected & { tau2: number };
};
interface Expected {
  estimate: number;
  ciLower: number;
  ciUpper: number;
  piLower: number;
  piUpper: number;
  I2: number;
  eggerP: number;
  weights: Record<string, number>;
}
const rows: Row[] = R.rows.map((r) => ({ ...r, esid: String(r.esid) }));
const ref = (name: string) => ({ id: `sa-${name}`, name, version: 2, savedAt: "2026-01-01T00:00:00.000Z" });
// Studies 1 to 3 at high risk, the rest rated low; none unrated.
const high = (r: Row) => ["Study 1", "Study 2", "Study 3"].includes(String(r.study));

describe("a saved analysis as GRADE's evidence (against metafor 3.8.1)", () => {
  const cases = [
    ["multilevel", { data: "effectSizes", method: "REML", test: "t", random: ["study", "esid"] }, R.multilevel],
    ["univariate", { data: "effectSizes", method: "REML", diagnostics: ["egger"] }, R.univariate],
  ] as const;
  for (const [name, spec, want] of cases) {
    it(`${name}: pooled effect, prediction interval, I², the model's weights per study and Egger's test computed on the rows`, () => {
      const ev = analysisEvidence(ref(name), fitMetaSpec(parseMetaSpec(spec, []), rows), high);
      expect(ev.problem).toBeNull();
      expect(ev.computedFrom).toBe(`${name}, version 2, refitted to today's data (k = 100)`);
      expect(ev.result.estimate!).toBeCloseTo(want.estimate, 4);
      expect(ev.result.ciLower!).toBeCloseTo(want.ciLower, 4);
      expect(ev.result.ciUpper!).toBeCloseTo(want.ciUpper, 4);
      const h = ev.result.heterogeneity as { I2: number; predictionInterval: number[] };
      expect(h.I2).toBeCloseTo(want.I2, 1);
      expect(h.predictionInterval[0]).toBeCloseTo(want.piLower, 4);
      expect(h.predictionInterval[1]).toBeCloseTo(want.piUpper, 4);
      expect(ev.egger!.p).toBeCloseTo(want.eggerP, 6);
      expect(ev.weights).toHaveLength(Object.keys(want.weights).length);
      for (const w of ev.weights) expect(w.weight).toBeCloseTo(want.weights[w.studyId]!, 6);
      const highShare = ["Study 1", "Study 2", "Study 3"].reduce((s, k) => s + want.weights[k]!, 0);
      const s = suggestGrade(ev.result, { weights: ev.weights, weighting: ev.weighting, eggerP: ev.egger!.p });
      expect(s.riskOfBias.basis).toContain(`${Math.round(highShare * 1000) / 10}% of the weight`);
      expect(s.publicationBias.value).toBe(want.eggerP < 0.1 ? "serious" : "not_serious");
      const piCrosses = want.piLower < 0 && want.piUpper > 0;
      expect(s.inconsistency.value).toBe(want.I2 >= 75 ? (piCrosses ? "very_serious" : "serious") : want.I2 >= 50 && piCrosses ? "serious" : "not_serious");
    });
  }

  it("the U3 sentence follows the refit: another effect size, another percentage", () => {
    const spec = parseMetaSpec({ data: "effectSizes", method: "REML", test: "t", random: ["study", "esid"] }, []);
    const before = u3Statement(analysisEvidence(ref("m"), fitMetaSpec(spec, rows), high).result);
    const changed = rows.map((r, i) => (i < 20 ? { ...r, yi: Number(r.yi) + 1 } : r));
    const after = u3Statement(analysisEvidence(ref("m"), fitMetaSpec(spec, changed), high).result);
    expect(before.problem).toBeNull();
    expect(before.percent).toBe(Math.round(100 * R.multilevel.u3));
    expect(after.percent).toBeGreaterThan(before.percent);
    expect(after.text).not.toBe(before.text);
  });

  it("a model with moderators has no pooled effect, and says so", () => {
    const ev = analysisEvidence(ref("mod"), fitMetaSpec(parseMetaSpec({ data: "effectSizes", method: "REML", moderators: [{ name: "vi" }] }, []), rows), high);
    expect(ev.problem).toMatch(/moderators/);
    expect(ev.result.estimate).toBeNull();
  });
});
