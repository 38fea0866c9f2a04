import { collectionNames, type ProjectFileInput } from "@homeward/model";

const at = (m: number) => new Date(Date.UTC(2024, 0, 1, 9, m)).toISOString();

/** A project file holding at least one entity of every collection, with awkward values (unicode, nulls, floats, nested JSON). */
export function fullProjectFile(id = "proj-full"): ProjectFileInput {
  const file: ProjectFileInput = {
    format: "homeward-project",
    version: 1,
    project: { id, title: "Family reunification — full fixture", description: "Ünïcode ✓", createdAt: at(0), updatedAt: at(59) },
    protocol: {
      question: "Does it work?",
      picot: { population: "Children in care", intervention: "Reunification support" },
      exclusionReasons: [
        { code: "pop", label: "Wrong population", rank: 1 },
        { code: "design", label: "Wrong design", rank: 2, stage: "full_text" },
      ],
      outcomeDomains: [{ code: "stability", label: "Placement stability" }],
      ratingScheme: [{ code: "strong", label: "Strong", rank: 2 }],
      lists: { settings: [{ code: "la", label: "Local authority" }] },
    },
    users: [
      { name: "ana", displayName: "Ana P." },
      { name: "ben", displayName: "" },
    ],
    members: [{ id: "m1", userName: "ana", role: "owner", addedAt: at(1) }],
    searches: [{ id: "s1", source: "MEDLINE (Ovid)", kind: "database", date: "2024-01-01", query: "reunif* AND child*", resultsCount: 3 }],
    importBatches: [
      { id: "b1", searchId: "s1", fileName: "medline.ris", format: "ris", importedBy: "ana", importedAt: at(2), counts: { read: 3, imported: 2, skipped: 1 }, skipped: [{ index: 3, reason: "no title", raw: "TY  - JOUR\nER  -" }] },
    ],
    records: [
      { id: "r1", searchId: "s1", importBatchId: "b1", authors: ["Smith, J", "Doe, A"], title: "Reunification outcomes", abstract: "Abstract with \"quotes\" and ünïcode", journal: "Child Abuse Negl", year: 2020, volume: "12", issue: "3", pages: "1-10", doi: "10.1000/xyz1", pmid: "123", keywords: ["foster care"], url: "https://example.org/1", type: "JOUR", language: "eng", raw: "TY  - JOUR", extra: { N1: ["note"], custom: { a: 1 } }, duplicateGroupId: "g1", createdAt: at(3) },
      { id: "r2", searchId: "s1", importBatchId: "b1", authors: ["Smith, J."], title: "Reunification outcomes.", year: null, duplicateGroupId: "g1", createdAt: at(3) },
    ],
    duplicateGroups: [{ id: "g1", primaryRecordId: "r1", method: "automatic", createdBy: "ana", createdAt: at(4) }],
    duplicatePairs: [{ id: "dp1", recordIdA: "r1", recordIdB: "r2", score: 0.87, reasons: ["title"], status: "duplicate", decidedBy: "ben", decidedAt: at(5), createdAt: at(4) }],
    screeningSettings: [{ id: "ss1", stage: "title_abstract", mode: "dual_then_single", dualFraction: 0.2, reviewers: ["ana", "ben"], updatedAt: at(5) }],
    screeningAssignments: [{ id: "sa1", recordId: "r1", stage: "title_abstract", reviewer: "ben", assignedAt: at(5) }],
    screeningDecisions: [
      { id: "d1", recordId: "r1", stage: "title_abstract", reviewer: "ana", decision: "include", at: at(6) },
      { id: "d2", recordId: "r1", stage: "title_abstract", reviewer: "ben", decision: "exclude", reasons: ["design", "pop"], note: "hmm", labels: ["check"], at: at(7) },
    ],
    reconciliations: [{ id: "rc1", recordId: "r1", stage: "title_abstract", decision: "include", resolvedBy: "ana", reason: "RCT after all", at: at(8) }],
    qaSamples: [{ id: "qa1", stage: "title_abstract", reviewer: "ben", decision: "exclude", recordIds: ["r1"], fraction: 0.1, seed: 42, createdBy: "ana", createdAt: at(9) }],
    fullTextRetrievals: [{ id: "ft1", recordId: "r1", status: "retrieved", file: { name: "smith2020.pdf", mediaType: "application/pdf", size: 1234, sha256: null }, updatedBy: "ana", updatedAt: at(10) }],
    recordedCounts: [{ id: "rcount1", field: "dbr_excluded", value: 5, reasons: { pop: 3, design: 2 }, source: "s1", recordedBy: "ana", recordedAt: at(11) }],
    studies: [{ id: "st1", name: "Smith 2020", shortCitation: "Smith et al. 2020", design: "RCT", country: "UK", arms: [{ label: "Intervention", n: 60 }], strand: "effectiveness", attributes: { setting: "la" }, createdAt: at(12) }],
    studyReports: [
      { id: "sr1", studyId: "st1", recordId: "r1", role: "lead" },
      { id: "sr2", studyId: "st1", citation: "Smith J. Conference abstract. 2019.", role: "linked" },
    ],
    codebookItems: [{ id: "cb1", code: "age", label: "Mean age", type: "number", options: [], group: "Population", order: 1 }],
    outcomes: [{ id: "o1", studyId: "st1", domain: "stability", name: "Re-entry to care", measure: "proportion", timing: "12 months", higherIsBetter: false, attributes: {} }],
    extractedValues: [{ id: "ev1", studyId: "st1", itemId: "cb1", outcomeId: null, value: 7.5, reviewer: "ana", at: at(13) }],
    effectSizes: [{ id: "es1", outcomeId: "o1", measure: "OR", inputs: { ai: 10, n1i: 60, ci: 20, n2i: 58 }, yi: -0.8472978603872037, vi: 0.1738095238095238, method: "escalc OR", createdBy: "ben", createdAt: at(14) }],
    extractionChecks: [{ id: "ck1", studyId: "st1", target: "value", valueId: "ev1", action: "propose", basis: 7.5, proposed: 8.5, reason: "Table 1", extractor: "ana", reviewer: "ben", at: at(14) }],
    appraisals: [{ id: "ap1", studyId: "st1", outcomeId: "o1", tool: "RoB2", domains: [{ domain: "D1", judgement: "low", support: "Concealed", answers: { "1.1": "Y" } }], overall: "some_concerns", reviewer: "ana", consensus: true, at: at(15) }],
    appraisalFlagAcceptances: [{ id: "af1", appraisalId: "ap1", flag: "overall_not_worst", justification: "Domain 2 minor", acceptedBy: "ben", at: at(16) }],
    synthesisCodes: [{ id: "code1", framework: "proctor", label: "Acceptability", history: [{ action: "created", by: "ana", at: at(16) }], order: 1 }],
    transcripts: [{ id: "tr1", label: "Focus group 1", kind: "focus_group", group: "practitioners", participants: 6, text: "We need housing." }],
    codedExcerpts: [{ id: "ex1", studyId: "st1", recordId: "r1", page: 4, text: "Parents valued the same worker", codeIds: ["code1"], source: "typed", codedBy: "ana", at: at(16) }],
    surveyQuestions: [{ id: "sq1", code: "policy", text: "Written policy?", type: "single", options: [{ code: "yes", label: "Yes" }, { code: "no", label: "No" }], order: 1 }],
    surveyResponses: [{ id: "sr-1", respondent: "R1", group: "la", answers: { policy: "yes" }, importedBy: "ana", importedAt: at(16) }],
    qualitativeFindings: [{ id: "qf1", statement: "Parents value continuity", components: { coherence: { judgement: "minor", explanation: "x" } }, confidence: "moderate", studyIds: ["st1"], order: 1, excerptIds: ["ex1"], codeIds: ["code1"] }],
    reportedResults: [{ id: "rr1", label: "Re-entry", analysis: "RVE", estimate: -0.31, ciLower: -0.6, ciUpper: -0.02, kStudies: 1, kOutcomes: 1, p: 0.04, heterogeneity: { tau2: 0.01 }, studyIds: ["st1"] }],
    gradeAssessments: [{ id: "ga1", resultId: "rr1", domains: { riskOfBias: { judgement: "serious", reason: "half the weight at high risk" } }, threshold: 0.1, certainty: "moderate", assessedBy: "ben", at: at(17) }],
    jointDisplayRows: [{ id: "jd1", question: "Does continuity help?", resultIds: ["rr1"], findingIds: ["qf1"], surveyQuestionIds: ["sq1"], transcriptIds: ["tr1"], judgement: "confirms", order: 1 }],
    recommendations: [{ id: "rec1", text: "Offer continuity", rating: "strong", kind: "recommendation", findingIds: ["qf1"], resultIds: ["rr1"], order: 1, rowIds: ["jd1"], effectResultId: "rr1" }],
    savedAnalyses: [{ id: "sa1", name: "Re-entry, random effects", version: 1, description: null, spec: { data: "effectSizes", method: "REML", measure: "OR" }, result: { k: 1 }, rows: [{ effectSizeId: "es1", study: "Smith 2020", yi: -0.8472978603872037, vi: 0.1738095238095238 }], savedBy: "ana", savedAt: at(17) }],
    reportVersions: [
      { id: "rv0", number: 0, spec: { title: "Report", subtitle: "", sections: [] }, data: null, dataHash: null, note: null, savedBy: "ana", savedAt: at(18) },
      { id: "rv1", number: 1, spec: { title: "Report", subtitle: "", sections: [] }, data: { facts: {}, tables: {}, figures: {}, analyses: [], exports: {} }, dataHash: "0".repeat(64), note: "first", savedBy: "ana", savedAt: at(18) },
    ],
    audit: [
      { id: "a1", at: at(0), actor: "ana", action: "project.create", entity: "project", entityId: id, before: null, after: { title: "x" }, reason: null },
    ],
  };
  for (const c of collectionNames) if (!(file as Record<string, unknown>)[c]) throw new Error(`fixture lacks ${c}`);
  return file;
}
