import { describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec } from "@homeward/meta";
import { analysisSnapshot, whatMoved } from "./saved-analyses.js";

const rows = (ys: [string, string, number, number, string][]) => ys.map(([effectSizeId, study, yi, vi, group]) => ({ effectSizeId, study, yi, vi, group }));
const base = rows([
  ["e1", "A", 0.3, 0.04, "x"], ["e2", "B", 0.1, 0.05, "x"], ["e3", "C", 0.5, 0.03, "y"], ["e4", "D", 0.2, 0.06, "y"], ["e5", "E", -0.1, 0.05, "z"],
]);
const fit = (data: ReturnType<typeof rows>, spec: Record<string, unknown> = { method: "DL" }) => analysisSnapshot(fitMetaSpec(parseMetaSpec(spec), data));

describe("whatMoved", () => {
  it("finds nothing moved when the data are the same", () => {
    const saved = fit(base);
    const m = whatMoved({ result: saved.result as unknown as Record<string, unknown>, rows: saved.rows }, fit(base));
    expect(m.unchanged).toBe(true);
    expect(m.coefficients.map((c) => c.moved)).toEqual([false]);
    expect(m.heterogeneity.every((h) => !h.moved)).toBe(true);
  });

  it("names a removed effect size and a moderator level that is gone, with k before and after", () => {
    const spec = { method: "DL", moderators: [{ name: "group", levels: ["x", "y", "z"] }] };
    const saved = fit(base, spec);
    const now = fit(base.slice(0, 4), { method: "DL", moderators: [{ name: "group", levels: ["x", "y"] }] });
    const m = whatMoved({ result: saved.result as unknown as Record<string, unknown>, rows: saved.rows }, now);
    expect(m.unchanged).toBe(false);
    expect(m.k).toEqual({ before: 5, after: 4 });
    expect(m.effectSizes.removed.map((r) => r.effectSizeId)).toEqual(["e5"]);
    expect(m.effectSizes.added).toEqual([]);
    expect(m.effectSizes.changed).toEqual([]);
    const gone = m.coefficients.find((c) => c.term === "group[z]")!;
    expect(gone).toMatchObject({ before: expect.any(Object), after: null, moved: true });
  });
});
