import { describe, expect, it } from "vitest";
import type { GradeAssessment, ReportedResult } from "@homeward/model";
import { certaintyFrom, suggestGrade, summaryOfFindings } from "../src/index.js";

// The seed review's overall model (seed 000): SMD 0.253 (0.08 to 0.42), I² 86.1%, prediction interval −0.476 to 0.824.
const overall: ReportedResult = {
  id: "overall", label: "Overall effect", analysis: "", outcomeDomain: null, measure: "SMD", estimate: 0.253, ciLower: 0.08, ciUpper: 0.42,
  kStudies: 26, kOutcomes: 112, p: null, heterogeneity: { I2: 86.1, predictionInterval: [-0.476, 0.824] }, studyIds: ["s1", "s2", "s3"], notes: null,
};

describe("GRADE suggestions", () => {
  it("reads each domain from the data, with its basis", () => {
    const s = suggestGrade(overall, {
      weights: [{ studyId: "s1", weight: 3, highRisk: true }, { studyId: "s2", weight: 1, highRisk: false }, { studyId: "s3", weight: 5, highRisk: null }],
      weighting: "given",
      eggerP: 0.03,
      threshold: 0.2,
    });
    // 3 of the 4 rated weight units are at high risk: 75%.
    expect(s.riskOfBias.value).toBe("very_serious");
    expect(s.riskOfBias.basis).toMatch(/^75% of the weight is from studies at high risk of bias \(2 of 3 studies with a rating/);
    expect(s.inconsistency.value).toBe("very_serious");
    // The interval (0.08 to 0.42) crosses the threshold 0.2 but not no effect.
    expect(s.imprecision).toMatchObject({ value: "serious" });
    expect(s.imprecision.basis).toBe("95% CI 0.08 to 0.42: does not cross no effect, crosses the threshold 0.2.");
    expect(s.publicationBias.value).toBe("serious");
    expect(s.indirectness.value).toBeNull();
  });

  it("says what it lacks rather than guessing", () => {
    const s = suggestGrade({ ...overall, heterogeneity: null, ciLower: null, ciUpper: null });
    expect([s.riskOfBias.value, s.inconsistency.value, s.imprecision.value, s.publicationBias.value]).toEqual([null, null, null, null]);
    expect(suggestGrade({ ...overall, heterogeneity: { I2: 30 } }).inconsistency.value).toBe("not_serious");
  });

  it("counts the certainty down from high and draws the summary-of-findings row", () => {
    const d = (j: string | null) => ({ judgement: j as never, reason: j === "serious" ? "wide interval" : "" });
    const domains = { riskOfBias: d("not_serious"), inconsistency: d("very_serious"), indirectness: d("not_serious"), imprecision: d("serious"), publicationBias: d("not_serious") };
    expect(certaintyFrom(domains)).toBe("very_low");
    expect(certaintyFrom({ ...domains, inconsistency: d("not_serious") })).toBe("moderate");
    expect(certaintyFrom({ ...domains, imprecision: d(null) })).toBeNull();
    const g: GradeAssessment = { id: "g", resultId: "overall", domains, threshold: 0.2, certainty: "very_low", explanation: "", assessedBy: "ana", at: "2026-01-01T00:00:00.000Z" };
    const [row] = summaryOfFindings([overall], [g]);
    expect(row).toMatchObject({ outcome: "Overall effect", studies: 26, effect: "SMD 0.253 (0.08 to 0.42)", certainty: "Very low", comments: "Inconsistency: Very serious; Imprecision: wide interval" });
  });
});
