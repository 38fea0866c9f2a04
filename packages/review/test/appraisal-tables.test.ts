/**
 * Appendix-style appraisal tables from the built-in reunification project,
 * checked against the seed's printed appendices (../shared/seeds/
 * 000_727b90ba171410e5.txt: Appendix E lines 3680–3695, F 3701–3722, G
 * 3726–3781, H 3784–3818), and from appraisals entered question by question.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadProjectFile } from "@homeward/store";
import type { Appraisal, ProjectFile } from "@homeward/model";
import { appraisalTableCsv, appraisalTables, type AppraisalTable } from "@homeward/review";

let p: ProjectFile;
let tables: AppraisalTable[];
beforeAll(() => {
  p = loadProjectFile(fileURLToPath(new URL("../../../examples/reunification", import.meta.url)));
  tables = appraisalTables(p);
});
const table = (tool: string) => tables.find((t) => t.tool === tool)!;
const row = (t: AppraisalTable, study: string) => {
  const r = t.rows.find((x) => x.study === study)!;
  return Object.fromEntries(t.columns.map((c, i) => [c.label, r.cells[i]]));
};

describe("the seed's appendices from the recorded appraisals", () => {
  it("one table per tool, the most appraised first", () => {
    expect(tables.map((t) => [t.tool, t.rows.length])).toEqual([
      ["CASP", 30],
      ["ASSESS", 22],
      ["ROBINS-I", 15],
      ["RoB2", 11],
    ]);
  });

  it("Appendix E: RoB 2 studies × five domains and the overall, on the tool's labels", () => {
    const t = table("RoB2");
    expect(t.columns.map((c) => c.kind)).toEqual(["domain", "domain", "domain", "domain", "domain", "overall"]);
    expect(t.columns.at(-1)!.label).toBe("Overall");
    // Line 3694: Some concerns, Some concerns, Low risk, Some concerns, Some concerns — High.
    expect(Object.values(row(t, "Trout et al., 2012"))).toEqual(["Some concerns", "Some concerns", "Low", "Some concerns", "Some concerns", "High"]);
    expect(t.caption).toBe("RoB 2: judgement by domain and overall, 11 studies");
  });

  it("Appendix F: ROBINS-I studies × seven domains and the overall", () => {
    const t = table("ROBINS-I");
    expect(t.columns).toHaveLength(8);
    // Line 3712: Landsman et al., 2001.
    expect(Object.values(row(t, "Landsman et al., 2001"))).toEqual(["Moderate", "Moderate", "Low", "Moderate", "Serious", "Moderate", "Moderate", "Serious"]);
  });

  it("Appendix G: CASP answers to Q1–Q9 and the quality judgement, questions keyed by their wording", () => {
    const t = table("CASP");
    expect(t.columns.map((c) => c.label)).toEqual(["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Quality judgement"]);
    expect(t.columns[0]!.description).toBe("Was there a clear statement of the aims of the research?");
    // Line 3747: Harwin et al., 2013.
    expect(Object.values(row(t, "Harwin et al., 2013"))).toEqual(["Yes", "No", "No", "Can't tell", "Can't tell", "Can't tell", "Can't tell", "Can't tell", "Yes", "Negative/relatively poor methodology"]);
  });

  it("Appendix H: ASSESS ratings per implementation outcome, no overall, N/A where an outcome was not assessed", () => {
    const t = table("ASSESS");
    expect(t.columns.map((c) => c.label)).toEqual(["Acceptability", "Adoption", "Appropriateness", "Feasibility", "Fidelity", "Reach", "Cost", "Sustainability"]);
    expect(t.empty).toBe("N/A");
    // Line 3787: Administration for Children et al., 1991.
    const csv = appraisalTableCsv(t).split("\r\n");
    expect(csv[0]).toBe("study_id,Study,Acceptability,Adoption,Appropriateness,Feasibility,Fidelity,Reach,Cost,Sustainability");
    expect(csv.find((l) => l.includes("Administration for Children"))).toBe(
      "administration-for-children-1991,\"Administration for Children et al., 1991\",N/A,Higher bias,N/A,N/A,Higher bias,N/A,N/A,N/A",
    );
  });
});

describe("appraisals entered question by question", () => {
  const at = "2026-01-01T00:00:00.000Z";
  const appraisal = (id: string, studyId: string, tool: Appraisal["tool"], domains: Appraisal["domains"], overall: string | null, extra: Partial<Appraisal> = {}): Appraisal => ({
    id, studyId, outcomeId: null, tool, toolVersion: null, variant: null, status: "submitted", domains, overall, overallSupport: null, reviewer: "ann", consensus: false, at, ...extra,
  });
  const dom = (domain: string, judgement: string | null, answers: Record<string, string>) => ({ domain, judgement, support: "", answers });

  it("CASP: each question's answer under the tool's question ids; free-text Q10 left out", () => {
    const [s1] = p.studies;
    const a = appraisal("c1", s1!.id, "CASP", [
      dom("Section A: Are the results valid?", null, { Q1: "Yes", Q2: "Yes", Q3: "No", Q4: "Can't tell", Q5: "Yes", Q6: "No" }),
      dom("Section B: What are the results?", null, { Q7: "Yes", Q8: "Yes", Q9: "Yes" }),
      dom("Section C: Will the results help locally?", null, { Q10: "Useful for practice" }),
    ], "Positive/methodologically sound");
    const [t] = appraisalTables({ studies: p.studies, appraisals: [a] });
    expect(t!.columns.map((c) => c.label)).toEqual(["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Quality judgement"]);
    expect(t!.columns[2]).toMatchObject({ kind: "answer", group: "Section A: Are the results valid?", description: "Was the research design appropriate to address the aims of the research?" });
    expect(t!.rows[0]!.cells).toEqual(["Yes", "Yes", "No", "Can't tell", "Yes", "No", "Yes", "Yes", "Yes", "Positive/methodologically sound"]);
  });

  it("ASSESS: each outcome's rating followed by its criterion scores", () => {
    const [s1, s2] = p.studies;
    const a = appraisal("a1", s1!.id, "ASSESS", [
      dom("Acceptability", "Lower bias", { "acceptability.definition": "2", "acceptability.methods": "1", "acceptability.reporting": "2" }),
      dom("Cost", null, { "cost.definition": "NA", "cost.methods": "NA", "cost.reporting": "NA" }),
    ], null);
    const b = appraisal("a2", s2!.id, "ASSESS", [dom("Acceptability", "Higher bias", { "acceptability.definition": "0", "acceptability.methods": "0", "acceptability.reporting": "1" })], null);
    const [t] = appraisalTables({ studies: p.studies, appraisals: [a, b] });
    expect(t!.columns.map((c) => [c.kind, c.label])).toEqual([
      ["domain", "Acceptability"],
      ["answer", "Clarity of definition and measurement"],
      ["answer", "Appropriateness of data sources and methods"],
      ["answer", "Transparency and completeness of reporting"],
      ["answer", "Clarity of definition and measurement"],
      ["answer", "Appropriateness of data sources and methods"],
      ["answer", "Transparency and completeness of reporting"],
    ]);
    expect(t!.columns[4]!.group).toBe("Cost");
    const first = t!.rows.find((r) => r.studyId === s1!.id)!;
    expect(first.cells.slice(0, 4)).toEqual(["Lower bias", "2 – High", "1 – Moderate", "2 – High"]);
    expect(appraisalTableCsv(t!).split("\r\n")[0]).toContain("Acceptability: Clarity of definition and measurement");
  });

  it("drafts are never shown; a consensus appraisal stands for its study", () => {
    const [s1] = p.studies;
    const d = (judgement: string) => [dom("Randomisation process", judgement, {})];
    const rows = (xs: Appraisal[]) => appraisalTables({ studies: p.studies, appraisals: xs })[0]?.rows.map((r) => r.cells) ?? [];
    expect(rows([appraisal("r1", s1!.id, "RoB2", d("Low risk"), "Low", { status: "draft" })])).toEqual([]);
    expect(rows([
      appraisal("r1", s1!.id, "RoB2", d("Low risk"), "Low"),
      appraisal("r2", s1!.id, "RoB2", d("High risk"), "High", { consensus: true, reviewer: "ben" }),
    ])).toEqual([["High", "High"]]);
  });
});
