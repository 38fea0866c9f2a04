import { comparePair, dedupe } from "./index.js";
import { fromBibRecord } from "../model-map.js";
import type { RecordsStore } from "../project-io.js";

export interface DedupeProjectResult {
  /** New duplicate groups. */
  groups: number;
  /** Records added to groups (new or existing). */
  grouped: number;
  /** New pairs in the "maybe" queue. */
  maybe: number;
  /** Groups found that would join groups reviewers made separately: left to them. */
  leftToReviewers: number;
}

/**
 * Finds duplicates among a project's records and links them, in one
 * transaction: records are never deleted, only given a duplicate group whose
 * primary is the most complete record. Reviewers' decisions stand: existing
 * groups are kept (and may gain records), pairs judged different are never
 * grouped, and pairs already in the queue are not added again. Uncertain
 * pairs go to the "maybe" queue with the reason.
 */
export async function dedupeProject(store: RecordsStore, projectId: string, actor: string): Promise<DedupeProjectResult> {
  const ctx = { actor };
  return store.transaction(async (tx) => {
    const [recs, pairs] = await Promise.all([tx.list(projectId, "records"), tx.list(projectId, "duplicatePairs")]);
    const existing = new Map<string, string[]>();
    for (const r of recs) if (r.duplicateGroupId) existing.set(r.duplicateGroupId, [...(existing.get(r.duplicateGroupId) ?? []), r.id]);
    const together = [...existing.values(), ...pairs.filter((p) => p.status === "duplicate").map((p) => [p.recordIdA, p.recordIdB])];
    const separate = pairs.filter((p) => p.status === "not_duplicate").map((p) => [p.recordIdA, p.recordIdB] as [string, string]);
    const inputs = recs.map((r) => ({ ...fromBibRecord(r), id: r.id }));
    const { groups, maybe } = dedupe(inputs, { together, separate });
    const byId = new Map(recs.map((r) => [r.id, r]));
    const result: DedupeProjectResult = { groups: 0, grouped: 0, maybe: 0, leftToReviewers: 0 };
    for (const g of groups) {
      if (g.length < 2) continue;
      const old = [...new Set(g.map((id) => byId.get(id)!.duplicateGroupId).filter((x): x is string => !!x))];
      if (old.length > 1) {
        result.leftToReviewers++;
        continue;
      }
      let groupId = old[0];
      if (!groupId) {
        [{ id: groupId }] = await tx.insert(projectId, "duplicateGroups", [{ primaryRecordId: g[0], method: "automatic" }], ctx);
        result.groups++;
      }
      for (const id of g) {
        if (byId.get(id)!.duplicateGroupId === groupId) continue;
        await tx.update(projectId, "records", id, { duplicateGroupId: groupId }, ctx);
        result.grouped++;
      }
    }
    const queued = new Set(pairs.map((p) => [p.recordIdA, p.recordIdB].sort().join("\u0000")));
    const fresh = maybe.filter(([a, b]) => !queued.has([a, b].sort().join("\u0000")));
    const inputOf = new Map(inputs.map((r) => [r.id, r]));
    if (fresh.length)
      await tx.insert(
        projectId,
        "duplicatePairs",
        fresh.map(([a, b]) => ({ recordIdA: a, recordIdB: b, reasons: [comparePair(inputOf.get(a)!, inputOf.get(b)!).reason], status: "pending" as const })),
        ctx,
      );
    result.maybe = fresh.length;
    return result;
  });
}
