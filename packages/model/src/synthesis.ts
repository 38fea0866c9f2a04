import { z } from "zod";
import { Id, IdList, OptText, Timestamp, UserName } from "./common.js";

// ---------------------------------------------------------------- qualitative synthesis and primary research

/** One change to a code: how it came to be as it is (created, renamed, merged into or from, split). */
export const CodeHistoryEntry = z.object({
  action: z.enum(["created", "renamed", "merged_into", "merged_from", "split_into", "split_from", "described"]),
  /** Its label before the change (for a rename), or the other code's label. */
  detail: z.string().default(""),
  by: z.string().default(""),
  at: z.string().default(""),
});
export type CodeHistoryEntry = z.infer<typeof CodeHistoryEntry>;

/**
 * A code of the framework a team codes excerpts against: a code of a
 * published framework (Proctor et al.'s implementation outcomes, barriers
 * and facilitators) or one added while coding (`inductive`). A merged or
 * split code is kept, with `successorIds`, so that its history reads back.
 */
export const SynthesisCode = z.object({
  id: Id,
  /** The framework it belongs to ("proctor", "barriers_facilitators", or "inductive" for codes added while coding). */
  framework: z.string().trim().min(1, "a code belongs to a framework"),
  label: z.string().trim().min(1, "a code needs a label").max(300),
  description: z.string().default(""),
  /** active; merged (into `successorIds[0]`); split (into `successorIds`). */
  status: z.enum(["active", "merged", "split"]).default("active"),
  successorIds: IdList,
  history: z.array(CodeHistoryEntry).default([]),
  order: z.number().int().default(0),
});
export type SynthesisCode = z.infer<typeof SynthesisCode>;

/**
 * A passage of a study's report (typed with its page, or selected in the
 * full-text viewer) or of a transcript, coded with one or more codes.
 */
export const CodedExcerpt = z.object({
  id: Id,
  studyId: Id.nullable().default(null),
  /** The report (record) it was taken from, when known. */
  recordId: Id.nullable().default(null),
  transcriptId: Id.nullable().default(null),
  page: z.number().int().min(1, "a page number starts at 1").nullable().default(null),
  text: z.string().trim().min(1, "an excerpt needs its text").max(20_000),
  codeIds: IdList,
  source: z.enum(["typed", "viewer", "transcript"]).default("typed"),
  note: z.string().default(""),
  codedBy: UserName,
  at: Timestamp,
});
export type CodedExcerpt = z.infer<typeof CodedExcerpt>;

export const JointJudgement = z.enum(["confirms", "complements", "contradicts", "silent"]);
export type JointJudgement = z.infer<typeof JointJudgement>;

/**
 * A row of the convergent segregated joint display: a question or theme,
 * the evidence of each strand (results of the meta-analysis, qualitative
 * findings, primary research), and the team's judgement of how they fit.
 */
export const JointDisplayRow = z.object({
  id: Id,
  question: z.string().trim().min(1, "a row needs its question or theme"),
  resultIds: IdList,
  /** Saved analyses (version ids), read refitted to today's data. */
  analysisIds: IdList,
  findingIds: IdList,
  surveyQuestionIds: IdList,
  transcriptIds: IdList,
  /** What the primary research says, in the team's words. */
  primaryNote: z.string().default(""),
  judgement: JointJudgement.nullable().default(null),
  note: z.string().default(""),
  order: z.number().int().default(0),
});
export type JointDisplayRow = z.infer<typeof JointDisplayRow>;

export const GradeConcern = z.enum(["not_serious", "serious", "very_serious"]);
export const GradeCertainty = z.enum(["high", "moderate", "low", "very_low"]);
export const GradeDomain = z.object({
  judgement: GradeConcern.nullable().default(null),
  reason: z.string().default(""),
});
const emptyDomain = { judgement: null, reason: "" };

/** GRADE for one quantitative result: the five domains, the certainty and the decision thresholds used for imprecision. */
export const GradeAssessment = z.object({
  id: Id,
  /** What is graded: a reported result, or a saved analysis (a version id) refitted to today's data; one of the two. */
  resultId: Id.nullable().default(null),
  analysisId: Id.nullable().default(null),
  domains: z
    .object({
      riskOfBias: GradeDomain.default(emptyDomain),
      inconsistency: GradeDomain.default(emptyDomain),
      indirectness: GradeDomain.default(emptyDomain),
      imprecision: GradeDomain.default(emptyDomain),
      publicationBias: GradeDomain.default(emptyDomain),
    })
    .default({ riskOfBias: emptyDomain, inconsistency: emptyDomain, indirectness: emptyDomain, imprecision: emptyDomain, publicationBias: emptyDomain }),
  /** The smallest effect (on the result's scale) the team counts as important; imprecision is read against it. */
  threshold: z.number().nullable().default(null),
  certainty: GradeCertainty.nullable().default(null),
  explanation: z.string().default(""),
  assessedBy: UserName,
  at: Timestamp,
});
export type GradeAssessment = z.infer<typeof GradeAssessment>;

/** A question of a survey's dictionary, with its allowed answers (codes) when closed. */
export const SurveyQuestion = z.object({
  id: Id,
  /** The CSV column holding its answers. */
  code: z.string().trim().min(1),
  text: z.string().trim().min(1),
  type: z.enum(["single", "multiple", "text", "group"]),
  options: z.array(z.object({ code: z.string().trim().min(1), label: z.string().trim().min(1) })).default([]),
  order: z.number().int().default(0),
});
export type SurveyQuestion = z.infer<typeof SurveyQuestion>;

/** One respondent's answers, keyed by question code (several answers of a multiple-choice question joined by ";"). */
export const SurveyResponse = z.object({
  id: Id,
  respondent: z.string().trim().min(1),
  /** The respondent group the tables are split by (e.g. local authority or other organisation). */
  group: OptText,
  answers: z.record(z.string(), z.string().nullable()).default({}),
  importedBy: UserName,
  importedAt: Timestamp,
});
export type SurveyResponse = z.infer<typeof SurveyResponse>;

/** An interview or focus-group transcript of the primary research, coded with the same framework as study reports. */
export const Transcript = z.object({
  id: Id,
  label: z.string().trim().min(1),
  kind: z.enum(["interview", "focus_group"]),
  group: OptText,
  participants: z.number().int().min(1).nullable().default(null),
  text: z.string().default(""),
});
export type Transcript = z.infer<typeof Transcript>;
