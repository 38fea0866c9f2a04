import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { countsProject, ensureExamples, openStore } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The whole-project downloads over HTTP (127.0.0.1; SQLite, or PostgreSQL
 * with $HOMEWARD_BENCH_DATABASE_URL naming an empty database) at N
 * records (N = $HOMEWARD_BENCH_RECORDS, default 100,000; @homeward/store's
 * `countsProject`: three searches, 5% duplicates, 1% decided by two
 * reviewers): the project export, the report's HTML and its bundle (zip);
 * and the report's HTML and bundle of the built-in reunification example (73
 * studies, 18 CERQual findings, its figures drawn: a report that takes CPU
 * to render, which the synthetic project's does not), and its Word document
 * (a job before and after; its figures drawn on the main thread before, in
 * the job's worker thread after); then the app's preview of both reports
 * (`GET …/report/html`, answered on the request). `HOMEWARD_BENCH_ONLY` (a
 * word of the lines' names, "preview") runs those lines alone.
 * Each is asked for as a job where the server has the job route
 * (`POST …/exports/jobs`, `POST …/report/jobs`), else by the former
 * synchronous download (`GET …/export`, `GET …/report/html?download=true`,
 * `GET …/report/bundle`), so the same script measures the code before and
 * after. For each: the request's own time, the time until the file is
 * there (a job: until it is done and its file downloaded), the slowest
 * answer of a one-row read (`GET …/jobs?limit=1`) due every 20 ms
 * meanwhile, timed from when it was due (what the rest of the app waits),
 * and the longest the event loop was held meanwhile (`monitorEventLoopDelay`). Medians of R runs
 * (R = $HOMEWARD_BENCH_RUNS, default 3), the load average with each line;
 * asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const R = Number(process.env.HOMEWARD_BENCH_RUNS ?? 3);
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const dir = mkdtempSync(join(tmpdir(), "homeward-download-bench-"));
// PostgreSQL when $HOMEWARD_BENCH_DATABASE_URL names a database of the bench's own (an empty one: the run adds a project and the examples).
const databaseUrl = process.env.HOMEWARD_BENCH_DATABASE_URL;
const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: dir });
try {
  const p = await countsProject(store, N);
  await ensureExamples(store);
  const app = await buildServer({ store, version: "bench", webDir: dir, jobs: { pollMs: 100 } });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const root = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/`;
  let base = `${root}${p}`;
  const send = (path: string, init?: RequestInit) => fetch(`${base}${path}`, { ...init, headers: { cookie, ...(init?.body ? { "content-type": "application/json" } : {}) } });
  const ok = async (path: string, init?: RequestInit) => {
    const res = await send(path, init);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res;
  };
  await ok("");

  /**
   * While `work` runs: the slowest answer of a small read sent every 20 ms,
   * and the longest the event loop was held (server and client share this
   * process, so a read sent while it is held waits for it).
   */
  const probed = async <T>(work: () => Promise<T>): Promise<[T, number, number]> => {
    let going = true;
    let slowest = 0;
    const held = monitorEventLoopDelay({ resolution: 10 });
    held.enable();
    const probe = (async () => {
      // Timed from when the read was due, so a read that could not even be sent while the event loop was held counts that wait.
      let due = performance.now();
      while (going) {
        await ok("/jobs?offset=0&limit=1").then((r) => r.arrayBuffer());
        const answered = performance.now();
        slowest = Math.max(slowest, answered - due);
        due = answered + 20;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      return [await work(), slowest, held.max / 1e6];
    } finally {
      going = false;
      held.disable();
      await probe;
    }
  };

  /** As a job when the route exists: [the request's time, until the file is downloaded, its size]. */
  const asJob = async (start: string, body: unknown): Promise<[number, number, number] | null> => {
    const t0 = performance.now();
    const res = await send(start, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const asked = performance.now() - t0;
    // The code before: no export job (404), a report job of PDF and Word only (400).
    if (res.status === 404 || res.status === 400) return null;
    if (!res.ok) throw new Error(`${start}: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      const j = (await (await ok(`/jobs/${id}`)).json()) as { state: string; error: string | null };
      if (j.state === "failed" || j.state === "cancelled") throw new Error(`${start}: the job ${j.state}: ${j.error}`);
      if (j.state === "done") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const size = (await (await ok(`/jobs/${id}/file`)).arrayBuffer()).byteLength;
    return [asked, performance.now() - t0, size];
  };
  const synchronous = async (path: string): Promise<[number, number, number]> => {
    const t0 = performance.now();
    const size = (await (await ok(path)).arrayBuffer()).byteLength;
    const took = performance.now() - t0;
    return [took, took, size];
  };

  const html = async () => (await asJob("/report/jobs", { format: "html" })) ?? synchronous("/report/html?download=true");
  const bundle = async () => (await asJob("/report/jobs", { format: "bundle" })) ?? synchronous("/report/bundle");
  const cases: [string, string, () => Promise<[number, number, number]>][] = [
    ["project export", p, async () => (await asJob("/exports/jobs", undefined)) ?? synchronous("/export")],
    ["report HTML (the draft)", p, html],
    ["report bundle (the draft)", p, bundle],
    ["reunification HTML", "reunification", html],
    ["reunification bundle", "reunification", bundle],
    // A job before and after: the Word document was one already, its figures drawn (resvg, synchronous) on the main thread before.
    ["reunification Word (docx)", "reunification", async () => (await asJob("/report/jobs", { format: "docx" }))!],
    // The app's preview, answered on the request (the same route before and after).
    ["report preview (the draft)", p, () => synchronous("/report/html")],
    ["reunification preview", "reunification", () => synchronous("/report/html")],
  ];
  console.log(`${databaseUrl ? "PostgreSQL" : "SQLite"}, ${N.toLocaleString("en")} records; load ${load()}`);
  const only = process.env.HOMEWARD_BENCH_ONLY?.toLowerCase();
  for (const [name, project, run] of cases.filter(([n]) => !only || n.toLowerCase().includes(only))) {
    base = `${root}${project}`;
    await run(); // warm-up
    const asked: number[] = [];
    const whole: number[] = [];
    const slowest: number[] = [];
    const held: number[] = [];
    let size = 0;
    for (let i = 0; i < R; i++) {
      const [[a, w, s], worst, loop] = await probed(run);
      asked.push(a);
      whole.push(w);
      slowest.push(worst);
      held.push(loop);
      size = s;
    }
    console.log(
      `${name.padEnd(26)} request ${median(asked).toFixed(0).padStart(6)} ms; file there after ${median(whole).toFixed(0).padStart(6)} ms (${(size / 1e6).toFixed(1)} MB); ` +
        `slowest other answer meanwhile ${median(slowest).toFixed(0).padStart(5)} ms; event loop held at most ${median(held).toFixed(0).padStart(5)} ms (medians of ${R}); load ${load()}`,
    );
  }
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
