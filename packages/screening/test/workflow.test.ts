import { describe, expect, it } from "vitest";
import {
  advances,
  canScreen,
  qaSample,
  recordStatus,
  reviewersNeeded,
  validateDecision,
  validateReconciliation,
  visibleDecisions,
} from "@homeward/screening";

// The review's exclusion hierarchy (Table 3 of its methods).
const ranking = [
  "Does not target children, young people, parents, or families",
  "Intervention is not relevant to reunification",
  "Study design is not eligible",
  "Study is not conducted in a high-income country",
  "Not written in English",
  "Outcomes not relevant",
  "Duplicate",
  "Full text unavailable after contacting study author",
];

describe("assignment", () => {
  it("dual-screens the first share of records, then single", () => {
    const mode = { kind: "dual_then_single" as const, dualShare: 0.2 };
    const needed = Array.from({ length: 10 }, (_, i) => reviewersNeeded(mode, i, 10));
    expect(needed).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(reviewersNeeded({ kind: "single" }, 0, 10)).toBe(1);
    expect(reviewersNeeded({ kind: "dual" }, 9, 10)).toBe(2);
  });

  it("keeps dual screening blind until both have decided", () => {
    const ds = [{ reviewer: "II", verdict: "include" as const }];
    expect(visibleDecisions(2, ds, "JM")).toEqual([]);
    expect(visibleDecisions(2, ds, "II")).toHaveLength(1);
    expect(recordStatus("title_abstract", 2, ds)).toEqual({ state: "awaiting_second", decided: ["II"] });
    expect(canScreen(2, ds, "II", false)).toBe(false);
    expect(canScreen(2, ds, "JM", false)).toBe(true);
    const both = [...ds, { reviewer: "JM", verdict: "exclude" as const }];
    expect(visibleDecisions(2, both, "JM")).toHaveLength(2);
  });
});

describe("conflicts and reconciliation", () => {
  it("treats include vs maybe as agreement at title/abstract, a conflict at full text", () => {
    const ds = [
      { reviewer: "II", verdict: "include" as const },
      { reviewer: "JM", verdict: "maybe" as const },
    ];
    expect(recordStatus("title_abstract", 2, ds)).toMatchObject({ state: "decided", verdict: "include" });
    expect(recordStatus("full_text", 2, ds)).toMatchObject({ state: "conflict" });
  });

  it("uses each reviewer's latest decision", () => {
    const ds = [
      { reviewer: "II", verdict: "exclude" as const },
      { reviewer: "JM", verdict: "include" as const },
      { reviewer: "II", verdict: "include" as const },
    ];
    expect(recordStatus("title_abstract", 2, ds)).toMatchObject({ state: "decided", verdict: "include" });
  });

  it("records a reconciliation by a named reviewer with the reason", () => {
    const ds = [
      { reviewer: "II", verdict: "include" as const },
      { reviewer: "JM", verdict: "exclude" as const, reasons: ["Study design is not eligible"] },
    ];
    const status = recordStatus("title_abstract", 2, ds);
    expect(status.state).toBe("conflict");
    const rec = { reviewer: "SH", verdict: "exclude" as const, reason: "design is a case report", reasons: ["Study design is not eligible"] };
    expect(() => validateReconciliation("title_abstract", status, { ...rec, reason: " " })).toThrow(/reason/);
    validateReconciliation("title_abstract", status, rec);
    expect(recordStatus("title_abstract", 2, ds, rec)).toMatchObject({ state: "reconciled", verdict: "exclude", by: "SH" });
    expect(() => validateReconciliation("title_abstract", { state: "unscreened" }, rec)).toThrow(/only a conflict/);
  });
});

describe("exclusion reasons and routing", () => {
  it("requires a reason for full-text exclusion only", () => {
    expect(() => validateDecision("full_text", { reviewer: "CP", verdict: "exclude" })).toThrow(/needs a reason/);
    validateDecision("title_abstract", { reviewer: "CP", verdict: "exclude" });
    expect(() => validateDecision("full_text", { reviewer: "CP", verdict: "include", reasons: ["Duplicate"] })).toThrow(/exclude verdict/);
  });

  it("sends include and maybe on to full text", () => {
    expect(advances("include")).toBe(true);
    expect(advances("maybe")).toBe(true);
    expect(advances("exclude")).toBe(false);
  });
});

describe("qaSample", () => {
  const ids = Array.from({ length: 137 }, (_, i) => `rec-${i}`);
  it("draws 10% by default, reproducibly, whatever the input order", () => {
    const a = qaSample(ids, { seed: 42 });
    expect(a).toHaveLength(14);
    expect(qaSample([...ids].reverse(), { seed: 42 })).toEqual(a);
    expect(qaSample(ids, { seed: 43 })).not.toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    for (const id of a) expect(ids).toContain(id);
  });
  it("does not round float noise up", () => {
    expect(qaSample(ids.slice(0, 30), { seed: 1 })).toHaveLength(3);
    expect(qaSample(ids.slice(0, 30), { seed: 1, fraction: 0.25 })).toHaveLength(8);
  });
  it("rejects bad input", () => {
    expect(() => qaSample(["a", "a"], { seed: 1 })).toThrow(/twice/);
    expect(() => qaSample(ids, { seed: 1, fraction: 0 })).toThrow(/fraction/);
  });
});
