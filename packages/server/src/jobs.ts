import { randomUUID } from "node:crypto";

/** A long task run off the request: started by one request, polled by others. */
export interface Job<P, R> {
  id: string;
  /** What the job is about (a project); one job per key runs at a time. */
  key: string;
  state: "running" | "done" | "failed";
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  progress: P;
  result: R | null;
  error: string | null;
}

/**
 * Jobs of one kind, held in this server's memory. Deliberately narrow
 * (start, get, latest): a PostgreSQL-backed queue (pg-boss, graphile-worker)
 * can replace it behind the same three calls once several servers share a
 * database, without changing the routes or the page that polls. Until then a
 * restart forgets jobs; a job's writes are transactions, so an interrupted
 * run leaves the project as it was.
 */
export class Jobs<P, R> {
  private readonly byId = new Map<string, Job<P, R>>();
  private readonly latestByKey = new Map<string, string>();

  constructor(private readonly initial: () => P) {}

  /**
   * Starts `work` for `key` unless a job for it is running, which is then
   * answered instead (a second click joins the first run).
   */
  start(key: string, startedBy: string, work: (report: (p: P) => void) => Promise<R>): Job<P, R> {
    const running = this.latest(key);
    if (running?.state === "running") return running;
    const job: Job<P, R> = { id: randomUUID(), key, state: "running", startedBy, startedAt: new Date().toISOString(), finishedAt: null, progress: this.initial(), result: null, error: null };
    const previous = this.latestByKey.get(key);
    if (previous) this.byId.delete(previous);
    this.byId.set(job.id, job);
    this.latestByKey.set(key, job.id);
    work((p) => (job.progress = p)).then(
      (result) => Object.assign(job, { state: "done", result, finishedAt: new Date().toISOString() }),
      (e: unknown) => Object.assign(job, { state: "failed", error: e instanceof Error ? e.message : String(e), finishedAt: new Date().toISOString() }),
    );
    return job;
  }

  get(id: string): Job<P, R> | undefined {
    return this.byId.get(id);
  }

  latest(key: string): Job<P, R> | undefined {
    const id = this.latestByKey.get(key);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Resolves when `id` has finished (for a caller that waits, such as the synchronous route). */
  async settled(id: string, pollMs = 50): Promise<Job<P, R>> {
    for (;;) {
      const job = this.byId.get(id);
      if (!job || job.state !== "running") return job!;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
