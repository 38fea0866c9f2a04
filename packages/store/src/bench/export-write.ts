import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { exportProjectJson, openStore } from "../index.js";
import { syntheticRecords } from "./synthetic.js";

/**
 * A small write issued while a project of N records is exported as JSON
 * text, on SQLite (a data folder): how long the write waits, with the
 * export's snapshot read on the store's own connection in the main thread (as
 * before: `transaction(tx => tx.exportProject)` still reads there) and in a
 * worker thread on a read-only connection of its own (`exportProjectJson`). The write's time counts from when it was due, so
 * time the event loop spent blocked in a synchronous read counts too. Runs each REPS times, alternating, and prints the
 * medians with the load average. N = $HOMEWARD_BENCH_RECORDS (default
 * 100000), REPS = $HOMEWARD_BENCH_REPS (default 3).
 */
const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const REPS = Number(process.env.HOMEWARD_BENCH_REPS ?? 3);
const ctx = { actor: "bench" };
/** The write starts this long after the export, so it lands while the export reads. */
const WRITE_AFTER_MS = 300;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "homeward-export-write-"));
  const store = await openStore({ dataDir: dir });
  try {
    const p = await store.createProject({ title: "Export while writing" }, ctx);
    await store.insert(p.id, "records", syntheticRecords(N), ctx);
    console.log(`SQLite, ${N.toLocaleString("en")} records; a one-row audited write (a search) issued ${WRITE_AFTER_MS} ms into the export; ${REPS} runs each; load ${load()}`);
    const runs: Record<"same" | "own", { write: number[]; exp: number[] }> = { same: { write: [], exp: [] }, own: { write: [], exp: [] } };
    let n = 0;
    for (let rep = 0; rep < REPS; rep++) {
      for (const how of ["same", "own"] as const) {
        const t0 = performance.now();
        const exporting = (how === "same" ? store.transaction(async (tx) => JSON.stringify(await tx.exportProject(p.id))) : exportProjectJson(store, p.id)).then((text) => {
          const t = performance.now() - t0;
          return { t, bytes: text.length };
        });
        await new Promise((r) => setTimeout(r, WRITE_AFTER_MS));
        // From when the write was due, not when the timer ran: a read blocking the event loop delays both.
        const w0 = t0 + WRITE_AFTER_MS;
        await store.insert(p.id, "searches", [{ id: `bench-${n++}`, source: "Bench", kind: "database", date: null, query: "" }], ctx);
        const write = performance.now() - w0;
        const e = await exporting;
        runs[how].write.push(write);
        runs[how].exp.push(e.t);
        console.log(`  ${how === "same" ? "store's connection  " : "worker, read-only   "}  write ${write.toFixed(0).padStart(6)} ms   export ${e.t.toFixed(0).padStart(6)} ms   load ${load()}`);
      }
    }
    console.log(`median: store's connection: write waits ${median(runs.same.write).toFixed(0)} ms, export ${median(runs.same.exp).toFixed(0)} ms`);
    console.log(`median: worker, read-only connection: write waits ${median(runs.own.write).toFixed(0)} ms, export ${median(runs.own.exp).toFixed(0)} ms   (load ${load()})`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
