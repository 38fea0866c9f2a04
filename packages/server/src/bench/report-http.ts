import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { countsProject, openStore } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The report routes over HTTP (127.0.0.1, SQLite store) on a project of N
 * records (N = $HOMEWARD_BENCH_RECORDS, default 100,000): @homeward/store's
 * `countsProject` (written by SQL, three searches, 5% duplicates, 1% of
 * records decided at title/abstract by two reviewers, a tenth of those at
 * full text) with V frozen report versions (V = $HOMEWARD_BENCH_VERSIONS,
 * default 6). The first is frozen through the route; the others hold its data
 * with a table of filler rows added, so that each version's stored data is
 * about 0.7 MB, the size a living review's versions reach. Measures the
 * report page's overview (`GET …/report`) and the draft's HTML
 * (`GET …/report/html`). Prints medians of 7 after a warm-up and the
 * process's memory; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const V = Number(process.env.HOMEWARD_BENCH_VERSIONS ?? 6);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), "homeward-report-bench-"));
const store = await openStore({ dataDir: dir });
try {
  let t0 = performance.now();
  const p = await countsProject(store, N);
  console.log(`\n${N.toLocaleString("en")} records written by SQL in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { cookie, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return text;
  };
  try {
    // Opening a project starts loading its screening state in the background, once per server; waited for here.
    await call("GET", "");
    await call("GET", "/screening/title_abstract/status");
    t0 = performance.now();
    await call("POST", "/report/versions", { note: "version 1" });
    const [first] = await store.list(p, "reportVersions", { number: 1 });
    const filler = { id: "filler", caption: "Filler", columns: ["a", "b", "c", "d"], rows: Array.from({ length: 4000 }, (_, i) => [`row ${i}`, "x".repeat(60), "y".repeat(60), String(i)]) };
    for (let n = 2; n <= V; n++) {
      const data = { ...first!.data, tables: { ...(first!.data as { tables: Record<string, unknown> }).tables, filler } };
      await store.insert(p, "reportVersions", [{ number: n, spec: first!.spec, data, dataHash: `${first!.dataHash}-${n}`, note: `version ${n}`, savedBy: "bench", savedAt: new Date().toISOString() }], { actor: "bench" });
    }
    const sizes = (await store.list(p, "reportVersions")).filter((v) => v.number > 0).map((v) => JSON.stringify(v.data).length);
    console.log(`${V} versions frozen in ${((performance.now() - t0) / 1000).toFixed(1)} s; stored data ${sizes.map((s) => `${(s / 2 ** 20).toFixed(2)}`).join(", ")} MiB`);
    const timed = async (path: string) => {
      await call("GET", path);
      const xs: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        await call("GET", path);
        xs.push(performance.now() - t);
      }
      return median(xs);
    };
    console.log(`\nReport, ${N.toLocaleString("en")} records, ${V} versions (median of 7)`);
    console.log(`  GET …/report (overview)        ${(await timed("/report")).toFixed(0).padStart(6)} ms`);
    console.log(`  GET …/report/html (the draft)  ${(await timed("/report/html")).toFixed(0).padStart(6)} ms`);
    console.log(`  load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
    console.log(`memory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await app.close();
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
