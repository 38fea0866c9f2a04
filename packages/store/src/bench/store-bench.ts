import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { RecordsQueryInput } from "@homeward/model";
import { openStore, SQLITE_FILE, type Store, type StoreOptions } from "../index.js";
import { syntheticRecords } from "./synthetic.js";

/**
 * Store benchmark: bulk write of N records (one transaction, audited), single
 * audited writes, records-table queries (paging, sorting, search) at N, and
 * export/import of the whole project. Prints a table; asserts nothing.
 * N = $HOMEWARD_BENCH_RECORDS (default 100000). PostgreSQL too when
 * $HOMEWARD_TEST_DATABASE_URL is set (its public schema is dropped first).
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const ctx = { actor: "bench" };

function ms(t0: number) {
  return performance.now() - t0;
}
async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, ms(t0)];
}
/** Median of `reps` runs after one warm-up. */
async function median(fn: () => Promise<unknown>, reps = 7): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) xs.push((await time(fn))[1]);
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString("en");

/**
 * CPU time next to wall time: on a shared machine the wall time of a write
 * mostly measures the other work, while CPU time (this process, which runs
 * SQLite, plus the PostgreSQL server processes serving this database) is
 * what the write itself costs.
 */
type CpuMeter = () => Promise<{ node: number; server: number }>;
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}
function cpuMeter(pgUrl?: string): CpuMeter {
  return async () => {
    const u = process.cpuUsage();
    let server = 0;
    if (pgUrl) {
      const pg = (await import("pg")).default;
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      const pids = (await c.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")).rows.map((r) => Number(r.pid));
      await c.end();
      for (const pid of pids) server += processCpuMs(pid);
    }
    return { node: (u.user + u.system) / 1000, server };
  };
}
async function timedCpu<T>(meter: CpuMeter, fn: () => Promise<T>): Promise<[T, number, string]> {
  const c0 = await meter();
  const [r, t] = await time(fn);
  const c1 = await meter();
  const node = c1.node - c0.node;
  const server = c1.server - c0.server;
  const cpu = server > 0 ? `CPU ${fmt(node)} ms Node + ${fmt(server)} ms PostgreSQL` : `CPU ${fmt(node)} ms`;
  return [r, t, cpu];
}

async function bench(name: string, opts: StoreOptions, cleanup: () => Promise<void>) {
  const store: Store = await openStore(opts);
  const meter = cpuMeter("databaseUrl" in opts ? opts.databaseUrl : undefined);
  try {
    const p = await store.createProject({ title: "Benchmark" }, ctx);
    const records = syntheticRecords(N);
    // A word of one title that is uncommon across the collection.
    const rare = records[7]!.title!.split(" ").sort((a, b) => b.length - a.length)[0]!.toLowerCase();
    // Backends exist before the timed write, so their CPU is counted from zero.
    await Promise.all(Array.from({ length: 3 }, () => store.listProjects()));
    const [, tInsert, cpuInsert] = await timedCpu(meter, () => store.insert(p.id, "records", records, ctx));
    console.log(`\n[${name}] ${N.toLocaleString("en")} records`);
    console.log(`  bulk insert (one transaction, audited)      ${fmt(tInsert)} ms  (${rate(N, tInsert)} records/s; ${cpuInsert})`);
    const [, tSettle] = await time(() => store.settle());
    if (tSettle > 1) console.log(`  background VACUUM ANALYZE after the import   ${fmt(tSettle)} ms`);
    if ("dataDir" in opts) console.log(`  database file size                         ${(statSync(join(opts.dataDir, SQLITE_FILE)).size / 1e6).toFixed(0)} MB (+WAL)`);

    const [, tSingle] = await time(async () => {
      for (let i = 0; i < 500; i++) {
        await store.insert(p.id, "screeningDecisions", [{ recordId: `rec-${i}`, stage: "title_abstract", decision: i % 3 ? "exclude" : "include" }], ctx);
      }
    });
    console.log(`  single audited write (screening decision)   ${fmt(tSingle / 500)} ms each (${Math.round(500 / (tSingle / 1000))} writes/s)`);
    const [, tUpd] = await time(async () => {
      for (let i = 0; i < 200; i++) await store.update(p.id, "records", `rec-${i}`, { title: `Updated title ${i}` }, ctx);
    });
    console.log(`  single audited update (record, FTS kept)    ${fmt(tUpd / 200)} ms each`);

    const queries: [string, RecordsQueryInput][] = [
      ["first page (createdAt)", {}],
      ["sort title asc", { sort: "title" }],
      ["sort title desc", { sort: "title", dir: "desc" }],
      ["sort year desc", { sort: "year", dir: "desc" }],
      ["sort authors", { sort: "authors" }],
      ["sort journal, offset 50,000", { sort: "journal", offset: 50_000 }],
      ["sort title, last page", { sort: "title", offset: N - 100 }],
      ["search common word", { q: "reunification" }],
      ["search two words + sort year", { q: "foster children", sort: "year" }],
      ["search rare word (prefix)", { q: rare.slice(0, -1) }],
      ["search DOI", { q: `10.${1000}` }],
    ];
    console.log("  records table, 100 rows per page (median of 7):");
    for (const [label, q] of queries) {
      let total = 0;
      const t = await median(async () => {
        total = (await store.queryRecords(p.id, q)).total;
      });
      console.log(`    ${label.padEnd(32)} ${fmt(t).padStart(6)} ms   total ${total.toLocaleString("en")}`);
    }

    const [file, tExport] = await time(() => store.exportProject(p.id));
    const bytes = JSON.stringify(file).length;
    console.log(`  export project                               ${fmt(tExport)} ms (${(bytes / 1e6).toFixed(0)} MB JSON)`);
    const [, tImport, cpuImport] = await timedCpu(meter, () => store.importProject(file, { actor: "bench", copy: true }));
    console.log(`  import project (validate + one transaction)  ${fmt(tImport)} ms (${cpuImport})`);
    await store.settle();

    // As a records-file import writes: calls of 500 records inside one transaction.
    const q = await store.createProject({ title: "Chunked" }, ctx);
    const [, tChunked, cpuChunked] = await timedCpu(meter, () =>
      store.transaction(async (tx) => {
        for (let i = 0; i < records.length; i += 500) await tx.insert(q.id, "records", records.slice(i, i + 500), ctx);
      }),
    );
    console.log(`  insert in calls of 500, one transaction      ${fmt(tChunked)} ms  (${rate(N, tChunked)} records/s; ${cpuChunked})`);
  } finally {
    await store.close();
    await cleanup();
  }
}

// Timings depend on what else the machine is doing; say so with the figures.
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "homeward-bench-"));
await bench("SQLite", { dataDir: dir }, async () => rmSync(dir, { recursive: true, force: true }));
const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
if (pgUrl) {
  const pg = (await import("pg")).default;
  const reset = async () => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    await c.end();
  };
  await reset();
  await bench("PostgreSQL", { databaseUrl: pgUrl }, reset);
} else {
  console.log("\n(PostgreSQL skipped: set HOMEWARD_TEST_DATABASE_URL to include it)");
}
