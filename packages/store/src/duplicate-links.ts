import { sql, type Kysely } from "kysely";
import { InputError } from "@homeward/model";
import { among } from "./among.js";
import type { Dialect } from "./migrations.js";

/** A record's duplicate group to be (null: in none). */
export interface DuplicateGroupChange {
  id: string;
  duplicateGroupId: string | null;
}

/** What linking needs of the store's transaction. */
export interface LinkHooks {
  /** Refuses a project that does not exist. */
  project(): Promise<unknown>;
  /** The records whose place in the PRISMA flow may have moved (`Store.flowMoved`). */
  moved(ids: readonly string[]): Promise<void>;
  audit(e: { action: string; entity: string; before: unknown; after: unknown }): Promise<unknown>;
}

/** Group ids per existence query. */
const CHUNK = 2000;

/**
 * Sets the duplicate group of many records in the caller's transaction, a
 * part of `partSize` at a time: one read of the part's groups now, one
 * UPDATE (on PostgreSQL), then one audit entry (`records.update`) that names every record of
 * the part with its group before and after — `{count, ids, duplicateGroupId:
 * {<record id>: <group id or null>}}` — rather than an entry per record with
 * the whole record twice: a detection run at a million records links tens of
 * thousands. Like a bulk insert's summary, the entry has no `id` of its own,
 * so a reader of the log as a change feed (the screening state) reloads on it.
 * Records are linked or unlinked, never deleted; the flow counts move in the
 * same transaction.
 */
export async function linkRecords(db: Kysely<any>, d: Dialect, projectId: string, changes: readonly DuplicateGroupChange[], hooks: LinkHooks, partSize: number): Promise<number> {
  await hooks.project();
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.id)) throw new InputError(`record "${c.id}" given twice`);
    seen.add(c.id);
  }
  const groups = [...new Set(changes.map((c) => c.duplicateGroupId).filter((g): g is string => g !== null))];
  for (let k = 0; k < groups.length; k += CHUNK) {
    const part = groups.slice(k, k + CHUNK);
    const found = new Set((await sql<{ id: string }>`SELECT id FROM duplicate_groups WHERE project_id = ${projectId} AND ${among(d, "id", part)}`.execute(db)).rows.map((r) => r.id));
    const unknown = part.find((g) => !found.has(g));
    if (unknown !== undefined) throw new InputError(`record.duplicateGroupId refers to unknown duplicate group "${unknown}"`);
  }
  for (let k = 0; k < changes.length; k += partSize) {
    const part = changes.slice(k, k + partSize);
    const ids = part.map((c) => c.id);
    const was = new Map(
      (await sql<{ id: string; duplicate_group_id: string | null }>`SELECT id, duplicate_group_id FROM records WHERE project_id = ${projectId} AND ${among(d, "id", ids)}`.execute(db)).rows.map((r) => [
        r.id,
        r.duplicate_group_id ?? null,
      ]),
    );
    const missing = ids.find((id) => !was.has(id));
    if (missing !== undefined) throw new InputError(`record "${missing}" not found`, 404);
    // The ids a second time, as the index's condition: whichever side the planner starts from (its
    // estimate of a project's records may be stale), it reads the part's records alone.
    if (d === "postgres")
      await sql`UPDATE records AS r SET duplicate_group_id = v.g
        FROM (SELECT unnest(${ids}::text[]) AS id, unnest(${part.map((c) => c.duplicateGroupId)}::text[]) AS g) v
        WHERE r.project_id = ${projectId} AND r.id = ANY(${ids}::text[]) AND r.id = v.id`.execute(db);
    // SQLite plans a join with json_each as a scan of the project's records (for each of the part's
    // rows); a statement per record, by its key, is what it answers at once (and it runs in-process).
    else for (const c of part) await sql`UPDATE records SET duplicate_group_id = ${c.duplicateGroupId} WHERE project_id = ${projectId} AND id = ${c.id}`.execute(db);
    await hooks.moved(ids);
    const before: Record<string, string | null> = {};
    const after: Record<string, string | null> = {};
    for (const c of part) {
      before[c.id] = was.get(c.id)!;
      after[c.id] = c.duplicateGroupId;
    }
    await hooks.audit({ action: "records.update", entity: "records", before: { count: ids.length, ids, duplicateGroupId: before }, after: { count: ids.length, ids, duplicateGroupId: after } });
  }
  return changes.length;
}
