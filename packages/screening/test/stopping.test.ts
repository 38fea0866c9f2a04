import { describe, expect, it } from "vitest";
import { STOPPING_MINIMUM, stoppingEstimate } from "@homeward/screening";
import { references } from "./helpers.js";

describe("stoppingEstimate", () => {
  it("equals the minimum-p hypergeometric test computed with scipy (committed references)", () => {
    for (const ref of references.stopping) {
      const s = stoppingEstimate(ref.labels, ref.total, { recallTarget: ref.recall_target });
      expect(s.state).toBe("estimate");
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

  it("says it has too little to go on instead of a p-value from a handful of records", () => {
    // Ten records, two relevant, of 12: the minimum p would be 0 from the last record alone.
    const few = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const s = stoppingEstimate(few, 12);
    expect(s).toMatchObject({ state: "insufficient", p: null, sampleSize: null, targetLikelyReached: false, screened: 10, relevantFound: 2 });
    expect(s.insufficient).toBe(`it needs at least ${STOPPING_MINIMUM.decisions} settled decisions (10 so far)`);
    // Enough decisions, none relevant: recall has nothing to be a share of.
    const none = stoppingEstimate(Array(50).fill(0), 1000);
    expect(none.state).toBe("insufficient");
    expect(none.insufficient).toBe("it needs at least one record sent on (none yet)");
    // Both missing: both said.
    expect(stoppingEstimate([], 100).insufficient).toBe(`it needs at least ${STOPPING_MINIMUM.decisions} settled decisions (0 so far) and at least one record sent on (none yet)`);
    // At the minimum the test runs.
    const enough = [1, ...Array(STOPPING_MINIMUM.decisions - 1).fill(0)];
    expect(stoppingEstimate(enough, 1000).state).toBe("estimate");
    expect(stoppingEstimate(enough.slice(1), 1000).state).toBe("insufficient");
  });

  it("has nothing to estimate once every record is screened", () => {
    const labels = [1, ...Array(24).fill(0)];
    const s = stoppingEstimate(labels, 25);
    expect(s).toMatchObject({ state: "complete", insufficient: null, p: null, targetLikelyReached: true, screened: 25, total: 25 });
  });

  it("rejects bad input", () => {
    expect(() => stoppingEstimate([1, 0], 1)).toThrow(/total/);
    expect(() => stoppingEstimate([1, 2], 10)).toThrow(/0 or 1/);
    expect(() => stoppingEstimate([1, 0], 10, { recallTarget: 1 })).toThrow(/recall target/);
  });
});
