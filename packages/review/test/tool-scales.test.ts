/**
 * Each appraisal tool drawn on its own judgement scale. Categories and their
 * wording are the tools' own (RoB 2: Higgins et al., RoB 2 guidance 2019;
 * ROBINS-I: Sterne et al., BMJ 2016;355:i4919, Table 2; CASP Qualitative
 * Checklist 2018; ASSESS: Ryan et al., Implementation Science Communications
 * 2022;3:34; MMAT version 2018 user guide), as the reunification review
 * reported them (seed ../shared/seeds/000_727b90ba171410e5.txt, Methods lines
 * 760–790, Appendices E–H, lines 3680–3818).
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { renderSvg } from "@homeward/figures";
import { loadProjectFile } from "@homeward/store";
import type { Appraisal, ProjectFile } from "@homeward/model";
import { orderRobTools, robCsv, robPlotData, robSummaryFigure, scaleJudgement, scaleToolOf, TOOL_SCALES, trafficLightFigure } from "@homeward/review";

let p: ProjectFile;
beforeAll(() => {
  p = loadProjectFile(fileURLToPath(new URL("../../../examples/reunification", import.meta.url)));
});

type Layer = { name?: string; encoding?: { color?: { scale?: { domain: string[]; range: string[] }; legend?: { title: string } } } };
/** The colour scale and legend title of a plot's judgement encoding. */
function colourScale(spec: unknown) {
  const s = spec as { layer?: Layer[]; encoding?: Layer["encoding"] };
  const colour = s.layer ? s.layer.find((l) => l.name === "discs")!.encoding!.color! : s.encoding!.color!;
  return { domain: colour.scale!.domain, range: colour.scale!.range, title: colour.legend!.title };
}
const colourOf = (spec: unknown, label: string) => {
  const c = colourScale(spec);
  return c.range[c.domain.indexOf(label)];
};
// robvis "cochrane" colours (McGuinness & Higgins 2021).
const GREEN = "#02C100", YELLOW = "#E2DF07", RED = "#BF0000", BLUE = "#4EA1F7";

describe("tool scales", () => {
  it("recognises each tool by the names teams give it", () => {
    expect(scaleToolOf("RoB2")).toBe("rob2");
    expect(scaleToolOf("ROBINS-I")).toBe("robins_i");
    expect(scaleToolOf("CASP")).toBe("casp");
    expect(scaleToolOf("CASP qualitative")).toBe("casp");
    expect(scaleToolOf("ASSESS")).toBe("assess");
    expect(scaleToolOf("MMAT 2018")).toBe("mmat");
    expect(scaleToolOf("Our own checklist")).toBeNull();
  });

  it("holds each tool's own categories, least concern first", () => {
    // The engine's RoB 2 scale carries robvis's "No information" (never an algorithm's result, but robvis draws it).
    expect(TOOL_SCALES.rob2.domains.map((l) => l.label)).toEqual(["Low", "Some concerns", "High", "No information"]);
    expect(TOOL_SCALES.robins_i.domains.map((l) => l.label)).toEqual(["Low", "Moderate", "Serious", "Critical", "No information"]);
    expect(TOOL_SCALES.casp.domains.map((l) => l.label)).toEqual(["Yes", "Can't tell", "No"]);
    expect(TOOL_SCALES.mmat.domains.map((l) => l.label)).toEqual(["Yes", "Can't tell", "No"]);
    expect(TOOL_SCALES.assess.domains.filter((l) => /^\d/.test(l.label)).map((l) => l.label)).toEqual(["2 – High", "1 – Moderate", "0 – Low"]);
    // ASSESS and MMAT give no overall judgement; CASP's overall is the review's own rating.
    expect(TOOL_SCALES.assess.overall).toBeNull();
    expect(TOOL_SCALES.mmat.overall).toBeNull();
  });

  it("reads recorded wordings onto the scale, and not-applicable as nothing to draw", () => {
    expect(scaleJudgement("RoB2", "Low risk", "domain")).toBe("Low");
    expect(scaleJudgement("CASP", "Can't tell", "domain")).toBe("Can't tell");
    expect(scaleJudgement("CASP", "cannot tell", "domain")).toBe("Can't tell");
    expect(scaleJudgement("CASP", "Positive/methodologically sound", "overall")).toBe("Positive/methodologically sound");
    expect(scaleJudgement("ASSESS", "2", "domain")).toBe("2 – High");
    expect(scaleJudgement("ASSESS", "0", "domain")).toBe("0 – Low");
    expect(scaleJudgement("ASSESS", "N/A", "domain")).toBeNull();
    expect(scaleJudgement("MMAT", "can't tell", "domain")).toBe("Can't tell");
    // Off-scale text is shown as recorded, never mapped by guess.
    expect(scaleJudgement("CASP", "Partly", "domain")).toBe("Partly");
  });
});

describe("risk-of-bias plots on each tool's scale (the built-in project)", () => {
  it("CASP: Appendix G's answers coloured by meaning, with an Answer legend", () => {
    const f = trafficLightFigure(p, "CASP");
    const c = colourScale(f.spec);
    expect(c.title).toBe("Answer");
    // Appendix G uses Yes, No, Can't tell; the review's overall ratings are positive or negative.
    expect([...c.domain].sort()).toEqual(["Can't tell", "Negative/relatively poor methodology", "No", "Positive/methodologically sound", "Yes"]);
    expect(colourOf(f.spec, "Yes")).toBe(GREEN);
    expect(colourOf(f.spec, "No")).toBe(RED);
    expect(colourOf(f.spec, "Can't tell")).toBe(BLUE);
    expect(colourOf(f.spec, "Positive/methodologically sound")).toBe(GREEN);
    expect(colourOf(f.spec, "Negative/relatively poor methodology")).toBe(RED);
    // Appendix G: 30 studies, 6 negative (Berry 2007, Gill 2015, Harwin 2013, Jager 2009, Trout and Epstein 2010, Urrea-Monclus 2020).
    expect(f.description).toContain("6 studies were judged negative/relatively poor methodology");
    expect(f.description).toContain("6 of 30 were judged other than positive/methodologically sound");
  });

  it("ASSESS: Appendix H's ratings coloured by meaning, no Overall column or bar", async () => {
    const data = robPlotData(p, "ASSESS");
    expect(data.hasOverall).toBe(false);
    // "N/A" cells are not judgements: nothing is drawn for them.
    expect(data.levels).toEqual(["Lower bias", "Higher bias", "Unclear"]);
    const tl = trafficLightFigure(p, "ASSESS");
    expect(colourOf(tl.spec, "Lower bias")).toBe(GREEN);
    expect(colourOf(tl.spec, "Higher bias")).toBe(RED);
    expect(colourOf(tl.spec, "Unclear")).toBe(BLUE);
    expect(colourScale(tl.spec).title).toBe("Rating");
    const svg = await renderSvg(tl);
    expect(svg).not.toContain(">Overall<");
    expect(svg).toContain("Lower bias");
    const summary = robSummaryFigure(p, "ASSESS");
    const rows = (summary.spec as unknown as { encoding: { y: { sort: string[] } } }).encoding.y.sort;
    expect(rows).not.toContain("Overall");
    expect(rows).toEqual(["Acceptability", "Adoption", "Appropriateness", "Feasibility", "Fidelity", "Reach", "Cost", "Sustainability"]);
    expect(summary.description).toContain("ASSESS gives no overall judgement");
    expect(robCsv(p, "ASSESS").split("\r\n")[0]).not.toContain("Overall");
  });

  it("RoB 2 and ROBINS-I keep robvis's colours and symbols", () => {
    const rob2 = trafficLightFigure(p, "RoB2");
    expect(colourScale(rob2.spec).domain).toEqual(["Low", "Some concerns", "High"]);
    expect(colourScale(rob2.spec).range).toEqual([GREEN, YELLOW, RED]);
    expect(robPlotData(p, "ROBINS-I").hasOverall).toBe(true);
  });

  it("MMAT: Yes / Can't tell / No, and no Overall", () => {
    const a = (studyId: string, answers: string[]): Appraisal =>
      ({ id: `m-${studyId}`, studyId, outcomeId: null, tool: "MMAT", toolVersion: null, domains: answers.map((j, i) => ({ domain: `${i + 1}.${i + 1}`, judgement: j, support: "", answers: {} })), overall: null, assessor: "ann", consensus: true, at: "2025-01-01T00:00:00.000Z" }) as unknown as Appraisal;
    const q = { studies: p.studies.slice(0, 2), appraisals: [a(p.studies[0]!.id, ["Yes", "No", "Can't tell"]), a(p.studies[1]!.id, ["Yes", "Yes", "No"])] };
    const f = trafficLightFigure(q, "MMAT");
    expect(colourScale(f.spec).domain).toEqual(["Yes", "Can't tell", "No"]);
    expect(colourScale(f.spec).range).toEqual([GREEN, BLUE, RED]);
    expect(robPlotData(q, "MMAT").hasOverall).toBe(false);
  });
});

describe("the tool a risk-of-bias page opens on", () => {
  it("is the tool with most appraised studies; ties go to RoB 2", () => {
    const tools = (xs: [string, number][]) => xs.map(([tool, studies]) => ({ tool, studies }));
    expect(orderRobTools(tools([["RoB2", 11], ["ROBINS-I", 15], ["CASP", 30], ["ASSESS", 22]])).map((t) => t.tool)).toEqual(["CASP", "ASSESS", "ROBINS-I", "RoB2"]);
    expect(orderRobTools(tools([["CASP", 12], ["ROBINS-I", 12], ["RoB 2", 12]])).map((t) => t.tool)).toEqual(["RoB 2", "ROBINS-I", "CASP"]);
  });
});
