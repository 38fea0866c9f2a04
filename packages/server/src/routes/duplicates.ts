import type { FastifyInstance } from "fastify";
import { duplicatesRoutes as r, type DedupeJob } from "@homeward/api";
import { InputError } from "@homeward/model";
import {
  decideDuplicatePair,
  dedupeInWorker,
  dedupeProject,
  duplicatePairView,
  duplicatesSummary,
  listDuplicateGroups,
  listDuplicatePairs,
  splitDuplicateGroup,
  type DedupeProjectProgress,
  type DedupeProjectResult,
} from "@homeward/records";
import type { Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { Jobs, type Job } from "../jobs.js";

const view = (j: Job<DedupeProjectProgress, DedupeProjectResult>): DedupeJob => ({
  id: j.id,
  projectId: j.key,
  state: j.state,
  startedBy: j.startedBy,
  startedAt: j.startedAt,
  finishedAt: j.finishedAt,
  progress: j.progress,
  result: j.result,
  error: j.error,
});

/**
 * Duplicate detection and review (`duplicatesRoutes` in @homeward/api): a
 * detection run is a job in the background (compared in a worker thread),
 * polled for progress; groups and pairs are read a page at a time; decisions
 * and splits are signed by the request's actor, with its reason in the audit log.
 */
export async function registerDuplicatesRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const jobs = new Jobs<DedupeProjectProgress, DedupeProjectResult>(() => ({ phase: "reading", done: 0, total: 1 }));
  const start = async (projectId: string, ctx: { actor: string; reason: string | null }) => {
    await store.getProject(projectId);
    return jobs.start(projectId, ctx.actor, (report) => dedupeProject(store, projectId, ctx, { run: dedupeInWorker, onProgress: report }));
  };

  serve(app, r.dedupe, async ({ params: { id }, ctx }) => {
    const job = await jobs.settled((await start(id, writer(ctx))).id);
    if (job.state === "failed") throw new InputError(job.error ?? "duplicate detection failed", 409);
    return job.result!;
  });

  serve(app, r.startDedupeJob, async ({ params: { id }, ctx }) => view(await start(id, writer(ctx))));

  serve(app, r.getDedupeJob, async ({ params: { id, jobId } }) => {
    const job = jobs.get(jobId);
    if (!job || job.key !== id) throw new InputError(`detection run "${jobId}" not found (runs are kept until the next one or a restart)`, 404);
    return view(job);
  });

  serve(app, r.duplicatesOverview, async ({ params: { id } }) => {
    await store.getProject(id);
    const job = jobs.latest(id);
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
