// npm run bench -w @homeward/synthesis (after a build). Two parts:
// 1. How the CERQual suggestions compare with the judgements the seed review published
//    (Table 13 in examples/reunification). The bands were set from the guidance before this
//    comparison and are not tuned on it; the example is the only data reported.
// 2. Timings of the views that read a lot (coding matrix, findings' suggestions, guide trail)
//    on a generated project (seeded, so every run reads the same data).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { codingMatrix, findingSuggestions, frameworkCodes, guideTrail, suggestAdequacy, suggestConfidence, suggestMethodologicalLimitations } from "@homeward/synthesis";

const rd = (f) => JSON.parse(readFileSync(new URL(`../../../examples/reunification/${f}.json`, import.meta.url), "utf8"));
const findings = rd("qualitativeFindings");
const appraisals = rd("appraisals");
const codes = rd("synthesisCodes");
const L = ["no", "minor", "moderate", "serious"];
const tally = { ml: [0, 0], adequacy: [0, 0], confidence: 0 };
for (const f of findings) {
  const m = suggestMethodologicalLimitations(f.studyIds, appraisals, codes.filter((c) => f.codeIds.includes(c.id)));
  const a = suggestAdequacy(f.studyIds.length, 0);
  const published = f.components;
  for (const [key, s, p] of [["ml", m.value, published.methodologicalLimitations.judgement], ["adequacy", a.value, published.adequacy.judgement]]) {
    if (s === p) tally[key][0]++;
    if (Math.abs(L.indexOf(s) - L.indexOf(p)) <= 1) tally[key][1]++;
  }
  const levels = Object.fromEntries(Object.entries(published).map(([k, v]) => [k, v.judgement]));
  if (suggestConfidence(levels).value === f.confidence) tally.confidence++;
}
const n = findings.length;
console.log(`Table 13 (${n} findings): methodological limitations suggested = published ${tally.ml[0]}/${n}, within one level ${tally.ml[1]}/${n}`);
console.log(`Table 13 (${n} findings): adequacy suggested = published ${tally.adequacy[0]}/${n}, within one level ${tally.adequacy[1]}/${n}`);
console.log(`Table 13 (${n} findings): overall confidence from the published components = published ${tally.confidence}/${n}`);

// A generated project: 400 studies, 60 codes, 20,000 excerpts, 300 findings, 100 recommendations.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const at = "2026-01-01T00:00:00.000Z";
const studies = Array.from({ length: 400 }, (_, i) => ({ id: `s${i}`, name: `Study ${i}`, shortCitation: `Author ${i}, 20${10 + (i % 15)}` }));
const allCodes = [...frameworkCodes("proctor", [], "bench", at), ...Array.from({ length: 52 }, (_, i) => ({ id: `c${i}`, framework: "inductive", label: `Code ${i}`, description: "", status: "active", successorIds: [], history: [], order: 10 + i }))];
const excerpts = Array.from({ length: 20_000 }, (_, i) => ({ id: `e${i}`, studyId: `s${Math.floor(rand() * 400)}`, recordId: null, transcriptId: null, page: 1 + (i % 30), text: `Excerpt ${i}`, codeIds: [allCodes[Math.floor(rand() * allCodes.length)].id], source: "typed", note: "", codedBy: "bench", at }));
const apps = studies.map((s, i) => ({ id: `a${i}`, studyId: s.id, outcomeId: null, tool: "CASP", toolVersion: null, variant: null, status: null, domains: [], overall: i % 5 ? "Positive" : "Negative", overallSupport: null, reviewer: "bench", consensus: true, at }));
const qf = Array.from({ length: 300 }, (_, i) => {
  const ex = Array.from({ length: 20 }, () => excerpts[Math.floor(rand() * excerpts.length)]);
  return { id: `f${i}`, statement: `Finding ${i}`, components: {}, confidence: null, explanation: "", studyIds: [...new Set(ex.map((e) => e.studyId))], order: i, excerptIds: ex.map((e) => e.id), codeIds: [allCodes[i % allCodes.length].id], assessedBasis: null, assessedBy: null, assessedAt: null };
});
for (const f of qf) f.components = Object.fromEntries(["methodologicalLimitations", "coherence", "adequacy", "relevance"].map((k) => [k, { judgement: "minor", explanation: "" }]));
const recs = Array.from({ length: 100 }, (_, i) => ({ id: `r${i}`, text: `Recommendation ${i}`, rating: "good", kind: "recommendation", findingIds: [qf[i].id, qf[i + 100].id, qf[i + 200].id], resultIds: [], order: i, rowIds: [], ratingReason: null, effectResultId: null }));
const time = (label, f, runs = 5) => {
  f();
  const t0 = performance.now();
  for (let k = 0; k < runs; k++) f();
  console.log(`${label}: ${((performance.now() - t0) / runs).toFixed(1)} ms`);
};
time("coding matrix, 60 codes × 400 studies, 20,000 excerpts", () => codingMatrix(allCodes, excerpts, studies));
time("CERQual suggestions for 300 findings (400 appraisals, 20,000 excerpts)", () => {
  const held = new Set(excerpts.map((e) => e.id));
  return qf.map((f) => findingSuggestions(f, apps, allCodes, held));
});
time("guide trail, 100 recommendations over 300 findings and 20,000 excerpts", () =>
  guideTrail({ ratingScheme: [], recommendations: recs, qualitativeFindings: qf, reportedResults: [], gradeAssessments: [], jointDisplayRows: [], codedExcerpts: excerpts, synthesisCodes: allCodes, studies, studyReports: [] }),
);

// 3. A saved analysis read as evidence (GRADE, joint display, guide): a three-level model refitted,
//    its model weights, multilevel I², prediction interval and Egger's test (a second fit with √vᵢ).
{
  const { fitMetaSpec, parseMetaSpec } = await import("@homeward/meta");
  const { analysisEvidence, surveyCsv, tabulateSurvey } = await import("@homeward/synthesis");
  for (const [studiesN, per] of [[100, 5], [400, 5]]) {
    const rows = [];
    for (let s = 0; s < studiesN; s++) for (let j = 0; j < per; j++) rows.push({ study: `S${s}`, esid: `S${s}-${j}`, yi: 0.3 + (rand() - 0.5), vi: 0.02 + rand() * 0.08 });
    const spec = parseMetaSpec({ data: "effectSizes", method: "REML", test: "t", random: ["study", "esid"] }, []);
    time(`saved analysis as evidence (fit, weights, I², Egger), ${studiesN} studies × ${per} effect sizes`, () => analysisEvidence({ id: "x", name: "x", version: 1, savedAt: at }, fitMetaSpec(spec, rows), () => null), 3);
  }
  // The survey tables of 5,000 respondents × 30 questions, and their CSV.
  const qs = Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, code: `q${i}`, text: `Question ${i}`, type: "single", options: ["a", "b", "c", "d"].map((c) => ({ code: c, label: c.toUpperCase() })), order: i }));
  const resp = Array.from({ length: 5000 }, (_, i) => ({ group: `G${i % 4}`, answers: Object.fromEntries(qs.map((q) => [q.code, "abcd"[Math.floor(rand() * 4)]])) }));
  time("survey tables and CSV, 5,000 respondents × 30 questions, 4 groups", () => surveyCsv(tabulateSurvey(qs, resp)));
}
