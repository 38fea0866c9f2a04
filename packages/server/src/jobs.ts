import type { FastifyInstance } from "fastify";
import { jobsRoutes as r, type JobSummary, type JobView } from "@homeward/api";
import { InputError } from "@homeward/model";
import { inlineRows, parseMetaSpec, type Row } from "@homeward/meta";
import { dedupeInWorker, dedupeProject, type DedupeProjectProgress, type DedupeProjectResult } from "@homeward/records";
import { JobCancelled, openJobQueue, type JobQueue, type JobRecord, type QueueOptions, type Store } from "@homeward/store";
import { serve } from "./contract.js";
import type { RequestContext } from "./context.js";
import { fitAnalysisInWorker, type AnalysisJobInput } from "./jobs/analysis.js";
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

export const DEDUPE = "dedupe";
export const ANALYSIS = "analysis";

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

/** Rejects when `signal` aborts, whatever `p` does (a worker run cannot be stopped mid-way; its answer is then dropped). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The job queue of this server with its kinds registered; stopped when the server closes. */
export async function startJobs(app: FastifyInstance, store: Store, opts: QueueOptions = {}): Promise<JobQueue> {
  const queue = openJobQueue(store, opts);
  app.addHook("onClose", async () => queue.stop());

  await queue.work(DEDUPE, async ({ job, progress, signal }) => {
    const who = job.payload as DedupePayload;
    const t = throttled((p: DedupeProjectProgress) => progress(dedupeFraction(p), PHASE_WORDS[p.phase] ?? p.phase, p));
    try {
      return await dedupeProject(store, job.projectId, who, {
        // Checked before saving: a cancelled run writes nothing.
        run: (inputs, decided, onProgress) => abortable(dedupeInWorker(inputs, decided, onProgress), signal),
        onProgress: (p) => {
          if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new JobCancelled();
          t.report(p);
        },
      });
    } finally {
      await t.flush();
    }
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
  result: j.createdBy === ctx.actor || j.kind === DEDUPE ? j.result : null,
});

async function projectJob(queue: JobQueue, projectId: string, jobId: string): Promise<JobRecord> {
  const job = await queue.get(jobId);
  if (!job || job.projectId !== projectId) throw new InputError(`job "${jobId}" not found`, 404);
  return job;
}

/** Keys of the analysis request besides the meta spec's own. */
const EXTRA_KEYS = ["figures", "figureOptions"] as const;

export function registerJobsRoutes(app: FastifyInstance, store: Store, queue: JobQueue): void {
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
