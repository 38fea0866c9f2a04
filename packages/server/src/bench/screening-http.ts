import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parse } from "csv-parse/sync";
import type { BibRecordInput } from "@homeward/model";
import { openStore, syntheticRecords } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";

/**
 * Screening over HTTP (127.0.0.1, SQLite store) at N records: how long a
 * reviewer waits for the next record, before the first ranking, while the
 * worker retrains and after, and what a retrain takes. N =
 * $HOMEWARD_BENCH_RECORDS (default 100000). Records are drawn with
 * replacement from the shared labelled screening sets (relevant when
 * included there), or are synthetic without them. Prints figures; asserts
 * nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const dataDir = process.env.HOMEWARD_SCREENING_DATA ?? fileURLToPath(new URL("../../../../../shared/data/screening/", import.meta.url));
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

function records(): { records: BibRecordInput[]; relevant: Set<string> } {
  const relevant = new Set<string>();
  const pool = existsSync(dataDir)
    ? readdirSync(dataDir)
        .filter((f) => f.endsWith(".csv"))
        .flatMap((f) => parse(readFileSync(join(dataDir, f)), { columns: true, bom: true }) as Record<string, string>[])
    : [];
  if (pool.length === 0) {
    const recs = syntheticRecords(N);
    recs.forEach((r, i) => i % 50 === 0 && relevant.add(r.id!));
    return { records: recs, relevant };
  }
  let state = 12345;
  const rnd = (n: number) => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n;
  const recs = Array.from({ length: N }, (_, i) => {
    const a = pool[rnd(pool.length)]!;
    if (Number(a.label_included ?? a.label) === 1) relevant.add(`r${i}`);
    return { id: `r${i}`, title: a.title ?? "", abstract: a.abstract ?? "", createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString() };
  });
  return { records: recs, relevant };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (n = ${s.length})`;
};

const dir = mkdtempSync(join(tmpdir(), "homeward-screening-bench-"));
const store = await openStore({ dataDir: dir });
try {
  const p = await store.createProject({ title: "Screening benchmark" }, { actor: "bench" });
  const { records: recs, relevant } = records();
  let t = performance.now();
  await store.insert(p.id, "records", recs, { actor: "bench" });
  console.log(`\n${N.toLocaleString("en")} records inserted in ${((performance.now() - t) / 1000).toFixed(1)} s (store, not screening)`);
  const app = await buildServer({ store, version: "bench", webDir: dir });
  const cookie = await benchSession(store, "ana");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/api/projects/${p.id}/screening/title_abstract`;
  const headers = { cookie, "content-type": "application/json" };
  const next = async () => {
    const t0 = performance.now();
    const r = (await (await fetch(`${base}/next`, { headers })).json()) as { record: { id: string } | null; prioritised: boolean };
    return { ...r, ms: performance.now() - t0 };
  };
  const decide = async (id: string) => {
    const t0 = performance.now();
    const rel = relevant.has(id);
    const res = await fetch(`${base}/decisions`, { method: "POST", headers, body: JSON.stringify({ recordId: id, decision: rel ? "include" : "exclude" }) });
    if (res.status !== 201) throw new Error(`decision: ${res.status} ${await res.text()}`);
    return performance.now() - t0;
  };
  type Status = { prioritisation: { ranked: boolean; retraining: boolean; rankings: number; labelled: number; retrainMs: number | null } };
  const status = async () => ((await (await fetch(`${base}/status`, { headers })).json()) as Status).prioritisation;

  t = performance.now();
  const first = await next();
  console.log(`first request (reads the project into memory, hands the texts to the worker): ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const second = await next();
  console.log(`second request: ${second.ms.toFixed(1)} ms`);

  // Two priors, then screening in import order until the first ranking lands.
  const rel = [...relevant][0]!;
  await decide(rel);
  await decide(first.record!.id === rel ? recs[1]!.id! : first.record!.id);
  const before: number[] = [];
  const posts: number[] = [];
  t = performance.now();
  let s = await status();
  while (!s.ranked) {
    const n = await next();
    before.push(n.ms);
    if (n.record) posts.push(await decide(n.record.id));
    if (before.length % 20 === 0) s = await status();
  }
  console.log(`first ranking after ${((performance.now() - t) / 1000).toFixed(1)} s (hashing ${N.toLocaleString("en")} texts and the first fit, in the worker)`);
  console.log(`  next record meanwhile: ${stats(before)}`);

  // Screening with the ranking while the worker retrains after every change.
  const during: number[] = [];
  const idle: number[] = [];
  const retrains = new Map<number, number>();
  let found = 0;
  for (let k = 0; k < 300; k++) {
    s = await status();
    const n = await next();
    (s.retraining ? during : idle).push(n.ms);
    if (s.retrainMs !== null) retrains.set(s.rankings, s.retrainMs);
    if (!n.record) break;
    if (relevant.has(n.record.id)) found++;
    posts.push(await decide(n.record.id));
  }
  console.log(`300 records screened with prioritisation: ${found} relevant (base rate ${((100 * relevant.size) / N).toFixed(1)}%)`);
  console.log(`  next record while a retrain runs: ${stats(during)}`);
  if (idle.length) console.log(`  next record otherwise:           ${stats(idle)}`);
  console.log(`  decision (audited write + state update): ${stats(posts)}`);
  const st: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    await status();
    st.push(performance.now() - t0);
  }
  console.log(`  status (counts, conflicts, prioritisation): ${stats(st)}`);
  const ms = [...retrains.values()];
  console.log(`  retrain in the worker (fit + ranking all records): ${stats(ms)}`);
  await app.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
