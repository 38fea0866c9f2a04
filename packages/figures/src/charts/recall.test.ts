import { describe, expect, it } from "vitest";
import { renderSvg } from "../render.js";
import { recallCurvePlot } from "./recall.js";

describe("recall curve", () => {
  // 10 records, 4 relevant; 95% recall needs all 4 (⌈3.8⌉).
  const input = {
    records: 10,
    relevant: 4,
    curves: [
      { model: "Model A", points: [{ screened: 0, found: 0 }, { screened: 1, found: 1 }, { screened: 2, found: 2 }, { screened: 3, found: 3 }, { screened: 5, found: 4 }, { screened: 10, found: 4 }], n95: 5, wss95: 0.45 },
      { model: "Model B", points: [{ screened: 0, found: 0 }, { screened: 2, found: 1 }, { screened: 6, found: 2 }, { screened: 8, found: 3 }, { screened: 9, found: 4 }, { screened: 10, found: 4 }], n95: 9, wss95: 0.05 },
    ],
  };

  it("draws each model's curve in percent of records and of relevant records, with the 95% points", () => {
    const fig = recallCurvePlot(input);
    const layers = (fig.spec as { layer: { name: string; data: { values: Record<string, unknown>[] } }[] }).layer;
    const curves = layers.find((l) => l.name === "curves")!.data.values;
    expect(curves.filter((v) => v.model === "Model A").map((v) => [v.screened, v.recall])).toEqual([[0, 0], [10, 25], [20, 50], [30, 75], [50, 100], [100, 100]]);
    expect(layers.find((l) => l.name === "n95")!.data.values).toEqual([
      { model: "Model A", screened: 50, recall: 100 },
      { model: "Model B", screened: 90, recall: 100 },
    ]);
  });

  it("says in words where each model reached 95% recall, its WSS@95, and which was soonest", async () => {
    const fig = recallCurvePlot(input);
    expect(fig.description).toContain("The solid line is Model A: it reached 95% recall after 50.0% of the records (5), a WSS@95 of 0.450");
    expect(fig.description).toContain("The dashed line is Model B: it reached 95% recall after 90.0% of the records (9), a WSS@95 of 0.050");
    expect(fig.description).toContain("Model A reached 95% recall soonest.");
    const svg = await renderSvg(fig);
    expect(svg).toContain("<svg");
    expect(svg).toContain("Model B");
  });

  it("refuses an empty input", () => {
    expect(() => recallCurvePlot({ records: 0, relevant: 0, curves: [] })).toThrow(RangeError);
    expect(() => recallCurvePlot({ records: 10, relevant: 2, curves: [] })).toThrow(/at least one model/);
  });
});
