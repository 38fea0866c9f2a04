import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import type {
  CodedExcerpt,
  GradeAssessment,
  JointDisplayRow,
  QualitativeFinding,
  RatingLevel,
  Recommendation,
  ReportedResult,
  Study,
  StudyReport,
  SynthesisCode,
} from "@homeward/model";
import { CONFIDENCE_LABELS } from "./cerqual.js";
import { certaintyOf } from "./grade.js";
import { JUDGEMENT_LABELS } from "./joint.js";

/**
 * The Foundations practice-guide rating scheme (seed 001, evidence summary
 * table): strong, good and promising evidence, or no rating with the reason.
 * The default for a project with no scheme of its own.
 */
export const FOUNDATIONS_SCHEME: RatingLevel[] = [
  { code: "strong", label: "Strong evidence", description: "Consistent evidence from well-conducted studies that the approach improves outcomes", rank: 3 },
  { code: "good", label: "Good evidence", description: "Evidence from well-conducted studies that the approach improves outcomes, with some uncertainty", rank: 2 },
  { code: "promising", label: "Promising evidence", description: "Early or limited evidence that the approach improves outcomes", rank: 1 },
  { code: "no_rating", label: "No rating", description: "No evidence rating applies; the reason is given", rank: 0 },
];

/** The project's rating scheme, or the Foundations scheme where it has none. */
export const ratingScheme = (scheme: readonly RatingLevel[] | undefined): RatingLevel[] => (scheme && scheme.length ? [...scheme] : FOUNDATIONS_SCHEME);

/**
 * Cohen's U3 of a standardised mean difference: the share of the comparison
 * group whose outcome falls below the intervention group's mean, Φ(d), under
 * normal outcomes with equal variances (Cohen 1988, §2.2). Φ is @stdlib's
 * normal CDF (checked against R's pnorm in the tests).
 */
export function cohenU3(d: number): number {
  if (!Number.isFinite(d)) throw new RangeError("U3 needs a finite standardised mean difference");
  return normalCdf(d, 0, 1);
}

export interface U3Statement {
  resultId: string;
  d: number;
  u3: number;
  /** U3 as a whole percentage. */
  percent: number;
  text: string;
  /** Set when the result cannot carry the statement (not an SMD, no estimate). */
  problem: string | null;
  /** The saved analysis version (refitted to today's data) it was computed from, when it was. */
  from?: string | null;
}

/**
 * The guide's sentence ("…achieve better outcomes than around 60% of those
 * who do not receive an intervention", seed 001 line 481) from a pooled SMD,
 * so it changes when the analysis does. With the interval, the range of U3
 * it spans.
 */
export function u3Statement(r: Pick<ReportedResult, "id" | "measure" | "estimate" | "ciLower" | "ciUpper">): U3Statement {
  const none = (problem: string): U3Statement => ({ resultId: r.id, d: NaN, u3: NaN, percent: NaN, text: "", problem });
  if (r.estimate === null) return none("the result has no estimate");
  if (r.measure && !/smd|hedges|cohen|standardi[sz]ed/i.test(r.measure)) return none(`U3 reads a standardised mean difference; this result is a ${r.measure}`);
  const u3 = cohenU3(r.estimate);
  const percent = Math.round(u3 * 100);
  const range =
    r.ciLower !== null && r.ciUpper !== null ? ` (from ${Math.round(cohenU3(r.ciLower) * 100)}% to ${Math.round(cohenU3(r.ciUpper) * 100)}% across the 95% confidence interval)` : "";
  const text = `On average, children and families who receive support achieve better outcomes than around ${percent}% of those who do not receive an intervention${range}.`;
  return { resultId: r.id, d: r.estimate, u3, percent, text, problem: null };
}

export interface TrailExcerpt {
  id: string;
  text: string;
  page: number | null;
  studyId: string | null;
  study: string | null;
  recordId: string | null;
  transcriptId: string | null;
  codes: string[];
}

export interface GuideTrail {
  id: string;
  kind: "principle" | "recommendation";
  text: string;
  rating: { code: string; label: string } | null;
  ratingReason: string | null;
  statement: U3Statement | null;
  findings: { id: string; statement: string; confidence: string | null; studyIds: string[]; excerpts: TrailExcerpt[] }[];
  results: { id: string; label: string; measure: string | null; estimate: number | null; ciLower: number | null; ciUpper: number | null; certainty: string | null; studyIds: string[] }[];
  rows: { id: string; question: string; judgement: string | null; note: string }[];
  studies: { id: string; citation: string; reports: { recordId: string | null; role: string; citation: string | null }[] }[];
}

export interface GuideInput {
  ratingScheme: readonly RatingLevel[];
  recommendations: readonly Recommendation[];
  qualitativeFindings: readonly QualitativeFinding[];
  reportedResults: readonly ReportedResult[];
  gradeAssessments: readonly GradeAssessment[];
  jointDisplayRows: readonly JointDisplayRow[];
  codedExcerpts: readonly CodedExcerpt[];
  synthesisCodes: readonly SynthesisCode[];
  studies: readonly Pick<Study, "id" | "name" | "shortCitation">[];
  studyReports: readonly Pick<StudyReport, "studyId" | "recordId" | "role" | "citation">[];
}

/**
 * Each recommendation with its rating, its generated statement and its
 * evidence trail: findings (with their CERQual confidence) down to each
 * coded excerpt (study, report, page), results (with their GRADE
 * certainty), joint-display rows, and every study behind them with its
 * reports. Pure: the practice guide's report renders it as it stands.
 */
export function guideTrail(p: GuideInput): GuideTrail[] {
  const findings = new Map(p.qualitativeFindings.map((f) => [f.id, f]));
  const results = new Map(p.reportedResults.map((r) => [r.id, r]));
  const rows = new Map(p.jointDisplayRows.map((r) => [r.id, r]));
  const excerpts = new Map(p.codedExcerpts.map((e) => [e.id, e]));
  const codes = new Map(p.synthesisCodes.map((c) => [c.id, c.label]));
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const scheme = ratingScheme(p.ratingScheme);
  const cite = (id: string | null) => (id === null ? null : studies.get(id)?.shortCitation ?? studies.get(id)?.name ?? id);
  return [...p.recommendations]
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
    .map((rec) => {
      const recRows = rec.rowIds.map((id) => rows.get(id)).filter((r): r is JointDisplayRow => !!r);
      // A row's findings and results are the recommendation's evidence too.
      const fIds = [...new Set([...rec.findingIds, ...recRows.flatMap((r) => r.findingIds)])];
      const rIds = [...new Set([...rec.resultIds, ...(rec.analysisIds ?? []), ...recRows.flatMap((r) => [...r.resultIds, ...(r.analysisIds ?? [])])])];
      const fs = fIds.map((id) => findings.get(id)).filter((f): f is QualitativeFinding => !!f);
      const rs = rIds.map((id) => results.get(id)).filter((r): r is ReportedResult => !!r);
      const studyIds = [...new Set([...fs.flatMap((f) => f.studyIds), ...rs.flatMap((r) => r.studyIds)])];
      const level = rec.rating ? scheme.find((l) => l.code === rec.rating) : null;
      // A saved analysis's refit reads as a result whose "analysis" names the version it was computed from.
      const effectId = rec.effectAnalysisId ?? rec.effectResultId;
      const effect = effectId ? results.get(effectId) : undefined;
      return {
        id: rec.id,
        kind: rec.kind,
        text: rec.text,
        rating: rec.rating ? { code: rec.rating, label: level?.label ?? rec.rating } : null,
        ratingReason: rec.ratingReason,
        statement: effect ? { ...u3Statement(effect), from: rec.effectAnalysisId ? effect.analysis : null } : null,
        findings: fs.map((f) => ({
          id: f.id,
          statement: f.statement,
          confidence: f.confidence ? CONFIDENCE_LABELS[f.confidence] : null,
          studyIds: f.studyIds,
          excerpts: f.excerptIds
            .map((id) => excerpts.get(id))
            .filter((e): e is CodedExcerpt => !!e)
            .map((e) => ({
              id: e.id,
              text: e.text,
              page: e.page,
              studyId: e.studyId,
              study: cite(e.studyId),
              recordId: e.recordId,
              transcriptId: e.transcriptId,
              codes: e.codeIds.map((c) => codes.get(c) ?? c),
            })),
        })),
        results: rs.map((r) => ({
          id: r.id,
          label: r.label,
          measure: r.measure,
          estimate: r.estimate,
          ciLower: r.ciLower,
          ciUpper: r.ciUpper,
          certainty: certaintyOf(r.id, p.gradeAssessments),
          studyIds: r.studyIds,
        })),
        rows: recRows.map((r) => ({ id: r.id, question: r.question, judgement: r.judgement ? JUDGEMENT_LABELS[r.judgement] : null, note: r.note })),
        studies: studyIds
          .sort((a, b) => (cite(a) ?? a).localeCompare(cite(b) ?? b))
          .map((id) => ({
            id,
            citation: cite(id)!,
            reports: p.studyReports
              .filter((r) => r.studyId === id)
              .sort((a, b) => (a.role === "lead" ? -1 : 0) - (b.role === "lead" ? -1 : 0))
              .map((r) => ({ recordId: r.recordId, role: r.role, citation: r.citation })),
          })),
      };
    });
}

export interface EvidenceSummaryRow {
  id: string;
  text: string;
  rating: string;
  ratingReason: string | null;
  statement: string | null;
  findings: number;
  results: number;
}

/** The guide's evidence summary table (seed 001, line 641): each recommendation with its rating (or "No rating" and why). */
export function evidenceSummaryTable(p: GuideInput): EvidenceSummaryRow[] {
  return guideTrail(p)
    .filter((r) => r.kind === "recommendation")
    .map((r) => ({
      id: r.id,
      text: r.text,
      rating: r.rating?.label ?? "Not rated yet",
      ratingReason: r.ratingReason,
      statement: r.statement && !r.statement.problem ? r.statement.text : null,
      findings: r.findings.length,
      results: r.results.length,
    }));
}
