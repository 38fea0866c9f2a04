// Screening benchmark: prioritisation quality against the reference baseline
// (ASReview 2 replica in the shared screening.py) on the shared labelled sets,
// seeds 1-3, and speed figures. Run after building: npm run bench -w @homeward/screening
// Options: --sets REGEX (default: all), --committed-baseline (skip running python),
// --model NAME (default: the default model; the speed part at 100,000 records uses it too).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { DEFAULT_SCREENING_MODEL, orderMetrics, Prioritiser, simulate, teamSimulation } from "../dist/index.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const dataDir = process.env.HOMEWARD_SCREENING_DATA ?? here("../../../../shared/data/screening/");
const script = process.env.HOMEWARD_SCREENING_PY ?? here("../../../../shared/bench/screening.py");
const argv = process.argv.slice(2);
const model = argv.includes("--model") ? argv[argv.indexOf("--model") + 1] : DEFAULT_SCREENING_MODEL;
const setRe = new RegExp(argv.includes("--sets") ? argv[argv.indexOf("--sets") + 1] : ".");
const committed = JSON.parse(readFileSync(here("./baseline.json"), "utf8")).runs;
const python = !argv.includes("--committed-baseline") && existsSync(script) && (() => {
  try { execFileSync("/usr/bin/python3", ["-c", "import sklearn, pandas"], { stdio: "ignore" }); return true; } catch { return false; }
})();
const run = promisify(execFile);

function load(file) {
  const rows = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true });
  const lab = "label_included" in rows[0] ? "label_included" : "label";
  return { texts: rows.map((r) => `${r.title ?? ""} ${r.abstract ?? ""}`), labels: rows.map((r) => Number(r[lab])) };
}
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const f3 = (x) => x.toFixed(3);

async function quality() {
  if (!existsSync(dataDir)) {
    console.log(`(no labelled sets at ${dataDir}; committed baseline figures only)`);
    return;
  }
  console.log(`Model: ${model}`);
  console.log(`Baseline: ${python ? "screening.py run live" : "committed figures (bench/baseline.json)"}\n`);
  console.log("set".padEnd(36), "N".padStart(5), "rel".padStart(4), "  WSS@95 ours/base   rec@10% ours/base   ATD ours/base   sim s (CPU s)");
  const diffs = [];
  for (const f of readdirSync(dataDir).filter((f) => f.endsWith(".csv") && setRe.test(f)).sort()) {
    const set = f.replace(/\.csv$/, "");
    const { texts, labels } = load(dataDir + f);
    const ours = [], base = [];
    let secs = 0;
    let cpu = 0;
    for (const seed of [1, 2, 3]) {
      const ref = committed.find((r) => r.set === set && r.seed === seed);
      const live = python ? run("/usr/bin/python3", [script, "baseline", dataDir + f, String(seed)], { maxBuffer: 1 << 24 }) : null;
      const priors = ref?.priors ?? execFileSync("/usr/bin/python3", [script, "priors", dataDir + f, String(seed)], { encoding: "utf8" }).trim().split(",").map(Number);
      const t = performance.now();
      const c = process.cpuUsage();
      const sim = simulate(texts, labels, priors, { seed, model });
      secs += (performance.now() - t) / 1000;
      cpu += process.cpuUsage(c).user / 1e6;
      ours.push(orderMetrics(sim.order, labels));
      base.push(live ? JSON.parse((await live).stdout) : ref);
    }
    const m = (arr, k) => mean(arr.filter(Boolean).map((x) => x[k]));
    const d = m(ours, "wss95") - m(base, "wss95");
    if (!Number.isNaN(d)) diffs.push({ set, d });
    console.log(set.padEnd(36), String(labels.length).padStart(5), String(labels.filter((v) => v).length).padStart(4),
      `  ${f3(m(ours, "wss95"))} / ${f3(m(base, "wss95"))}`, `     ${f3(m(ours, "recall10"))} / ${f3(m(base, "recall10"))}`,
      `     ${f3(m(ours, "atd"))} / ${f3(m(base, "atd"))}`, `  ${(secs / 3).toFixed(2)} (${(cpu / 3).toFixed(2)})`);
  }
  if (diffs.length) {
    const worst = diffs.reduce((a, b) => (b.d < a.d ? b : a));
    console.log(`\nmean WSS@95 difference (ours − baseline) over ${diffs.length} sets: ${diffs.reduce((s, x) => s + x.d, 0) / diffs.length >= 0 ? "+" : ""}${f3(mean(diffs.map((x) => x.d)))}; worst set ${worst.set} ${f3(worst.d)}`);
  }
}

function speed() {
  // 100,000 records built from the shared sets' titles and abstracts (title of
  // one record, abstract of another), so the vocabulary is that of real reviews.
  const pool = existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith(".csv")).flatMap((f) => parse(readFileSync(dataDir + f), { columns: true, bom: true })) : [];
  if (pool.length === 0) return;
  const N = 100_000;
  let state = 12345;
  const rnd = (n) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n);
  const p = new Prioritiser({ seed: 1, model });
  const relevant = new Set();
  const cpuOf = (c) => (process.cpuUsage(c).user / 1000).toFixed(0);
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const a = pool[rnd(pool.length)], b = pool[rnd(pool.length)];
    p.addRecord(`r${i}`, `${a.title ?? ""} ${b.abstract ?? ""}`);
    if (Number(a.label_included ?? a.label) === 1) relevant.add(`r${i}`);
  }
  console.log(`\nSpeed, ${N.toLocaleString("en")} records (wall, with CPU time of the process in brackets; texts are hashed at the first retrain)`);
  let decided = 0;
  const decide = (k) => {
    for (let j = 0; j < k; j++) {
      const id = p.next();
      p.setDecision(id, relevant.has(id));
      decided++;
    }
  };
  p.setDecision([...relevant][0], true);
  p.setDecision("r0", relevant.has("r0"));
  for (const target of [1_000, 10_000, 30_000]) {
    const c = process.cpuUsage();
    const r = p.retrain();
    console.log(`  retrain with ${r.labelled.toLocaleString("en")} decisions: ${(r.ms / 1000).toFixed(2)} s (${cpuOf(c)} ms CPU)${decided === 0 ? " (first: hashes every text, builds the TF-IDF matrix)" : ""}`);
    const lat = [];
    while (decided < target) {
      const t0 = performance.now();
      const id = p.next();
      lat.push(performance.now() - t0);
      p.setDecision(id, relevant.has(id));
      decided++;
      if (decided % 5000 === 0) p.retrain();
    }
    lat.sort((a, b) => a - b);
    console.log(`  next record served: median ${lat[lat.length >> 1].toFixed(3)} ms, max ${lat[lat.length - 1].toFixed(2)} ms over ${lat.length.toLocaleString("en")} requests`);
  }
  const c = process.cpuUsage();
  const r = p.retrain();
  console.log(`  retrain with ${r.labelled.toLocaleString("en")} decisions: ${(r.ms / 1000).toFixed(2)} s (${cpuOf(c)} ms CPU)`);
}

console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
/**
 * A team's simulation (the Models page's job) on 3,000 settled records
 * (retrained after every decision) and 10,000 (in batches), drawn from the
 * shared sets with their labels: the time a team waits.
 */
function teamSpeed() {
  const pool = existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith(".csv")).flatMap((f) => parse(readFileSync(dataDir + f), { columns: true, bom: true })) : [];
  if (pool.length === 0) return;
  let state = 777;
  const rnd = (n) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n);
  console.log(`\nA team's simulation with ${model} (wall, CPU in brackets)`);
  for (const n of [3_000, 10_000]) {
    const rows = Array.from({ length: n }, () => pool[rnd(pool.length)]);
    const c = process.cpuUsage();
    const t = performance.now();
    const res = teamSimulation({ texts: rows.map((r) => `${r.title ?? ""} ${r.abstract ?? ""}`), labels: rows.map((r) => Number(r.label_included ?? r.label)), models: [model], seed: 1 });
    const run = res.runs[0];
    console.log(`  ${n.toLocaleString("en")} records (${res.relevant} relevant${run.batched ? ", retrained in batches" : ""}): ${((performance.now() - t) / 1000).toFixed(1)} s (${(process.cpuUsage(c).user / 1e6).toFixed(1)} s CPU), ${run.fits} fits, WSS@95 ${run.wss95.toFixed(3)}`);
  }
}

if (argv.includes("--team-only")) teamSpeed();
else {
  if (!argv.includes("--speed-only")) await quality();
  speed();
  teamSpeed();
}
