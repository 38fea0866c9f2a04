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
  StudyReport,
} from "./entities.js";

/**
 * Every project-scoped collection of entities, in a dependency-friendly order
 * (the project file lists them in this order).
 *
 * - `refs`: fields holding ids of entities in another collection (a string or
 *   an array of strings). They are checked on every write and on import.
 * - `appendOnly`: entities are never updated or removed (history is the data).
 * - `permanent`: entities may be updated but never removed.
 * - `order`: field the store lists by (then id); default id.
 */
export const collections = {
  members: { schema: Member, refs: {}, order: "addedAt" },
  searches: { schema: Search, refs: {}, order: "date" },
  importBatches: { schema: ImportBatch, refs: { searchId: "searches" }, order: "importedAt", permanent: true },
  records: {
    schema: BibRecord,
    refs: { searchId: "searches", importBatchId: "importBatches", duplicateGroupId: "duplicateGroups" },
    order: "createdAt",
    permanent: true,
  },
  duplicateGroups: { schema: DuplicateGroup, refs: { primaryRecordId: "records" }, order: "createdAt" },
  duplicatePairs: { schema: DuplicatePair, refs: { recordIdA: "records", recordIdB: "records" }, order: "createdAt" },
  screeningSettings: { schema: ScreeningSettings, refs: {}, order: "stage" },
  screeningAssignments: { schema: ScreeningAssignment, refs: { recordId: "records" }, order: "assignedAt" },
  screeningDecisions: { schema: ScreeningDecision, refs: { recordId: "records" }, order: "at", appendOnly: true },
  reconciliations: { schema: Reconciliation, refs: { recordId: "records" }, order: "at", appendOnly: true },
  qaSamples: { schema: QaSample, refs: { recordIds: "records" }, order: "createdAt" },
  fullTextRetrievals: { schema: FullTextRetrieval, refs: { recordId: "records" }, order: "updatedAt" },
  recordedCounts: { schema: RecordedCount, refs: {}, order: "field" },
  studies: { schema: Study, refs: {}, order: "name" },
  studyReports: { schema: StudyReport, refs: { studyId: "studies", recordId: "records" } },
  codebookItems: { schema: CodebookItem, refs: {}, order: "order" },
  outcomes: { schema: Outcome, refs: { studyId: "studies" } },
  extractedValues: {
    schema: ExtractedValue,
    refs: { studyId: "studies", itemId: "codebookItems", outcomeId: "outcomes" },
    order: "at",
  },
  effectSizes: { schema: EffectSize, refs: { outcomeId: "outcomes" } },
  appraisals: { schema: Appraisal, refs: { studyId: "studies", outcomeId: "outcomes" }, order: "at" },
  appraisalFlagAcceptances: { schema: AppraisalFlagAcceptance, refs: { appraisalId: "appraisals" }, order: "at" },
  qualitativeFindings: { schema: QualitativeFinding, refs: { studyIds: "studies" }, order: "order" },
  reportedResults: { schema: ReportedResult, refs: { studyIds: "studies" } },
  recommendations: {
    schema: Recommendation,
    refs: { findingIds: "qualitativeFindings", resultIds: "reportedResults" },
    order: "order",
  },
} as const satisfies Record<
  string,
  {
    schema: z.ZodObject;
    refs: Record<string, string>;
    order?: string;
    appendOnly?: boolean;
    permanent?: boolean;
  }
>;

export type Collections = typeof collections;
export type CollectionName = keyof Collections;
/** The parsed (output) type of an entity of collection C. */
export type Entity<C extends CollectionName> = z.infer<Collections[C]["schema"]>;
/** What a caller may pass for an entity of C (defaults not yet applied). */
export type EntityInput<C extends CollectionName> = z.input<Collections[C]["schema"]>;

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
}

export function collectionInfo(c: CollectionName): CollectionInfo {
  return collections[c] as unknown as CollectionInfo;
}
