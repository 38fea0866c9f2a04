import { describe, expect, it } from "vitest";
import { rankExclusionReasons, type ExclusionReason } from "@homeward/model";
import { recordedReason, stageReasons } from "./rules";
import type { Stage } from "./screeningApi";

/** mulberry32, so every run draws the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("exclusion-reason preview", () => {
  it("lists a stage's reasons by rank and previews the reason the server and the model record", () => {
    const r = rng(5);
    const stages = ["any", "title_abstract", "full_text"] as const;
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(r() * 9);
      // Distinct ranks, in a shuffled order, with stage restrictions.
      const ranks = Array.from({ length: n }, (_, i) => i * 2 + 1).sort(() => r() - 0.5);
      const reasons: ExclusionReason[] = ranks.map((rank, i) => ({ code: `r${i}`, label: `Reason ${i}`, description: null, rank, stage: stages[Math.floor(r() * 3)]! }));
      const stage: Stage = r() < 0.5 ? "title_abstract" : "full_text";
      const listed = stageReasons({ exclusionReasons: reasons }, stage);
      expect(listed.every((x) => x.stage === "any" || x.stage === stage)).toBe(true);
      expect(listed.length).toBe(reasons.filter((x) => x.stage === "any" || x.stage === stage).length);
      expect(listed.map((x) => x.rank)).toEqual([...listed.map((x) => x.rank)].sort((a, b) => a - b));
      const chosen = new Set(listed.filter(() => r() < 0.5).map((x) => x.code));
      if (chosen.size === 0) {
        expect(recordedReason(chosen, listed)).toBeNull();
        continue;
      }
      // The chosen reason of lowest rank (ranks are distinct here).
      const expected = [...chosen].map((c) => reasons.find((x) => x.code === c)!).reduce((a, b) => (b.rank < a.rank ? b : a)).code;
      expect(recordedReason(chosen, listed)!.code).toBe(expected);
      expect(rankExclusionReasons({ exclusionReasons: reasons }, stage, [...chosen]).recorded).toBe(expected);
    }
  });
});
