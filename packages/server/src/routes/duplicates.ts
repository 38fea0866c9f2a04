import type { FastifyInstance } from "fastify";
import { duplicatesRoutes as r } from "@homeward/api";
import { compareFields, comparePair, dedupeProject, fromBibRecord } from "@homeward/records";
import type { Store } from "@homeward/store";
import { serve } from "../contract.js";

/** Duplicate detection and the maybe queue (`duplicatesRoutes` in @homeward/api). */
export async function registerDuplicatesRoutes(app: FastifyInstance, store: Store): Promise<void> {
  serve(app, r.dedupe, async ({ params: { id }, ctx }) => {
    await store.getProject(id);
    return dedupeProject(store, id, ctx.actor);
  });

  serve(app, r.getDuplicatePair, async ({ params: { id, pairId } }) => {
    const pair = await store.get(id, "duplicatePairs", pairId);
    const [a, b] = await Promise.all([store.get(id, "records", pair.recordIdA), store.get(id, "records", pair.recordIdB)]);
    const ra = { ...fromBibRecord(a), id: a.id };
    const rb = { ...fromBibRecord(b), id: b.id };
    return { pair, a, b, fields: compareFields(ra, rb), verdict: comparePair(ra, rb) };
  });
}
