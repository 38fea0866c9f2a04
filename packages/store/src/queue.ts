import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CompiledQuery, sql, type Kysely } from "kysely";
import PgBoss from "pg-boss";
import { InputError, isInputError } from "@homeward/model";
import type { Dialect } from "./migrations.js";
import type { Store } from "./store.js";
import { writeInParts } from "./parts.js";

/**
 * Background jobs (imports, duplicate detection, large analyses, backups…):
 * one API over both engines.
 *
 * Every job is a row of the `jobs` table (migration 0017_jobs) on both
 * engines: what the app shows (state, progress fraction and message, result,
 * error, attempts) is read from there, a page at a time, by any server.
 *
 * Who runs a job differs by engine:
 * - PostgreSQL: pg-boss delivers it (SKIP LOCKED fetch, retries with delay,
 *   expiry, cancellation), through the store's own connection pool. pg-boss
 *   rather than graphile-worker: graphile-worker's current releases need
 *   Node 22.18, pg-boss 10 runs on the Node 20 we support, and it offers
 *   `fail` of an active job, which is how a job left running by a dead
 *   server is handed back (see `supervise`).
 * - SQLite: a claim by one `UPDATE … RETURNING` on the same table. Hand-written
 *   because no maintained queue library runs on SQLite with these semantics
 *   (several processes on one file, a claim that expires with its heartbeat,
 *   retries, progress in the row); the embedded default has no other server.
 *
 * Resumable after a restart: a running job's worker writes a heartbeat every
 * few seconds; a job whose heartbeat is older than `staleMs` belonged to a
 * server that died, and is run again (counted as an attempt). Handlers must
 * therefore be safe to run again: their writes are transactions, and a
 * half-done run leaves nothing behind.
 */

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";

export interface JobRecord<R = unknown> {
  id: string;
  projectId: string;
  kind: string;
  state: JobState;
  /** 0…1. */
  progress: number;
  /** What the job is doing now, in words ("comparing records 4,000 of 20,000"). */
  message: string;
  /** Kind-specific progress (for instance the dedupe phase), as the handler reported it. */
  detail: unknown;
  payload: unknown;
  result: R | null;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobContext {
  job: JobRecord;
  /** Records progress (and renews the claim); throws `JobCancelled` once the job was cancelled. */
  progress(fraction: number, message: string, detail?: unknown): Promise<void>;
  /** Aborted when the job is cancelled (or the queue stops): pass it to a worker thread. */
  signal: AbortSignal;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export class JobCancelled extends Error {
  constructor() {
    super("the job was cancelled");
  }
}

export interface EnqueueInput {
  kind: string;
  projectId: string;
  payload?: unknown;
  createdBy: string;
  /** Runs in all, the first included (default 3). */
  maxAttempts?: number;
  /** When a job of this kind for the project is queued or running, answer it instead of adding one. */
  joinRunning?: boolean;
}

export interface QueueOptions {
  /** A running job whose heartbeat is older than this belonged to a dead server (default 30 s). */
  staleMs?: number;
  /** How often a running job's heartbeat is written and its cancellation read (default 2 s). */
  heartbeatMs?: number;
  /** How often a worker looks for work started by another process (default 1 s; a job enqueued in this process is looked for at once). */
  pollMs?: number;
  /** Delay before a failed job runs again (default 1 s). */
  retryDelayMs?: number;
  /** Jobs this process runs at once (default 2: the machine's other work must go on). */
  concurrency?: number;
}

const TABLE = "jobs";
/** Output files of jobs (migration 0029_job_files). */
const OUTPUTS = "job_files";

interface Row {
  id: string;
  project_id: string;
  kind: string;
  state: JobState;
  progress: number;
  message: string;
  detail: string | null;
  payload: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  max_attempts: number;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: number | string | null;
  run_after: number | string;
  worker: string | null;
  external_id: string | null;
  cancel_requested: number;
}

const parse = (s: string | null): unknown => (s == null ? null : JSON.parse(s));

function jobOf(r: Row): JobRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    state: r.state,
    progress: Number(r.progress),
    message: r.message,
    detail: parse(r.detail),
    payload: parse(r.payload),
    result: parse(r.result),
    error: r.error,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

const FINISHED: JobState[] = ["done", "failed", "cancelled"];

/** The queue of the store's database; `work` makes this process run jobs of a kind. */
export abstract class JobQueue {
  protected readonly handlers = new Map<string, JobHandler>();
  protected readonly running = new Map<string, AbortController>();
  protected readonly staleMs: number;
  protected readonly heartbeatMs: number;
  protected readonly pollMs: number;
  protected readonly retryDelayMs: number;
  protected readonly concurrency: number;
  protected readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  protected stopped = false;
  private supervisor: NodeJS.Timeout | null = null;
  private readonly active = new Set<Promise<void>>();

  constructor(
    protected readonly db: Kysely<any>,
    readonly dialect: Dialect,
    opts: QueueOptions,
  ) {
    this.staleMs = opts.staleMs ?? 30_000;
    this.heartbeatMs = opts.heartbeatMs ?? 2_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.concurrency = opts.concurrency ?? 2;
  }

  async enqueue(input: EnqueueInput): Promise<JobRecord> {
    if (input.joinRunning) {
      const open = await this.db
        .selectFrom(TABLE)
        .selectAll()
        .where("project_id", "=", input.projectId)
        .where("kind", "=", input.kind)
        .where("state", "in", ["queued", "running"])
        .orderBy("created_at", "desc")
        .limit(1)
        .executeTakeFirst();
      if (open) return jobOf(open as Row);
    }
    const now = Date.now();
    const row: Row = {
      id: randomUUID(),
      project_id: input.projectId,
      kind: input.kind,
      state: "queued",
      progress: 0,
      message: "waiting to start",
      detail: null,
      payload: JSON.stringify(input.payload ?? null),
      result: null,
      error: null,
      attempts: 0,
      max_attempts: Math.max(1, input.maxAttempts ?? 3),
      created_by: input.createdBy,
      created_at: new Date(now).toISOString(),
      started_at: null,
      finished_at: null,
      heartbeat_at: null,
      run_after: now,
      worker: null,
      external_id: null,
      cancel_requested: 0,
    };
    await this.db.insertInto(TABLE).values(row).execute();
    await this.dispatch(row);
    return jobOf(row);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const r = await this.db.selectFrom(TABLE).selectAll().where("id", "=", id).executeTakeFirst();
    return r ? jobOf(r as Row) : undefined;
  }

  /** A project's jobs, newest first, a page at a time. */
  async list(projectId: string, opts: { offset?: number; limit?: number; kind?: string } = {}): Promise<{ items: JobRecord[]; total: number }> {
    let q = this.db.selectFrom(TABLE).where("project_id", "=", projectId);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy("created_at", "desc").orderBy("id").offset(opts.offset ?? 0).limit(opts.limit ?? 50).execute(),
      q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => jobOf(r as Row)), total: Number(count.n) };
  }

  /** The project's newest job of `kind`. */
  async latest(projectId: string, kind: string): Promise<JobRecord | undefined> {
    return (await this.list(projectId, { kind, limit: 1 })).items[0];
  }

  /**
   * Cancels a job: a queued one at once, a running one as soon as its
   * worker next looks (its heartbeat, or its next progress report). A
   * finished job is answered as it is.
   */
  async cancel(id: string): Promise<JobRecord> {
    const job = await this.get(id);
    if (!job) throw new InputError(`job "${id}" not found`, 404);
    if (FINISHED.includes(job.state)) return job;
    await this.db.updateTable(TABLE).set({ cancel_requested: 1 }).where("id", "=", id).execute();
    const now = new Date().toISOString();
    await this.db
      .updateTable(TABLE)
      .set({ state: "cancelled", finished_at: now, message: "cancelled before it started" })
      .where("id", "=", id)
      .where("state", "=", "queued")
      .execute();
    await this.undispatch(id);
    this.running.get(id)?.abort(new JobCancelled());
    return (await this.get(id))!;
  }

  /**
   * Keeps job `id`'s output file (a backup, a report document) in the
   * database, in parts, so any server answers its download. A run repeated
   * after a failure or a restart writes it again: the parts of an earlier run
   * are removed first. Answers its size and SHA-256; a download is offered
   * once the job is done (its result names the file), never from a run that
   * stopped half-way.
   */
  async putOutput(id: string, chunks: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
    await this.db.deleteFrom(OUTPUTS).where("job_id", "=", id).execute();
    return writeInParts(chunks, async (part, bytes) => {
      await this.db.insertInto(OUTPUTS).values({ job_id: id, part, bytes }).execute();
    });
  }

  /** Job `id`'s output file, one part per query, so a download holds one part at a time. */
  async *readOutput(id: string): AsyncGenerator<Buffer> {
    for (let part = 0; ; part++) {
      const r = await this.db.selectFrom(OUTPUTS).select("bytes").where("job_id", "=", id).where("part", "=", part).executeTakeFirst();
      if (!r) return;
      yield Buffer.from(r.bytes as Uint8Array);
    }
  }

  /** Resolves once job `id` has finished. */
  async settled(id: string, pollMs = 100): Promise<JobRecord> {
    for (;;) {
      const job = await this.get(id);
      if (!job) throw new InputError(`job "${id}" not found`, 404);
      if (FINISHED.includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Makes this process run jobs of `kind` (and hand back the jobs of dead servers). */
  async work(kind: string, handler: JobHandler): Promise<void> {
    this.handlers.set(kind, handler);
    await this.listen(kind);
    if (!this.supervisor) {
      this.supervisor = setInterval(() => void this.supervise().catch(() => undefined), Math.max(200, Math.floor(this.staleMs / 2)));
      this.supervisor.unref();
    }
  }

  /** Stops taking work, aborts this process's running jobs (they run again elsewhere) and waits for them to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.supervisor) clearInterval(this.supervisor);
    this.supervisor = null;
    await this.unlisten();
    for (const c of this.running.values()) c.abort(new Error("the server is stopping"));
    await Promise.allSettled([...this.active]);
  }

  protected abstract dispatch(row: Row): Promise<void>;
  protected abstract undispatch(id: string): Promise<void>;
  protected abstract listen(kind: string): Promise<void>;
  protected abstract unlisten(): Promise<void>;
  /** Hands back the jobs of dead servers. */
  protected abstract supervise(): Promise<void>;

  /**
   * Claims job `id` for this process, or answers null when it is not
   * claimable (cancelled, finished, or running with a fresh heartbeat).
   */
  protected async claim(id: string): Promise<JobRecord | null> {
    const now = Date.now();
    const r = await this.db
      .updateTable(TABLE)
      .set({ state: "running", worker: this.workerId, heartbeat_at: now, started_at: new Date(now).toISOString(), attempts: sql`attempts + 1`, message: "started" })
      .where("id", "=", id)
      .where("cancel_requested", "=", 0)
      .where((eb) => eb.or([eb("state", "=", "queued"), eb.and([eb("state", "=", "running"), eb("heartbeat_at", "<", now - this.staleMs)])]))
      .returningAll()
      .executeTakeFirst();
    return r ? jobOf(r as Row) : null;
  }

  /**
   * Runs a claimed job to its end and records the outcome. Answers "retry"
   * when it failed with attempts left (the row is then queued again).
   */
  protected run(job: JobRecord): Promise<"done" | "retry" | "failed" | "cancelled" | "lost"> {
    const p = this.execute(job);
    const tracked = p.then(() => undefined, () => undefined);
    this.active.add(tracked);
    void tracked.then(() => this.active.delete(tracked));
    return p;
  }

  private async execute(job: JobRecord): Promise<"done" | "retry" | "failed" | "cancelled" | "lost"> {
    const handler = this.handlers.get(job.kind);
    const abort = new AbortController();
    this.running.set(job.id, abort);
    const mine = (q: any) => q.where("id", "=", job.id).where("worker", "=", this.workerId).where("state", "=", "running");
    let lost = false;
    const beat = async (set: Record<string, unknown> = {}) => {
      const r = await mine(this.db.updateTable(TABLE).set({ heartbeat_at: Date.now(), ...set })).returning(["cancel_requested"]).executeTakeFirst();
      if (!r) {
        // Another server took the job over (this one looked dead): stop without writing.
        lost = true;
        abort.abort(new Error("the job was taken over by another server"));
      } else if (Number(r.cancel_requested)) abort.abort(new JobCancelled());
    };
    const timer = setInterval(() => void beat().catch(() => undefined), this.heartbeatMs);
    timer.unref();
    const ctx: JobContext = {
      job,
      signal: abort.signal,
      progress: async (fraction, message, detail) => {
        if (abort.signal.aborted) throw abort.signal.reason instanceof Error ? abort.signal.reason : new JobCancelled();
        await beat({ progress: Math.max(0, Math.min(1, fraction)), message, detail: detail === undefined ? null : JSON.stringify(detail) });
        if (abort.signal.aborted) throw abort.signal.reason instanceof Error ? abort.signal.reason : new JobCancelled();
      },
    };
    try {
      if (!handler) throw new Error(`no handler for jobs of kind "${job.kind}"`);
      const result = await handler(ctx);
      if (abort.signal.aborted && abort.signal.reason instanceof JobCancelled) throw abort.signal.reason;
      const r = await mine(this.db.updateTable(TABLE))
        .set({ state: "done", progress: 1, message: "finished", result: JSON.stringify(result ?? null), error: null, finished_at: new Date().toISOString() })
        .returning(["id"])
        .executeTakeFirst();
      return r ? "done" : "lost";
    } catch (err) {
      if (lost) return "lost";
      const now = new Date().toISOString();
      const cancelled = err instanceof JobCancelled || abort.signal.reason instanceof JobCancelled;
      if (cancelled) {
        await mine(this.db.updateTable(TABLE)).set({ state: "cancelled", message: "cancelled", finished_at: now }).execute();
        return "cancelled";
      }
      if (this.stopped) {
        // Stopping: the job stays running, so a live server takes it over once its heartbeat is stale.
        return "lost";
      }
      const error = err instanceof Error ? err.message : String(err);
      // Bad input (a refused file, an unfittable spec) fails the same way every time: not run again.
      const again = job.attempts < job.maxAttempts && !isInputError(err);
      await mine(this.db.updateTable(TABLE))
        .set(again
          ? { state: "queued", error, message: `failed (attempt ${job.attempts} of ${job.maxAttempts}); will run again`, run_after: Date.now() + this.retryDelayMs, worker: null }
          : { state: "failed", error, message: "failed", finished_at: now })
        .execute();
      return again ? "retry" : "failed";
    } finally {
      clearInterval(timer);
      this.running.delete(job.id);
    }
  }
}

/** SQLite: workers poll the table; a claim is one UPDATE, safe between processes on one file. */
class SqliteQueue extends JobQueue {
  private polling: NodeJS.Timeout | null = null;

  protected async dispatch(): Promise<void> {
    this.poll();
  }

  protected async undispatch(): Promise<void> {}

  protected async listen(): Promise<void> {
    if (this.polling) return;
    this.polling = setInterval(() => this.poll(), this.pollMs);
    this.polling.unref();
    this.poll();
  }

  protected async unlisten(): Promise<void> {
    if (this.polling) clearInterval(this.polling);
    this.polling = null;
  }

  /**
   * A job left running by a dead process that has used up its attempts
   * fails instead of running again (one with attempts left is claimed by
   * `next`). Here rather than in every poll: it is a write, and SQLite has
   * one writer.
   */
  protected async supervise(): Promise<void> {
    const now = Date.now();
    await this.db
      .updateTable(TABLE)
      .set({ state: "failed", error: "the server running it stopped, and it has been tried as often as allowed", finished_at: new Date(now).toISOString(), message: "failed" })
      .where("kind", "in", [...this.handlers.keys()])
      .where("state", "=", "running")
      .where("heartbeat_at", "<", now - this.staleMs)
      .where((eb) => eb("attempts", ">=", eb.ref("max_attempts")))
      .execute();
  }

  private busy = false;
  private poll(): void {
    if (this.busy || this.stopped || this.handlers.size === 0) return;
    this.busy = true;
    void (async () => {
      try {
        while (!this.stopped && this.running.size < this.concurrency) {
          const job = await this.next();
          if (!job) break;
          void this.run(job).then(() => this.poll());
        }
      } catch {
        // A busy database file: the next tick tries again.
      } finally {
        this.busy = false;
      }
    })();
  }

  /** The oldest runnable job of a kind handled here: queued and due, or running with a stale heartbeat. */
  private async next(): Promise<JobRecord | null> {
    const now = Date.now();
    const kinds = [...this.handlers.keys()];
    const candidate = await this.db
      .selectFrom(TABLE)
      .select("id")
      .where("kind", "in", kinds)
      .where("cancel_requested", "=", 0)
      .where((eb) =>
        eb.or([
          eb.and([eb("state", "=", "queued"), eb("run_after", "<=", now)]),
          eb.and([eb("state", "=", "running"), eb("heartbeat_at", "<", now - this.staleMs), eb("attempts", "<", eb.ref("max_attempts"))]),
        ]),
      )
      .orderBy("created_at")
      .limit(1)
      .executeTakeFirst();
    return candidate ? this.claim(candidate.id as string) : null;
  }
}

/** The store's Kysely connection as pg-boss's `db`, so the queue shares the store's pool. */
function bossDb(db: Kysely<any>): PgBoss.Db {
  return { executeSql: async (text: string, values?: unknown[]) => ({ rows: (await db.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as any[] }) };
}

/** pg-boss queue names allow letters, digits, dashes, underscores, periods and slashes. */
const bossName = (kind: string) => `homeward.${kind}`;

/** PostgreSQL: pg-boss delivers and retries; the `jobs` row is what the app reads. */
class PostgresQueue extends JobQueue {
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;
  private readonly queues = new Set<string>();

  private async started(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({ db: bossDb(this.db), schema: "pgboss", supervise: true, schedule: false, maintenanceIntervalSeconds: 60 });
      boss.on("error", (err) => process.emitWarning(`job queue: ${err.message}`));
      await boss.start();
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }

  private async queue(kind: string): Promise<PgBoss> {
    const boss = await this.started();
    if (!this.queues.has(kind)) {
      // createQueue is idempotent ("ON CONFLICT DO NOTHING"), so every server may call it.
      await boss.createQueue(bossName(kind));
      this.queues.add(kind);
    }
    return boss;
  }

  protected async dispatch(row: Row): Promise<void> {
    const boss = await this.queue(row.kind);
    const external = await boss.send(bossName(row.kind), { id: row.id }, {
      retryLimit: row.max_attempts - 1,
      retryDelay: Math.max(1, Math.round(this.retryDelayMs / 1000)),
      // A backstop only: a dead server's job is handed back by `supervise` once its heartbeat is stale.
      expireInHours: 12,
    });
    await this.db.updateTable(TABLE).set({ external_id: external }).where("id", "=", row.id).execute();
  }

  protected async undispatch(id: string): Promise<void> {
    const r = await this.db.selectFrom(TABLE).select(["kind", "external_id"]).where("id", "=", id).executeTakeFirst();
    if (r?.external_id) await (await this.queue(r.kind as string)).cancel(bossName(r.kind as string), r.external_id as string);
  }

  protected async listen(kind: string): Promise<void> {
    const boss = await this.queue(kind);
    await boss.work<{ id: string }>(
      bossName(kind),
      { pollingIntervalSeconds: Math.max(0.5, this.pollMs / 1000), batchSize: 1, includeMetadata: true },
      async ([delivered]) => {
        if (!delivered) return;
        const job = await this.claim(delivered.data.id);
        // Cancelled, finished, or run by a live server: nothing to do.
        if (!job) return;
        const outcome = await this.run(job);
        // pg-boss retries a job whose handler throws; the row already says it is queued again.
        if (outcome === "retry") throw new Error(`job ${job.id} failed; it will run again`);
      },
    );
  }

  protected async unlisten(): Promise<void> {
    if (!this.boss) return;
    const boss = this.boss;
    this.boss = null;
    // Not graceful: this process's running jobs are aborted by `stop` and handed back by another server's supervisor.
    await boss.stop({ graceful: false, close: false, wait: true });
  }

  /**
   * A job running with a stale heartbeat belonged to a server that died:
   * queued again (or failed, with no attempts left), and failed in pg-boss,
   * which retries it (or not) by the same count.
   */
  protected async supervise(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const kinds = [...this.handlers.keys()];
    const stale = await this.db
      .updateTable(TABLE)
      .set((eb) => ({
        state: sql`CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END`,
        message: "the server running it stopped",
        error: "the server running it stopped",
        finished_at: sql`CASE WHEN attempts >= max_attempts THEN ${new Date(now).toISOString()} ELSE NULL END`,
        worker: null,
        heartbeat_at: eb.val(null),
      }))
      .where("kind", "in", kinds)
      .where("state", "=", "running")
      .where("heartbeat_at", "<", now - this.staleMs)
      .returning(["kind", "external_id"])
      .execute();
    for (const r of stale) {
      if (r.external_id) await (await this.queue(r.kind as string)).fail(bossName(r.kind as string), r.external_id as string, { error: "the server running it stopped" });
    }
  }
}

/** The job queue of `store`'s database. */
export function openJobQueue(store: Store, opts: QueueOptions = {}): JobQueue {
  // The store keeps its connection to itself; the queue is part of the store package and shares it.
  const db = store["db"] as Kysely<any>;
  return store.dialect === "postgres" ? new PostgresQueue(db, "postgres", opts) : new SqliteQueue(db, "sqlite", opts);
}
