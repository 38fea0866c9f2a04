import type { GradeAssessment, JointDisplayRow, JointJudgement, QualitativeFinding, ReportedResult, SurveyQuestion, Transcript } from "@homeward/model";
import { CONFIDENCE_LABELS } from "./cerqual.js";
import { certaintyOf } from "./grade.js";

export const JUDGEMENT_LABELS: Record<JointJudgement, string> = {
  confirms: "Confirms",
  complements: "Complements",
  contradicts: "Contradicts",
  silent: "Silent",
};

export interface JointCell {
  id: string;
  label: string;
  /** The strength of the evidence in its strand's terms: GRADE certainty, CERQual confidence. */
  strength: string | null;
  detail: string | null;
}

export interface JointRow {
  id: string;
  question: string;
  quantitative: JointCell[];
  qualitative: JointCell[];
  primary: JointCell[];
  primaryNote: string;
  judgement: string | null;
  judgementCode: JointJudgement | null;
  note: string;
}

export interface JointInput {
  jointDisplayRows: readonly JointDisplayRow[];
  reportedResults: readonly ReportedResult[];
  gradeAssessments: readonly GradeAssessment[];
  qualitativeFindings: readonly QualitativeFinding[];
  surveyQuestions: readonly SurveyQuestion[];
  transcripts: readonly Transcript[];
}

const num = (x: number | null) => (x === null ? "" : String(Math.round(x * 100) / 100));

/**
 * The convergent segregated joint display (JBI mixed-methods guidance):
 * one row per question or theme, a column per strand (meta-analysis results
 * with their GRADE certainty, qualitative findings with their CERQual
 * confidence, primary research), and the team's judgement of how the strands
 * fit. Every cell names the entity it links to. Pure: a report renders it.
 */
export function jointDisplay(p: JointInput): JointRow[] {
  const results = new Map(p.reportedResults.map((r) => [r.id, r]));
  const findings = new Map(p.qualitativeFindings.map((f) => [f.id, f]));
  const questions = new Map(p.surveyQuestions.map((q) => [q.id, q]));
  const transcripts = new Map(p.transcripts.map((t) => [t.id, t]));
  return [...p.jointDisplayRows]
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
    .map((row) => ({
      id: row.id,
      question: row.question,
      quantitative: [...row.resultIds, ...(row.analysisIds ?? [])].flatMap((id) => {
        const r = results.get(id);
        if (!r) return [];
        const est = r.estimate === null ? null : `${r.measure ?? "Estimate"} ${num(r.estimate)}${r.ciLower !== null && r.ciUpper !== null ? ` (95% CI ${num(r.ciLower)} to ${num(r.ciUpper)})` : ""}`;
        return [{ id, label: r.label, strength: certaintyOf(id, p.gradeAssessments), detail: est }];
      }),
      qualitative: row.findingIds.flatMap((id) => {
        const f = findings.get(id);
        return f ? [{ id, label: f.statement, strength: f.confidence ? `${CONFIDENCE_LABELS[f.confidence]} confidence` : null, detail: `${f.studyIds.length} ${f.studyIds.length === 1 ? "study" : "studies"}` }] : [];
      }),
      primary: [
        ...row.surveyQuestionIds.flatMap((id) => {
          const q = questions.get(id);
          return q ? [{ id, label: `Survey: ${q.text}`, strength: null, detail: null }] : [];
        }),
        ...row.transcriptIds.flatMap((id) => {
          const t = transcripts.get(id);
          return t ? [{ id, label: `${t.kind === "interview" ? "Interview" : "Focus group"}: ${t.label}`, strength: null, detail: t.group }] : [];
        }),
      ],
      primaryNote: row.primaryNote,
      judgement: row.judgement ? JUDGEMENT_LABELS[row.judgement] : null,
      judgementCode: row.judgement,
      note: row.note,
    }));
}
