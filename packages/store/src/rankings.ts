import { sql, type Kysely } from "kysely";
import { among } from "./among.js";
import { projectRecordCount } from "./flow.js";
import { beyond } from "./records-paging.js";
import type { Dialect } from "./migrations.js";
import type { Store } from "./store.js";

/**
 * Screening rankings (migration 0027): the order a stage's queue is served
 * in, computed by a retrain job (any server may run it) and read by every
 * server, so all servers on a database serve the same order and a restarted
 * server ranks at once.
 *
 * A ranking keeps the top of the queue only (`record_ids`, best first, at
 * most the job's `top` ids): reviewers take records from the head, and a
 * retrain is asked for again after a few decisions, so the order far down
 * is replaced long before anyone reaches it, while a million ids would make
 * every server read ~40 MB per new version. Records below the top follow in
 * import order.
 *
 * Why neither audited nor exported: a ranking is derived serving state (a
 * function of the decisions and the model), like a lease, not review data.
 * Versions count up per project and stage; older ones are pruned as new ones
 * are written (the newest few are kept, for a look at what changed).
 */

export interface StoredRanking {
  projectId: string;
  stage: string;
  version: number;
  /** The named model that ranked (@homeward/screening models). */
  model: string;
  /** Its serving part, e.g. "elas_u4 (svm C=0.11)"; null when not trained. */
  servedBy: string | null;
  /** False while the labels lack a relevant or an irrelevant record (then `recordIds` is import order). */
  trained: boolean;
  /** Records labelled when it was trained. */
  labelled: number;
  /** Hash of the labels it was trained on (record id and label), to tell whether a retrain can change anything. */
  labelsHash: string;
  /** Unlabelled records it ranked (of which `recordIds` holds the top). */
  unscreened: number;
  recordIds: string[];
  /** Time the fit and ranking took. */
  trainMs: number;
  jobId: string | null;
  createdAt: string;
}

export type NewRanking = Omit<StoredRanking, "version" | "createdAt">;

/** Versions kept per project and stage. */
const KEEP = 5;
const TABLE = "screening_rankings";

function rankingOf(r: any): StoredRanking {
  return {
    projectId: r.project_id,
    stage: r.stage,
    version: Number(r.version),
    model: r.model,
    servedBy: r.served_by,
    trained: Number(r.trained) === 1,
    labelled: Number(r.labelled),
    labelsHash: r.labels_hash,
    unscreened: Number(r.unscreened),
    recordIds: r.record_ids === undefined ? [] : (JSON.parse(r.record_ids) as string[]),
    trainMs: Number(r.train_ms),
    jobId: r.job_id,
    createdAt: r.created_at,
  };
}

/** One record's place in screening: what the engine needs of it (no text). */
export interface ScreeningKey {
  id: string;
  duplicateGroupId: string | null;
  createdAt: string;
}

/** Which records `screeningKeys` reads: all of them, a page after a place in record order, those named, or those in a duplicate group. */
export interface ScreeningKeysQuery {
  /** Records after this one in record order (created, then id); null or absent: from the first. */
  after?: { createdAt: string; id: string } | null;
  /** At most this many (with `after`: a page). */
  limit?: number;
  /** Only these records (those that exist). */
  ids?: readonly string[];
  /** Only records in a duplicate group. */
  grouped?: boolean;
  /** Only records no screening decision names (by the index of decisions per record). */
  undecided?: boolean;
}

export class ScreeningRankings {
  constructor(
    private readonly db: Kysely<any>,
    private readonly dialect: Dialect,
  ) {}

  /** The newest version of the stage's ranking, 0 when there is none: one primary-key lookup. */
  async latestVersion(projectId: string, stage: string): Promise<number> {
    const r = await this.db
      .selectFrom(TABLE)
      .select("version")
      .where("project_id", "=", projectId)
      .where("stage", "=", stage)
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    return r ? Number(r.version) : 0;
  }

  /** Projects with a stored ranking: those whose screening is under way. */
  async projects(): Promise<string[]> {
    const rows = await this.db.selectFrom(TABLE).select("project_id").distinct().execute();
    return rows.map((r) => r.project_id as string);
  }

  /** The newest ranking of the stage (`withIds` false: without its record ids). */
  async latest(projectId: string, stage: string, withIds = true): Promise<StoredRanking | undefined> {
    const cols = ["project_id", "stage", "version", "model", "served_by", "trained", "labelled", "labels_hash", "unscreened", "train_ms", "job_id", "created_at", ...(withIds ? ["record_ids"] : [])];
    const r = await this.db
      .selectFrom(TABLE)
      .select(cols as never)
      .where("project_id", "=", projectId)
      .where("stage", "=", stage)
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    return r ? rankingOf(r) : undefined;
  }

  /**
   * Writes a new version in one transaction: the next version number, the
   * row, and the pruning of versions older than the newest few. Two jobs
   * finishing at once both write (the later commit gets the higher number
   * or, on a clash of numbers, is refused and its job runs again).
   */
  async write(r: NewRanking): Promise<StoredRanking> {
    return this.db.transaction().execute(async (tx) => {
      if (this.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(7303, hashtext(${`${r.projectId} ${r.stage}`}))`.execute(tx);
      const top = await tx
        .selectFrom(TABLE)
        .select("version")
        .where("project_id", "=", r.projectId)
        .where("stage", "=", r.stage)
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst();
      const version = (top ? Number(top.version) : 0) + 1;
      const createdAt = new Date().toISOString();
      await tx
        .insertInto(TABLE)
        .values({
          project_id: r.projectId,
          stage: r.stage,
          version,
          model: r.model,
          served_by: r.servedBy,
          trained: r.trained ? 1 : 0,
          labelled: r.labelled,
          labels_hash: r.labelsHash,
          unscreened: r.unscreened,
          record_ids: JSON.stringify(r.recordIds),
          train_ms: r.trainMs,
          job_id: r.jobId,
          created_at: createdAt,
        })
        .execute();
      await tx.deleteFrom(TABLE).where("project_id", "=", r.projectId).where("stage", "=", r.stage).where("version", "<=", version - KEEP).execute();
      return { ...r, version, createdAt };
    });
  }

  /**
   * Records' ids, duplicate groups and creation times, in the store's record
   * order (created, then id; as `list`), read as three narrow columns rather
   * than whole records (a million records' texts and raw files are
   * gigabytes): every record (the retrain job), or those `query` picks. A
   * screening state reads the records it must name (decided, held, ranked,
   * grouped) by id and the undecided rest a page at a time as it serves
   * them, each page an index range scan of `records_created_at` after the
   * last, passing over the decided ones (which it has named already).
   */
  async screeningKeys(projectId: string, query: ScreeningKeysQuery = {}): Promise<ScreeningKey[]> {
    if (query.ids && query.ids.length === 0) return [];
    // A page follows the index's order (the database's collation, as `dedupeRecords`); a whole read is
    // ordered byte-wise on PostgreSQL, which needs no index. Either way JavaScript's order is checked below.
    const paged = query.after !== undefined || query.limit !== undefined;
    const c = this.dialect === "postgres" && !paged ? sql`COLLATE "C"` : sql``;
    const where = [sql`project_id = ${projectId}`];
    if (query.ids) where.push(among(this.dialect, "id", query.ids));
    if (query.grouped) where.push(sql`duplicate_group_id IS NOT NULL`);
    if (query.undecided) where.push(sql`NOT EXISTS (SELECT 1 FROM screening_decisions d WHERE d.project_id = records.project_id AND d.record_id = records.id)`);
    if (query.after) where.push(beyond(this.dialect, "created_at", "asc", query.after.createdAt, query.after.id));
    const limit = query.limit !== undefined ? sql` LIMIT ${query.limit}` : sql``;
    const { rows } = await sql<{ id: string; duplicate_group_id: string | null; created_at: string }>`SELECT id, duplicate_group_id, created_at FROM records WHERE ${sql.join(where, sql` AND `)} ORDER BY created_at ${c}, id ${c}${limit}`.execute(this.db);
    // The store's own order is JavaScript's string order (see `list`); byte order agrees with it but
    // for characters beyond the BMP, so it is checked in one pass and sorted only if it differs.
    const cmp = (a: (typeof rows)[number], b: (typeof rows)[number]) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    for (let k = 1; k < rows.length; k++) {
      if (cmp(rows[k - 1]!, rows[k]!) > 0) {
        rows.sort(cmp);
        break;
      }
    }
    return rows.map((r) => ({ id: r.id, duplicateGroupId: r.duplicate_group_id ?? null, createdAt: r.created_at }));
  }

  /** The number of records in the project, from the counts the store keeps with every write (no record read). */
  recordCount(projectId: string): Promise<number> {
    return projectRecordCount(this.db, projectId);
  }

  /** Title and abstract of the given records (one query; callers pass a page of ids). */
  async texts(projectId: string, ids: readonly string[]): Promise<Map<string, { title: string; abstract: string | null }>> {
    const out = new Map<string, { title: string; abstract: string | null }>();
    if (ids.length === 0) return out;
    const rows = await sql<{ id: string; title: string; abstract: string | null }>`SELECT id, title, abstract FROM records WHERE project_id = ${projectId} AND ${among(this.dialect, "id", ids)}`.execute(this.db);
    for (const r of rows.rows) out.set(r.id, { title: r.title ?? "", abstract: r.abstract ?? null });
    return out;
  }
}

/** The screening rankings of `store`'s database. */
export function screeningRankings(store: Store): ScreeningRankings {
  // As the job queue: part of the store package, sharing the store's connection.
  return new ScreeningRankings(store["db"] as Kysely<any>, store.dialect);
}
