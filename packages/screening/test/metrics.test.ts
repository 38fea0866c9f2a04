import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { orderMetrics, simulate } from "@homeward/screening";
import { fixture, loadCsv, pythonAvailable, references, screeningPy } from "./helpers.js";

const { labels, texts } = loadCsv(fixture("cohen2006_adhd_subset.csv"));

describe("orderMetrics", () => {
  it("equals screening.py's scoring of the same order (committed values)", () => {
    const { order } = JSON.parse(readFileSync(fixture("order_seed1.json"), "utf8"));
    const m = orderMetrics(order, labels);
    const ref = references.metrics;
    expect(m.n95).toBe(ref.n95);
    expect(m.relevant).toBe(ref.relevant);
    expect(m.wss95).toBeCloseTo(ref.wss95, 12);
    expect(m.recall10).toBeCloseTo(ref.recall10, 12);
    expect(m.atd).toBeCloseTo(ref.atd, 12);
  });

  it.runIf(pythonAvailable())("equals screening.py live on fresh orders", () => {
    const dir = mkdtempSync(join(tmpdir(), "homeward-screening-"));
    for (const seed of [2, 3]) {
      const rel = labels.findIndex((v, i) => v === 1 && i > seed * 5);
      const irr = labels.findIndex((v, i) => v === 0 && i > seed * 7);
      const { order, metrics } = simulate(texts, labels, [rel, irr], { seed });
      const f = join(dir, `order${seed}.json`);
      writeFileSync(f, JSON.stringify({ order }));
      const py = JSON.parse(execFileSync("/usr/bin/python3", [screeningPy, "metrics", fixture("cohen2006_adhd_subset.csv").pathname, f], { encoding: "utf8" }));
      expect(metrics.n95).toBe(py.n95);
      expect(metrics.wss95).toBeCloseTo(py.wss95, 12);
      expect(metrics.recall10).toBeCloseTo(py.recall10, 12);
      expect(metrics.atd).toBeCloseTo(py.atd, 12);
    }
  });

  it("rejects an order that is not a permutation", () => {
    expect(() => orderMetrics([0, 0, 1], [1, 0, 0])).toThrow(/twice/);
    expect(() => orderMetrics([0, 1], [1, 0, 0])).toThrow(/3 records/);
    expect(() => orderMetrics([0, 1, 2], [0, 0, 0])).toThrow(/no relevant/);
  });

  it("computes WSS@95 by Cohen's definition on a hand-checked case", () => {
    // 20 records, 2 relevant at positions 1 and 10: 95% of 2 rounds up to 2, so n95 = 10.
    const labels = Array.from({ length: 20 }, (_, i) => (i === 0 || i === 9 ? 1 : 0));
    const order = labels.map((_, i) => i);
    const m = orderMetrics(order, labels);
    expect(m.n95).toBe(10);
    expect(m.wss95).toBeCloseTo((20 - 10) / 20 - 0.05, 15);
    expect(m.recall10).toBe(0.5);
    expect(m.atd).toBeCloseTo((1 + 10) / 2 / 20, 15);
  });
});
