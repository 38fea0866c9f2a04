// The reunification example bundle against the figures its source prints.
// "source line N" refers to the published review text the bundle transcribes
// (see SOURCES.md); "guide line N" to the practice guide.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProjectFile, type Study } from "@homeward/model";
import { loadProjectFile, openStore, readProjectSource, type Store } from "@homeward/store";
import { characteristicsTable, seedCodebookTemplate, settledValues, slotKey, valueIssue } from "@homeward/extraction";

const dir = fileURLToPath(new URL(".", import.meta.url));
const p: ProjectFile = loadProjectFile(dir);

const strands = (s: Study) => (s.classifications.strand ?? []) as string[];
const inStrands = (s: Study, ...codes: string[]) => strands(s).length === codes.length && codes.every((c) => strands(s).includes(c));
const effectiveness = p.studies.filter((s) => strands(s).includes("effectiveness"));
const implementation = p.studies.filter((s) => strands(s).includes("implementation"));
const count = <T>(xs: readonly T[], f: (x: T) => boolean) => xs.filter(f).length;
const scheme = (code: string) => p.protocol.classifications.find((c) => c.code === code)!;

describe("reunification bundle: studies", () => {
  it("holds the 73 included studies in the review's strands", () => {
    // source line 886: 73 studies; 20 effectiveness only, 47 implementation only, 6 both
    expect(count(p.studies, (s) => inStrands(s, "effectiveness"))).toBe(20);
    expect(count(p.studies, (s) => inStrands(s, "implementation"))).toBe(47);
    expect(count(p.studies, (s) => inStrands(s, "effectiveness", "implementation"))).toBe(6);
    // source line 898: 26 studies in the meta-analysis; source line 902: 53 for RQ4
    expect(effectiveness).toHaveLength(26);
    expect(implementation).toHaveLength(53);
    // The one study outside the strands is a report cited by CERQual findings but absent from Appendix D.
    expect(p.studies.filter((s) => strands(s).length === 0).map((s) => s.id)).toEqual(["hyde-dryden-lawson-2015"]);
    expect(scheme("strand")).toMatchObject({ role: "strand", multiple: true });
  });

  it("names the six studies in both strands that the RQ4 text names", () => {
    // source line 1644: Berry 2007; Harwin 2011; Akin 2014 (a report of the PMTO trial), 2017; Trescher 2020; Rushovich 2021
    expect(p.studies.filter((s) => inStrands(s, "effectiveness", "implementation")).map((s) => s.id).sort()).toEqual(
      ["akin-2017", "akin-mcdonald-2018", "berry-2007", "harwin-2011", "rushovich-2021", "trescher-2020"],
    );
  });

  it("has 11 RCTs and 15 QEDs among the effectiveness studies", () => {
    // source lines 898 and 1132: 15 QEDs, 11 RCTs
    expect(count(effectiveness, (s) => s.design === "RCT")).toBe(11);
    expect(count(effectiveness, (s) => s.design === "QED")).toBe(15);
    // The design class is what Appendix C prints, and only effectiveness studies have one.
    for (const s of p.studies) expect(s.classifications.designClass, s.id).toBe(effectiveness.includes(s) ? s.design : undefined);
  });

  it("assigns every effectiveness study one intervention type, with the typology's counts", () => {
    // source lines 1100–1112: 9, 5, 3, 3, 2, 2, 1, 1 studies
    const expected: Record<string, number> = {
      parent_skills: 9, parent_mentoring: 5, multi_agency: 3, problem_solving_courts: 3,
      family_finding: 2, child_focused: 2, fgdm: 1, financial_support: 1,
    };
    const codes = scheme("interventionType").values.map((t) => t.code);
    expect(scheme("interventionType")).toMatchObject({ role: "typology", multiple: false });
    expect(codes.sort()).toEqual(Object.keys(expected).sort());
    for (const [code, n] of Object.entries(expected)) {
      expect(count(effectiveness, (s) => s.classifications.interventionType === code), code).toBe(n);
    }
  });

  it("links each study to exactly one lead report, and the Table 4 papers as linked reports", () => {
    for (const s of p.studies) expect(count(p.studyReports, (r) => r.studyId === s.id && r.role === "lead"), s.id).toBe(1);
    const linked = (id: string) => p.studyReports.filter((r) => r.studyId === id && r.role === "linked").map((r) => r.recordId);
    // source line 909: Akin and McDonald 2018 ← Akin et al. 2018a, 2018b, 2019
    expect(linked("akin-mcdonald-2018")).toEqual(expect.arrayContaining(["rec-akin-2018a", "rec-akin-b-a-2018b", "rec-akin-b-a-2019"]));
    // source line 910: Harwin et al. 2011 ← 2013, 2014, 2016, 2018
    expect(linked("harwin-2011")).toHaveLength(4);
    // source line 911: Phillips 2019 ← Phillips 2023
    expect(linked("phillips-2019")).toEqual(["rec-phillips-j-d-2023"]);
  });

  it("records, per effectiveness study, the outcome domains Appendix C reports, matching Table 10's study counts", () => {
    // Table 10 (source lines 1383–1391): studies (n) per outcome domain
    const table10: Record<string, number> = {
      remain_at_home: 17, parental_wellbeing: 2, social_support: 4, child_skills: 3, parental_engagement: 2,
      family_relationships: 2, child_safety_wellbeing: 9, parental_substance_use: 2, parenting_skills: 4,
    };
    for (const [domain, n] of Object.entries(table10)) {
      expect(new Set(p.outcomes.filter((o) => o.domain === domain).map((o) => o.studyId)).size, domain).toBe(n);
    }
    for (const o of p.outcomes) expect(p.protocol.outcomeDomains.some((d) => d.code === o.domain), String(o.domain)).toBe(true);
  });
});

describe("reunification bundle: PROGRESS-Plus (Table 11)", () => {
  const reporting = (code: string) => count(effectiveness, (s) => (s.classifications.progressPlus as string[]).includes(code));

  it("matches the numbers Table 11 prints, row by row", () => {
    // source lines 1415–1431
    const printed: Record<string, number> = {
      place_of_residence: 10, race_ethnicity_culture_language: 25, occupation: 0, religion: 1, education: 0,
      socioeconomic_status: 14, social_capital: 0, child_age: 22, adult_age: 5, child_send: 8,
      parental_learning_disabilities: 3, family_composition: 13, care_experience: 14, reasons_for_care: 17,
    };
    for (const [code, n] of Object.entries(printed)) expect(reporting(code), code).toBe(n);
  });

  it("keeps the gender/sex row's study list, which has one study more than the count printed beside it", () => {
    // source line 1418: "24 [1; 2; 4–26]" lists 25 study numbers; the bundle keeps the list
    expect(reporting("gender_sex")).toBe(25);
  });
});

describe("reunification bundle: appraisals", () => {
  const byTool = (tool: string) => p.appraisals.filter((a) => a.tool === tool);

  it("has one RoB 2 appraisal per RCT and one ROBINS-I appraisal per QED", () => {
    // Appendix E (source lines 3683–3697): 11 RCTs; Appendix F (source lines 3704–3722): 15 QEDs
    const design = (id: string) => p.studies.find((s) => s.id === id)!.design;
    expect(byTool("RoB2").map((a) => design(a.studyId))).toEqual(Array(11).fill("RCT"));
    expect(byTool("ROBINS-I").map((a) => design(a.studyId))).toEqual(Array(15).fill("QED"));
    for (const a of byTool("RoB2")) expect(a.domains).toHaveLength(5);
    for (const a of byTool("ROBINS-I")) expect(a.domains).toHaveLength(7);
  });

  it("agrees with the risk-of-bias rating Appendix C prints for each effectiveness study", () => {
    for (const s of effectiveness) {
      const a = p.appraisals.find((x) => x.studyId === s.id && (x.tool === "RoB2" || x.tool === "ROBINS-I"))!;
      expect(a.overall, s.id).toBe(s.attributes.riskOfBiasRating);
    }
  });

  it("keeps the recorded overall judgements that contradict their domains", () => {
    // Appendix E, source line 3689: Oxford et al. 2016, two "Some concerns" domains, overall Low
    const oxford = byTool("RoB2").find((a) => a.studyId === "oxford-2016")!;
    expect(oxford.overall).toBe("Low");
    expect(oxford.domains.filter((d) => d.judgement === "Some concerns")).toHaveLength(2);
    // Appendix F, source line 3718: Mersky et al. 2023, all domains Low, overall Moderate
    const mersky = byTool("ROBINS-I").find((a) => a.studyId === "mersky-2023")!;
    expect(mersky.overall).toBe("Moderate");
    expect(mersky.domains.every((d) => d.judgement === "Low")).toBe(true);
    // Appendix F, source line 3720: Pine et al. 2009, Moderate domains, overall Low
    const pine = byTool("ROBINS-I").find((a) => a.studyId === "pine-2009")!;
    expect(pine.overall).toBe("Low");
    expect(pine.domains.some((d) => d.judgement === "Moderate")).toBe(true);
  });

  it("has the CASP and ASSESS appraisals of Appendices G and H", () => {
    // Appendix G (source lines 3739–3780): 30 rows; Table 7 (source line 978) lists 29, without Phillips 2023
    expect(byTool("CASP")).toHaveLength(30);
    // 6 of Table 7's 29 are negative (source line 250: 20.69%)
    expect(count(byTool("CASP"), (a) => a.overall === "Negative/relatively poor methodology")).toBe(6);
    // Appendix H (source lines 3787–3816): 22 rows, no overall judgement
    expect(byTool("ASSESS")).toHaveLength(22);
    expect(byTool("ASSESS").every((a) => a.overall === null)).toBe(true);
    // every implementation study but one (Akin et al. 2017, a QED with process insights) has CASP or ASSESS
    const appraised = new Set([...byTool("CASP"), ...byTool("ASSESS")].map((a) => a.studyId));
    expect(implementation.filter((s) => !appraised.has(s.id)).map((s) => s.id)).toEqual(["akin-2017"]);
  });
});

describe("reunification bundle: CERQual findings", () => {
  it("holds the 18 findings with 6 high, 11 moderate and 1 low confidence", () => {
    // source lines 1652 and 1660
    expect(p.qualitativeFindings).toHaveLength(18);
    expect(count(p.qualitativeFindings, (f) => f.confidence === "high")).toBe(6);
    expect(count(p.qualitativeFindings, (f) => f.confidence === "moderate")).toBe(11);
    expect(count(p.qualitativeFindings, (f) => f.confidence === "low")).toBe(1);
  });

  it("judges every CERQual component and names contributing studies", () => {
    for (const f of p.qualitativeFindings) {
      for (const c of Object.values(f.components)) expect(c.judgement, f.id).not.toBeNull();
      expect(f.studyIds.length, f.id).toBeGreaterThan(0);
    }
    // Table 13, source line 1667: Acceptability.1 draws on 24 studies
    expect(p.qualitativeFindings.find((f) => f.id === "Acceptability.1")!.studyIds).toHaveLength(24);
  });
});

describe("reunification bundle: flow counts, searches, results, recommendations", () => {
  const recorded = (field: string) => p.recordedCounts.find((c) => c.field === field);

  it("records the PRISMA figure's counts", () => {
    // Appendix A, Figure 1 (source lines 3174–3195)
    const expected: Record<string, number> = {
      database_results: 10263, duplicates: 2594, records_screened: 7669, records_excluded: 7311,
      dbr_sought_reports: 358, dbr_notretrieved_reports: 20, dbr_assessed: 338, website_results: 41,
      other_sought_reports: 19, other_notretrieved_reports: 3, other_assessed: 16, other_excluded: 5, new_studies: 73,
    };
    for (const [field, n] of Object.entries(expected)) expect(recorded(field)?.value, field).toBe(n);
    // source line 3184: eight exclusion reasons at full text
    expect(recorded("dbr_excluded")!.reasons).toEqual({
      intervention: 126, design: 81, population: 6, country: 4, language: 4, duplicate: 17, outcomes: 8, multiple_reports: 8,
    });
    for (const code of Object.keys(recorded("dbr_excluded")!.reasons!)) {
      expect(p.protocol.exclusionReasons.some((r) => r.code === code), code).toBe(true);
    }
  });

  it("lists the four databases whose results add up to the records identified", () => {
    // Appendix B (source lines 3478–3481)
    const dbs = p.searches.filter((s) => s.kind === "database");
    expect(dbs.map((s) => s.resultsCount)).toEqual([2318, 6393, 124, 1428]);
    expect(dbs.reduce((a, s) => a + (s.resultsCount ?? 0), 0)).toBe(recorded("database_results")!.value);
  });

  it("ties reported results to the studies the text names", () => {
    const r = (id: string) => p.reportedResults.find((x) => x.id === id)!;
    // source line 1174: SMD 0.253 (0.08 to 0.42), n=26, k=112
    expect([r("overall").estimate, r("overall").ciLower, r("overall").ciUpper, r("overall").studyIds.length]).toEqual([0.253, 0.08, 0.42, 26]);
    // footnote 35 (source line 1374): 17 studies for remaining at home
    expect(r("table10-remain-at-home").studyIds).toHaveLength(17);
    for (const x of p.reportedResults) {
      if (x.kStudies !== null && x.studyIds.length > 0 && !x.id.startsWith("condition-location-community-vs")) {
        expect(x.studyIds.length, x.id).toBe(x.kStudies);
      }
    }
  });

  it("holds the guide's eight key principles and four rated recommendations", () => {
    expect(count(p.recommendations, (x) => x.kind === "principle")).toBe(8);
    // guide lines 483–570: no rating, good, promising, promising
    expect(p.recommendations.filter((x) => x.kind === "recommendation").map((x) => x.rating)).toEqual(["no_rating", "good", "promising", "promising"]);
    // every finding underpins at least one principle or recommendation
    const cited = new Set(p.recommendations.flatMap((x) => x.findingIds));
    for (const f of p.qualitativeFindings) expect(cited.has(f.id), f.id).toBe(true);
  });
});

describe("reunification bundle: codebook and transcribed values", () => {
  const item = (code: string) => p.codebookItems.find((i) => i.code === code)!;
  const settled = settledValues(p.codebookItems, p.extractedValues);
  const valueOf = (studyId: string, code: string) => settled.get(slotKey({ studyId, itemId: item(code).id, outcomeId: null }))?.value;

  it("has the seed review's data items as its codebook, then the appendices' columns that have no item of their own", () => {
    const template = seedCodebookTemplate().items.map((i) => i.code);
    expect(p.codebookItems.slice(0, template.length).map((i) => i.code)).toEqual(template);
    expect(p.codebookItems.slice(template.length).map((i) => i.code)).toEqual([
      "appendices", "population", "comparison_group", "sample_size", "outcomes_reported", "implementation_outcomes", "qualitative_data_collection", "summary_of_findings", "risk_of_bias_rating",
    ]);
    // The designs the appendices print that the template's list lacks: an option added for the example.
    expect(item("study_design").options.map((o) => o.code)).toContain("qualitative_process_evaluation");
  });

  it("carries each study's transcribed characteristics as one extraction under the review team's account, each fitting its item", () => {
    expect(new Set(p.extractedValues.map((v) => v.reviewer))).toEqual(new Set(["ncb-review-team"]));
    expect(p.users.map((u) => u.name)).toContain("ncb-review-team");
    for (const v of p.extractedValues) {
      const it = p.codebookItems.find((i) => i.id === v.itemId)!;
      expect(valueIssue({ id: v.studyId, name: v.studyId }, it, v.value), v.id).toBeNull();
      expect(v.note, v.id).toMatch(/^Transcribed from the review/);
    }
    for (const s of p.studies) {
      expect(valueOf(s.id, "country"), s.id).toBe(s.country ?? undefined);
      expect(valueOf(s.id, "year"), s.id).toBe(s.attributes.year);
    }
    for (const s of effectiveness) {
      const c = s.attributes.appendixC as Record<string, unknown>;
      expect(valueOf(s.id, "study_design"), s.id).toBe(s.design === "RCT" ? "randomised_controlled_trial" : "quasi_experimental_design");
      expect(valueOf(s.id, "risk_of_bias_rating"), s.id).toBe(c.riskOfBiasRating);
      expect(valueOf(s.id, "summary_of_findings"), s.id).toBe(c.summaryOfFindings);
    }
    for (const s of implementation) {
      expect(valueOf(s.id, "implementation_outcomes"), s.id).toEqual((s.attributes.appendixD as { outcomesAssessed: string[] }).outcomesAssessed);
    }
    // The study outside both appendices has only its year and country.
    expect(p.extractedValues.filter((v) => v.studyId === "hyde-dryden-lawson-2015").map((v) => v.itemId)).toEqual([item("year").id, item("country").id]);
    // Extraction is finished in a transcribed review, so its blinding is lifted: every member sees the values in the forms.
    expect(p.project.blinding.extraction).toBeTruthy();
  });

  it("rebuilds Appendix C (characteristics of the effectiveness studies) from the codebook", () => {
    const t = characteristicsTable({
      items: p.codebookItems, values: p.extractedValues, studies: effectiveness,
      codes: ["study_design", "intervention_name", "country", "population", "comparison_group", "outcomes_reported", "summary_of_findings", "risk_of_bias_rating"],
    });
    expect(t.rows).toHaveLength(26);
    // source line 3492
    expect(t.rows.find((r) => r.studyId === "akin-2017")!.cells.map((c) => c.text)).toEqual([
      "Quasi-experimental design", "Strengthening Families Program", "US",
      "Parents and children (219 participants in intervention group, 274 in comparison group)", "Treatment-as-usual (TAU)",
      "Supporting children to remain at home and not return to care",
      "No statistical difference between intervention and control group in the likelihood of re-entry following reunification", "Moderate",
    ]);
    expect(t.rows.every((r) => r.cells.every((c) => c.source === "single"))).toBe(true);
  });
});

describe("reunification bundle: import into a fresh store", () => {
  let dataDir: string;
  let store: Store;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "homeward-reunification-"));
    store = await openStore({ dataDir });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("imports through the ordinary import and exports the same entities", async () => {
    const project = await store.importProject(readProjectSource(dir), { actor: "test" });
    expect(project.id).toBe("reunification");
    const out = await store.exportProject("reunification");
    for (const c of ["studies", "studyReports", "records", "appraisals", "qualitativeFindings", "reportedResults", "recommendations", "recordedCounts", "searches", "outcomes", "codebookItems", "extractedValues"] as const) {
      expect(out[c].length, c).toBe(p[c].length);
    }
    expect(out.protocol).toEqual(p.protocol);
    expect(out.project.blinding).toEqual(p.project.blinding);
  });
});
