import { describe, expect, it } from "vitest";
import { Prioritiser } from "@homeward/screening";
import { fixture, loadCsv } from "./helpers.js";

const { labels, texts } = loadCsv(fixture("cohen2006_adhd_subset.csv"));

describe("Prioritiser", () => {
  it("serves import order until both classes are known, then the ranking", () => {
    const p = new Prioritiser({ seed: 1 });
    texts.forEach((t, i) => p.addRecord(`r${i}`, t));
    expect(p.next()).toBe("r0");
    expect(p.retrain().trained).toBe(false);
    p.setDecision("r9", true);
    p.setDecision("r163", false);
    const res = p.retrain();
    expect(res).toMatchObject({ trained: true, labelled: 2, unscreened: 298 });
    const ranking = p.ranking();
    expect(ranking).toHaveLength(298);
    expect(p.next()).toBe(ranking[0]);
    expect(p.next(new Set([ranking[0]]))).toBe(ranking[1]);
  });

  it("keeps serving between retrains and finds relevant records early", () => {
    const p = new Prioritiser({ seed: 2 });
    texts.forEach((t, i) => p.addRecord(`r${i}`, t));
    p.setDecision("r9", true);
    p.setDecision("r163", false);
    p.retrain();
    let found = 0;
    for (let k = 0; k < 60; k++) {
      const id = p.next()!;
      const i = Number(id.slice(1));
      p.setDecision(id, labels[i] === 1);
      found += labels[i];
      // Retrain only every 10 decisions: in between, next() serves from the last ranking.
      if (p.pending >= 10) p.retrain();
    }
    // 19 relevant records remain among 298; random order would find about 4 in 60.
    expect(found).toBeGreaterThanOrEqual(12);
  });

  it("serves every record exactly once and then null", () => {
    const p = new Prioritiser();
    ["a", "b", "c"].forEach((id, i) => p.addRecord(id, `text ${i}`));
    const seen: string[] = [];
    for (let id = p.next(); id !== null; id = p.next()) {
      seen.push(id);
      p.setDecision(id, false);
    }
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    expect(() => p.setDecision("zz", true)).toThrow(/unknown record/);
  });
});
