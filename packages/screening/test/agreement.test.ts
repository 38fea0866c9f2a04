import { describe, expect, it } from "vitest";
import { agreement, agreementFromTable } from "@homeward/screening";
import { readFileSync } from "node:fs";
import { fixture, references } from "./helpers.js";

/** make_kappa_ci.py's tables: kappa, its SE, the Wald interval and the interval truncated to [−1, 1] (numpy/scipy). */
const kappaCi: { table: number[][]; level: number; kappa: number; kappa_se: number; wald: [number, number]; bounded: [number, number] }[] = JSON.parse(
  readFileSync(fixture("kappa_ci.json"), "utf8"),
);

describe("agreement", () => {
  it("matches scikit-learn's cohen_kappa_score and the Fleiss–Cohen–Everitt SE (committed references)", () => {
    for (const ref of references.kappa) {
      const a = agreement(ref.first, ref.second, { categories: ["include", "exclude", "maybe"] });
      expect(a.kappa).toBeCloseTo(ref.kappa, 12);
      expect(a.percent).toBeCloseTo(ref.percent, 12);
      expect(a.kappaSe).toBeCloseTo(ref.kappa_se, 12);
      expect(a.kappaCi[0]).toBeCloseTo(Math.max(-1, ref.kappa - 1.959963984540054 * ref.kappa_se), 10);
      expect(a.kappaCi[1]).toBeCloseTo(Math.min(1, ref.kappa + 1.959963984540054 * ref.kappa_se), 10);
    }
  });

  it("reproduces the irrCAC package's published figures for the 3×3 abstractors table", () => {
    // Gwet's irrCAC README: kappa2.table → 0.7964094, gwet.ac1.table → 0.8493305, pa2.table → 0.89.
    const a = agreementFromTable([
      [13, 0, 0],
      [0, 20, 7],
      [0, 4, 56],
    ]);
    expect(a.kappa).toBeCloseTo(0.7964094, 7);
    expect(a.ac1).toBeCloseTo(0.8493305, 7);
    expect(a.percent).toBeCloseTo(0.89, 12);
  });

  it("reproduces Fleiss's worked example (Fleiss, Levin & Paik 2003, Table 18.1: κ = 0.68)", () => {
    const a = agreementFromTable([
      [75, 1, 4],
      [5, 4, 1],
      [0, 0, 10],
    ]);
    expect(a.percent).toBeCloseTo(0.89, 12);
    expect(a.kappa).toBeCloseTo(0.23 / 0.34, 12);
  });

  it("keeps AC1 near percentage agreement where kappa collapses (the kappa paradox)", () => {
    // 95 of 100 agree, almost all excludes: kappa is near zero, AC1 near 0.95.
    const a = agreementFromTable([
      [0, 3],
      [2, 95],
    ]);
    expect(a.kappa).toBeLessThan(0.05);
    expect(a.ac1).toBeGreaterThan(0.9);
  });

  it("keeps the kappa interval within [−1, 1], truncating the Wald interval where it runs past (committed references)", () => {
    // The fixtures cross 1 (small near-perfect tables) and −1, and include tables where truncation changes nothing.
    expect(kappaCi.some((c) => c.wald[1] > 1)).toBe(true);
    expect(kappaCi.some((c) => c.wald[0] < -1)).toBe(true);
    expect(kappaCi.some((c) => c.wald[0] > -1 && c.wald[1] < 1)).toBe(true);
    for (const ref of kappaCi) {
      const a = agreementFromTable(ref.table, { level: ref.level });
      expect(a.kappa).toBeCloseTo(ref.kappa, 12);
      expect(a.kappaSe).toBeCloseTo(ref.kappa_se, 12);
      expect(a.kappaCi[0]).toBeCloseTo(ref.bounded[0], 10);
      expect(a.kappaCi[1]).toBeCloseTo(ref.bounded[1], 10);
      expect(a.kappaCi[0]).toBeGreaterThanOrEqual(-1);
      expect(a.kappaCi[1]).toBeLessThanOrEqual(1);
      expect(a.kappaCi[0]).toBeLessThanOrEqual(a.kappa);
      expect(a.kappaCi[1]).toBeGreaterThanOrEqual(a.kappa);
    }
  });

  it("rejects unusable input", () => {
    expect(() => agreement(["include"], [])).toThrow(/length/);
    expect(() => agreementFromTable([[0, 0], [0, 0]])).toThrow(/no record/);
    expect(() => agreementFromTable([[1, 2]])).toThrow(/square/);
  });
});
