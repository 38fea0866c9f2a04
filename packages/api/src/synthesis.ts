import { z } from "zod";
import type { Entity, RatingLevel } from "@homeward/model";
import type {
  CodingMatrix,
  DomainSuggestion,
  EqualityAnnex,
  EvidenceProfileRow,
  EvidenceSummaryRow,
  FindingSuggestions,
  Framework,
  GradeDomainKey,
  GuideTrail,
  JointRow,
  SofRow,
  SoqfRow,
  SurveyTable,
  U3Statement,
} from "@homeward/synthesis";
import { IdParams } from "./core.js";
import { route } from "./route.js";

const base = "/api/projects/:id/synthesis";
const CodeParams = z.object({ id: z.string().min(1), codeId: z.string().min(1) });
const FindingParams = z.object({ id: z.string().min(1), findingId: z.string().min(1) });
const FrameworkParams = z.object({ id: z.string().min(1), framework: z.string().min(1) });

export const NewCodeBody = z.object({
  label: z.string().trim().min(1, "a code needs a label").max(300),
  description: z.string().max(5000).default(""),
});
export const RenameCodeBody = z.object({ label: z.string().trim().min(1, "a code needs a label").max(300) });
export const MergeCodesBody = z.object({
  fromIds: z.array(z.string().min(1)).min(1, "choose at least one code to merge"),
  intoId: z.string().min(1),
});
export const SplitCodeBody = z.object({
  parts: z.array(z.object({ label: z.string().trim().min(1, "each new code needs a label").max(300) })).min(2, "a code splits into at least two codes"),
  /** Excerpt id → index of the new code it goes to; excerpts left out get every new code. */
  assign: z.record(z.string(), z.number().int()).default({}),
});
/** Checked by the synthesis engine (`checkCerqual`) so a level outside the scale is named as such. */
export const CerqualBody = z.object({
  components: z.record(z.string(), z.object({ judgement: z.unknown().optional(), explanation: z.string().max(10_000).optional() })).default({}),
  confidence: z.unknown().optional(),
  explanation: z.string().max(10_000).default(""),
});
export const SurveyImportBody = z.object({
  dictionary: z.string().min(1, "the question dictionary (CSV) is empty"),
  responses: z.string().min(1, "the responses file (CSV) is empty"),
  groupColumn: z.string().trim().min(1).default("group"),
});
export const IsoqQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });
/** `analysis`: a saved analysis version to grade (refitted to today's data, with suggestions from the model). */
export const GradeQuery = z.object({ eggerResult: z.string().optional(), analysis: z.string().optional() });
/** A saved analysis version as the pickers list it. */
export interface SavedVersionChoice {
  id: string;
  name: string;
  version: number;
  savedAt: string;
}
/** A saved analysis version a table read, refitted to today's data: what its numbers were computed from. */
export interface LinkedAnalysis {
  id: string;
  name: string;
  version: number;
  computedFrom: string;
  /** Why it gives no pooled effect (moderators, or a spec that no longer fits). */
  problem: string | null;
}
/** The results that are equity moderators, by id, comma-separated; left out, those whose label names an equity characteristic. */
export const EqualityQuery = z.object({ moderators: z.string().optional() });

export interface CodingAnswer {
  frameworks: Pick<Framework, "id" | "label" | "reference">[];
  codes: Entity<"synthesisCodes">[];
  matrix: CodingMatrix;
}
export interface FindingsAnswer {
  findings: (Entity<"qualitativeFindings"> & { suggestions: FindingSuggestions })[];
}
export interface IsoqAnswer {
  summary: SoqfRow[];
  profile: EvidenceProfileRow[];
}
export interface GuideAnswer {
  /** Saved analyses the recommendations and rows rest on, refitted. */
  analyses: LinkedAnalysis[];
  savedAnalyses: SavedVersionChoice[];
  scheme: RatingLevel[];
  /** True when the project has no scheme of its own and the Foundations scheme applies. */
  defaultScheme: boolean;
  trail: GuideTrail[];
  summary: EvidenceSummaryRow[];
  /** Every result that can carry a U3 statement, with it. */
  statements: U3Statement[];
}
export interface GradeAnswer {
  results: {
    result: Entity<"reportedResults">;
    suggestions: Record<GradeDomainKey, DomainSuggestion>;
    assessment: Entity<"gradeAssessments"> | null;
  }[];
  /** Saved analyses graded (or chosen with ?analysis=), refitted to today's data; `result` is the refit read as a result (id: the version's). */
  analyses: {
    result: Entity<"reportedResults">;
    suggestions: Record<GradeDomainKey, DomainSuggestion>;
    assessment: Entity<"gradeAssessments"> | null;
    analysis: LinkedAnalysis & { egger: { p: number; statistic: number } | null; eggerProblem: string | null };
  }[];
  savedAnalyses: SavedVersionChoice[];
  summary: SofRow[];
}
export interface SurveyAnswer {
  questions: Entity<"surveyQuestions">[];
  respondents: number;
  table: SurveyTable;
  /** A chart per closed question (Figures 15–17's shape): the SVG (role="img", with its title and description), its alternative text and long description. */
  figures: { question: string; title: string; alt: string; description: string; svg: string }[];
}

/**
 * Qualitative synthesis, integration and the practice guide (package
 * @homeward/synthesis). Excerpts, findings, joint-display rows, GRADE
 * assessments, transcripts and recommendations are written through the
 * collections routes, whose rules (model `rules/synthesis.ts`) hold for
 * every writer; these routes add what takes the engine: code operations with
 * their history, CERQual assessments with what they were made on, the survey
 * import, and the tables built from the data.
 */
export const synthesisRoutes = {
  coding: route<CodingAnswer>()({ method: "GET", access: "viewer", path: `${base}/coding`, params: IdParams, summary: "frameworks, codes (with their history) and the codes × studies matrix with counts and excerpt ids" }),
  addFramework: route<Entity<"synthesisCodes">[]>()({ method: "POST", access: "reviewer", path: `${base}/frameworks/:framework`, params: FrameworkParams, status: 201, summary: "add a framework's codes (proctor, barriers_facilitators); codes present are kept" }),
  addCode: route<Entity<"synthesisCodes">>()({ method: "POST", access: "reviewer", path: `${base}/codes`, params: IdParams, body: NewCodeBody, status: 201, summary: "add an inductive code while coding" }),
  renameCode: route<Entity<"synthesisCodes">>()({ method: "POST", access: "reviewer", path: `${base}/codes/:codeId/rename`, params: CodeParams, body: RenameCodeBody, summary: "rename a code (kept in its history)" }),
  mergeCodes: route<Entity<"synthesisCodes">>()({ method: "POST", access: "reviewer", path: `${base}/codes/merge`, params: IdParams, body: MergeCodesBody, summary: "merge codes into one, moving their excerpts (one transaction)" }),
  splitCode: route<Entity<"synthesisCodes">[]>()({ method: "POST", access: "reviewer", path: `${base}/codes/:codeId/split`, params: CodeParams, body: SplitCodeBody, status: 201, summary: "split a code into new ones, moving its excerpts as assigned (one transaction)" }),
  findings: route<FindingsAnswer>()({ method: "GET", access: "viewer", path: `${base}/findings`, params: IdParams, summary: "review findings with CERQual suggestions (methodological limitations, adequacy, confidence, explanation) and whether each needs re-assessing" }),
  assessCerqual: route<Entity<"qualitativeFindings">>()({ method: "PUT", access: "reviewer", path: `${base}/findings/:findingId/cerqual`, params: FindingParams, body: CerqualBody, summary: "a finding's GRADE-CERQual assessment, recorded with what it was made on" }),
  isoq: route<IsoqAnswer>()({ method: "GET", access: "viewer", path: `${base}/isoq`, params: IdParams, query: IsoqQuery, summary: "the Summary of Qualitative Findings and the Evidence Profile (JSON, or the profile as CSV)" }),
  joint: route<JointRow[]>()({ method: "GET", access: "viewer", path: `${base}/joint-display`, params: IdParams, summary: "the convergent segregated joint display, each cell with the entity it links to" }),
  guide: route<GuideAnswer>()({ method: "GET", access: "viewer", path: `${base}/guide`, params: IdParams, summary: "rating scheme, recommendations with their evidence trail down to excerpts, evidence summary table and U3 statements" }),
  grade: route<GradeAnswer>()({ method: "GET", access: "viewer", path: `${base}/grade`, params: IdParams, query: GradeQuery, summary: "GRADE suggestions per result and the summary-of-findings table" }),
  survey: route<SurveyAnswer>()({ method: "GET", access: "viewer", path: `${base}/survey`, params: IdParams, query: IsoqQuery, summary: "the survey's questions, its tabulation by question and respondent group and a figure per closed question (JSON), or the tables as CSV" }),
  importSurvey: route<SurveyAnswer>()({ method: "POST", access: "reviewer", path: `${base}/survey`, params: IdParams, body: SurveyImportBody, bodyLimit: 20 * 1024 * 1024, status: 201, summary: "import a survey (question dictionary and responses as CSV); any bad row → 400 naming it, nothing saved" }),
  equality: route<EqualityAnnex>()({ method: "GET", access: "viewer", path: `${base}/equality`, params: IdParams, query: EqualityQuery, summary: "the equality annex: PROGRESS-Plus reporting per study, sample characteristics and equity moderators" }),
};
