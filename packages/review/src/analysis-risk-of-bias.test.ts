import { describe, expect, it } from "vitest";
import { fitMetaSpec, metaSpecResult, parseMetaSpec } from "@homeward/meta";
import { Appraisal, EffectSize, Outcome, Protocol, Study } from "@homeward/model";
import { effectSizeRows } from "./analysis-data.js";
import { analysisFigure } from "./figures/analysis.js";
import { isHighRiskOfBias, riskOfBiasSensitivity, studyRiskOfBias, withRiskOfBias } from "./analysis-risk-of-bias.js";

const at = "2025-01-01T00:00:00.000Z";
const study = (id: string, design: string) => Study.parse({ id, name: `Study ${id}`, design, classifications: { designClass: design }, createdAt: at });
const appraisal = (id: string, studyId: string, tool: "RoB2" | "ROBINS-I" | "CASP", overall: string | null, more: Record<string, unknown> = {}) =>
  Appraisal.parse({ id, studyId, tool, overall, reviewer: "ana", at, ...more });
const protocol = Protocol.parse({
  classifications: [{ code: "designClass", role: "design", values: [{ code: "RCT" }, { code: "QED" }, { code: "qualitative" }, { code: "mixed" }] }],
});

describe("studyRiskOfBias", () => {
  it("takes the consensus first, else the one submitted assessment, by the tool the set-up gives the design", () => {
    const rob = studyRiskOfBias({
      protocol,
      studies: [study("a", "RCT"), study("b", "RCT"), study("c", "QED"), study("d", "RCT"), study("e", "RCT"), study("f", "qualitative")],
      appraisals: [
        appraisal("a1", "a", "RoB2", "Low", { reviewer: "ana" }),
        appraisal("a2", "a", "RoB2", "High", { reviewer: "ben" }),
        appraisal("a3", "a", "RoB2", "Some concerns", { reviewer: "cy", consensus: true }),
        appraisal("b1", "b", "RoB2", "High"),
        // The design's tool decides: a CASP rating of an RCT is not its risk of bias.
        appraisal("b2", "b", "CASP", "Negative/relatively poor methodology"),
        appraisal("c1", "c", "ROBINS-I", "Serious"),
        // Two submitted, no consensus: not settled, so no judgement.
        appraisal("d1", "d", "RoB2", "Low", { reviewer: "ana" }),
        appraisal("d2", "d", "RoB2", "High", { reviewer: "ben" }),
        // A draft is not a judgement.
        appraisal("e1", "e", "RoB2", "High", { status: "draft" }),
        appraisal("f1", "f", "CASP", "Positive/methodologically sound"),
      ],
    });
    expect(Object.fromEntries([...rob].map(([k, v]) => [k, [v.tool, v.judgement, v.source]]))).toEqual({
      a: ["RoB 2", "Some concerns", "consensus"],
      b: ["RoB 2", "High", "assessment"],
      c: ["ROBINS-I", "Serious", "assessment"],
      f: ["CASP", "Positive/methodologically sound", "assessment"],
    });
  });

  it("reads the example project's recorded appraisals (no status) as submitted, and a study without a design's tool by its one tool", () => {
    const rob = studyRiskOfBias({ studies: [study("x", "unknown design")], appraisals: [appraisal("x1", "x", "ROBINS-I", "Moderate")] });
    expect(rob.get("x")).toMatchObject({ tool: "ROBINS-I", judgement: "Moderate" });
  });

  it("counts RoB 2 High and ROBINS-I Serious or Critical as high risk, nothing else", () => {
    expect(isHighRiskOfBias("RoB 2", "High")).toBe(true);
    expect(isHighRiskOfBias("RoB 2", "High risk")).toBe(true);
    expect(isHighRiskOfBias("RoB 2", "Some concerns")).toBe(false);
    expect(isHighRiskOfBias("ROBINS-I", "Serious")).toBe(true);
    expect(isHighRiskOfBias("ROBINS-I", "Critical")).toBe(true);
    expect(isHighRiskOfBias("ROBINS-I", "Moderate")).toBe(false);
    expect(isHighRiskOfBias("ROBINS-I", "No information")).toBe(false);
    expect(isHighRiskOfBias("CASP", "Negative/relatively poor methodology")).toBe(false);
    expect(isHighRiskOfBias(null, "High")).toBe(false);
  });
});

const outcome = (id: string, studyId: string) => Outcome.parse({ id, studyId, name: `Outcome ${id}` });
const es = (id: string, outcomeId: string, yi: number, vi: number) => EffectSize.parse({ id, outcomeId, measure: "SMD", yi, vi, createdBy: "ana", createdAt: at });

function project() {
  const studies = ["s1", "s2", "s3", "s4", "s5", "s6"].map((id, i) => study(id, i < 4 ? "RCT" : "QED"));
  const outcomes = studies.map((s) => outcome(`o-${s.id}`, s.id));
  const yi = [0.42, 0.1, 0.65, -0.05, 0.3, 0.8];
  const vi = [0.02, 0.03, 0.05, 0.04, 0.03, 0.06];
  const effectSizes = [...outcomes.map((o, i) => es(`e${i + 1}`, o.id, yi[i]!, vi[i]!)), es("e7", "o-s3", 0.55, 0.05)];
  const appraisals = [
    appraisal("r1", "s1", "RoB2", "Low"),
    appraisal("r2", "s2", "RoB2", "Some concerns"),
    appraisal("r3", "s3", "RoB2", "High"),
    appraisal("r5", "s5", "ROBINS-I", "Moderate"),
    appraisal("r6", "s6", "ROBINS-I", "Critical"),
  ];
  const data = effectSizeRows({ studies, outcomes, effectSizes, protocol });
  return withRiskOfBias(data, studyRiskOfBias({ studies, appraisals, protocol }));
}

describe("withRiskOfBias", () => {
  it("adds the study's judgement and tool to each of its rows as moderator columns", () => {
    const d = project();
    expect(d.columns.slice(-2)).toEqual(["riskOfBias", "riskOfBiasTool"]);
    expect(d.rows.map((r) => [r.effectSizeId, r.riskOfBias, r.riskOfBiasTool])).toEqual([
      ["e1", "Low", "RoB 2"], ["e2", "Some concerns", "RoB 2"], ["e3", "High", "RoB 2"], ["e4", null, null],
      ["e5", "Moderate", "ROBINS-I"], ["e6", "Critical", "ROBINS-I"], ["e7", "High", "RoB 2"],
    ]);
    // Usable as a categorical moderator of a meta spec.
    const spec = parseMetaSpec({ data: "x", moderators: [{ name: "riskOfBiasTool", levels: ["RoB 2", "ROBINS-I"] }] });
    const rows = d.rows.filter((r) => r.riskOfBiasTool !== null);
    expect(fitMetaSpec(spec, rows).fit.p).toBe(2);
  });

  it("leaves data without any judged study as it was", () => {
    const data = effectSizeRows({ studies: [study("s1", "RCT")], outcomes: [outcome("o1", "s1")], effectSizes: [es("e1", "o1", 0.1, 0.01)] });
    expect(withRiskOfBias(data, new Map())).toBe(data);
  });
});

describe("riskOfBiasSensitivity", () => {
  it("refits without the studies at high risk of bias, as fitting the reduced data directly", () => {
    const d = project();
    const spec = parseMetaSpec({ data: "x", method: "REML" });
    const s = riskOfBiasSensitivity(spec, d.rows);
    expect(s.dropped.studies.map((x) => [x.study, x.tool, x.judgement])).toEqual([["Study s3", "RoB 2", "High"], ["Study s6", "ROBINS-I", "Critical"]]);
    expect(s.dropped.rows).toBe(3);
    expect(s.unjudged).toBe(1);
    expect(s.reducedError).toBeNull();
    const direct = fitMetaSpec(spec, d.rows.filter((r) => !["s3", "s6"].includes(r.studyId as string)));
    expect(metaSpecResult(s.reduced!)).toEqual(metaSpecResult(direct));
    expect(s.reduced!.fit.k).toBe(4);
    expect(metaSpecResult(s.full)).toEqual(metaSpecResult(fitMetaSpec(spec, d.rows)));
    expect(s.full.fit.k).toBe(7);
    expect(s.reduced!.fit.beta[0]).not.toBeCloseTo(s.full.fit.beta[0]!, 3);
  });

  it("keeps the full fit when no study is at high risk, and says why a refit is impossible", () => {
    const d = project();
    const spec = parseMetaSpec({ data: "x" });
    const low = d.rows.filter((r) => ["s1", "s2"].includes(r.studyId as string));
    const none = riskOfBiasSensitivity(spec, low);
    expect(none.dropped.rows).toBe(0);
    expect(none.reduced).toBe(none.full);
    const allHigh = d.rows.filter((r) => ["s3", "s6"].includes(r.studyId as string));
    const gone = riskOfBiasSensitivity(spec, allHigh);
    expect(gone.reduced).toBeNull();
    expect(gone.reducedError).toMatch(/no rows/);
  });

  it("refuses data without risk-of-bias columns", () => {
    expect(() => riskOfBiasSensitivity(parseMetaSpec({ data: "x" }), [{ yi: 0.1, vi: 0.01 }])).toThrow(/no risk-of-bias judgements/);
  });
});

describe("risk of bias beside the forest plot", () => {
  it("shows each outcome's study judgement in a column headed Risk of bias, in the figure's table too", () => {
    const d = project();
    const fitted = fitMetaSpec(parseMetaSpec({ data: "x" }), d.rows);
    const { figure, table } = analysisFigure("forest", fitted, { column: "riskOfBias" });
    expect(figure.description).toContain('A further column headed "Risk of bias" gives each outcome\'s entry: Low for 1, Some concerns for 1, High for 2, none for 1, Moderate for 1, Critical for 1.');
    expect(table.columns.at(-1)).toBe("riskOfBias");
    expect(table.rows.map((r) => r.at(-1))).toEqual(["Low", "Some concerns", "High", null, "Moderate", "Critical", "High", null]);
    expect(() => analysisFigure("forest", fitted, { column: "nope" })).toThrow(/no column "nope"/);
    expect(analysisFigure("forest", fitted).figure.description).not.toContain("Risk of bias");
  });
});
