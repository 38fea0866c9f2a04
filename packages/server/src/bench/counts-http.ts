import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { dashboardStages, loadSummary, prismaFlow, reviewSummary } from "@homeward/review";
import { countsProject, emptyPostgresSchema, openStore, type Store } from "@homeward/store";
import { benchSession } from "./session.js";
import { buildServer } from "../index.js";
import { storeReviewSource } from "../load.js";

/**
 * Counts that must not grow with the project: the project route (the
 * dashboard's stage counts, asked by every project page), the PRISMA flow and
 * the review summary over HTTP (127.0.0.1), on a project of N records
 * (N = $HOMEWARD_BENCH_RECORDS, default 100,000), on SQLite and, when
 * $HOMEWARD_BENCH_DATABASE_URL is set (a database of its own: its public
 * schema is dropped), on PostgreSQL.
 *
 * The project is @homeward/store's `countsProject`: written by SQL straight
 * into the tables, three searches, 5% duplicates, 1% of records decided at
 * title/abstract by two reviewers, a tenth of those decided at full text.
 * "Every record" is the flow counted from the whole screening, run in this
 * process on the same store: every record's keys, every duplicate group,
 * decision, reconciliation and retrieval read, and the flow counted from
 * them record by record. Prints medians
 * of 7 after a warm-up (3 for "before" past 200,000 records), the load
 * average when each engine's run ends, and whether both ways give the same
 * flow; asserts nothing.
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const PG = process.env.HOMEWARD_BENCH_DATABASE_URL;
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>, runs = 7): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** The flow counted from every record: every record's keys, every duplicate group, decision, reconciliation and retrieval read. */
async function everyRecordInput(store: Store, projectId: string) {
  const [records, summary, duplicateGroups, screeningDecisions, reconciliations, fullTextRetrievals] = await Promise.all([
    store.recordRefs(projectId),
    loadSummary(storeReviewSource(store, projectId)),
    store.list(projectId, "duplicateGroups"),
    store.flowDecisions(projectId),
    store.list(projectId, "reconciliations"),
    store.list(projectId, "fullTextRetrievals"),
  ]);
  const { identified: _i, flowCounts: _f, ...rest } = summary;
  return { ...rest, records, duplicateGroups, screeningDecisions, reconciliations, fullTextRetrievals };
}

async function run(engine: string, store: Store): Promise<void> {
  const t0 = performance.now();
  const p = await countsProject(store, N);
  console.log(`\n${engine}: ${N.toLocaleString("en")} records written by SQL in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const app = await buildServer({ store, version: "bench", webDir: tmpdir() });
  const cookie = await benchSession(store, "bench");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as { port: number }).port;
  try {
    const get = (path: string) => async () => {
      const url = `http://127.0.0.1:${port}/api/projects/${p}${path}`;
      // A kept-alive connection the server closed while "before" ran (seconds at a million records) is opened again.
      const res = await fetch(url, { headers: { cookie } }).catch(() => fetch(url, { headers: { cookie } }));
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    // Opening a project starts loading its screening state in the background (routes/screening-state.ts),
    // once per server; it is waited for here, so the figures are the routes' own.
    await get("")();
    await get("/screening/title_abstract/status")();
    // The previous computation takes seconds at a million records: three runs there.
    const runs = N > 200_000 ? 3 : 7;
    const before = {
      project: await timed(async () => {
        await store.getProjectSummary(p);
        dashboardStages(prismaFlow(await everyRecordInput(store, p)));
      }, runs),
      prisma: await timed(async () => prismaFlow(await everyRecordInput(store, p)), runs),
      summary: await timed(async () => reviewSummary(await everyRecordInput(store, p)), runs),
    };
    const after = { project: await timed(get("")), prisma: await timed(get("/review/prisma")), summary: await timed(get("/review/summary")) };
    // The two ways must agree, or the figures compare different things.
    const same = JSON.stringify(prismaFlow(await everyRecordInput(store, p))) === JSON.stringify(prismaFlow(await loadSummary(storeReviewSource(store, p))));
    console.log(`${engine}, ${N.toLocaleString("en")} records (median of ${runs} before, 7 after; before = counted from every record in process, after = the route over HTTP); flows agree: ${same}`);
    console.log(`  load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
    for (const [label, k] of [["GET /api/projects/:id", "project"], ["GET …/review/prisma", "prisma"], ["GET …/review/summary", "summary"]] as const) {
      console.log(`  ${label.padEnd(26)} before ${before[k].toFixed(0).padStart(6)} ms   after ${after[k].toFixed(1).padStart(7)} ms`);
    }
  } finally {
    await app.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "homeward-counts-bench-"));
try {
  const sqlite = await openStore({ dataDir: dir });
  try {
    await run("SQLite", sqlite);
  } finally {
    await sqlite.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (PG) {
  await emptyPostgresSchema(PG);
  const store = await openStore({ databaseUrl: PG });
  try {
    await run("PostgreSQL", store);
  } finally {
    await store.close();
  }
}
