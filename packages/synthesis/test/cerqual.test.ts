import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Appraisal, QualitativeFinding } from "@homeward/model";
import { assessmentBasis, checkCerqual, evidenceProfile, explainConfidence, reassessment, suggestAdequacy, suggestConfidence, suggestMethodologicalLimitations, summaryOfQualitativeFindings } from "../src/index.js";

const example = (f: string) => JSON.parse(readFileSync(new URL(`../../../examples/reunification/${f}.json`, import.meta.url), "utf8"));
const findings = example("qualitativeFindings") as QualitativeFinding[];
const appraisals = example("appraisals") as Appraisal[];
const studies = example("studies") as { id: string; name: string; shortCitation: string | null }[];

const app = (studyId: string, tool: "CASP" | "ASSESS", overall: string | null, domains: [string, string | null][] = [], extra: Partial<Appraisal> = {}): Appraisal => ({
  id: `${tool}-${studyId}`, studyId, outcomeId: null, tool, toolVersion: null, variant: null, status: null,
  domains: domains.map(([domain, judgement]) => ({ domain, judgement, support: "", answers: {} })),
  overall, overallSupport: null, reviewer: "ana", consensus: true, at: "2026-01-01T00:00:00.000Z", ...extra,
});

describe("CERQual suggestions", () => {
  it("suggests methodological limitations from the share of appraised studies raising a concern", () => {
    const apps = [
      app("s1", "CASP", "Positive/methodologically sound"),
      app("s2", "CASP", "Negative/relatively poor methodology"),
      app("s3", "ASSESS", null, [["Acceptability", "Lower bias"], ["Fidelity", "Higher bias"]]),
      app("s4", "CASP", "Positive/methodologically sound"),
    ];
    // Coded acceptability: s3's ASSESS rating of that outcome is read, not its fidelity one.
    const s = suggestMethodologicalLimitations(["s1", "s2", "s3", "s4", "s5"], apps, [{ label: "Acceptability" }]);
    expect([s.value, s.appraised, s.concerns]).toEqual(["minor", 4, ["s2"]]);
    expect(s.basis).toMatch(/^1 of 4 appraised contributing studies raise a concern .*; 1 not appraised\.$/);
    expect(suggestMethodologicalLimitations(["s1", "s2", "s3", "s4"], apps).value).toBe("moderate");
    expect(suggestMethodologicalLimitations(["s9"], apps).value).toBeNull();
  });

  it("suggests adequacy from the numbers of studies and excerpts, and the overall confidence from the components", () => {
    expect(suggestAdequacy(24, 40).value).toBe("no");
    expect(suggestAdequacy(5, 8).value).toBe("minor");
    expect(suggestAdequacy(5, 2).value).toBe("moderate");
    expect(suggestAdequacy(1, 3).value).toBe("serious");
    expect(suggestConfidence({ methodologicalLimitations: "moderate", coherence: "no", adequacy: "no", relevance: "no" }).value).toBe("moderate");
    expect(suggestConfidence({ methodologicalLimitations: "serious", coherence: "moderate", adequacy: "no", relevance: "no" }).value).toBe("very_low");
    expect(suggestConfidence({ methodologicalLimitations: "minor", coherence: null, adequacy: "no", relevance: "no" }).value).toBeNull();
  });

  it("agrees with the seed's Table 13 on the findings whose published confidence follows the components", () => {
    // Seed 000, Table 13: Acceptability.1 is moderate confidence "because of the moderate concerns about methodological limitations".
    const f = findings.find((x) => x.id === "Acceptability.1")!;
    const levels = Object.fromEntries(Object.entries(f.components).map(([k, v]) => [k, v.judgement])) as never;
    expect(suggestConfidence(levels).value).toBe(f.confidence);
    expect(explainConfidence(f.confidence!, levels)).toBe(
      "This finding was graded as moderate confidence because of moderate concerns about methodological limitations, and no or very minor concerns about coherence, adequacy and relevance.",
    );
  });

  it("checks an assessment against the scales", () => {
    expect(() => checkCerqual({ components: { coherence: { judgement: "huge" } } })).toThrow('Coherence: "huge" is not a level of concern (use no, minor, moderate, serious)');
    expect(() => checkCerqual({ confidence: "certain" })).toThrow('"certain" is not a level of confidence (use high, moderate, low, very_low)');
    expect(() => checkCerqual({ confidence: "high" })).toThrow(/judge all four components/);
  });
});

describe("re-assessment and the iSoQ tables", () => {
  const f: QualitativeFinding = { ...findings[0]!, excerptIds: [], codeIds: [], assessedBasis: null, assessedBy: null, assessedAt: null };

  it("marks a finding whose studies or appraisals changed since its assessment", () => {
    const apps = [app(f.studyIds[0]!, "CASP", "Positive/methodologically sound")];
    const assessed = { ...f, assessedBasis: assessmentBasis(f, apps) };
    expect(reassessment(assessed, apps)).toEqual({ needed: false, reasons: [] });
    expect(reassessment({ ...assessed, studyIds: [...f.studyIds, "new-study"] }, apps).reasons).toEqual(["contributing study added: new-study"]);
    const changed = [app(f.studyIds[0]!, "CASP", "Negative/relatively poor methodology", [], { at: "2026-02-01T00:00:00.000Z" })];
    expect(reassessment(assessed, changed).reasons).toEqual(["an appraisal of a contributing study changed"]);
    // Assessed outside Homeward (the example's published table): nothing to compare.
    expect(reassessment(f, changed).needed).toBe(false);
  });

  it("builds the Summary of Qualitative Findings and the Evidence Profile from the example's Table 13 as published", () => {
    const all = findings.map((x) => ({ ...x, excerptIds: [], codeIds: [], assessedBasis: null, assessedBy: null, assessedAt: null }));
    const soqf = summaryOfQualitativeFindings({ qualitativeFindings: all, studies: studies as never, appraisals });
    expect(soqf).toHaveLength(18);
    expect(soqf[0]).toMatchObject({ id: "Acceptability.1", confidence: "Moderate", explanation: findings[0]!.explanation });
    expect(soqf[0]!.studies).toHaveLength(findings[0]!.studyIds.length);
    const ep = evidenceProfile({ qualitativeFindings: all, studies: studies as never, appraisals });
    expect(ep[0]!.components.map((c) => c.judgement)).toEqual(["Moderate concerns", "No or very minor concerns", "No or very minor concerns", "No or very minor concerns"]);
    expect(ep[0]!.components[0]!.explanation).toBe(findings[0]!.components.methodologicalLimitations.explanation);
  });
});
