import { describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec } from "@homeward/meta";
import { EffectSize, Outcome, Study } from "@homeward/model";
import { effectSizeRows } from "./analysis-data.js";
import { withCodebookValues } from "./analysis-codebook.js";

const at = "2025-01-01T00:00:00.000Z";
const study = (id: string, name: string, extra: Record<string, unknown> = {}) => Study.parse({ id, name, createdAt: at, ...extra });
const outcome = (id: string, studyId: string, name: string, extra: Record<string, unknown> = {}) => Outcome.parse({ id, studyId, name, ...extra });
const es = (id: string, outcomeId: string, yi: number, vi: number, extra: Record<string, unknown> = {}) =>
  EffectSize.parse({ id, outcomeId, measure: "SMD", yi, vi, createdBy: "ana", createdAt: at, ...extra });

const data = () =>
  effectSizeRows({
    studies: [
      study("s1", "Akin 2017", {
        design: "QED",
        arms: [{ id: "a1", label: "SFP" }, { id: "a2", label: "Services as usual" }],
        timePoints: [{ id: "t1", label: "12 months" }],
        attributes: { country: "US" },
      }),
      study("s2", "Berry 2007"),
      study("s3", "Cole 2020"),
    ],
    outcomes: [
      outcome("o1", "s1", "Re-entry", { domain: "remain_at_home", timing: "12 months" }),
      outcome("o2", "s1", "Wellbeing", { domain: "child_safety_wellbeing" }),
      outcome("o3", "s2", "Re-entry", { domain: "remain_at_home" }),
      outcome("o4", "s3", "Re-entry", { domain: "remain_at_home" }),
    ],
    effectSizes: [
      es("e1", "o1", 0.2, 0.01, { armIds: ["a1", "a2"], timePointId: "t1" }),
      es("e2", "o2", 0.3, 0.02),
      es("e3", "o3", -0.1, 0.05),
      es("e4", "o4", 0.5, 0.04),
    ],
  });

describe("analysis rows: outcome attributes and codebook values as moderators", () => {
  it("names the outcome's domain, time point and arms compared on each row", () => {
    const d = data();
    expect(d.columns).toEqual(expect.arrayContaining(["domain", "timing", "timePoint", "arms"]));
    expect(d.rows.map((r) => [r.effectSizeId, r.domain, r.timePoint, r.arms])).toEqual([
      ["e1", "remain_at_home", "12 months", "SFP vs Services as usual"],
      ["e2", "child_safety_wellbeing", null, null],
      ["e3", "remain_at_home", null, null],
      ["e4", "remain_at_home", null, null],
    ]);
  });

  it("adds the standing codebook values: a study's on all its rows, an outcome's on its own, in codebook order", () => {
    const d = withCodebookValues(data(), ["delivery", "country", "targets", "sample_grid", "blinded", "empty", "p_value"], [
      { studyId: "s1", outcomeId: null, code: "delivery", value: "group" },
      { studyId: "s2", outcomeId: null, code: "delivery", value: "individual" },
      { studyId: "s1", outcomeId: null, code: "country", value: "United States" },
      { studyId: "s1", outcomeId: null, code: "targets", value: ["parents", "child"] },
      { studyId: "s1", outcomeId: null, code: "sample_grid", value: { intervention: { n: 3 } } },
      { studyId: "s2", outcomeId: null, code: "blinded", value: null },
      { studyId: "s1", outcomeId: "o2", code: "p_value", value: 0.04 },
      { studyId: "s3", outcomeId: null, code: "empty", value: undefined },
    ]);
    // "country" is taken by the study's own field; a grid and an item nothing stands for add no column.
    expect(d.columns.slice(-5)).toEqual(["delivery", "codebook.country", "targets", "blinded", "p_value"]);
    expect(d.rows.map((r) => [r.effectSizeId, r.delivery, r["codebook.country"], r.targets, r.blinded, r.p_value])).toEqual([
      ["e1", "group", "United States", "child+parents", null, null],
      ["e2", "group", "United States", "child+parents", null, 0.04],
      ["e3", "individual", null, null, null, null],
      ["e4", null, null, null, null, null],
    ]);
    // The column serves as a moderator of a model.
    const fitted = fitMetaSpec(parseMetaSpec({ method: "DL", moderators: [{ name: "delivery", levels: ["individual", "group"] }] }), d.rows.filter((r) => r.delivery !== null));
    expect(fitted.mods.map((m) => m.name)).toEqual(["delivery"]);
  });

  it("leaves the data as it is when no value stands", () => {
    const d = data();
    expect(withCodebookValues(d, ["x"], [])).toBe(d);
  });
});
