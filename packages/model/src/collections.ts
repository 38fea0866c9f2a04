import type { z } from "zod";
import {
  Appraisal,
  AppraisalFlagAcceptance,
  BibRecord,
  CodebookItem,
  DuplicateGroup,
  DuplicatePair,
  EffectSize,
  ExtractedValue,
  ExtractionCheck,
  FullTextRetrieval,
  ImportBatch,
  Member,
  Outcome,
  QaSample,
  QualitativeFinding,
  Reconciliation,
  Recommendation,
  RecordedCount,
  ReportedResult,
  ScreeningAssignment,
  ScreeningDecision,
  ScreeningSettings,
  Search,
  Study,
  validateStudyClassifications,
  StudyReport,
} from "./entities.js";
import type { Actor, CollectionRules, RuleContext, WriteOp } from "./rules/context.js";
import { permitDuplicatePair, validateDuplicatePairs } from "./rules/duplicates.js";
import { validateMemberRemoval, validateMembers } from "./rules/members.js";
import { validateCodebookItems, validateExtractedValues } from "./rules/extracted-values.js";
import { validateRecordedCounts } from "./rules/recorded-counts.js";
import { validateSearches } from "./rules/searches.js";
import { signedBy } from "./rules/signatures.js";
import { validateCodedExcerpts, validateGradeAssessments, validateQualitativeFindings, validateRecommendations, validateSurveyResponses } from "./rules/synthesis.js";
import { CodedExcerpt, GradeAssessment, JointDisplayRow, SurveyQuestion, SurveyResponse, SynthesisCode, Transcript } from "./synthesis.js";
import { SavedAnalysis } from "./saved-analyses.js";
import { validateSavedAnalyses } from "./rules/saved-analyses.js";
import { permitReportVersion, ReportVersion, validateReportVersions } from "./report-versions.js";

export * from "./rules/index.js";

/**
 * Every project-scoped collection of entities, in a dependency-friendly order
 * (the project file lists them in this order).
 *
 * - `refs`: fields holding ids of entities in another collection (a string or
 *   an array of strings). They are checked on every write and on import.
 * - `appendOnly`: entities are never updated or removed (history is the data).
 * - `permanent`: entities may be updated but never removed.
 * - `order`: field the store lists by (then id); default id.
 * - `validate`, `permit`: the collection's rules (see `CollectionRules`; they
 *   live in `rules/`), run by the store on every write so that no front end
 *   can skip them.
 */
export const collections = {
  members: { schema: Member, refs: {}, order: "addedAt", validate: validateMembers, validateRemove: validateMemberRemoval },
  searches: { schema: Search, refs: {}, order: "date", validate: validateSearches },
  importBatches: {
    schema: ImportBatch,
    refs: { searchId: "searches" },
    order: "importedAt",
    permanent: true,
    permit: signedBy<ImportBatch>("importedBy", "import batch"),
  },
  records: {
    schema: BibRecord,
    refs: { searchId: "searches", importBatchId: "importBatches", duplicateGroupId: "duplicateGroups" },
    order: "createdAt",
    permanent: true,
  },
  duplicateGroups: {
    schema: DuplicateGroup,
    refs: { primaryRecordId: "records" },
    order: "createdAt",
    permit: signedBy<DuplicateGroup>("createdBy", "duplicate group"),
  },
  duplicatePairs: {
    schema: DuplicatePair,
    refs: { recordIdA: "records", recordIdB: "records" },
    order: "createdAt",
    validate: validateDuplicatePairs,
    permit: permitDuplicatePair,
  },
  screeningSettings: { schema: ScreeningSettings, refs: {}, order: "stage" },
  screeningAssignments: { schema: ScreeningAssignment, refs: { recordId: "records" }, order: "assignedAt" },
  screeningDecisions: {
    schema: ScreeningDecision,
    refs: { recordId: "records" },
    order: "at",
    appendOnly: true,
    permit: signedBy<ScreeningDecision>("reviewer", "screening decision"),
  },
  reconciliations: {
    schema: Reconciliation,
    refs: { recordId: "records" },
    order: "at",
    appendOnly: true,
    permit: signedBy<Reconciliation>("resolvedBy", "reconciliation"),
  },
  qaSamples: { schema: QaSample, refs: { recordIds: "records" }, order: "createdAt", permit: signedBy<QaSample>("createdBy", "QA sample") },
  fullTextRetrievals: {
    schema: FullTextRetrieval,
    refs: { recordId: "records" },
    order: "updatedAt",
    permit: signedBy<FullTextRetrieval>("updatedBy", "full-text retrieval status"),
  },
  recordedCounts: {
    schema: RecordedCount,
    refs: {},
    order: "field",
    validate: validateRecordedCounts,
    permit: signedBy<RecordedCount>("recordedBy", "recorded count"),
  },
  studies: { schema: Study, refs: {}, order: "name", validate: validateStudyClassifications },
  studyReports: { schema: StudyReport, refs: { studyId: "studies", recordId: "records" } },
  codebookItems: { schema: CodebookItem, refs: {}, order: "order", validate: validateCodebookItems },
  outcomes: { schema: Outcome, refs: { studyId: "studies" } },
  extractedValues: {
    schema: ExtractedValue,
    refs: { studyId: "studies", itemId: "codebookItems", outcomeId: "outcomes" },
    order: "at",
    validate: validateExtractedValues,
    permit: signedBy<ExtractedValue>("reviewer", "extracted value"),
  },
  effectSizes: { schema: EffectSize, refs: { outcomeId: "outcomes" }, permit: signedBy<EffectSize>("createdBy", "effect size") },
  extractionChecks: {
    schema: ExtractionCheck,
    refs: { studyId: "studies", valueId: "extractedValues", effectSizeId: "effectSizes" },
    order: "at",
    appendOnly: true,
    permit: signedBy<ExtractionCheck>("reviewer", "extraction check"),
  },
  appraisals: {
    schema: Appraisal,
    refs: { studyId: "studies", outcomeId: "outcomes" },
    order: "at",
    permit: signedBy<Appraisal>("reviewer", "appraisal"),
  },
  appraisalFlagAcceptances: {
    schema: AppraisalFlagAcceptance,
    refs: { appraisalId: "appraisals" },
    order: "at",
    permit: signedBy<AppraisalFlagAcceptance>("acceptedBy", "flag acceptance"),
  },
  synthesisCodes: { schema: SynthesisCode, refs: { successorIds: "synthesisCodes" }, order: "order" },
  transcripts: { schema: Transcript, refs: {} },
  codedExcerpts: {
    schema: CodedExcerpt,
    refs: { studyId: "studies", recordId: "records", transcriptId: "transcripts", codeIds: "synthesisCodes" },
    order: "at",
    validate: validateCodedExcerpts,
    permit: signedBy<CodedExcerpt>("codedBy", "coded excerpt"),
  },
  surveyQuestions: { schema: SurveyQuestion, refs: {}, order: "order" },
  surveyResponses: {
    schema: SurveyResponse,
    refs: {},
    order: "respondent",
    validate: validateSurveyResponses,
    permit: signedBy<SurveyResponse>("importedBy", "survey response"),
  },
  qualitativeFindings: {
    schema: QualitativeFinding,
    refs: { studyIds: "studies", excerptIds: "codedExcerpts", codeIds: "synthesisCodes" },
    order: "order",
    validate: validateQualitativeFindings,
  },
  reportedResults: { schema: ReportedResult, refs: { studyIds: "studies" } },
  gradeAssessments: {
    schema: GradeAssessment,
    refs: { resultId: "reportedResults", analysisId: "savedAnalyses" },
    order: "at",
    validate: validateGradeAssessments,
    permit: signedBy<GradeAssessment>("assessedBy", "GRADE assessment"),
  },
  jointDisplayRows: {
    schema: JointDisplayRow,
    refs: { resultIds: "reportedResults", analysisIds: "savedAnalyses", findingIds: "qualitativeFindings", surveyQuestionIds: "surveyQuestions", transcriptIds: "transcripts" },
    order: "order",
  },
  recommendations: {
    schema: Recommendation,
    refs: { findingIds: "qualitativeFindings", resultIds: "reportedResults", rowIds: "jointDisplayRows", effectResultId: "reportedResults", analysisIds: "savedAnalyses", effectAnalysisId: "savedAnalyses" },
    order: "order",
    validate: validateRecommendations,
  },
  // Frozen versions cited by reports; the rows hold effect-size ids as history, not references (an effect size may go later).
  savedAnalyses: {
    schema: SavedAnalysis,
    refs: {},
    order: "savedAt",
    appendOnly: true,
    validate: validateSavedAnalyses,
    permit: signedBy<SavedAnalysis>("savedBy", "saved analysis"),
  },
  // The report's draft (number 0) and its frozen versions, each with the data it rendered.
  reportVersions: {
    schema: ReportVersion,
    refs: {},
    order: "number",
    permanent: true,
    validate: validateReportVersions,
    permit: permitReportVersion,
  },
} as const satisfies Record<
  string,
  {
    schema: z.ZodObject;
    refs: Record<string, string>;
    order?: string;
    appendOnly?: boolean;
    permanent?: boolean;
    // `never`: each collection's hooks take its own entities, checked below.
    validate?: (entities: readonly never[], ctx: RuleContext) => Promise<void>;
    validateRemove?: (entities: readonly never[], ctx: RuleContext) => Promise<void>;
    permit?: (op: WriteOp, before: never, after: never, actor: Actor) => void;
  }
>;

export type Collections = typeof collections;
export type CollectionName = keyof Collections;
/** The parsed (output) type of an entity of collection C. */
export type Entity<C extends CollectionName> = z.infer<Collections[C]["schema"]>;
/** What a caller may pass for an entity of C (defaults not yet applied). */
export type EntityInput<C extends CollectionName> = z.input<Collections[C]["schema"]>;

// A hook declared on a collection takes that collection's entities (the `satisfies` above cannot name `Entity`).
collections satisfies { [C in CollectionName]: CollectionRules<Entity<C>> & { schema: unknown } };

export const collectionNames = Object.keys(collections) as CollectionName[];

export function isCollectionName(s: string): s is CollectionName {
  return Object.prototype.hasOwnProperty.call(collections, s);
}

export interface CollectionInfo {
  schema: z.ZodObject;
  refs: Record<string, CollectionName>;
  order?: string;
  appendOnly?: boolean;
  permanent?: boolean;
  validate?: (entities: readonly Record<string, unknown>[], ctx: RuleContext) => Promise<void>;
  validateRemove?: (entities: readonly Record<string, unknown>[], ctx: RuleContext) => Promise<void>;
  permit?: (op: WriteOp, before: Record<string, unknown> | null, after: Record<string, unknown> | null, actor: Actor) => void;
}

export function collectionInfo(c: CollectionName): CollectionInfo {
  return collections[c] as unknown as CollectionInfo;
}
