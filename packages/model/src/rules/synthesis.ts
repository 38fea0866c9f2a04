import type { QualitativeFinding, Recommendation } from "../entities.js";
import { InputError } from "../errors.js";
import type { CodedExcerpt, GradeAssessment, SurveyResponse } from "../synthesis.js";
import type { RuleContext } from "./context.js";

const named = (f: { id: string; statement?: string; text?: string }) => {
  const t = (f.statement ?? f.text ?? "").trim();
  return t.length > 60 ? `"${t.slice(0, 57)}…"` : t ? `"${t}"` : f.id;
};

/**
 * A review finding rests on at least one contributing study, and every
 * excerpt cited in its support comes from one of them (or from the primary
 * research's transcripts), so that its trail and its CERQual adequacy read
 * the same studies.
 */
export async function validateQualitativeFindings(findings: readonly QualitativeFinding[], ctx: RuleContext): Promise<void> {
  for (const f of findings) {
    if (f.studyIds.length === 0) throw new InputError(`the finding ${named(f)} has no contributing study: name at least one`);
  }
  const excerptIds = [...new Set(findings.flatMap((f) => f.excerptIds))];
  if (excerptIds.length === 0) return;
  const excerpts = new Map((await ctx.find("codedExcerpts", { id: excerptIds })).map((e) => [e.id, e]));
  for (const f of findings) {
    for (const id of f.excerptIds) {
      const e = excerpts.get(id);
      if (e && e.studyId !== null && !f.studyIds.includes(e.studyId))
        throw new InputError(`the finding ${named(f)} cites excerpt ${id} of study ${e.studyId}, which is not among its contributing studies`);
    }
  }
}

/** An excerpt is of a study or of a transcript, and is coded. */
export async function validateCodedExcerpts(excerpts: readonly CodedExcerpt[]): Promise<void> {
  for (const e of excerpts) {
    if ((e.studyId === null) === (e.transcriptId === null))
      throw new InputError(`excerpt ${e.id}: name either the study or the transcript it comes from`);
    if (e.codeIds.length === 0) throw new InputError(`excerpt ${e.id}: code it with at least one code`);
  }
}

/**
 * A recommendation rests on evidence (a finding, a result or a row of the
 * joint display); its rating is a level of the project's rating scheme, and
 * the scheme's lowest level (no rating) says why.
 */
export async function validateRecommendations(recs: readonly Recommendation[], ctx: RuleContext): Promise<void> {
  const scheme = (await ctx.protocol()).ratingScheme;
  const lowest = scheme.length ? Math.min(...scheme.map((l) => l.rank)) : null;
  for (const r of recs) {
    if (r.findingIds.length + r.resultIds.length + (r.analysisIds?.length ?? 0) + r.rowIds.length === 0)
      throw new InputError(`the ${r.kind} ${named(r)} has no evidence: link it to at least one finding, result, saved analysis or joint-display row`);
    if (r.rating !== null) {
      const level = scheme.find((l) => l.code === r.rating);
      if (!level)
        throw new InputError(`the ${r.kind} ${named(r)} is rated "${r.rating}", which is not in the project's rating scheme (${scheme.map((l) => l.code).join(", ") || "none set"})`);
      if (level.rank === lowest && scheme.length > 1 && !(r.ratingReason ?? "").trim())
        throw new InputError(`the ${r.kind} ${named(r)} is rated "${level.label}": say why in ratingReason`);
    }
  }
}

/** Survey answers of closed questions are codes of the question's dictionary (checked at import with the row; here again for any write). */
export async function validateSurveyResponses(responses: readonly SurveyResponse[], ctx: RuleContext): Promise<void> {
  if (responses.length === 0) return;
  const questions = await ctx.find("surveyQuestions", {});
  const byCode = new Map(questions.map((q) => [q.code, q]));
  for (const r of responses) {
    for (const [code, answer] of Object.entries(r.answers)) {
      const q = byCode.get(code);
      if (!q) throw new InputError(`respondent ${r.respondent}: "${code}" is not a question of the survey's dictionary`);
      if (answer === null || answer === "" || (q.type !== "single" && q.type !== "multiple" && q.type !== "group")) continue;
      const allowed = new Set(q.options.map((o) => o.code));
      const given = q.type === "multiple" ? answer.split(";").map((a) => a.trim()).filter(Boolean) : [answer];
      for (const a of given)
        if (!allowed.has(a)) throw new InputError(`respondent ${r.respondent}: "${a}" is not an answer of question ${code} (allowed: ${[...allowed].join(", ")})`);
    }
  }
}

/** A GRADE assessment grades one thing: a reported result or a saved analysis, not both and not neither. */
export async function validateGradeAssessments(grades: readonly GradeAssessment[]): Promise<void> {
  for (const g of grades) {
    if ((g.resultId === null) === (g.analysisId === null))
      throw new InputError(`a GRADE assessment grades either a reported result (resultId) or a saved analysis (analysisId), exactly one`);
  }
}
