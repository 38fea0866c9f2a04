/**
 * Per-view loading. Each view of a review reads a few collections of a
 * project; a project of 100,000 records also holds a screening decision or
 * more per record and an audit entry per write. A view therefore says what
 * it reads through `ReviewSource` (the store implements it in the server,
 * a project file in memory here), and reads records only in the narrow
 * forms it needs.
 */
import type { CollectionName, Entity, FlowCount, ProjectFile, Protocol } from "@homeward/model";
import type { ReportRecord, CerqualInput, EvidenceInput } from "./evidence.js";
import type { GapMapInput } from "./figures/gap-map.js";
import type { AppraisalsInput } from "./figures/robvis.js";
import { FLOW_INPUT_COLLECTIONS, flowCounts, identifiedCounts, type FlowDecision, type FlowInput, type PrismaInput, type SearchRecordCount } from "./prisma.js";
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
  /** Per search, records identified and duplicates among them: counts, not records, however large the project. */
  identifiedCounts(): Promise<SearchRecordCount[]>;
  /** Per search, the records at each place in the PRISMA flow but "not yet screened" (the model's `flowKey`): counts kept by the store. */
  flowCounts(): Promise<FlowCount[]>;
  /** Every screening decision, as the flow reads it, by time then id. */
  flowDecisions(): Promise<FlowDecision[]>;
  /** The records with these ids (those that exist), for report citations. */
  recordsById(ids: readonly string[]): Promise<ReportRecord[]>;
}

type Lists<C extends ReviewCollection> = { [K in C]: Entity<K>[] };

async function lists<C extends ReviewCollection>(src: ReviewSource, cs: readonly C[]): Promise<Lists<C>> {
  const got = await Promise.all(cs.map((c) => src.list(c)));
  return Object.fromEntries(cs.map((c, i) => [c, got[i]])) as Lists<C>;
}

/**
 * The PRISMA flow's input: the protocol, searches, recorded counts, studies
 * and their reports, each search's records identified and the records at
 * each place in the flow, all as counts the store keeps. What it reads does
 * not grow with the records imported or screened.
 */
export async function loadFlow(src: ReviewSource): Promise<FlowInput> {
  const [protocol, identified, counts, rest] = await Promise.all([src.protocol(), src.identifiedCounts(), src.flowCounts(), lists(src, FLOW_INPUT_COLLECTIONS)]);
  return { protocol, identified, flowCounts: counts, ...rest };
}

/**
 * The flow's input with the screening itself (decisions, reconciliations,
 * retrievals), for a reader that reports on the screening too (the
 * report's screening facts); the flow is still counted from the counts, so
 * records are not read.
 */
export async function loadPrisma(src: ReviewSource): Promise<PrismaInput & FlowInput> {
  const [flow, screeningDecisions, rest] = await Promise.all([loadFlow(src), src.flowDecisions(), lists(src, ["reconciliations", "fullTextRetrievals"] as const)]);
  return { ...flow, screeningDecisions, ...rest, records: [], duplicateGroups: [] };
}

/** The summary's input: the PRISMA flow's, with appraisals, accepted flags and CERQual findings. */
export async function loadSummary(src: ReviewSource): Promise<SummaryInput> {
  const [prisma, rest] = await Promise.all([loadFlow(src), lists(src, ["appraisals", "appraisalFlagAcceptances", "qualitativeFindings"] as const)]);
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
    identifiedCounts: async () => identifiedCounts(file.records, file.duplicateGroups),
    flowCounts: async () => flowCounts(file),
    flowDecisions: async () => file.screeningDecisions,
    recordsById: async (ids) => {
      const wanted = new Set(ids);
      return file.records.filter((r) => wanted.has(r.id));
    },
  };
}
