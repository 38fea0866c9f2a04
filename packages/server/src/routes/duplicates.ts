import type { FastifyInstance } from "fastify";
import { duplicatesRoutes as r, type DedupeJob } from "@homeward/api";
import { InputError } from "@homeward/model";
import {
  decideDuplicatePair,
  duplicatePairView,
  duplicatesSummary,
  listDuplicateGroups,
  listDuplicatePairs,
  splitDuplicateGroup,
  type DedupeProjectProgress,
  type DedupeProjectResult,
} from "@homeward/records";
import type { JobQueue, JobRecord, Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { DEDUPE, type DedupePayload } from "../jobs.js";

/** A queued or running job is "running" to the duplicates page; a cancelled one failed, with that as its reason. */
const view = (j: JobRecord): DedupeJob => ({
  id: j.id,
  projectId: j.projectId,
  state: j.state === "done" ? "done" : j.state === "failed" || j.state === "cancelled" ? "failed" : "running",
  startedBy: j.createdBy,
  startedAt: j.createdAt,
  finishedAt: j.finishedAt,
  progress: (j.detail as DedupeProjectProgress | null) ?? { phase: "reading", done: 0, total: 1 },
  result: j.result as DedupeProjectResult | null,
  error: j.state === "cancelled" ? "the run was cancelled" : j.error,
});

/**
 * Duplicate detection and review (`duplicatesRoutes` in @homeward/api): a
 * detection run is a job of the store's queue (compared in a worker thread,
 * see ../jobs.ts), polled for progress; groups and pairs are read a page at a time; decisions
 * and splits are signed by the request's actor, with its reason in the audit log.
 */
export async function registerDuplicatesRoutes(app: FastifyInstance, store: Store, queue: JobQueue): Promise<void> {
  // A second start while a run is queued or going joins it (a second click, or a second reviewer).
  const start = async (projectId: string, ctx: DedupePayload) => {
    await store.getProject(projectId);
    return queue.enqueue({ kind: DEDUPE, projectId, payload: ctx, createdBy: ctx.actor, joinRunning: true });
  };

  serve(app, r.dedupe, async ({ params: { id }, ctx }) => {
    const job = await queue.settled((await start(id, writer(ctx))).id, 50);
    if (job.state !== "done") throw new InputError(job.state === "cancelled" ? "duplicate detection was cancelled" : (job.error ?? "duplicate detection failed"), 409);
    return job.result as DedupeProjectResult;
  });

  serve(app, r.startDedupeJob, async ({ params: { id }, ctx }) => view(await start(id, writer(ctx))));

  serve(app, r.getDedupeJob, async ({ params: { id, jobId } }) => {
    const job = await queue.get(jobId);
    if (!job || job.projectId !== id || job.kind !== DEDUPE) throw new InputError(`detection run "${jobId}" not found`, 404);
    return view(job);
  });

  serve(app, r.duplicatesOverview, async ({ params: { id } }) => {
    await store.getProject(id);
    const job = await queue.latest(id, DEDUPE);
    return { ...(await duplicatesSummary(store, id)), job: job ? view(job) : null };
  });

  serve(app, r.listDuplicateGroups, async ({ params: { id }, query }) => {
    await store.getProject(id);
    return listDuplicateGroups(store, id, query);
  });

  serve(app, r.splitDuplicateGroup, async ({ params: { id, groupId }, body, ctx }) => splitDuplicateGroup(store, id, groupId, body.parts, writer(ctx, body.reason || null)));

  serve(app, r.listDuplicatePairs, async ({ params: { id }, query: { status, offset, limit } }) => {
    await store.getProject(id);
    return listDuplicatePairs(store, id, status, { offset, limit });
  });

  serve(app, r.getDuplicatePair, async ({ params: { id, pairId } }) => duplicatePairView(store, id, pairId));

  serve(app, r.decideDuplicatePair, async ({ params: { id, pairId }, body, ctx }) =>
    decideDuplicatePair(store, id, pairId, body.decision, writer(ctx, body.reason || null)),
  );
}
