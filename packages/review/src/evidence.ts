import type { BibRecord, Protocol, QualitativeFinding, Recommendation, ReportedResult, Study, StudyReport } from "@homeward/model";
import { toCsv } from "./csv.js";
import { citationOf, labelOf } from "./project.js";
import { CONFIDENCE_LABELS } from "./summary.js";

/** GRADE-CERQual component concern levels as worded in summary-of-findings tables (Lewin et al. 2018). */
const CONCERN_LABELS = { no: "No or very minor concerns", minor: "Minor concerns", moderate: "Moderate concerns", serious: "Serious concerns" } as const;

export interface StudyRef {
  id: string;
  citation: string;
}

export interface CerqualRow {
  id: string;
  statement: string;
  methodologicalLimitations: { judgement: string | null; explanation: string };
  coherence: { judgement: string | null; explanation: string };
  adequacy: { judgement: string | null; explanation: string };
  relevance: { judgement: string | null; explanation: string };
  confidence: string | null;
  explanation: string;
  studies: StudyRef[];
}

const ref = (s: Study): StudyRef => ({ id: s.id, citation: citationOf(s) });

/**
 * The CERQual summary-of-findings table (Lewin et al., Implementation Science
 * 2018;13(Suppl 1):2, "Summary of Qualitative Findings" table): one row per
 * finding, in the team's order, with each component's concern, the overall
 * confidence and its explanation, and the contributing studies.
 */
export interface CerqualInput {
  studies: readonly Study[];
  qualitativeFindings: readonly QualitativeFinding[];
}

export function cerqualTable(p: CerqualInput): CerqualRow[] {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const comp = (c: { judgement: keyof typeof CONCERN_LABELS | null; explanation: string }) => ({
    judgement: c.judgement ? CONCERN_LABELS[c.judgement] : null,
    explanation: c.explanation,
  });
  return [...p.qualitativeFindings]
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
    .map((f) => ({
      id: f.id,
      statement: f.statement,
      methodologicalLimitations: comp(f.components.methodologicalLimitations),
      coherence: comp(f.components.coherence),
      adequacy: comp(f.components.adequacy),
      relevance: comp(f.components.relevance),
      confidence: f.confidence ? CONFIDENCE_LABELS[f.confidence] : null,
      explanation: f.explanation,
      studies: f.studyIds.map((id) => studies.get(id)).filter((s): s is Study => !!s).map(ref),
    }));
}

export function cerqualCsv(p: CerqualInput): string {
  const rows = cerqualTable(p);
  return toCsv(
    [
      "finding",
      "statement",
      "methodological_limitations",
      "coherence",
      "adequacy",
      "relevance",
      "confidence",
      "explanation",
      "studies",
    ],
    rows.map((r) => [
      r.id,
      r.statement,
      r.methodologicalLimitations.judgement,
      r.coherence.judgement,
      r.adequacy.judgement,
      r.relevance.judgement,
      r.confidence,
      r.explanation,
      r.studies.map((s) => s.citation).join("; "),
    ]),
  );
}

export interface ReportRef {
  id: string;
  role: "lead" | "linked";
  citation: string;
  recordId: string | null;
}

export interface TrailStudy extends StudyRef {
  design: string | null;
  reports: ReportRef[];
}

export interface TrailFinding {
  id: string;
  statement: string;
  confidence: string | null;
  studyIds: string[];
}

export interface TrailResult {
  id: string;
  label: string;
  measure: string | null;
  estimate: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  p: number | null;
  kStudies: number | null;
  kOutcomes: number | null;
  studyIds: string[];
}

export interface TrailRecommendation {
  id: string;
  kind: "principle" | "recommendation";
  text: string;
  rating: string | null;
  findings: TrailFinding[];
  results: TrailResult[];
  /** Every study behind the findings and results, each once, with its reports (lead first). */
  studies: TrailStudy[];
}

/**
 * Recommendations and key principles with their rating and the evidence
 * trail down to reports: recommendation → CERQual findings and reported
 * results → contributing studies → the studies' lead and linked reports.
 */
/** What a report's citation needs of its record. */
export type ReportRecord = Pick<BibRecord, "id" | "authors" | "year" | "title">;

/** What the evidence trail reads: the recommendations and the evidence behind them, down to the records of the studies' reports. */
export interface EvidenceInput extends CerqualInput {
  protocol: Pick<Protocol, "ratingScheme">;
  studyReports: readonly StudyReport[];
  reportedResults: readonly ReportedResult[];
  recommendations: readonly Recommendation[];
  /** Records the study reports link to (others may be left out). */
  records: readonly ReportRecord[];
}

export function evidenceTrail(p: EvidenceInput): TrailRecommendation[] {
  const findings = new Map(p.qualitativeFindings.map((f) => [f.id, f]));
  const results = new Map(p.reportedResults.map((r) => [r.id, r]));
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const recordsById = new Map(p.records.map((r) => [r.id, r]));
  const reportsOf = (studyId: string): ReportRef[] =>
    p.studyReports
      .filter((r) => r.studyId === studyId)
      .sort((a, b) => (a.role === b.role ? a.id.localeCompare(b.id) : a.role === "lead" ? -1 : 1))
      .map((r) => {
        const rec = r.recordId ? recordsById.get(r.recordId) : undefined;
        // A linked record describes the report itself; the free-text citation is for reports without one.
        const fromRecord = rec ? [rec.authors.length > 1 ? `${rec.authors[0]} et al.` : rec.authors[0], rec.year, rec.title].filter((x) => x != null && x !== "").join(", ") : "";
        return { id: r.id, role: r.role, citation: fromRecord || r.citation?.trim() || r.id, recordId: r.recordId };
      });
  return [...p.recommendations]
    .sort((a, b) => (a.kind === b.kind ? a.order - b.order : a.kind === "principle" ? -1 : 1))
    .map((rec) => {
      const fs = rec.findingIds.map((id) => findings.get(id)).filter((f) => f !== undefined);
      const rs = rec.resultIds.map((id) => results.get(id)).filter((r) => r !== undefined);
      const studyIds = [...new Set([...fs.flatMap((f) => f.studyIds), ...rs.flatMap((r) => r.studyIds)])];
      return {
        id: rec.id,
        kind: rec.kind,
        text: rec.text,
        rating: rec.rating ? labelOf(p.protocol.ratingScheme, rec.rating) : null,
        findings: fs.map((f) => ({
          id: f.id,
          statement: f.statement,
          confidence: f.confidence ? CONFIDENCE_LABELS[f.confidence] : null,
          studyIds: f.studyIds,
        })),
        results: rs.map((r) => ({
          id: r.id,
          label: r.label,
          measure: r.measure,
          estimate: r.estimate,
          ciLower: r.ciLower,
          ciUpper: r.ciUpper,
          p: r.p,
          kStudies: r.kStudies,
          kOutcomes: r.kOutcomes,
          studyIds: r.studyIds,
        })),
        studies: studyIds
          .map((id) => studies.get(id))
          .filter((s): s is Study => !!s)
          .sort((a, b) => citationOf(a).localeCompare(citationOf(b)))
          .map((s) => ({ ...ref(s), design: s.design, reports: reportsOf(s.id) })),
      };
    });
}

/**
 * The evidence trail flattened for a spreadsheet: one row per
 * recommendation × evidence item × study × report (a study without reports
 * gets one row with the report columns empty).
 */
export function evidenceTrailCsv(p: EvidenceInput): string {
  const rows: (string | number | null)[][] = [];
  for (const r of evidenceTrail(p)) {
    const studies = new Map(r.studies.map((s) => [s.id, s]));
    const items = [
      ...r.findings.map((f) => ({ type: "finding", id: f.id, label: f.statement, strength: f.confidence, studyIds: f.studyIds })),
      ...r.results.map((x) => ({
        type: "result",
        id: x.id,
        label: x.label,
        strength: x.estimate === null ? null : `${x.measure ?? "estimate"} ${x.estimate}${x.ciLower !== null && x.ciUpper !== null ? ` (95% CI ${x.ciLower} to ${x.ciUpper})` : ""}`,
        studyIds: x.studyIds,
      })),
    ];
    if (items.length === 0) rows.push([r.id, r.kind, r.text, r.rating, null, null, null, null, null, null, null, null]);
    for (const it of items) {
      const ss = it.studyIds.map((id) => studies.get(id)).filter((s) => s !== undefined);
      if (ss.length === 0) rows.push([r.id, r.kind, r.text, r.rating, it.type, it.id, it.label, it.strength, null, null, null, null]);
      for (const s of ss) {
        const reports = s.reports.length ? s.reports : [null];
        for (const rep of reports)
          rows.push([r.id, r.kind, r.text, r.rating, it.type, it.id, it.label, it.strength, s.id, s.citation, rep?.role ?? null, rep?.citation ?? null]);
      }
    }
  }
  return toCsv(
    ["recommendation", "kind", "text", "rating", "evidence_type", "evidence", "evidence_label", "evidence_strength", "study", "study_citation", "report_role", "report"],
    rows,
  );
}
