import { z } from "zod";
import { PageQuery, type Page } from "@homeward/model";
import { AnalysisSpecBody, type AnalysisAnswer } from "./analysis.js";
import { IdParams } from "./core.js";
import { JobParams } from "./duplicates.js";
import { RecordsFile, RecordsImportQuery } from "./records.js";
import { route, type FileAnswer } from "./route.js";
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

/**
 * Every kind of background job, with its name in words: the one list the
 * server's handlers are registered under and the app's Jobs page names them by.
 */
export const JOB_KINDS = {
  import: "Records import",
  dedupe: "Duplicate detection",
  analysis: "Meta-analysis",
  "screening-simulation": "Screening simulation",
  "screening-ranking": "Screening ranking retrain",
  backup: "Project backup",
  export: "Project export",
  report: "Report document",
} as const;
export type JobKind = keyof typeof JOB_KINDS;

/** A job's output file, named in its `result` once it is done; downloaded through `jobsRoutes.jobFile`. */
export interface JobFile {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/**
 * A backup job's result: the project's file, gzip'd (`homeward project import`
 * reads it as it is); an export job's: the same file as plain JSON (what the
 * app's project import reads).
 */
export interface BackupJobResult {
  file: JobFile;
}

/** The report's renderings, each made by a report job. */
export const REPORT_FORMATS = ["html", "pdf", "docx", "bundle"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A report job's result: the document. */
export interface ReportJobResult {
  file: JobFile;
  format: ReportFormat;
  version: number | null;
}

export const ReportJobBody = z.object({
  format: z.enum(REPORT_FORMATS),
  /** A frozen version's number; absent: the draft over the data now. */
  version: z.number().int().min(1).optional(),
});

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
  startBackupJob: route<JobView>()({
    method: "POST", access: "owner",
    path: "/api/projects/:id/backups/jobs",
    params: IdParams,
    status: 201,
    summary: "back up the project as a background job: its project file (every collection, the audit chain, stored files), gzip'd, read on one snapshot; downloaded from the job once done",
  }),
  startExportJob: route<JobView>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/exports/jobs",
    params: IdParams,
    status: 201,
    summary: "export the project as a background job: its project file (as a backup, not compressed: the app's project import reads it), read on one snapshot; refused (403) to all but owners while a stage is blind; downloaded from the job once done",
  }),
  startReportJob: route<JobView>()({
    method: "POST", access: "viewer",
    path: "/api/projects/:id/report/jobs",
    params: IdParams,
    body: ReportJobBody,
    bodyName: "report document",
    status: 201,
    summary: "render the report as a background job: HTML, PDF, Word or the reproducibility bundle (zip) of the draft over the data now, as the caller sees it, or of a frozen version; downloaded from the job once done",
  }),
  jobFile: route<FileAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/jobs/:jobId/file",
    params: JobParams,
    summary: "a finished job's file (a backup, an export, a report document), to whoever started it (a backup or export: also to an owner)",
  }),
} as const;
