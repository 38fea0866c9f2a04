import type { BlindStage } from "./access.js";
import type { CollectionName } from "./collections.js";
import type { Role } from "./entities.js";

/**
 * Dual work in a collection that reviewers do blind to each other: an entity
 * is shown to someone other than its reviewer only once they have done the
 * same item themselves (or an owner has lifted blinding for the stage).
 */
export interface BlindRule {
  /** The stage, or the entity's field naming it (screening decisions carry theirs). */
  stage: BlindStage | { field: string };
  /** Field naming who did the work (who sees it whatever blinding holds); null when no one person did. */
  reviewer: string | null;
  /** Field naming the item the work is about (record, study). */
  item: string;
  /** Where the caller's own work on the item is looked for (default: this collection). */
  doneIn?: CollectionName;
  /** Own work that does not count as done yet: rows whose `field` is one of `values` (a draft appraisal). */
  unfinished?: { field: string; values: readonly string[] };
}

/** How the generic collections route may write a collection, and what of it is blind. */
export interface CollectionAccess {
  /**
   * Least role a write through the generic collections route needs, or null
   * when the collection has a domain route of its own (`via`), whose rules a
   * generic write would skip.
   */
  write: Role | null;
  via?: string;
  /** The field that signs an entity: always the acting user, taken from the session. */
  signer?: string;
  /** The time field of a write: always the server's clock. */
  stamp?: string;
  blind?: BlindRule;
}

const closed = (via: string): CollectionAccess => ({ write: null, via });

/** One declaration per collection (checked complete by the type). */
export const collectionAccess: Record<CollectionName, CollectionAccess> = {
  members: closed("the project's members routes (…/members)"),
  searches: { write: "reviewer" },
  importBatches: closed("an import (…/imports)"),
  records: closed("an import (…/imports); a record is changed only by the duplicates routes"),
  duplicateGroups: closed("the duplicates routes (…/duplicates)"),
  duplicatePairs: closed("the duplicates routes (…/duplicates)"),
  screeningSettings: closed("the screening settings route (…/screening/:stage/settings)"),
  screeningAssignments: { write: "owner", stamp: "assignedAt" },
  screeningDecisions: {
    ...closed("the screening routes (…/screening/:stage/decisions)"),
    blind: { stage: { field: "stage" }, reviewer: "reviewer", item: "recordId" },
  },
  reconciliations: {
    ...closed("the screening routes (…/screening/:stage/reconciliations)"),
    // The adjudicator who settled it sees it; others once they have decided the record.
    blind: { stage: { field: "stage" }, reviewer: "resolvedBy", item: "recordId", doneIn: "screeningDecisions" },
  },
  qaSamples: closed("the screening QA routes (…/screening/:stage/qa-samples)"),
  fullTextRetrievals: closed("the full-text routes (…/fulltext/:recordId)"),
  recordedCounts: { write: "reviewer", signer: "recordedBy", stamp: "recordedAt" },
  studies: { write: "reviewer" },
  studyReports: { write: "reviewer" },
  codebookItems: closed("the extraction codebook routes (…/extraction/codebook)"),
  outcomes: { write: "reviewer" },
  // Values are kept as history (a change is a new row naming the one it replaces), which only the extraction routes keep.
  extractedValues: {
    ...closed("the extraction routes (…/extraction/studies/:studyId/values and …/consensus)"),
    signer: "reviewer",
    stamp: "at",
    blind: { stage: "extraction", reviewer: "reviewer", item: "studyId" },
  },
  effectSizes: { write: "reviewer", signer: "createdBy", stamp: "createdAt" },
  extractionChecks: { ...closed("the extraction check routes (…/extraction/studies/:studyId/checks)"), signer: "reviewer", stamp: "at" },
  appraisals: {
    ...closed("the appraisal routes (…/appraisal/…)"),
    // A draft does not open the other assessments: a reviewer sees them only once their own is submitted.
    blind: { stage: "appraisal", reviewer: "reviewer", item: "studyId", unfinished: { field: "status", values: ["draft"] } },
  },
  appraisalFlagAcceptances: { write: "adjudicator", signer: "acceptedBy", stamp: "at" },
  synthesisCodes: closed("the synthesis code routes (…/synthesis/codes, …/synthesis/frameworks), which keep each code's history"),
  transcripts: { write: "reviewer" },
  codedExcerpts: { write: "reviewer", signer: "codedBy", stamp: "at" },
  surveyQuestions: closed("the survey import (…/synthesis/survey)"),
  surveyResponses: closed("the survey import (…/synthesis/survey)"),
  qualitativeFindings: { write: "reviewer" },
  reportedResults: { write: "reviewer" },
  gradeAssessments: { write: "reviewer", signer: "assessedBy", stamp: "at" },
  jointDisplayRows: { write: "reviewer" },
  recommendations: { write: "adjudicator" },
  savedAnalyses: { ...closed("the saved analyses routes (…/saved-analyses)"), signer: "savedBy", stamp: "savedAt" },
  reportVersions: { ...closed("the report routes (…/report/…)"), signer: "savedBy", stamp: "savedAt" },
};

/** The stage an entity of a blind collection belongs to. */
export function blindStageOf(rule: BlindRule, entity: Record<string, unknown>): BlindStage {
  return typeof rule.stage === "string" ? rule.stage : (entity[rule.stage.field] as BlindStage);
}
