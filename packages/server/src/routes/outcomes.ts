import type { FastifyInstance } from "fastify";
import { outcomeRoutes as r, type OutcomeWithData } from "@homeward/api";
import { InputError, type EffectSize, type Outcome, type Study } from "@homeward/model";
import { effectSizeFromOutcomeData, type DerivedEffect } from "@homeward/review";
import type { Store, WriteContext } from "@homeward/store";
import { writer } from "../context.js";
import { deriveEffect, effectSizeFields, studyOf } from "./derived-effects.js";
import { serve } from "../contract.js";

/**
 * Arms, time points, outcomes and outcome data over the store. An effect
 * size is derived from the data it keeps: it is computed (through
 * @homeward/review's `effectSizeFromOutcomeData`) before anything is written,
 * and recomputed in the same transaction whenever its inputs or its
 * outcome's direction change, so a stored yi never disagrees with its inputs
 * and a refused value leaves nothing half-saved.
 */
export async function registerOutcomeRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const outcomeOf = async (s: Store, id: string, study: Study, outcomeId: string): Promise<Outcome> => {
    const o = (await s.list(id, "outcomes", { id: [outcomeId] }))[0];
    if (!o || o.studyId !== study.id) throw new InputError(`outcome "${outcomeId}" is not an outcome of study "${study.name}"`, 404);
    return o;
  };
  const checkDomain = async (s: Store, id: string, domain: string | null | undefined) => {
    if (domain === null || domain === undefined) return;
    const domains = (await s.getProtocol(id)).outcomeDomains;
    if (!domains.some((d) => d.code === domain)) {
      throw new InputError(`domain: "${domain}" is not one of the protocol's outcome domains (${domains.map((d) => d.code).join(", ") || "it has none"})`);
    }
  };
  /** The stored fields of a derived effect size, signed and stamped by the session's user. */
  const fields = (d: DerivedEffect, armIds: string[], timePointId: string | null, ctx: WriteContext) => effectSizeFields(d, armIds, timePointId, ctx.actor);
  /** Entered as reported: the rows whose inputs name a kind (an imported effect size may carry only yi and vi). */
  const entered = (e: EffectSize) => typeof (e.inputs as { kind?: unknown }).kind === "string" && e.armIds !== null;

  serve(app, r.list, async ({ params: { id, studyId } }) => {
    const study = await studyOf(store, id, studyId);
    const outcomes = await store.list(id, "outcomes", { studyId });
    const sizes = outcomes.length ? await store.list(id, "effectSizes", { outcomeId: outcomes.map((o) => o.id) }) : [];
    const protocol = await store.getProtocol(id);
    return {
      study: { id: study.id, name: study.name, arms: study.arms, timePoints: study.timePoints },
      outcomes: outcomes.map((o) => ({ ...o, data: sizes.filter((e) => e.outcomeId === o.id) })),
      domains: protocol.outcomeDomains,
    };
  });

  /** Ids for new entries, unique within the study: prefix-1, prefix-2, … after those already used. */
  const freshIds = (prefix: string, taken: Iterable<string>) => {
    const used = new Set(taken);
    let k = 0;
    return () => {
      let next: string;
      do next = `${prefix}-${++k}`;
      while (used.has(next));
      used.add(next);
      return next;
    };
  };
  /** Arms or time points in use by outcome data, with the outcome that uses each. */
  const usedBy = async (s: Store, id: string, studyId: string, pick: (e: EffectSize) => string[]) => {
    const outcomes = await s.list(id, "outcomes", { studyId });
    const sizes = outcomes.length ? await s.list(id, "effectSizes", { outcomeId: outcomes.map((o) => o.id) }) : [];
    const name = new Map(outcomes.map((o) => [o.id, o.name]));
    const used = new Map<string, string>();
    for (const e of sizes) for (const x of pick(e)) if (!used.has(x)) used.set(x, name.get(e.outcomeId) ?? e.outcomeId);
    return used;
  };

  serve(app, r.arms, async ({ params: { id, studyId }, body, ctx }) =>
    store.transaction(async (tx) => {
      await tx.lockProject(id);
      const study = await studyOf(tx, id, studyId);
      const ids = body.arms.flatMap((a) => (a.id ? [a.id] : []));
      if (new Set(ids).size !== ids.length) throw new InputError(`study "${study.name}": arms: an arm id is listed twice`);
      const used = await usedBy(tx, id, studyId, (e) => e.armIds ?? []);
      for (const [armId, outcome] of used) {
        if (!ids.includes(armId)) throw new InputError(`study "${study.name}": arm "${study.arms.find((a) => a.id === armId)?.label ?? armId}" has data of outcome "${outcome}" and cannot be removed`, 409);
      }
      const next = freshIds("arm", [...ids, ...study.arms.flatMap((a) => (a.id ? [a.id] : []))]);
      const arms = body.arms.map((a) => ({ id: a.id ?? next(), label: a.label, description: a.description ?? null, n: a.n ?? null }));
      return tx.update(id, "studies", studyId, { arms }, writer(ctx));
    }),
  );

  serve(app, r.timePoints, async ({ params: { id, studyId }, body, ctx }) =>
    store.transaction(async (tx) => {
      await tx.lockProject(id);
      const study = await studyOf(tx, id, studyId);
      const ids = body.timePoints.flatMap((t) => (t.id ? [t.id] : []));
      if (new Set(ids).size !== ids.length) throw new InputError(`study "${study.name}": timePoints: a time point id is listed twice`);
      const used = await usedBy(tx, id, studyId, (e) => (e.timePointId ? [e.timePointId] : []));
      for (const [tpId, outcome] of used) {
        if (!ids.includes(tpId)) throw new InputError(`study "${study.name}": time point "${study.timePoints.find((t) => t.id === tpId)?.label ?? tpId}" has data of outcome "${outcome}" and cannot be removed`, 409);
      }
      const next = freshIds("time", [...ids, ...study.timePoints.map((t) => t.id)]);
      const timePoints = body.timePoints.map((t) => ({ id: t.id ?? next(), label: t.label }));
      return tx.update(id, "studies", studyId, { timePoints }, writer(ctx));
    }),
  );

  serve(app, r.addOutcome, async ({ params: { id, studyId }, body, ctx }) => {
    await studyOf(store, id, studyId);
    await checkDomain(store, id, body.domain);
    const [o] = await store.insert(id, "outcomes", [{
      studyId, name: body.name, domain: body.domain ?? null, measure: body.measure ?? null, timing: body.timing ?? null, higherIsBetter: body.higherIsBetter ?? null,
    }], writer(ctx));
    return o;
  });

  serve(app, r.editOutcome, async ({ params: { id, studyId, outcomeId }, body, ctx }) =>
    store.transaction(async (tx): Promise<OutcomeWithData> => {
      await tx.lockProject(id);
      const study = await studyOf(tx, id, studyId);
      const before = await outcomeOf(tx, id, study, outcomeId);
      await checkDomain(tx, id, body.domain);
      const after = { ...before, ...body };
      const sizes = await tx.list(id, "effectSizes", { outcomeId });
      // Every effect size is recomputed before any is written: one refusal leaves the outcome as it was.
      const derived = sizes.filter(entered).map((e) => [e, effectSizeFromOutcomeData(study, after, e.inputs)] as const);
      const outcome = await tx.update(id, "outcomes", outcomeId, body, writer(ctx));
      const w = writer(ctx);
      const byId = new Map<string, EffectSize>();
      for (const [e, d] of derived) byId.set(e.id, await tx.update(id, "effectSizes", e.id, fields(d, e.armIds!, e.timePointId, w), w));
      return { ...outcome, data: sizes.map((e) => byId.get(e.id) ?? e) };
    }),
  );

  const derive = (study: Study, outcome: Outcome, body: { armIds: [string, string]; timePointId?: string | null; inputs: unknown }) =>
    deriveEffect(study, outcome, body.armIds, body.timePointId ?? null, body.inputs);

  serve(app, r.addData, async ({ params: { id, studyId, outcomeId }, body, ctx }) => {
    const study = await studyOf(store, id, studyId);
    const outcome = await outcomeOf(store, id, study, outcomeId);
    const d = derive(study, outcome, body);
    const w = writer(ctx);
    const [e] = await store.insert(id, "effectSizes", [{ outcomeId, ...fields(d, body.armIds, body.timePointId ?? null, w) }], w);
    return e;
  });

  serve(app, r.editData, async ({ params: { id, studyId, outcomeId, dataId }, body, ctx }) =>
    store.transaction(async (tx) => {
      await tx.lockProject(id);
      const study = await studyOf(tx, id, studyId);
      const outcome = await outcomeOf(tx, id, study, outcomeId);
      const existing = (await tx.list(id, "effectSizes", { id: [dataId] }))[0];
      if (!existing || existing.outcomeId !== outcomeId) throw new InputError(`outcome data "${dataId}" is not data of outcome "${outcome.name}"`, 404);
      const d = derive(study, outcome, body);
      const w = writer(ctx);
      return tx.update(id, "effectSizes", dataId, fields(d, body.armIds, body.timePointId ?? null, w), w);
    }),
  );
}
