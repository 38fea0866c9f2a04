import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * A project backup as a background job over HTTP (127.0.0.1, SQLite store)
 * at N records (N = $HOMEWARD_BENCH_RECORDS, default 100000): the job's
 * time, its file's size, and, while it runs, the Jobs page's poll
 * (`GET /jobs`) and a one-row write (`POST /collections/searches`) issued one
 * after the other, each answer timed (median and slowest). Then the file's
 * download. Prints the load average with every figure; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const dir = mkdtempSync(join(tmpdir(), "homeward-backup-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = await store.createProject({ title: "Backup benchmark" }, { actor: "bench" });
  await store.insert(p.id, "records", syntheticRecords(N), { actor: "bench" });
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  const send = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, { ...init, headers: { cookie, ...(init?.body ? { "content-type": "application/json" } : {}) } });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res;
  };
  console.log(`SQLite, ${N.toLocaleString("en")} records; load ${load()}`);
  const t0 = performance.now();
  const job = (await (await send(`${base}/backups/jobs`, { method: "POST" })).json()) as { id: string };
  const polls: number[] = [];
  const writes: number[] = [];
  let state = "queued";
  let result = null as { file: { size: number } } | null;
  for (let n = 0; state === "queued" || state === "running"; n++) {
    let t = performance.now();
    await send(`${base}/jobs?offset=0&limit=20`);
    polls.push(performance.now() - t);
    t = performance.now();
    await send(`${base}/collections/searches`, { method: "POST", body: JSON.stringify({ source: `During ${n}`, kind: "database", date: null, query: "" }) });
    writes.push(performance.now() - t);
    const j = (await (await send(`${base}/jobs/${job.id}`)).json()) as { state: string; result: typeof result; error: string | null };
    state = j.state;
    result = j.result;
    if (state === "failed") throw new Error(`the backup failed: ${j.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const took = performance.now() - t0;
  console.log(`backup job ${(took / 1000).toFixed(1)} s, file ${((result?.file.size ?? 0) / 1e6).toFixed(1)} MB gzip'd; load ${load()}`);
  console.log(`while it ran (${polls.length} rounds): jobs poll median ${median(polls).toFixed(0)} ms, slowest ${Math.max(...polls).toFixed(0)} ms; one-row write median ${median(writes).toFixed(0)} ms, slowest ${Math.max(...writes).toFixed(0)} ms`);
  const d0 = performance.now();
  const file = await send(`${base}/jobs/${job.id}/file`);
  const bytes = (await file.arrayBuffer()).byteLength;
  console.log(`download ${(bytes / 1e6).toFixed(1)} MB in ${(performance.now() - d0).toFixed(0)} ms; load ${load()}`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
