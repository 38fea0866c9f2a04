import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
 *
 * The machine may be shared, so each run also prints CPU time, which other
 * work moves far less than wall time: the importing process's (user +
 * system, from `/usr/bin/time` where there is one, with its peak resident
 * memory) and, for PostgreSQL on
 * this machine, its server processes' for the bench's database (read from
 * `/proc` every 0.2 s while the command runs; Linux only).
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

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const dbName = PG ? decodeURIComponent(new URL(PG).pathname.slice(1)) : "";

/** CPU seconds so far of each PostgreSQL server process serving the bench's database, by pid. */
function serverCpu(into: Map<number, number>): void {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      // A backend's title: "postgres: <cluster>: <user> <database> <client> <state>".
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!title.startsWith("postgres: ") || !title.includes(` ${dbName} `)) continue;
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      into.set(Number(pid), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // gone meanwhile
    }
  }
}

interface Run {
  wall: number;
  /** CPU seconds of the importing process, when measured. */
  client: number | null;
  /** CPU seconds of the database's server processes, when measured. */
  server: number | null;
  /** Peak resident memory of the importing process, MB, when measured. */
  rss: number | null;
}

/** `homeward records import` as a child process, with its CPU time and, on PostgreSQL, the server's. */
async function timedImport(bin: string, args: string[], env: NodeJS.ProcessEnv, pg: boolean): Promise<Run> {
  const before = new Map<number, number>();
  const during = new Map<number, number>();
  if (pg) serverCpu(before);
  const t = performance.now();
  const cmd = TIME ? [TIME, "-f", "cpu %U %S %M", process.execPath, bin, ...args] : [process.execPath, bin, ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const sample = pg ? setInterval(() => serverCpu(during), 200) : null;
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (sample) clearInterval(sample);
  const wall = (performance.now() - t) / 1000;
  if (pg) serverCpu(during);
  if (code !== 0) throw new Error(`homeward ${args.join(" ")} exited ${code}: ${stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
  let server: number | null = null;
  if (pg && during.size) {
    server = 0;
    for (const [pid, s] of during) server += s - (before.get(pid) ?? 0);
  }
  return { wall, client: m ? Number(m[1]) + Number(m[2]) : null, server, rss: m ? Math.round(Number(m[3]) / 1024) : null };
}

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

async function once(engine: "SQLite" | "PostgreSQL", bin: string): Promise<Run> {
  const data = join(dir, `data-${engine}-${Date.now()}`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOMEWARD_USER: "bench" };
  delete env.DATABASE_URL;
  if (engine === "PostgreSQL") {
    await resetPostgres(PG!);
    env.DATABASE_URL = PG;
  }
  // Answers "<id>\t<title>".
  const id = cli(bin, ["project", "create", "--title", "Import bench", "--data", data], env).split("\t")[0]!.trim();
  const run = await timedImport(bin, ["records", "import", "--file", file, "--project", id, "--source", "Bench", "--data", data], env, engine === "PostgreSQL");
  rmSync(data, { recursive: true, force: true });
  return run;
}

const engines: ("SQLite" | "PostgreSQL")[] = PG ? ["SQLite", "PostgreSQL"] : ["SQLite"];
const times: Record<string, number[]> = {};
const cpus: Record<string, number[]> = {};
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const cpuOf = (r: Run) =>
  r.client === null ? "" : `; CPU ${r.client.toFixed(1)} s importing${r.server === null ? "" : ` + ${r.server.toFixed(1)} s server = ${(r.client + r.server).toFixed(1)} s`}; peak RSS ${r.rss} MB`;
for (let k = 0; k < ROUNDS; k++) {
  for (const e of engines) {
    for (const [name, bin] of (BASELINE ? [[`${e} (baseline)`, BASELINE]] : []).concat([[e, CLI]])) {
      const r = await once(e, bin!);
      (times[name!] ??= []).push(r.wall);
      if (r.client !== null) (cpus[name!] ??= []).push(r.client + (r.server ?? 0));
      console.log(`  ${name} run ${k + 1}: ${r.wall.toFixed(1)} s${cpuOf(r)} (load average ${load()})`);
    }
  }
}
const med = (xs: number[]) => {
  const o = [...xs].sort((a, b) => a - b);
  return o.length % 2 ? o[(o.length - 1) / 2]! : (o[o.length / 2 - 1]! + o[o.length / 2]!) / 2;
};
for (const [e, ts] of Object.entries(times)) {
  const cpu = cpus[e]?.length === ts.length ? `; CPU median ${med(cpus[e]!).toFixed(1)} s` : "";
  console.log(`  ${e}: median ${med(ts).toFixed(1)} s of ${ts.map((s) => `${s.toFixed(1)} s`).join(", ")}${cpu} (homeward records import, whole command)`);
}
if (PG) {
  for (const suffix of BASELINE ? [" (baseline)", ""] : [""]) {
    const [p, s] = [`PostgreSQL${suffix}`, `SQLite${suffix}`];
    const cpu = cpus[p]?.length && cpus[s]?.length ? `, CPU ${(med(cpus[p]!) / med(cpus[s]!)).toFixed(2)}×` : "";
    console.log(`  PostgreSQL / SQLite${suffix}: wall ${(med(times[p]!) / med(times[s]!)).toFixed(2)}×${cpu} (medians)`);
  }
}
rmSync(dir, { recursive: true, force: true });
