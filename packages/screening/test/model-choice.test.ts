import { describe, expect, it } from "vitest";
import { Prioritiser, RankingService, ScreeningEngine } from "@homeward/screening";
import { fixture, loadCsv } from "./helpers.js";

const { texts } = loadCsv(fixture("cohen2006_adhd_subset.csv"));
const few = texts.slice(0, 60);

describe("the model a stage's settings choose ranks its queue", () => {
  it("a queue switched to another model ranks as a queue opened with it, and says which model ranked", async () => {
    const service = new RankingService({ worker: false });
    const q = service.open("p", { seed: 1 });
    const p = new Prioritiser({ seed: 1, model: "elas_u2" });
    few.forEach((t, i) => {
      q.addRecord(`r${i}`, t);
      p.addRecord(`r${i}`, t);
    });
    for (const [id, rel] of [["r9", true], ["r1", false], ["r2", false]] as const) {
      q.setDecision(id, rel);
      p.setDecision(id, rel);
    }
    q.retrain();
    await q.idle();
    expect(q.last?.model).toBe("elas_u4");
    expect(q.last?.servedBy).toBe("elas_u4 (svm C=0.11)");
    const before = q.ranking();
    q.useModel("elas_u2");
    await q.idle();
    expect(q.modelName).toBe("elas_u2");
    expect(q.last?.model).toBe("elas_u2");
    expect(q.last?.servedBy).toBe("elas_u2 (nb alpha=3.822)");
    p.retrain();
    expect(q.ranking()).toEqual(p.ranking());
    expect(q.ranking()).not.toEqual(before);
    // An unknown name (a withdrawn model) keeps the default rather than stopping prioritisation.
    q.useModel("gone");
    await q.idle();
    expect(q.last?.model).toBe("elas_u4");
    await service.close();
  });

  it("the engine passes each stage's chosen model to its queue, and the default when the setting is cleared", () => {
    const used: (string | null)[] = [];
    const queue = { ranked: false, has: () => false, addRecord: () => true, setDecision: () => false, next: () => null, useModel: (m: string | null) => used.push(m) };
    const engine = new ScreeningEngine({ ranking: { title_abstract: queue } });
    const s = { id: "s1", stage: "title_abstract" as const, mode: "single" as const, dualFraction: null, reviewers: [], updatedAt: "2026-01-01T00:00:00Z" };
    engine.apply({ type: "settings", settings: { ...s, model: "committee" } });
    engine.apply({ type: "settings", settings: { ...s, model: null, updatedAt: "2026-01-02T00:00:00Z" } });
    expect(used).toEqual(["committee", null]);
  });
});

describe("a team's simulation", () => {
  it("starts both models from the same two priors, one relevant and one not, and batches retraining only above the limit", async () => {
    const { teamSimulation, EXACT_RETRAIN_MAX } = await import("@homeward/screening");
    const labels = loadCsv(fixture("cohen2006_adhd_subset.csv")).labels;
    const res = teamSimulation({ texts, labels, models: ["elas_u4", "committee"], seed: 5 });
    expect(labels[res.priors[0]]).toBe(1);
    expect(labels[res.priors[1]]).toBe(0);
    expect(res.runs.map((r) => r.model)).toEqual(["elas_u4", "committee"]);
    expect(res.runs.every((r) => !r.batched)).toBe(true);
    expect(texts.length).toBeLessThan(EXACT_RETRAIN_MAX);
    // The curve steps once per relevant record, in screening order.
    expect(res.runs[0].curve.length).toBe(res.relevant + 2);
    expect(res.runs[0].curve.filter((p) => p.screened === res.runs[0].n95).map((p) => p.found)).toEqual([Math.ceil(0.95 * res.relevant)]);
  });
});
