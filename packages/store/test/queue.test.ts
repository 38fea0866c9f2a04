import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openJobQueue, openStore, JobCancelled, type JobQueue, type Store } from "@homeward/store";
import { scratchDatabase } from "./scratch-database.js";

/**
 * The job queue on both engines, with the same expectations: progress in
 * the row, retries, cancellation, and a job left running by a killed
 * process run again by another.
 */
const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
type Opened = { store: Store; where: { dataDir: string } | { databaseUrl: string }; done: () => Promise<void> };
const engines: [string, () => Promise<Opened>][] = [
  ["SQLite", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "homeward-queue-"));
    return { store: await openStore({ dataDir }), where: { dataDir }, done: async () => {} };
  }],
];
if (pgUrl) {
  engines.push(["PostgreSQL", async () => {
    const db = await scratchDatabase(pgUrl, `queue_${process.pid}`);
    return { store: await openStore({ databaseUrl: db.url }), where: { databaseUrl: db.url }, done: db.drop };
  }]);
}

const until = async <T>(what: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.each(engines)("job queue on %s", (_name, open) => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  const setUp = async (opts = {}) => {
    const o = await open();
    const queue = openJobQueue(o.store, { pollMs: 50, heartbeatMs: 100, retryDelayMs: 1000, ...opts });
    cleanup.push(o.done, () => o.store.close(), () => queue.stop());
    return { ...o, queue };
  };

  it("runs a job outside the caller, with its progress visible while it runs, and keeps its result", async () => {
    const { queue } = await setUp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await queue.work("count", async ({ progress, job }) => {
      await progress(0.5, "half way", { step: 1 });
      await gate;
      return { doubled: (job.payload as { n: number }).n * 2 };
    });
    const job = await queue.enqueue({ kind: "count", projectId: "p1", payload: { n: 21 }, createdBy: "ann" });
    expect(job.state).toBe("queued");
    const mid = await until(async () => {
      const j = await queue.get(job.id);
      return j?.message === "half way" ? j : undefined;
    });
    expect(mid).toMatchObject({ state: "running", progress: 0.5, detail: { step: 1 }, attempts: 1 });
    release();
    const done = await queue.settled(job.id, 20);
    expect(done).toMatchObject({ state: "done", progress: 1, result: { doubled: 42 }, error: null, createdBy: "ann" });
    expect(done.finishedAt).not.toBeNull();
    const page = await queue.list("p1");
    expect(page.total).toBe(1);
    expect(page.items[0]!.id).toBe(job.id);
    expect((await queue.list("p2")).total).toBe(0);
  });

  it("runs a failed job again, and records the failure once its attempts are used", async () => {
    const { queue } = await setUp();
    let calls = 0;
    await queue.work("flaky", async () => {
      calls++;
      if (calls === 1) throw new Error("first run breaks");
      return "ok";
    });
    await queue.work("broken", async () => {
      throw new Error("always breaks");
    });
    const flaky = await queue.enqueue({ kind: "flaky", projectId: "p", createdBy: "ann" });
    const broken = await queue.enqueue({ kind: "broken", projectId: "p", createdBy: "ann", maxAttempts: 2 });
    expect(await queue.settled(flaky.id, 20)).toMatchObject({ state: "done", result: "ok", attempts: 2 });
    expect(calls).toBe(2);
    expect(await queue.settled(broken.id, 20)).toMatchObject({ state: "failed", error: "always breaks", attempts: 2 });
  });

  it("cancels a queued job before it starts and a running one through its signal", async () => {
    const { queue } = await setUp();
    let sawAbort = false;
    await queue.work("slow", async ({ signal, progress }) => {
      await progress(0.1, "working");
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      sawAbort = signal.reason instanceof JobCancelled;
      throw signal.reason;
    });
    const running = await queue.enqueue({ kind: "slow", projectId: "p", createdBy: "ann" });
    await until(async () => (await queue.get(running.id))?.message === "working");
    const waiting = await queue.enqueue({ kind: "nobody-works-this", projectId: "p", createdBy: "ann" });
    expect(await queue.cancel(waiting.id)).toMatchObject({ state: "cancelled" });
    await queue.cancel(running.id);
    expect(await queue.settled(running.id, 20)).toMatchObject({ state: "cancelled" });
    expect(sawAbort).toBe(true);
    await expect(queue.cancel("no-such-job")).rejects.toMatchObject({ status: 404 });
  });

  it("answers the open job of a kind instead of adding another when asked to join it", async () => {
    const { queue } = await setUp();
    const a = await queue.enqueue({ kind: "idle", projectId: "p", createdBy: "ann", joinRunning: true });
    const b = await queue.enqueue({ kind: "idle", projectId: "p", createdBy: "bob", joinRunning: true });
    const c = await queue.enqueue({ kind: "idle", projectId: "q", createdBy: "bob", joinRunning: true });
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  /** Another process claims the job of `kind`, reports progress and is killed mid-run. */
  const killedWhileRunning = async (where: Opened["where"], kind: string) => {
    const dir = mkdtempSync(join(tmpdir(), "homeward-queue-child-"));
    const storeEntry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = join(dir, "child.mjs");
    writeFileSync(
      script,
      `import { openStore, openJobQueue } from ${JSON.stringify(storeEntry)};
const store = await openStore(${JSON.stringify(where)});
const queue = openJobQueue(store, { pollMs: 50, heartbeatMs: 100, staleMs: 1500 });
await queue.work(${JSON.stringify(kind)}, async ({ progress }) => { await progress(0.3, "in the child"); process.stdout.write("claimed\\n"); await new Promise(() => {}); });
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("claimed") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited with ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
  };

  it("runs again a job whose process was killed while running it", async () => {
    const { queue, where } = await setUp({ staleMs: 1500 });
    const job = await queue.enqueue({ kind: "resumable", projectId: "p", payload: { n: 5 }, createdBy: "ann" });
    await killedWhileRunning(where, "resumable");
    expect(await queue.get(job.id)).toMatchObject({ state: "running", message: "in the child", attempts: 1 });
    // This process now works the kind, and takes the dead process's job over once its heartbeat is stale.
    await queue.work("resumable", async ({ job: j }) => (j.payload as { n: number }).n + 1);
    const done = await queue.settled(job.id, 50);
    expect(done).toMatchObject({ state: "done", result: 6, attempts: 2 });
  }, 60_000);

  it("fails, rather than runs again, a killed process's job that has no attempts left", async () => {
    const { queue, where } = await setUp({ staleMs: 1500 });
    const job = await queue.enqueue({ kind: "once", projectId: "p", createdBy: "ann", maxAttempts: 1 });
    await killedWhileRunning(where, "once");
    let runs = 0;
    await queue.work("once", async () => ++runs);
    const ended = await queue.settled(job.id, 50);
    expect(ended).toMatchObject({ state: "failed", attempts: 1 });
    expect(ended.error).toMatch(/stopped/);
    expect(runs).toBe(0);
  }, 60_000);
});
