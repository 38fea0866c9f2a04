import type { FastifyInstance } from "fastify";
import { screeningRoutes as r } from "@homeward/api";
import { InputError, type ScreeningStage } from "@homeward/model";
import { qaSample } from "@homeward/screening";
import { ConflictError, type Store } from "@homeward/store";
import { namedActor, type RequestContext } from "../context.js";
import { serve } from "../contract.js";
import { screeningProjects, type ProjectScreening } from "./screening-state.js";

/**
 * Screening routes (`screeningRoutes` in @homeward/api): the next record for
 * a reviewer (prioritised, never filtered), decisions applied to whole
 * duplicate groups, statuses and conflicts, reconciliation, agreement per
 * reviewer pair, the advisory stopping estimate and QA samples.
 *
 * Every rule is the screening engine's (@homeward/screening); these handlers
 * parse, ask the project's engine (kept in step with the store by
 * `ProjectScreening`), write through the store and answer. Decisions are
 * append-only rows written in one transaction per request, so two reviewers
 * deciding at once both land.
 */
export async function registerScreeningRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const projects = screeningProjects(app, store);
  // Screening acts for a person: a request naming no one is refused rather than recorded as the default user.
  const reviewerOf = (ctx: RequestContext) => ({ actor: namedActor(ctx, "screening"), reason: ctx.reason });

  // Who may be served (or decide) records of a stage is the engine's rule (`screeningAccess`); a refusal holds nothing.
  const mayScreen = (p: ProjectScreening, stage: ScreeningStage, user: string) => {
    const a = p.engine.access(stage, user);
    if (!a.allowed) throw new InputError(a.refusal ?? `${user} is not a reviewer of this stage`, 403);
  };

  serve(app, r.next, async ({ params: { id, stage }, query, ctx }) => {
    const reviewer = reviewerOf(ctx).actor;
    const p = await projects.project(id);
    const prioritise = query.prioritise === "true";
    const next = await p.next(stage, reviewer, prioritise, Date.now(), () => mayScreen(p, stage, reviewer));
    const st = p.engine.stage(stage);
    return {
      record: next ? await store.get(id, "records", next) : null,
      prioritised: p.prioritised(stage, prioritise),
      awaitingSecond: st.counts.awaiting_second,
      remaining: st.remaining(reviewer),
    };
  });

  serve(app, r.release, async ({ params: { id, stage }, ctx }) => {
    const p = await projects.project(id);
    await p.release(stage, reviewerOf(ctx).actor);
  });

  serve(app, r.decide, async ({ params: { id, stage }, body, ctx }) => {
    const w = reviewerOf(ctx);
    const [protocol, p] = await Promise.all([store.getProtocol(id), projects.synced(id)]);
    // A QA re-check is a decision by the sample's checker, who need not screen the stage otherwise.
    if (!p.engine.mayRecheck(stage, body.recordId, w.actor)) mayScreen(p, stage, w.actor);
    const plan = p.engine.decisionPlan(stage, body.recordId, { reviewer: w.actor, verdict: body.decision, reasons: body.reasons }, protocol);
    // Unknown here means unknown to the store too: get() says so (404).
    if (!p.engine.has(body.recordId)) await store.get(id, "records", body.recordId);
    const rows = plan.recordIds.map((recordId) => ({
      recordId,
      stage,
      reviewer: w.actor,
      decision: body.decision,
      reasons: plan.reasons,
      note: body.note ?? null,
      labels: body.labels,
    }));
    const stored = await store.insert(id, "screeningDecisions", rows, w);
    // Applied now, so the reviewer's next request already sees it. Their lease
    // is left for that request to move: a lease of someone who decided the
    // record takes no place, and one write fewer keeps deciding quick.
    await p.sync();
    return { decisions: stored, recordedReason: plan.recorded };
  });

  serve(app, r.status, async ({ params: { id, stage }, ctx }) => {
    const p = await projects.synced(id);
    const s = p.engine.status(stage);
    const access = p.engine.access(stage, ctx.actor);
    const you = { user: ctx.actor, allowed: access.allowed, refusal: access.refusal, remaining: p.engine.stage(stage).remaining(ctx.actor) };
    const conflicts = await Promise.all(
      s.conflicts.map(async (c) => ({ recordId: c.recordId, title: (await store.get(id, "records", c.recordId)).title, decisions: c.decisions })),
    );
    return { ...s, you, conflicts, prioritisation: p.prioritisation(stage) };
  });

  serve(app, r.reconcile, async ({ params: { id, stage }, body, ctx }) => {
    const w = reviewerOf(ctx);
    const p = await projects.synced(id);
    // A record is reconciled once per stage: a second adjudicator (here or on another server, however
    // late this server's state) is answered 409 with the reconciliation that stands. The store's
    // unique index decides between two who both got past this.
    const done = await store.list(id, "reconciliations", { recordId: body.recordId, stage });
    if (done.length > 0) throw new ConflictError(`record "${body.recordId}" has already been reconciled at this stage`, done[done.length - 1]);
    const rec = { reviewer: w.actor, verdict: body.decision, reasons: body.reasons, reason: body.reason };
    // A record the state has not named (it names the decided ones) is unscreened: named, it is refused as such rather than as unknown.
    await p.name([body.recordId]);
    const plan = p.engine.reconciliationPlan(stage, body.recordId, rec, await store.getProtocol(id));
    const stored = await store.insert(
      id,
      "reconciliations",
      plan.recordIds.map((recordId) => ({ recordId, stage, decision: body.decision, reasons: plan.reasons, resolvedBy: w.actor, reason: body.reason })),
      w,
    );
    await p.sync();
    return stored;
  });

  serve(app, r.agreement, async ({ params: { id, stage } }) => (await projects.synced(id)).engine.agreement(stage));

  serve(app, r.stopping, async ({ params: { id, stage }, query }) => (await projects.synced(id)).engine.stopping(stage, query));

  serve(app, r.drawQaSample, async ({ params: { id, stage }, body, ctx }) => {
    const w = reviewerOf(ctx);
    const pool = (await projects.synced(id)).engine.qaPool(stage);
    if (pool.length === 0) throw new InputError("there are no single-screened excludes to sample yet");
    const recordIds = qaSample(pool, { fraction: body.fraction, seed: body.seed });
    const [stored] = await store.insert(
      id,
      "qaSamples",
      [{ stage, decision: "exclude", recordIds, method: "random", fraction: body.fraction, seed: body.seed, checker: body.checker ?? null, createdBy: w.actor }],
      w,
    );
    return stored;
  });
}
