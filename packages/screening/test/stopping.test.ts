import { describe, expect, it } from "vitest";
import { stoppingEstimate } from "@homeward/screening";
import { references } from "./helpers.js";

describe("stoppingEstimate", () => {
  it("equals the minimum-p hypergeometric test computed with scipy (committed references)", () => {
    for (const ref of references.stopping) {
      const s = stoppingEstimate(ref.labels, ref.total, { recallTarget: ref.recall_target });
      expect(s.p).toBeCloseTo(ref.p, 9);
      expect(s.targetLikelyReached).toBe(ref.p < 0.05);
    }
  });

  it("rejects the null hypothesis after a long run of irrelevant records and not before", () => {
    // 50 relevant in the first 200, then 600 irrelevant, of 1000 records: missing
    // the target would leave ≥ 3 relevant among the last 800, and P(none of 3 in
    // 600 draws) = C(200,3)/C(800,3) ≈ 0.015; the three zeros before them make the
    // smallest p the 603-record sample, C(200,3)/C(803,3).
    const labels = [...Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0)), ...Array(600).fill(0)];
    const late = stoppingEstimate(labels, 1000);
    expect(late.targetLikelyReached).toBe(true);
    expect(late.p).toBeCloseTo((200 * 199 * 198) / (803 * 802 * 801), 12);
    const early = stoppingEstimate(labels.slice(0, 220), 1000);
    expect(early.targetLikelyReached).toBe(false);
    expect(late.assumptions.length).toBeGreaterThan(0);
  });

  it("rejects bad input", () => {
    expect(() => stoppingEstimate([1, 0], 1)).toThrow(/total/);
    expect(() => stoppingEstimate([1, 2], 10)).toThrow(/0 or 1/);
    expect(() => stoppingEstimate([1, 0], 10, { recallTarget: 1 })).toThrow(/recall target/);
  });
});
