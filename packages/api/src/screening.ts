import { z } from "zod";
import { Decision, RetrievalStatus, ScreeningStage, UserName, type FullTextRetrieval, type QaSample } from "@homeward/model";
import type {
  AgreementAnswer,
  DecisionAnswer,
  MyDecisionsAnswer,
  NextAnswer,
  QaSampleView,
  ReconciliationAnswer,
  ReviewersAnswer,
  SettingsAnswer,
  StatusAnswer,
  StoppingAnswer,
} from "@homeward/screening";
import { IdParams, RecordParams } from "./core.js";
import { checkedBody, route, type FileAnswer } from "./route.js";

export type {
  AgreementAnswer,
  AgreementFigures,
  AssignmentMode,
  ConflictView,
  DecisionAnswer,
  MyDecision,
  MyDecisionsAnswer,
  NextAnswer,
  PairAgreement,
  PrioritisationStatus,
  QaItem,
  QaSampleView,
  ReconciliationAnswer,
  ReviewerDecision,
  ReviewersAnswer,
  ScreenerView,
  SettingsAnswer,
  StageCounts,
  StatusAnswer,
  StoppingAnswer,
  Verdict,
} from "@homeward/screening";

export const StageParams = z.object({ id: z.string().min(1), stage: ScreeningStage });
export const StageRecordParams = StageParams.extend({ recordId: z.string().min(1) });

export const NextQuery = z.object({ prioritise: z.enum(["true", "false"]).default("true") });
export const DecisionBody = z.object({
  recordId: z.string().min(1),
  decision: Decision,
  reasons: z.array(z.string().min(1)).default([]),
  note: z.string().max(20_000).optional(),
  labels: z.array(z.string().min(1)).default([]),
});
export const ReconcileBody = z.object({
  recordId: z.string().min(1),
  decision: Decision,
  reasons: z.array(z.string().min(1)).default([]),
  reason: z.string().trim().min(1, "a reconciliation needs the reason it was resolved that way"),
});
export const StoppingQuery = z.object({
  recallTarget: z.coerce.number().gt(0).lt(1).default(0.95),
  confidence: z.coerce.number().gt(0).lt(1).default(0.95),
});
export const QaBody = z.object({ fraction: z.number().gt(0).max(1).default(0.1), seed: z.number().int(), checker: UserName.optional() });
export const MineQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) });
export const SettingsBody = z
  .object({
    mode: z.enum(["single", "dual", "dual_then_single"]),
    dualFraction: z.number().gt(0, "the dual-screened share must be more than 0").max(1).nullable().default(null),
    reviewers: z.array(UserName).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.mode === "dual_then_single" && s.dualFraction === null)
      ctx.addIssue({ code: "custom", path: ["dualFraction"], message: "dual-then-single screening needs the dual-screened share (e.g. 0.2)" });
    if (s.mode !== "dual_then_single" && s.dualFraction !== null)
      ctx.addIssue({ code: "custom", path: ["dualFraction"], message: "a dual-screened share applies to dual-then-single screening only" });
  });

const base = "/api/projects/:id/screening/:stage";

/**
 * Screening of both stages (`:stage` = title_abstract | full_text). The
 * reviewer is the request's acting user; the routes that act for a reviewer
 * (next, decisions, reconciliations, QA samples) refuse a request that names
 * no one.
 */
export const screeningRoutes = {
  next: route<NextAnswer>()({
    method: "GET", access: "reviewer",
    path: `${base}/next`,
    params: StageParams,
    query: NextQuery,
    summary:
      "the best-ranked record the reviewer can screen (import order with prioritise=false), held for them for 10 minutes; 403 for a user who is not a reviewer of the stage",
  }),
  release: route<void>()({
    method: "DELETE", access: "reviewer",
    path: `${base}/lease`,
    params: StageParams,
    status: 204,
    summary: "give back the record held for the acting reviewer, so another reviewer can take it (Stop screening)",
  }),
  decide: route<DecisionAnswer>()({
    method: "POST", access: "reviewer",
    path: `${base}/decisions`,
    params: StageParams,
    body: DecisionBody,
    bodyName: "decision",
    status: 201,
    summary: "record the reviewer's decision on a record and its duplicates",
  }),
  status: route<StatusAnswer>()({ method: "GET", access: "viewer", path: `${base}/status`, params: StageParams, summary: "mode, counts, conflicts and the ranking's progress" }),
  reconcile: route<ReconciliationAnswer>()({
    method: "POST", access: "adjudicator",
    path: `${base}/reconciliations`,
    params: StageParams,
    body: ReconcileBody,
    bodyName: "reconciliation",
    status: 201,
    summary: "settle a conflict, with the reason",
  }),
  agreement: route<AgreementAnswer>()({ method: "GET", access: "viewer", path: `${base}/agreement`, params: StageParams, summary: "agreement per reviewer pair and overall" }),
  stopping: route<StoppingAnswer>()({
    method: "GET", access: "viewer",
    path: `${base}/stopping`,
    params: StageParams,
    query: StoppingQuery,
    summary: "the advisory stopping estimate",
  }),
  drawQaSample: route<QaSample>()({
    method: "POST", access: "adjudicator",
    path: `${base}/qa-samples`,
    params: StageParams,
    body: QaBody,
    bodyName: "QA sample",
    status: 201,
    summary: "draw a seeded sample of single-screened excludes for a re-check",
  }),
  qaSamples: route<QaSampleView[]>()({
    method: "GET", access: "viewer",
    path: `${base}/qa-samples`,
    params: StageParams,
    summary: "QA samples, newest first, with original decisions, re-checks and their agreement",
  }),
  settings: route<SettingsAnswer>()({ method: "GET", access: "viewer", path: `${base}/settings`, params: StageParams, summary: "the stage's settings (single screening until set)" }),
  saveSettings: route<SettingsAnswer>()({
    method: "PUT", access: "owner",
    path: `${base}/settings`,
    params: StageParams,
    body: SettingsBody,
    bodyName: "screening settings",
    summary: "set the stage's mode, dual share and reviewers",
  }),
  myDecisions: route<MyDecisionsAnswer>()({
    method: "GET", access: "reviewer",
    path: `${base}/my-decisions`,
    params: StageParams,
    query: MineQuery,
    summary: "the acting reviewer's current decision per record, most recent first",
  }),
  reviewers: route<ReviewersAnswer>()({
    method: "GET", access: "viewer",
    path: `${base}/records/:recordId/reviewers`,
    params: StageRecordParams,
    summary: "who has decided a record at this stage (names only)",
  }),
} as const;

/** Metadata of the attached full-text file; an uploaded file's bytes are stored under its `sha256` (`uploadFile`). */
export const FullTextFile = z.object({
  name: z.string().trim().min(1, "the attached file needs a name").max(500),
  mediaType: z.string().max(200).nullable().default(null),
  size: z.number().int().min(0).nullable().default(null),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lower-case hexadecimal digits")
    .nullable()
    .default(null),
});
export const RetrievalBody = z.object({
  status: RetrievalStatus,
  note: z.string().max(20_000).nullable().optional(),
  /** Omitted: keep the current file; null: detach it. */
  file: FullTextFile.nullable().optional(),
});

/** The largest full-text file the server stores unless configured otherwise (it is streamed, never held whole in memory). */
export const MAX_FULL_TEXT_BYTES = 100 * 1024 * 1024;
export const FullTextUploadQuery = z.object({ fileName: z.string().trim().min(1, "the file needs a name").max(500) });
/** A full text's bytes (a PDF), sent as the request body with a file type such as application/pdf or application/octet-stream. */
export const FullTextUpload = checkedBody<Blob | ArrayBuffer | Uint8Array>();

/** Full-text retrieval: one current entry per record. */
export const fullTextRoutes = {
  list: route<FullTextRetrieval[]>()({ method: "GET", access: "viewer", path: "/api/projects/:id/fulltext", params: IdParams, summary: "every record's retrieval, latest change last" }),
  get: route<FullTextRetrieval>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/fulltext/:recordId",
    params: RecordParams,
    summary: "a record's retrieval (404 if never tracked)",
  }),
  save: route<FullTextRetrieval>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/fulltext/:recordId",
    params: RecordParams,
    body: RetrievalBody,
    bodyName: "full-text retrieval",
    summary: "set a record's retrieval status, note and attached file",
  }),
  uploadFile: route<FullTextRetrieval>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/fulltext/:recordId/file",
    params: RecordParams,
    query: FullTextUploadQuery,
    body: FullTextUpload,
    bodyName: "full-text file",
    summary: "store a record's full text (a PDF) and mark it retrieved with that file attached",
  }),
  downloadFile: route<FileAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/fulltext/:recordId/file",
    params: RecordParams,
    summary: "the stored full text of a record (404 when none is stored)",
  }),
} as const;
