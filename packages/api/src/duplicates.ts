import { z } from "zod";
import { PageQuery, type Page } from "@homeward/model";
import type {
  DedupeProjectProgress,
  DedupeProjectResult,
  DuplicateGroupView,
  DuplicatePairSummary,
  DuplicatePairView,
  DuplicatesSummary,
  PairDecisionResult,
  SplitResult,
} from "@homeward/records";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export type { DuplicatePairView };

export const PairParams = z.object({ id: z.string().min(1), pairId: z.string().min(1) });
export const GroupParams = z.object({ id: z.string().min(1), groupId: z.string().min(1) });
export const JobParams = z.object({ id: z.string().min(1), jobId: z.string().min(1) });

const Why = z.string().trim().max(10_000, "a reason is at most 10,000 characters").optional();

export const PairsQuery = PageQuery.extend({ status: z.enum(["pending", "duplicate", "not_duplicate"]).default("pending") });

/** A reviewer's decision on an uncertain pair; who and when come from the request, never the body. */
export const PairDecisionBody = z.object({ decision: z.enum(["duplicate", "not_duplicate"]), reason: Why }).strict();

/**
 * A group split into parts (every record of the group in exactly one);
 * undoing the merge of one record is a part holding only it.
 */
export const SplitBody = z
  .object({
    parts: z.array(z.array(z.string().min(1)).min(1, "a part holds at least one record")).min(2, "a split needs at least two parts"),
    reason: Why,
  })
  .strict();

/** A detection run in the background, polled for its progress. */
export interface DedupeJob {
  id: string;
  projectId: string;
  state: "running" | "done" | "failed";
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  progress: DedupeProjectProgress;
  result: DedupeProjectResult | null;
  error: string | null;
}

export interface DuplicatesOverview extends DuplicatesSummary {
  /** The project's latest detection run on this server, if any. */
  job: DedupeJob | null;
}

/** Duplicate detection (a background job with progress), the groups found, and the uncertain pairs reviewers decide. */
export const duplicatesRoutes = {
  dedupe: route<DedupeProjectResult>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/dedupe",
    params: IdParams,
    summary: "run duplicate detection and wait for it (the web app starts a job instead)",
  }),
  startDedupeJob: route<DedupeJob>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/duplicates/jobs",
    params: IdParams,
    status: 201,
    summary: "start duplicate detection in the background (or answer the run already going)",
  }),
  getDedupeJob: route<DedupeJob>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/duplicates/jobs/:jobId",
    params: JobParams,
    summary: "a detection run's progress and, when done, its counts",
  }),
  duplicatesOverview: route<DuplicatesOverview>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/duplicates",
    params: IdParams,
    summary: "counts of groups and of pending and decided pairs, and the latest detection run",
  }),
  listDuplicateGroups: route<Page<DuplicateGroupView>>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/duplicate-groups",
    params: IdParams,
    query: PageQuery,
    summary: "a page of duplicate groups, each record with the fields it shares with the primary",
  }),
  splitDuplicateGroup: route<SplitResult>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/duplicate-groups/:groupId/split",
    params: GroupParams,
    body: SplitBody,
    bodyName: "split",
    summary: "split a group (undo a merge); records apart are judged different on every later run",
  }),
  listDuplicatePairs: route<Page<DuplicatePairSummary>>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/duplicate-pairs",
    params: IdParams,
    query: PairsQuery,
    summary: "a page of duplicate pairs with a status (default pending)",
  }),
  getDuplicatePair: route<DuplicatePairView>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/duplicate-pairs/:pairId",
    params: PairParams,
    summary: "a duplicate pair side by side, compared field by field",
  }),
  decideDuplicatePair: route<PairDecisionResult>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/duplicate-pairs/:pairId/decision",
    params: PairParams,
    body: PairDecisionBody,
    bodyName: "decision",
    summary: "decide an uncertain pair, signed by the acting user and time",
  }),
} as const;
