import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticRecords } from "./synthetic.js";

/**
 * A records file imported through the CLI (`homeward records import`) on
 * SQLite and, when HOMEWARD_BENCH_DATABASE_URL names an empty database the
 * bench may reset, on PostgreSQL: wall time of the whole command (reading,
 * parsing, checking, writing, indexing). N = $HOMEWARD_BENCH_IMPORT_RECORDS
 * (default 20,000); the same generated RIS file for both engines, the
 * engines alternating for $HOMEWARD_BENCH_IMPORT_ROUNDS rounds (default 1).
 * Prints each run with the load average as it ended (the machine may be
 * shared) and the medians; asserts nothing. With
 * $HOMEWARD_BENCH_IMPORT_BASELINE_CLI (the `bin/homeward.js` of another
 * build, e.g. an older checkout's), each run of this build is preceded by
 * one of that build on the same engine and file: before and after, back to
 * back.
 */
const N = Number(process.env.HOMEWARD_BENCH_IMPORT_RECORDS ?? 20_000);
const PG = process.env.HOMEWARD_BENCH_DATABASE_URL;
const ROUNDS = Number(process.env.HOMEWARD_BENCH_IMPORT_ROUNDS ?? 1);
const CLI = fileURLToPath(new URL("../../../cli/bin/homeward.js", import.meta.url));
const BASELINE = process.env.HOMEWARD_BENCH_IMPORT_BASELINE_CLI;

const dir = mkdtempSync(join(tmpdir(), "homeward-import-bench-"));
const file = join(dir, "records.ris");
let ris = "";
for (const r of syntheticRecords(N)) {
  ris += `TY  - JOUR\nTI  - ${r.title}\n${(r.authors ?? []).map((a) => `AU  - ${a}\n`).join("")}${r.year ? `PY  - ${r.year}\n` : ""}T2  - ${r.journal}\nVL  - ${r.volume}\nSP  - ${r.pages}\nDO  - ${r.doi}\nKW  - ${(r.keywords ?? []).join("\nKW  - ")}\nAB  - ${r.abstract}\nER  - \n\n`;
}
writeFileSync(file, ris);
console.log(`${N.toLocaleString("en")} records, RIS file of ${(ris.length / 1e6).toFixed(1)} MB`);

function cli(bin: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`homeward ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

async function resetPostgres(url: string): Promise<void> {
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS pgboss CASCADE");
  await c.end();
}

async function once(engine: "SQLite" | "PostgreSQL", bin: string): Promise<number> {
  const data = join(dir, `data-${engine}-${Date.now()}`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOMEWARD_USER: "bench" };
  delete env.DATABASE_URL;
  if (engine === "PostgreSQL") {
    await resetPostgres(PG!);
    env.DATABASE_URL = PG;
  }
  // Answers "<id>\t<title>".
  const id = cli(bin, ["project", "create", "--title", "Import bench", "--data", data], env).split("\t")[0]!.trim();
  const t = performance.now();
  cli(bin, ["records", "import", "--file", file, "--project", id, "--source", "Bench", "--data", data], env);
  const s = (performance.now() - t) / 1000;
  rmSync(data, { recursive: true, force: true });
  return s;
}

const engines: ("SQLite" | "PostgreSQL")[] = PG ? ["SQLite", "PostgreSQL"] : ["SQLite"];
const times: Record<string, number[]> = {};
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
for (let k = 0; k < ROUNDS; k++) {
  for (const e of engines) {
    if (BASELINE) {
      const b = await once(e, BASELINE);
      (times[`${e} (baseline)`] ??= []).push(b);
      console.log(`  ${e} (baseline) run ${k + 1}: ${b.toFixed(1)} s (load average ${load()})`);
    }
    const s = await once(e, CLI);
    (times[e] ??= []).push(s);
    console.log(`  ${e} run ${k + 1}: ${s.toFixed(1)} s (load average ${load()})`);
  }
}
const med = (xs: number[]) => {
  const o = [...xs].sort((a, b) => a - b);
  return o.length % 2 ? o[(o.length - 1) / 2]! : (o[o.length / 2 - 1]! + o[o.length / 2]!) / 2;
};
for (const [e, ts] of Object.entries(times)) console.log(`  ${e}: median ${med(ts).toFixed(1)} s of ${ts.map((s) => `${s.toFixed(1)} s`).join(", ")} (homeward records import, whole command)`);
if (PG) {
  console.log(`  PostgreSQL / SQLite: ${(med(times.PostgreSQL!) / med(times.SQLite!)).toFixed(2)}× (medians)`);
  if (BASELINE) console.log(`  PostgreSQL / SQLite, baseline: ${(med(times["PostgreSQL (baseline)"]!) / med(times["SQLite (baseline)"]!)).toFixed(2)}× (medians)`);
}
rmSync(dir, { recursive: true, force: true });
