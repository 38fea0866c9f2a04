import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { BibRecordInput } from "@homeward/model";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * The duplicates stage over HTTP (127.0.0.1, SQLite store) at N records
 * (N = $HOMEWARD_BENCH_RECORDS, default 100000): one in ten records is a
 * copy of another (title with a full stop, upper case, or abbreviated pages:
 * duplicates) and one in a hundred a near copy on other pages (uncertain).
 * Prints the detection run's time by phase and the process's peak memory,
 * then medians of 9 requests for each route the page calls; asserts nothing.
 * Run with `node --expose-gc` for a memory baseline without the set-up's garbage.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

function withCopies(n: number): BibRecordInput[] {
  const originals = syntheticRecords(Math.round(n * 0.89));
  const out: BibRecordInput[] = [...originals];
  let k = 0;
  const copy = (r: BibRecordInput, change: Partial<BibRecordInput>) => out.push({ ...r, id: `copy-${k++}`, abstract: null, ...change });
  for (let i = 0; out.length < n; i += 8) {
    const r = originals[i % originals.length]!;
    const [first, last] = String(r.pages).split("-");
    if (k % 11 === 10) copy(r, { pages: `${Number(first) + 1000}-${Number(last) + 1000}`, doi: null });
    else if (k % 3 === 0) copy(r, { title: `${r.title}.` });
    else if (k % 3 === 1) copy(r, { title: String(r.title).toUpperCase() });
    else copy(r, { pages: `${first}-${String(last).slice(-2)}`, doi: null });
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "homeward-duplicates-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = await store.createProject({ title: "Duplicates benchmark" }, { actor: "bench" });
  await store.insert(p.id, "records", withCopies(N), { actor: "bench" });
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (url: string, init?: RequestInit): Promise<any> => {
    const res = await fetch(url, { ...init, headers: { cookie, ...(init?.body ? { "content-type": "application/json" } : {}) } });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  // Detection: started, polled as the page does, with the slowest poll answer and the peak memory.
  // With --expose-gc, what the set-up (100,000 records inserted) left behind is collected first.
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  let job = await json(`${base}/duplicates/jobs`, { method: "POST" });
  const phaseStart = new Map<string, number>([[job.progress.phase, t0]]);
  let slowestPoll = 0;
  while (job.state === "running") {
    // Measured from when the poll is due: a server whose event loop is held up answers late.
    const due = performance.now() + 200;
    await new Promise((r) => setTimeout(r, 200));
    job = await json(`${base}/duplicates/jobs/${job.id}`);
    slowestPoll = Math.max(slowestPoll, performance.now() - due);
    if (!phaseStart.has(job.progress.phase)) phaseStart.set(job.progress.phase, performance.now());
  }
  const total = performance.now() - t0;
  clearInterval(sampler);
  if (job.state !== "done") throw new Error(job.error);
  console.log(`\nDetection at ${N.toLocaleString("en")} records: ${(total / 1000).toFixed(1)} s, ${JSON.stringify(job.result)}`);
  const phases = [...phaseStart.entries()];
  phases.forEach(([name, at], i) => console.log(`  ${name.padEnd(10)} from ${((at - t0) / 1000).toFixed(1).padStart(5)} s to ${(((phases[i + 1]?.[1] ?? t0 + total) - t0) / 1000).toFixed(1).padStart(5)} s`));
  console.log(`  longest wait for a progress answer during the run ${slowestPoll.toFixed(1)} ms; resident memory ${(before / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB (worker thread included)`);

  const overview = await json(`${base}/duplicates`);
  const pairs = await json(`${base}/duplicate-pairs?limit=1`);
  const cases: [string, string][] = [
    ["GET /duplicates (counts)", "/duplicates"],
    ["GET /duplicate-groups (first page of 20)", "/duplicate-groups?limit=20"],
    ["GET /duplicate-groups (last page of 20)", `/duplicate-groups?limit=20&offset=${Math.max(0, overview.groups - 20)}`],
    ["GET /duplicate-pairs?status=pending&limit=1", "/duplicate-pairs?limit=1"],
    ["GET /duplicate-pairs/:pairId (side by side)", `/duplicate-pairs/${pairs.items[0].pair.id}`],
  ];
  console.log(`\nRoutes of the duplicates page at ${N.toLocaleString("en")} records, ${overview.groups.toLocaleString("en")} groups, ${overview.pending.toLocaleString("en")} pending pairs (median of 9)`);
  for (const [label, path] of cases) {
    const xs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const q = performance.now();
      await json(base + path);
      if (i > 0) xs.push(performance.now() - q);
    }
    xs.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(46)} ${xs[4]!.toFixed(1).padStart(7)} ms`);
  }
  const decisions: number[] = [];
  const list = await json(`${base}/duplicate-pairs?limit=9`);
  for (const [i, it] of list.items.entries()) {
    const q = performance.now();
    await json(`${base}/duplicate-pairs/${it.pair.id}/decision`, { method: "POST", body: JSON.stringify({ decision: i % 2 ? "duplicate" : "not_duplicate" }) });
    decisions.push(performance.now() - q);
  }
  decisions.sort((a, b) => a - b);
  console.log(`  ${"POST /duplicate-pairs/:pairId/decision".padEnd(46)} ${decisions[Math.floor(decisions.length / 2)]!.toFixed(1).padStart(7)} ms`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
