// Screening evaluation protocol: every named model (src/models.ts) on a fixed
// split of the shared labelled sets into a tuning half and a reporting half
// (decided by set, before any result was seen; README "Evaluation protocol"),
// from the same priors and seeds for every model. Prints both halves' tables
// (WSS@95, recall@10%, records screened to 95% recall) per set and mean, the
// differences against the ELAS u4 replica, and which model the rule picks.
// Run after building: npm run eval:screening -w @homeward/screening
// Options: --seeds 1,2 (default; priors as ../shared/bench/screening.py draws
// them, committed in bench/baseline.json), --models a,b (default: all),
// --json FILE (write the runs), --sets REGEX (a smoke run on some sets; the
// protocol's figures come from all of them), --half tuning|reporting|both (default both:
// try a change on the tuning half first; it goes to the reporting half only
// if it wins there).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { orderMetrics, SCREENING_MODEL_NAMES, screeningModel, simulate } from "../dist/index.js";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const dataDir = process.env.HOMEWARD_SCREENING_DATA ?? here("../../../../shared/data/screening/");
const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const seeds = arg("--seeds", "1,2").split(",").map(Number);
const REPLICA = "elas_u4";
// The replica is the anchor of every comparison, so it always runs.
const models = [...new Set([REPLICA, ...arg("--models", SCREENING_MODEL_NAMES.join(",")).split(",")])];
const setRe = new RegExp(arg("--sets", "."));
const halves = arg("--half", "both") === "both" ? ["tuning", "reporting"] : [arg("--half")];

// Changes under trial, not offered to teams until the protocol keeps them.
const TRIALS = {
  // The committee with ASReview's rescaled balanced weights (its loss to the replica came with unrescaled ones).
  committee_rescaled: { ...screeningModel("committee"), name: "committee_rescaled", balancer: { kind: "balanced", ratio: 9.8, normalise: true }, features: screeningModel("elas_u4").features },
};
const specOf = (m) => TRIALS[m] ?? m;
const TOLERANCE = 0.02;

// Fixed before any result of this protocol was seen (README, "Evaluation protocol").
export const SPLIT = {
  tuning: [
    "Bannach-Brown_2019",
    "Cohen_2006_ACEInhibitors",
    "Cohen_2006_ADHD",
    "Cohen_2006_ProtonPumpInhibitors",
    "Cohen_2006_AtypicalAntipsychotics",
    "Cohen_2006_CalciumChannelBlockers",
    "Cohen_2006_NSAIDS",
    "Cohen_2006_OralHypoglycemics",
    "Cohen_2006_Triptans",
  ],
  reporting: [
    "Cohen_2006_Antihistamines",
    "Cohen_2006_BetaBlockers",
    "Cohen_2006_Estrogens",
    "Cohen_2006_Opiods",
    "Cohen_2006_SkeletalMuscleRelaxants",
    "Cohen_2006_UrinaryIncontinence",
  ],
};

const committed = JSON.parse(readFileSync(here("./baseline.json"), "utf8")).runs;
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const f3 = (x) => (x >= 0 ? " " : "") + x.toFixed(3);
const sign = (x) => (x >= 0 ? "+" : "") + x.toFixed(3);

function load(set) {
  const rows = parse(readFileSync(`${dataDir}${set}.csv`), { columns: true, bom: true, skip_empty_lines: true });
  const lab = "label_included" in rows[0] ? "label_included" : "label";
  return { texts: rows.map((r) => `${r.title ?? ""} ${r.abstract ?? ""}`), labels: rows.map((r) => Number(r[lab])) };
}

if (!existsSync(dataDir)) {
  console.log(`no labelled sets at ${dataDir}`);
  process.exit(1);
}
console.log(`${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
console.log(`models ${models.join(", ")}; seeds ${seeds.join(", ")} (priors from bench/baseline.json, as screening.py draws them)\n`);

const runs = [];
const cpuByModel = Object.fromEntries(models.map((m) => [m, 0]));
for (const half of halves) {
  for (const set of SPLIT[half].filter((s) => setRe.test(s))) {
    const { texts, labels } = load(set);
    for (const seed of seeds) {
      const ref = committed.find((r) => r.set === set && r.seed === seed);
      if (!ref) throw new Error(`no committed priors for ${set} seed ${seed}`);
      for (const model of models) {
        const c = process.cpuUsage();
        const sim = simulate(texts, labels, ref.priors, { seed, model: specOf(model) });
        const cpu = process.cpuUsage(c).user / 1e6;
        cpuByModel[model] += cpu;
        const m = orderMetrics(sim.order, labels);
        runs.push({ half, set, seed, model, records: m.records, relevant: m.relevant, n95: m.n95, wss95: m.wss95, recall10: m.recall10, cpu });
      }
    }
    process.stderr.write(`  ${set} done\n`);
  }
}

const cell = (half, set, model, k) => mean(runs.filter((r) => r.half === half && r.set === set && r.model === model).map((r) => r[k]));
const summary = {};
for (const half of halves) {
  console.log(`\n${half.toUpperCase()} HALF — mean of seeds ${seeds.join(", ")}: WSS@95 / recall@10% / records screened to 95% recall`);
  console.log("set".padEnd(36) + "N".padStart(6) + "rel".padStart(5) + models.map((m) => m.padStart(26)).join(""));
  for (const set of SPLIT[half].filter((s) => setRe.test(s))) {
    const r0 = runs.find((r) => r.set === set);
    console.log(set.padEnd(36) + String(r0.records).padStart(6) + String(r0.relevant).padStart(5) + models.map((m) => `${f3(cell(half, set, m, "wss95"))} / ${cell(half, set, m, "recall10").toFixed(3)} / ${Math.round(cell(half, set, m, "n95"))}`.padStart(26)).join(""));
  }
  summary[half] = {};
  for (const m of models) {
    const per = SPLIT[half].filter((s) => setRe.test(s)).map((set) => ({ set, wss: cell(half, set, m, "wss95"), d: cell(half, set, m, "wss95") - cell(half, set, REPLICA, "wss95") }));
    const worst = per.reduce((a, b) => (b.d < a.d ? b : a));
    summary[half][m] = { mean: mean(per.map((p) => p.wss)), meanRecall10: mean(SPLIT[half].filter((s) => setRe.test(s)).map((s) => cell(half, s, m, "recall10"))), meanDiff: mean(per.map((p) => p.d)), worst };
  }
  console.log("mean".padEnd(47) + models.map((m) => `${f3(summary[half][m].mean)} / ${summary[half][m].meanRecall10.toFixed(3)}`.padStart(26)).join(""));
  console.log(`vs ${REPLICA}: mean / worst set`.padEnd(47) + models.map((m) => `${sign(summary[half][m].meanDiff)} / ${sign(summary[half][m].worst.d)}`.padStart(26)).join(""));
}

// The rule: a change against the replica is kept only if it wins on the tuning
// half and, on the reporting half, its mean is not below the replica's and no
// set is more than 0.02 below it. Among those, the best on the tuning half.
let pick = null;
if (halves.length === 2) {
  console.log(`\nRule: beat ${REPLICA} on the tuning half's mean; on the reporting half, mean ≥ ${REPLICA}'s and no set below it by more than ${TOLERANCE}.`);
  pick = REPLICA;
  for (const m of models.filter((m) => m !== REPLICA)) {
    const t = summary.tuning[m], r = summary.reporting[m];
    const ok = t.meanDiff > 0 && r.meanDiff >= 0 && r.worst.d >= -TOLERANCE;
    console.log(`  ${m}: tuning ${sign(t.meanDiff)}; reporting ${sign(r.meanDiff)}, worst ${r.worst.set} ${sign(r.worst.d)} → ${ok ? "kept" : "not kept"}`);
    if (ok && t.meanDiff > (pick === REPLICA ? 0 : summary.tuning[pick].meanDiff)) pick = m;
  }
  console.log(`Default: ${pick}`);
} else if (halves[0] === "tuning") {
  console.log(`\nTuning half only: a change that beats ${REPLICA} here goes on to the reporting half (--half both).`);
}
console.log(`\nCPU seconds per simulation: ${models.map((m) => `${m} ${(cpuByModel[m] / (runs.length / models.length)).toFixed(1)}`).join(", ")}`);
const json = arg("--json", null);
if (json) writeFileSync(json, JSON.stringify({ seeds, models, split: SPLIT, runs, summary, pick }, null, 1));
