import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { MAX_RECORDS_FILE_BYTES, jobsRoutes as r, type BackupJobResult, type JobFile, type JobKind, type JobSummary, type JobView, type ReportFormat, type ReportJobResult } from "@homeward/api";
import { InputError, type Role } from "@homeward/model";
import { inlineRows, parseMetaSpec, type Row } from "@homeward/meta";
import { dedupeInWorker, dedupeProject, IMPORT_READ_PASSES, ImportRefused, importRecordsFile, type DedupeProjectProgress, type DedupeProjectResult, type ParseOptions } from "@homeward/records";
import type { SearchKind } from "@homeward/model";
import { exportProjectJson, JobCancelled, openJobQueue, type JobContext, type JobQueue, type JobRecord, type QueueOptions, type Store } from "@homeward/store";
import { blindView, exportAllowed } from "./blinding.js";
import { serve } from "./contract.js";
import type { RequestContext } from "./context.js";
import { attachment } from "./security.js";
import { fitAnalysisInWorker, type AnalysisJobInput } from "./jobs/analysis.js";
import { closeReportWorker } from "./jobs/report.js";
import { riskOfBiasRows } from "./routes/analysis-risk-of-bias.js";
import { withExtractedModerators } from "./routes/analysis-codebook.js";

/**
 * Background jobs: the store's job queue (pg-boss on PostgreSQL, a table on
 * SQLite; see @homeward/store `queue.ts`) with the kinds this server runs.
 * Every server on a database runs jobs of every kind, so a job started
 * through one server may run on another, and a job left by a server that
 * stopped is taken up by one that runs. Handlers keep their CPU-heavy part
 * in a worker thread (duplicate detection, model fitting), so the event loop
 * only waits on the database; what they write is one transaction, so a run
 * repeated after a failure or a restart starts from the project as it was.
 */

export const DEDUPE = "dedupe" satisfies JobKind;
export const ANALYSIS = "analysis" satisfies JobKind;
export const IMPORT = "import" satisfies JobKind;
export const BACKUP = "backup" satisfies JobKind;
export const EXPORT = "export" satisfies JobKind;
export const REPORT = "report" satisfies JobKind;

/** A report job: the document, the version, and who asked in which role (the report is rendered with their view of the project). */
export interface ReportPayload {
  format: ReportFormat;
  version: number | null;
  actor: string;
  displayName: string;
  role: Role | null;
}

/** The project file of `title` taken `at`, as a file name: "Family-reunification-2026-12-04.homeward.json" (".gz" for a backup). */
const projectFileName = (title: string, at: Date, gzipped: boolean) =>
  `${title.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 60) || "project"}-${at.toISOString().slice(0, 10)}.homeward.json${gzipped ? ".gz" : ""}`;

/**
 * `text` as UTF-8, a quarter of a mebi-character at a time (a surrogate pair
 * never split), reporting how far it is through every few mebibytes: a
 * project file of hundreds of megabytes is never copied whole.
 */
export async function* utf8Pieces(text: string, onProgress: (at: number) => Promise<void>): AsyncGenerator<Buffer> {
  const CHARS = 1 << 18;
  let reported = 0;
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + CHARS);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield Buffer.from(text.slice(at, end), "utf8");
    at = end;
    if (at - reported >= 1 << 22 || at === text.length) {
      reported = at;
      await onProgress(at);
    }
  }
}

/** `bytes` in parts of a mebibyte, reporting how many are through. */
async function* inParts(bytes: Buffer, onPart: (done: number) => Promise<void>): AsyncGenerator<Buffer> {
  const PART = 1 << 20;
  for (let at = 0; at < bytes.length; at += PART) {
    yield bytes.subarray(at, at + PART);
    await onPart(Math.min(bytes.length, at + PART));
  }
}

const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;

/** An import job: the uploaded file, kept in the project's stored files, and the import's options. */
export interface ImportPayload {
  sha256: string;
  size: number;
  parse: ParseOptions & { fileName: string };
  search: { id: string } | { source: string; kind: SearchKind; date: string | null; query: string };
  skipInvalid: boolean;
  actor: string;
}

export interface DedupePayload {
  actor: string;
  reason: string | null;
}

/** Progress reports are written at most this often (each is a row update). */
const REPORT_MS = 250;

/** Reports at most every REPORT_MS from a synchronous progress callback, the last one always written. */
function throttled<P>(write: (p: P) => Promise<void>): { report: (p: P) => void; flush: () => Promise<void> } {
  let last = 0;
  let pending: P | undefined;
  let writing: Promise<void> = Promise.resolve();
  const send = (p: P) => {
    last = Date.now();
    pending = undefined;
    writing = writing.then(() => write(p)).catch(() => undefined);
  };
  return {
    report: (p) => {
      if (Date.now() - last >= REPORT_MS) send(p);
      else pending = p;
    },
    flush: async () => {
      if (pending !== undefined) send(pending);
      await writing;
    },
  };
}

const PHASE_WORDS: Record<DedupeProjectProgress["phase"], string> = {
  reading: "reading records",
  blocking: "finding candidate pairs",
  comparing: "comparing records",
  grouping: "grouping duplicates",
  saving: "saving groups",
} as Record<DedupeProjectProgress["phase"], string>;

/** Where each phase of detection sits on the job's 0…1 bar (comparing is nearly all of the time). */
const PHASE_SPAN: Record<string, [number, number]> = { reading: [0, 0.05], blocking: [0.05, 0.1], comparing: [0.1, 0.9], grouping: [0.9, 0.95], saving: [0.95, 1] };

function dedupeFraction(p: DedupeProjectProgress): number {
  const [a, b] = PHASE_SPAN[p.phase] ?? [0, 1];
  return a + (b - a) * (p.total > 0 ? Math.min(1, p.done / p.total) : 0);
}

/**
 * Waits a turn of the event loop. A job enqueued here is claimed at once, on
 * SQLite in the same chain of promises as the request that queued it: without
 * this, a job's first CPU-heavy step (reading and assembling a report's data)
 * would run before that request's answer is sent.
 */
const afterReply = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The job queue of this server with its kinds registered; stopped (and the report's kept worker ended) when the server closes. */
export async function startJobs(app: FastifyInstance, store: Store, opts: QueueOptions = {}): Promise<JobQueue> {
  const queue = openJobQueue(store, opts);
  app.addHook("onClose", async () => {
    await queue.stop();
    await closeReportWorker(store);
  });

  await queue.work(DEDUPE, async ({ job, progress, signal }) => {
    const who = job.payload as DedupePayload;
    const t = throttled((p: DedupeProjectProgress) => progress(dedupeFraction(p), PHASE_WORDS[p.phase] ?? p.phase, p));
    try {
      return await dedupeProject(store, job.projectId, who, {
        // A cancelled run's thread is ended at once; checked before saving too, so it writes nothing.
        run: (onProgress) => dedupeInWorker(onProgress, { signal }),
        onProgress: (p) => {
          if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new JobCancelled();
          t.report(p);
        },
      });
    } finally {
      await t.flush();
    }
  });

  await queue.work(IMPORT, async ({ job, progress }) => {
    const p = job.payload as ImportPayload;
    const passes = IMPORT_READ_PASSES;
    let pass = 0;
    const t = throttled((x: [number, string]) => progress(x[0], x[1]));
    // Copied out of the database first: the writing pass reads the file inside the import's
    // transaction, and on SQLite (one connection) a read through the store would wait for it.
    const dir = await mkdtemp(join(tmpdir(), "homeward-import-job-"));
    try {
      const file = join(dir, "file");
      await pipeline(Readable.from(store.readFile(job.projectId, p.sha256)), createWriteStream(file));
      const open = () => {
        const [a, b, words] = passes[Math.min(pass++, passes.length - 1)]!;
        let read = 0;
        const stream = createReadStream(file);
        stream.on("data", (chunk) => {
          read += chunk.length;
          t.report([a + ((b - a) * read) / Math.max(1, p.size), words]);
        });
        return stream;
      };
      return await importRecordsFile(store, { projectId: job.projectId, open, parse: p.parse, search: p.search, skipInvalid: p.skipInvalid, actor: p.actor });
    } catch (e) {
      await t.flush();
      // A refusal is final (the same file is refused again): its report goes with the failed job.
      if (e instanceof ImportRefused) await progress(1, "refused", { report: e.report });
      throw e;
    } finally {
      await t.flush();
      await rm(dir, { recursive: true, force: true });
    }
  });

  /**
   * The project file read on one snapshot (on SQLite in a worker thread on a
   * read-only connection, so neither the store's connection nor the event
   * loop waits for it), kept as the job's output: gzip'd (on libuv's thread
   * pool) for a backup, as it is for an export (what the app's project import
   * reads). A repeated run writes it again.
   */
  const projectFile = (gzipped: boolean) =>
    async ({ job, progress, signal }: JobContext): Promise<BackupJobResult> => {
      await afterReply();
      await progress(0.05, "reading the project");
      const project = await store.getProject(job.projectId);
      const text = await exportProjectJson(store, job.projectId, signal);
      await progress(0.5, `${gzipped ? "compressing and saving" : "saving"} ${mib(text.length)}`);
      // A piece at a time, the database written between pieces: no second copy of the whole file, and other requests go on meanwhile.
      const pieces = Readable.from(utf8Pieces(text, (at) => progress(0.5 + (0.5 * at) / text.length, `saved ${mib(at)} of ${mib(text.length)}`)));
      const saved = await queue.putOutput(job.id, gzipped ? pieces.pipe(createGzip()) : pieces);
      const name = projectFileName(project.title, new Date(), gzipped);
      return { file: { name, mediaType: gzipped ? "application/gzip" : "application/json; charset=utf-8", ...saved } };
    };
  await queue.work(BACKUP, projectFile(true));
  await queue.work(EXPORT, projectFile(false));

  /** A report's file, rendered as the person who asked sees the project (in a worker thread; a PDF then printed by Chromium, in a process of its own). */
  await queue.work(REPORT, async ({ job, progress, signal }) => {
    const p = job.payload as ReportPayload;
    await afterReply();
    const { reportSource } = await import("./routes/report.js");
    const ctx: RequestContext = { identity: { user: p.actor, displayName: p.displayName, admin: false }, actor: p.actor, named: true, role: p.role, reason: null };
    const d = await reportSource(store).document(job.projectId, p.format, p.version ?? undefined, ctx, (fraction, words) => progress(0.9 * fraction, words), signal);
    await progress(0.9, `saving ${mib(d.bytes.length)}`);
    const saved = await queue.putOutput(job.id, inParts(d.bytes, (done) => progress(0.9 + (0.1 * done) / d.bytes.length, `saved ${mib(done)} of ${mib(d.bytes.length)}`)));
    return { file: { name: d.name, mediaType: d.mediaType, ...saved }, format: p.format, version: p.version } satisfies ReportJobResult;
  });

  await queue.work(ANALYSIS, async ({ job, progress, signal }) => {
    const input = job.payload as AnalysisJobInput;
    await progress(0.1, `fitting the model to ${input.rows.length.toLocaleString("en")} rows`);
    return fitAnalysisInWorker(input, signal);
  });

  return queue;
}

export const jobSummary = (j: JobRecord): JobSummary => ({
  id: j.id,
  projectId: j.projectId,
  kind: j.kind,
  state: j.state,
  progress: j.progress,
  message: j.message,
  error: j.error,
  attempts: j.attempts,
  maxAttempts: j.maxAttempts,
  createdBy: j.createdBy,
  createdAt: j.createdAt,
  startedAt: j.startedAt,
  finishedAt: j.finishedAt,
});

/**
 * A job as the caller may see it. A result is computed with its starter's
 * view of the project (blinding, their role), so only they see it; others see
 * that it ran and how far it got.
 */
export const jobView = (j: JobRecord, ctx: RequestContext): JobView => ({
  ...jobSummary(j),
  detail: j.detail,
  result: j.createdBy === ctx.actor || j.kind === DEDUPE || j.kind === IMPORT ? j.result : null,
});

async function projectJob(queue: JobQueue, projectId: string, jobId: string): Promise<JobRecord> {
  const job = await queue.get(jobId);
  if (!job || job.projectId !== projectId) throw new InputError(`job "${jobId}" not found`, 404);
  return job;
}

/** Keys of the analysis request besides the meta spec's own. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;

/** The request body's chunks as they arrive, refused past `limit` bytes (as the synchronous import route). */
async function* limited(body: unknown, limit: number): AsyncGenerator<Uint8Array> {
  if (!(body instanceof Readable)) return;
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) throw new InputError(`the file is larger than ${Math.round(limit / (1 << 20))} MiB, the most one import reads; split it into smaller files`, 413);
    yield chunk;
  }
}

export async function registerJobsRoutes(app: FastifyInstance, store: Store, queue: JobQueue, opts: { maxFileBytes?: number } = {}): Promise<void> {
  const maxBytes = opts.maxFileBytes ?? MAX_RECORDS_FILE_BYTES;
  /**
   * An import as a job: the upload is spooled to a temporary file (hashed as
   * it comes), kept in the project's stored files (so any server on the
   * database can read it, and a run repeated after a restart reads the same
   * bytes), then queued.
   */
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    serve(scope, r.startImportJob, async ({ params: { id }, query: q, body, ctx }) => {
      await store.getProject(id);
      if (!q.search && !q.source) throw new InputError("give either search (an existing search) or source (a new search)");
      const dir = await mkdtemp(join(tmpdir(), "homeward-import-job-"));
      try {
        const file = join(dir, "upload");
        const hash = createHash("sha256");
        let size = 0;
        await pipeline(
          Readable.from(limited(body, maxBytes)),
          new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); size += chunk.length; done(null, chunk); } }),
          createWriteStream(file),
        );
        if (size === 0) throw new InputError("the records file is empty");
        const sha256 = hash.digest("hex");
        await store.putFile(id, { sha256, size, mediaType: null, open: () => createReadStream(file) });
        const payload: ImportPayload = {
          sha256,
          size,
          parse: { fileName: q.fileName, format: q.format, preset: q.preset, columns: q.columns, encoding: q.encoding },
          search: q.search ? { id: q.search } : { source: q.source!, kind: q.kind, date: q.date ?? null, query: q.query },
          skipInvalid: q.skipInvalid === "true",
          actor: ctx.actor,
        };
        return jobView(await queue.enqueue({ kind: IMPORT, projectId: id, payload, createdBy: ctx.actor, maxAttempts: 2 }), ctx);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  serve(app, r.listJobs, async ({ params: { id }, query }) => {
    await store.getProject(id);
    const page = await queue.list(id, query);
    return { total: page.total, offset: query.offset, limit: query.limit, items: page.items.map(jobSummary) };
  });

  serve(app, r.getJob, async ({ params: { id, jobId }, ctx }) => jobView(await projectJob(queue, id, jobId), ctx));

  serve(app, r.cancelJob, async ({ params: { id, jobId }, ctx }) => {
    const job = await projectJob(queue, id, jobId);
    if (job.createdBy !== ctx.actor && ctx.role !== "owner") throw new InputError("only whoever started a job, or a project owner, may cancel it", 403);
    return jobView(await queue.cancel(job.id), ctx);
  });

  serve(app, r.startBackupJob, async ({ params: { id }, ctx }) => {
    await store.getProject(id);
    return jobView(await queue.enqueue({ kind: BACKUP, projectId: id, payload: { actor: ctx.actor }, createdBy: ctx.actor, maxAttempts: 3 }), ctx);
  });

  serve(app, r.startExportJob, async ({ params: { id }, ctx }) => {
    const refusal = exportAllowed(await blindView(store, id, ctx), ctx);
    if (refusal) throw new InputError(refusal, 403);
    return jobView(await queue.enqueue({ kind: EXPORT, projectId: id, payload: { actor: ctx.actor }, createdBy: ctx.actor, maxAttempts: 3 }), ctx);
  });

  serve(app, r.startReportJob, async ({ params: { id }, body, ctx }) => {
    // A missing version is a 404 now rather than a failed job later.
    if (body.version !== undefined) {
      const { reportSource } = await import("./routes/report.js");
      await reportSource(store).versionRow(id, body.version);
    } else {
      await store.getProject(id);
    }
    const payload: ReportPayload = { format: body.format, version: body.version ?? null, actor: ctx.actor, displayName: ctx.identity?.displayName ?? "", role: ctx.role };
    return jobView(await queue.enqueue({ kind: REPORT, projectId: id, payload, createdBy: ctx.actor, maxAttempts: 2 }), ctx);
  });

  serve(app, r.jobFile, async ({ params: { id, jobId }, reply, ctx }) => {
    const job = await projectJob(queue, id, jobId);
    const file = (job.result as { file?: JobFile } | null)?.file;
    if (job.state !== "done") throw new InputError(`the job is ${job.state === "failed" || job.state === "cancelled" ? job.state : "not finished yet"}; its file is there once it is done`, 409);
    if (!file) throw new InputError("this job has no file", 404);
    // A report is rendered with its starter's view (blinding); a backup or an export holds the whole project, which every owner may take.
    const wholeProject = job.kind === BACKUP || job.kind === EXPORT;
    if (job.createdBy !== ctx.actor && !(wholeProject && ctx.role === "owner")) throw new InputError("only whoever started the job may download its file", 403);
    // Blinding may have begun since the export was started: it holds every reviewer's work, so it waits as a new export would.
    if (wholeProject) {
      const refusal = exportAllowed(await blindView(store, id, ctx), ctx);
      if (refusal) throw new InputError(refusal, 403);
    }
    return reply
      .header("content-disposition", attachment(file.name))
      .header("content-length", String(file.size))
      .type(file.mediaType)
      .send(Readable.from(queue.readOutput(job.id)));
  });

  // The spec and data are checked here, so a bad request is a 400 now rather than a failed job later.
  serve(app, r.startAnalysisJob, async ({ params: { id }, body, ctx }) => {
    parseMetaSpec(body, [...EXTRA_KEYS, "data"]);
    const raw = body as Record<string, unknown>;
    let input: AnalysisJobInput;
    const { data, figures: _f, figureOptions: _o, ...spec } = raw;
    if (data === "effectSizes") {
      const rows = await withExtractedModerators(store, id, ctx, await riskOfBiasRows(store, id));
      if (rows.rows.length === 0) throw new InputError("the project has no effect sizes with yi and vi");
      input = { spec, rows: rows.rows as Row[], skipped: rows.skipped };
    } else if (Array.isArray(data)) {
      await store.getProject(id);
      input = { spec, rows: inlineRows(data) };
    } else {
      throw new InputError('spec "data" must be "effectSizes" (the project\'s effect sizes) or an array of row objects');
    }
    const job = await queue.enqueue({ kind: ANALYSIS, projectId: id, payload: input, createdBy: ctx.actor, maxAttempts: 2 });
    return jobView(job, ctx) as never;
  });
}
