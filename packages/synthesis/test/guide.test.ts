import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Recommendation } from "@homeward/model";
import { cohenU3, evidenceSummaryTable, FOUNDATIONS_SCHEME, guideTrail, u3Statement } from "../src/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/u3.json", import.meta.url), "utf8")) as { d: number[]; u3: number[] };

describe("Cohen's U3", () => {
  it("is R's pnorm(d) (fixtures/u3.R)", () => {
    fixture.d.forEach((d, i) => expect(cohenU3(d)).toBeCloseTo(fixture.u3[i]!, 12));
  });

  it("gives the guide's 'around 60%' from the review's pooled SMD of 0.253 (seed 001 line 481; seed 000 overall model)", () => {
    const s = u3Statement({ id: "overall", measure: "SMD", estimate: 0.253, ciLower: 0.08, ciUpper: 0.42 });
    expect(s.percent).toBe(60);
    expect(s.text).toContain("better outcomes than around 60% of those who do not receive an intervention");
    // The interval's ends as R gives them: pnorm(0.08) = 53.2%, pnorm(0.42) = 66.3%.
    expect(s.text).toContain("from 53% to 66%");
  });

  it("changes with the data and refuses a result that is not an SMD", () => {
    expect(u3Statement({ id: "x", measure: "SMD", estimate: 0.172, ciLower: null, ciUpper: null }).percent).toBe(57);
    expect(u3Statement({ id: "x", measure: "OR", estimate: 1.4, ciLower: null, ciUpper: null }).problem).toMatch(/standardised mean difference/);
    expect(u3Statement({ id: "x", measure: "SMD", estimate: null, ciLower: null, ciUpper: null }).problem).toMatch(/no estimate/);
    expect(() => cohenU3(Number.NaN)).toThrow(RangeError);
  });
});

describe("the guide's trail", () => {
  const rec = (over: Partial<Recommendation>): Recommendation => ({
    id: "r1", text: "Offer support", rating: "good", kind: "recommendation", findingIds: [], resultIds: [], order: 1, rowIds: [], ratingReason: null, effectResultId: null, ...over,
  });
  const base = {
    ratingScheme: [],
    qualitativeFindings: [
      { id: "f1", statement: "Parents value trust", components: {} as never, confidence: "moderate" as const, explanation: "", studyIds: ["s1", "s2"], order: 1, excerptIds: ["e1", "e2"], codeIds: ["c1"], assessedBasis: null, assessedBy: null, assessedAt: null },
    ],
    reportedResults: [{ id: "overall", label: "Overall", analysis: "", outcomeDomain: null, measure: "SMD", estimate: 0.253, ciLower: 0.08, ciUpper: 0.42, kStudies: 26, kOutcomes: 112, p: null, heterogeneity: null, studyIds: ["s3"], notes: null }],
    gradeAssessments: [],
    jointDisplayRows: [{ id: "j1", question: "Does support help?", resultIds: ["overall"], findingIds: [], surveyQuestionIds: [], transcriptIds: [], primaryNote: "", judgement: "complements" as const, note: "", order: 1 }],
    codedExcerpts: [
      { id: "e1", studyId: "s1", recordId: "rec1", transcriptId: null, page: 4, text: "She listened to us", codeIds: ["c1"], source: "typed" as const, note: "", codedBy: "ana", at: "2026-01-01T00:00:00.000Z" },
      { id: "e2", studyId: "s2", recordId: null, transcriptId: null, page: 9, text: "We trusted the worker", codeIds: ["c1"], source: "viewer" as const, note: "", codedBy: "ana", at: "2026-01-01T00:00:00.000Z" },
    ],
    synthesisCodes: [{ id: "c1", framework: "proctor", label: "Acceptability", description: "", status: "active" as const, successorIds: [], history: [], order: 1 }],
    studies: [
      { id: "s1", name: "Study one", shortCitation: "One 2020" },
      { id: "s2", name: "Study two", shortCitation: "Two 2021" },
      { id: "s3", name: "Study three", shortCitation: "Three 2019" },
    ],
    studyReports: [{ studyId: "s1", recordId: "rec1", role: "lead" as const, citation: null }],
  };

  it("follows a recommendation through its row and finding down to each excerpt, with the Foundations rating and the U3 statement", () => {
    const [t] = guideTrail({ ...base, recommendations: [rec({ findingIds: ["f1"], rowIds: ["j1"], effectResultId: "overall" })] });
    expect(t!.rating).toEqual({ code: "good", label: "Good evidence" });
    expect(t!.findings[0]!.excerpts.map((e) => [e.text, e.study, e.page, e.codes])).toEqual([
      ["She listened to us", "One 2020", 4, ["Acceptability"]],
      ["We trusted the worker", "Two 2021", 9, ["Acceptability"]],
    ]);
    // The row's result joins the recommendation's evidence.
    expect(t!.results.map((r) => r.id)).toEqual(["overall"]);
    expect(t!.rows).toEqual([{ id: "j1", question: "Does support help?", judgement: "Complements", note: "" }]);
    expect(t!.studies.map((s) => s.citation)).toEqual(["One 2020", "Three 2019", "Two 2021"]);
    expect(t!.statement!.percent).toBe(60);
  });

  it("summarises ratings as the guide's evidence summary table, with the reason for no rating", () => {
    const rows = evidenceSummaryTable({ ...base, ratingScheme: FOUNDATIONS_SCHEME, recommendations: [rec({ id: "r0", rating: "no_rating", ratingReason: "type did not matter", findingIds: ["f1"] })] });
    expect(rows).toEqual([{ id: "r0", text: "Offer support", rating: "No rating", ratingReason: "type did not matter", statement: null, findings: 1, results: 0 }]);
  });
});
