import { z } from "zod";
import { PageQuery, type Page } from "@homeward/model";
import { AnalysisSpecBody, type AnalysisAnswer } from "./analysis.js";
import { IdParams } from "./core.js";
import { JobParams } from "./duplicates.js";
import { RecordsFile, RecordsImportQuery } from "./records.js";
import { route } from "./route.js";
import type { JobRecord, JobState } from "@homeward/store";

export type { JobState };

/**
 * A background job as listed ("dedupe", "analysis"…): what it is, where it
 * stands, who started it; the queue's own record without its payload,
 * kind-specific detail and result.
 */
export type JobSummary = Omit<JobRecord, "payload" | "detail" | "result">;

/** One job with its kind's own progress and, once done, its result (shown to whoever started it). */
export interface JobView extends JobSummary {
  detail: unknown;
  result: unknown;
}

export interface AnalysisJobView extends JobView {
  result: AnalysisAnswer | null;
}

export const JobsQuery = PageQuery.extend({ kind: z.string().trim().min(1).max(40).optional() });

/** Background jobs of a project (duplicate detection, large analyses…): listed, polled for progress, cancelled. */
export const jobsRoutes = {
  listJobs: route<Page<JobSummary>>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/jobs",
    params: IdParams,
    query: JobsQuery,
    summary: "the project's background jobs, newest first, with state and progress",
  }),
  getJob: route<JobView>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/jobs/:jobId",
    params: JobParams,
    summary: "one job's progress and, for whoever started it, its result",
  }),
  cancelJob: route<JobView>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/jobs/:jobId/cancel",
    params: JobParams,
    summary: "cancel a job (at once if queued, at its next progress report if running); a finished job is answered as it is",
  }),
  startImportJob: route<JobView>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/imports/jobs",
    params: IdParams,
    query: RecordsImportQuery,
    body: RecordsFile,
    bodyName: "records file",
    status: 201,
    summary: "import a records file as a background job (the file is kept in the project's stored files); its result is the import's, a refusal fails it with the report in `detail`",
  }),
  startAnalysisJob: route<AnalysisJobView>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/analysis/jobs",
    params: IdParams,
    body: AnalysisSpecBody,
    bodyName: "spec",
    bodyLimit: 64 * 1024 * 1024,
    status: 201,
    summary: "fit a meta spec as a background job in a worker thread (for large data); poll the job for its answer",
  }),
} as const;
