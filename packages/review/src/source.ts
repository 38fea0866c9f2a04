/**
 * Per-view loading. Each view of a review reads a few collections of a
 * project; a project of 100,000 records also holds a screening decision or
 * more per record and an audit entry per write. A view therefore says what
 * it reads through `ReviewSource` (the store implements it in the server,
 * a project file in memory here), and reads records only in the narrow
 * forms it needs.
 */
import type { CollectionName, DuplicateGroup, Entity, ProjectFile, Protocol } from "@homeward/model";
import type { ReportRecord, CerqualInput, EvidenceInput } from "./evidence.js";
import type { GapMapInput } from "./figures/gap-map.js";
import type { AppraisalsInput } from "./figures/robvis.js";
import { followedRecordIds, identifiedCounts, PRISMA_INPUT_COLLECTIONS, type FlowDecision, type FlowRecord, type PrismaInput, type SearchRecordCount } from "./prisma.js";
import type { ConflictsInput, SummaryInput } from "./summary.js";

/** Collections a view may read whole; records are read only as `FlowRecord`s or by id. */
export const REVIEW_COLLECTIONS = [
  "searches",
  "duplicateGroups",
  "screeningDecisions",
  "reconciliations",
  "fullTextRetrievals",
  "recordedCounts",
  "studies",
  "studyReports",
  "codebookItems",
  "extractedValues",
  "outcomes",
  "appraisals",
  "appraisalFlagAcceptances",
  "qualitativeFindings",
  "reportedResults",
  "recommendations",
] as const satisfies readonly CollectionName[];
export type ReviewCollection = (typeof REVIEW_COLLECTIONS)[number];

/** The reads the review views make of one project. */
export interface ReviewSource {
  protocol(): Promise<Protocol>;
  list<C extends ReviewCollection>(collection: C): Promise<Entity<C>[]>;
  /** The id, search and duplicate group of the records with these ids (those that exist). */
  flowRecords(ids: readonly string[]): Promise<FlowRecord[]>;
  /** Per search, records identified and duplicates among them: counts, not records, however large the project. */
  identifiedCounts(): Promise<SearchRecordCount[]>;
  /** Every screening decision, as the flow reads it, by time then id. */
  flowDecisions(): Promise<FlowDecision[]>;
  /** The duplicate groups with these ids (those that exist). */
  duplicateGroupsById(ids: readonly string[]): Promise<DuplicateGroup[]>;
  /** The records with these ids (those that exist), for report citations. */
  recordsById(ids: readonly string[]): Promise<ReportRecord[]>;
}

type Lists<C extends ReviewCollection> = { [K in C]: Entity<K>[] };

async function lists<C extends ReviewCollection>(src: ReviewSource, cs: readonly C[]): Promise<Lists<C>> {
  const got = await Promise.all(cs.map((c) => src.list(c)));
  return Object.fromEntries(cs.map((c, i) => [c, got[i]])) as Lists<C>;
}

/**
 * The PRISMA flow's input: the protocol, the flow's collections, each
 * search's count of records and duplicates, and the keys of just the records
 * that have a decision or a retrieval (with their duplicate groups). What it reads grows with the screening
 * done, not with the records imported.
 */
export async function loadPrisma(src: ReviewSource): Promise<PrismaInput> {
  const [protocol, identified, screeningDecisions, rest] = await Promise.all([src.protocol(), src.identifiedCounts(), src.flowDecisions(), lists(src, PRISMA_INPUT_COLLECTIONS)]);
  const followed = followedRecordIds({ screeningDecisions, fullTextRetrievals: rest.fullTextRetrievals });
  const records = followed.length ? await src.flowRecords(followed) : [];
  const groupIds = [...new Set(records.map((r) => r.duplicateGroupId).filter((g): g is string => g !== null))];
  const duplicateGroups = groupIds.length ? await src.duplicateGroupsById(groupIds) : [];
  return { protocol, identified, records, duplicateGroups, screeningDecisions, ...rest };
}

/** The summary's input: the PRISMA flow's, with appraisals, accepted flags and CERQual findings. */
export async function loadSummary(src: ReviewSource): Promise<SummaryInput> {
  const [prisma, rest] = await Promise.all([loadPrisma(src), lists(src, ["appraisals", "appraisalFlagAcceptances", "qualitativeFindings"] as const)]);
  return { ...prisma, ...rest };
}

export async function loadGapMap(src: ReviewSource): Promise<GapMapInput> {
  const [protocol, rest] = await Promise.all([src.protocol(), lists(src, ["studies", "outcomes", "codebookItems", "extractedValues"] as const)]);
  return { protocol, ...rest };
}

/** Risk-of-bias plots and the list of tools. */
export const loadAppraisals = (src: ReviewSource): Promise<AppraisalsInput> => lists(src, ["studies", "appraisals"] as const);

export const loadConflicts = (src: ReviewSource): Promise<ConflictsInput> => lists(src, ["studies", "appraisals", "appraisalFlagAcceptances"] as const);

export const loadCerqual = (src: ReviewSource): Promise<CerqualInput> => lists(src, ["studies", "qualitativeFindings"] as const);

/** The evidence trail's input, with just the records the studies' reports link to. */
export async function loadEvidence(src: ReviewSource): Promise<EvidenceInput> {
  const [protocol, rest] = await Promise.all([
    src.protocol(),
    lists(src, ["studies", "studyReports", "qualitativeFindings", "reportedResults", "recommendations"] as const),
  ]);
  const ids = [...new Set(rest.studyReports.map((r) => r.recordId).filter((id): id is string => id !== null))];
  return { protocol, ...rest, records: ids.length ? await src.recordsById(ids) : [] };
}

/** A source over a project held in memory (a project file, a test's fixture). */
export function fileReviewSource(file: Pick<ProjectFile, "protocol" | "records" | ReviewCollection>): ReviewSource {
  return {
    protocol: async () => file.protocol,
    list: async <C extends ReviewCollection>(c: C) => file[c] as Entity<C>[],
    flowRecords: async (ids) => {
      const wanted = new Set(ids);
      return file.records.filter((r) => wanted.has(r.id)).map(({ id, searchId, duplicateGroupId }) => ({ id, searchId, duplicateGroupId }));
    },
    identifiedCounts: async () => identifiedCounts(file.records, file.duplicateGroups),
    flowDecisions: async () => file.screeningDecisions,
    duplicateGroupsById: async (ids) => {
      const wanted = new Set(ids);
      return file.duplicateGroups.filter((g) => wanted.has(g.id));
    },
    recordsById: async (ids) => {
      const wanted = new Set(ids);
      return file.records.filter((r) => wanted.has(r.id));
    },
  };
}
