import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * Records-table response time over HTTP (127.0.0.1, SQLite store) at N
 * records: what the web app's table waits for. N = $HOMEWARD_BENCH_RECORDS
 * (default 100000). Prints medians of 9 requests; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
// Timings depend on what else the machine is doing; say so with the figures.
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "homeward-http-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = await store.createProject({ title: "HTTP benchmark" }, { actor: "bench" });
  const records = syntheticRecords(N);
  await store.insert(p.id, "records", records, { actor: "bench" });
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/api/projects/${p.id}/records`;
  const rare = records[7]!.title!.split(" ").sort((a, b) => b.length - a.length)[0]!.toLowerCase();
  const cases: [string, string][] = [
    ["first page", ""],
    ["sort=title", "?sort=title"],
    ["sort=year&dir=desc", "?sort=year&dir=desc"],
    ["sort=authors&offset=50000", "?sort=authors&offset=50000"],
    ["sort=title&offset=N-100 (last page)", `?sort=title&offset=${N - 100}`],
    ["q=reunification (common)", "?q=reunification"],
    ["q=foster+children&sort=year", "?q=foster+children&sort=year"],
    [`q=${rare.slice(0, -1)} (rare word, prefix)`, `?q=${rare.slice(0, -1)}`],
  ];
  console.log(`\nGET /api/projects/:id/records at ${N.toLocaleString("en")} records (SQLite, 100 rows, median of 9)`);
  for (const [label, qs] of cases) {
    const xs: number[] = [];
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const res = await fetch(base + qs, { headers: { cookie } });
      const body = (await res.json()) as { total: number };
      if (i > 0) xs.push(performance.now() - t0);
      total = body.total;
    }
    xs.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(40)} ${xs[4]!.toFixed(1).padStart(6)} ms   total ${total.toLocaleString("en")}`);
  }
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
