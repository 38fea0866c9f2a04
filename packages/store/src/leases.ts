import { sql, type Kysely } from "kysely";
import type { Dialect } from "./migrations.js";

/**
 * Screening leases: a record served to a reviewer is held for them for a
 * while, so reviewers screening at once are served different records (in
 * dual screening at most two the same one). They are rows here, not server
 * memory, so a restart keeps them and any number of server processes on one
 * database hand out records without overlap.
 *
 * Why they are neither audited nor exported: a lease is serving state, like
 * a cursor, not review data. Nothing a review reports depends on who was
 * shown what for ten minutes; the decisions that follow are audited. Logging
 * every served record would also add an audit entry per page view, which
 * would make every server re-read the log. An imported project starts
 * without leases, as a restarted review would.
 *
 * The table is small: acquiring drops the reviewer's other leases in the
 * stage, so each reviewer holds at most one lease per project and stage;
 * expired rows are ignored by every read and removed when their key is next
 * acquired.
 */

export interface Lease {
  key: string;
  recordId: string;
  reviewer: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface LeaseRequest {
  projectId: string;
  stage: string;
  /** What is held: a duplicate group or a record. */
  key: string;
  /** The record served (one member of the group). */
  recordId: string;
  reviewer: string;
  /** How many reviewers may hold the key at once. */
  capacity: number;
  /** Reviewers whose leases on the key take no place (they already decided the record). */
  ignore?: readonly string[];
  /** The time of the request (ms since the epoch); the lease runs to `now + ttlMs`. */
  now: number;
  ttlMs: number;
}

export interface LeaseAnswer {
  granted: boolean;
  /** The key's leases in force after the request, the reviewer's own included when granted. */
  holders: Lease[];
}

const TABLE = "screening_leases";

/** PostgreSQL advisory lock classes (the two-key form keeps them apart from any other use). */
const REVIEWER_LOCK = 7301;
const KEY_LOCK = 7302;

export class Leases {
  constructor(
    private readonly db: Kysely<any>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Gives `reviewer` a lease on `key` if fewer than `capacity` others (not
   * counting `ignore`, whose leases on the key end) hold one now, renewing
   * their own; in either case their other leases in the stage end. Each
   * lease takes a slot below the capacity, and the database holds one lease
   * per key and slot and one per reviewer and stage (unique indexes), so no
   * interleaving of writers can put more holders on a key than it has
   * places. On PostgreSQL the check and the write also run under
   * transaction-scoped advisory locks on the reviewer and on the key (taken
   * in that order, so two requests never wait on each other in a cycle), so
   * writers queue rather than fail; SQLite runs one writing transaction at a
   * time.
   */
  async acquire(req: LeaseRequest): Promise<LeaseAnswer> {
    try {
      return await this.acquireOnce(req);
    } catch (err) {
      // The database's rule (one lease per key and slot, one per reviewer and stage; migration 0015)
      // refused a place another writer took first: the request is refused, with the key's holders now.
      if (!isUniqueViolation(err)) throw err;
      return { granted: false, holders: await this.holders(req.projectId, req.stage, req.key, req.now) };
    }
  }

  private async acquireOnce(req: LeaseRequest): Promise<LeaseAnswer> {
    return this.db.transaction().execute(async (trx) => {
      // Both holds in one round trip, the reviewer's first (evaluated in order): every request takes them in that order.
      if (this.dialect === "postgres")
        await sql`SELECT pg_advisory_xact_lock(${REVIEWER_LOCK}::int, hashtext(${JSON.stringify([req.projectId, req.stage, req.reviewer])})), pg_advisory_xact_lock(${KEY_LOCK}::int, hashtext(${JSON.stringify([req.projectId, req.stage, req.key])}))`.execute(trx);
      // One statement ends the reviewer's other leases in the stage, the key's expired ones and those of reviewers who
      // already decided the record (their slots are freed). It writes first, so SQLite takes its write lock here
      // (waiting on busy_timeout) rather than failing to upgrade later.
      const ignore = [...(req.ignore ?? [])];
      await trx
        .deleteFrom(TABLE)
        .where("project_id", "=", req.projectId)
        .where("stage", "=", req.stage)
        .where((eb) =>
          eb.or([
            eb("reviewer", "=", req.reviewer),
            eb.and([eb("lease_key", "=", req.key), eb.or([eb("expires_at", "<=", req.now), ...(ignore.length ? [eb("reviewer", "in", ignore)] : [])])]),
          ]),
        )
        .execute();
      const rows = await trx
        .selectFrom(TABLE)
        .select(["lease_key", "record_id", "reviewer", "expires_at", "slot"])
        .where("project_id", "=", req.projectId)
        .where("stage", "=", req.stage)
        .where("lease_key", "=", req.key)
        .execute();
      const holders = rows.map(leaseOf);
      if (holders.length >= req.capacity) return { granted: false, holders };
      // The lowest free slot below the capacity (one exists: fewer holders than places).
      const used = new Set(rows.map((r) => Number(r.slot)));
      let slot = 0;
      while (used.has(slot)) slot++;
      const lease: Lease = { key: req.key, recordId: req.recordId, reviewer: req.reviewer, expiresAt: req.now + req.ttlMs };
      await trx
        .insertInto(TABLE)
        .values({ project_id: req.projectId, stage: req.stage, lease_key: lease.key, reviewer: lease.reviewer, record_id: lease.recordId, expires_at: lease.expiresAt, granted_at: req.now, slot })
        .execute();
      return { granted: true, holders: [...holders, lease] };
    });
  }

  private async holders(projectId: string, stage: string, key: string, now: number): Promise<Lease[]> {
    const rows = await this.db
      .selectFrom(TABLE)
      .select(["lease_key", "record_id", "reviewer", "expires_at"])
      .where("project_id", "=", projectId)
      .where("stage", "=", stage)
      .where("lease_key", "=", key)
      .where("expires_at", ">", now)
      .execute();
    return rows.map(leaseOf);
  }

  /** Ends `reviewer`'s leases in the stage (when nothing is left for them to screen). */
  async release(projectId: string, stage: string, reviewer: string): Promise<void> {
    await this.db.deleteFrom(TABLE).where("project_id", "=", projectId).where("stage", "=", stage).where("reviewer", "=", reviewer).execute();
  }

  /** The stage's leases in force at `now`. */
  async list(projectId: string, stage: string, now: number): Promise<Lease[]> {
    const rows = await this.db
      .selectFrom(TABLE)
      .select(["lease_key", "record_id", "reviewer", "expires_at"])
      .where("project_id", "=", projectId)
      .where("stage", "=", stage)
      .where("expires_at", ">", now)
      .execute();
    return rows.map(leaseOf);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

function leaseOf(r: { lease_key: string; record_id: string; reviewer: string; expires_at: number | string }): Lease {
  return { key: r.lease_key, recordId: r.record_id, reviewer: r.reviewer, expiresAt: Number(r.expires_at) };
}
