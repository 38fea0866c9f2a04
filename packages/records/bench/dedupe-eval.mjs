// Duplicate detection: the evaluation protocol every change to the detector is judged by.
//
// The shared labelled sets are split into two fixed halves, whole sets at a time (records of one
// set are never split across halves):
//   TUNING    — rules and thresholds may be chosen by looking at these sets' figures and mistakes;
//   REPORTING — figures only. Their mistakes are never printed, so they cannot steer a change.
// A change is kept when it helps (or does not hurt) the tuning half; both halves are then published
// as they come out (packages/records/README.md). There are no per-set parameters: every set runs
// the same `dedupe(records)`.
//
// Counting is the shared scorer's (`../shared/bench/dedupe_eval.py`, as the BibDedupe benchmark
// counts at record level): a record wrongly removed is a false positive, a duplicate left in is a
// false negative. Pair-level false merges (two records in one predicted group that the labels put
// apart) are counted here too, since one wrong group can remove one record but join several pairs.
//
// usage: node bench/dedupe-eval.mjs [--show N]   (after `npx tsc -b packages/records`)
//   --show N   prints up to N false merges and N missed duplicate pairs of each TUNING set.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { dedupe, parseAll } from "../dist/index.js";

export const TUNING = ["cytology_screening", "haematology"];
export const REPORTING = ["respiratory"];
/** BibDedupe's published sensitivity on each set, for comparison only. */
const BIBDEDUPE = { cytology_screening: 0.992, haematology: 0.889, respiratory: 0.936 };

const root = new URL("../../../../shared/", import.meta.url).pathname;
const dataDir = join(root, "data/dedupe");
const scorer = join(root, "bench/dedupe_eval.py");
const python = "/usr/bin/python3";
if (!existsSync(dataDir) || !existsSync(scorer)) {
  console.log(`dedupe evaluation skipped: ${dataDir} or ${scorer} not found`);
  process.exit(0);
}
const showArg = process.argv.indexOf("--show");
const show = showArg > 0 ? Number(process.argv[showArg + 1] ?? 10) : 0;
const known = new Set(readdirSync(dataDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
for (const s of [...TUNING, ...REPORTING]) if (!known.has(s)) throw new Error(`set ${s} is not in ${dataDir}`);
const unassigned = [...known].filter((s) => !TUNING.includes(s) && !REPORTING.includes(s));

const tmp = mkdtempSync(join(tmpdir(), "homeward-dedupe-eval-"));
const score = (dir, result) => {
  const out = join(tmp, `out-${Math.random()}.json`);
  writeFileSync(out, JSON.stringify(result));
  return JSON.parse(execFileSync(python, [scorer, dir, out]).toString());
};

async function evaluate(set, half) {
  const dir = join(dataDir, set);
  const raw = readFileSync(join(dir, "records_pre_merged.csv"));
  const { records } = await parseAll(raw, { fileName: "records_pre_merged.csv" });
  const input = records.map((r) => ({ ...r, id: r.sourceId }));
  const truth = parse(readFileSync(join(dir, "merged_record_ids.csv")), { columns: true }).map((r) => r.merged_ids.split(";"));
  const trueGroup = new Map();
  truth.forEach((g, i) => g.forEach((id) => trueGroup.set(id, i)));
  const t = performance.now();
  const res = dedupe(input);
  const ms = performance.now() - t;
  const s = score(dir, res);
  // Pair level: every pair inside a predicted group is a merge; it is false when the labels put the two apart.
  let merges = 0;
  let falseMerges = 0;
  const wrong = [];
  const predicted = new Map();
  res.groups.forEach((g, i) => g.forEach((id) => predicted.set(id, i)));
  for (const g of res.groups) {
    for (let p = 0; p < g.length; p++)
      for (let q = p + 1; q < g.length; q++) {
        merges++;
        const a = trueGroup.get(g[p]);
        if (a === undefined || a !== trueGroup.get(g[q])) {
          falseMerges++;
          wrong.push([g[p], g[q]]);
        }
      }
  }
  let truePairs = 0;
  let foundPairs = 0;
  const missed = [];
  for (const g of truth) {
    for (let p = 0; p < g.length; p++)
      for (let q = p + 1; q < g.length; q++) {
        truePairs++;
        if (predicted.get(g[p]) === predicted.get(g[q])) foundPairs++;
        else missed.push([g[p], g[q]]);
      }
  }
  // Missed pairs a reviewer is asked about (directly, or through a record of each side's group).
  const asked = new Set(res.maybe.map(([x, y]) => [predicted.get(x), predicted.get(y)].sort((p, q) => p - q).join(" ")));
  const missedAsked = missed.filter(([x, y]) => asked.has([predicted.get(x), predicted.get(y)].sort((p, q) => p - q).join(" "))).length;
  const byId = new Map(input.map((r) => [r.id, r]));
  if (show && half === "tuning") {
    const line = (r) => `    ${r.id}  ${r.year ?? ""} | ${(r.authors ?? []).slice(0, 2).join("; ")} | ${r.title ?? ""} | ${r.journal ?? ""} ${r.volume ?? ""}(${r.issue ?? ""}) ${r.pages ?? ""} ${r.doi ?? ""} [${r.type ?? ""}]`;
    for (const [label, list] of [["false merge", wrong], ["missed", missed]]) {
      for (const [a, b] of list.slice(0, show)) {
        console.log(`  ${set} ${label}:`);
        console.log(line(byId.get(a)));
        console.log(line(byId.get(b)));
      }
    }
  }
  return {
    set,
    half,
    records: records.length,
    truePairs,
    ...s,
    specificity: s.TN + s.FP ? s.TN / (s.TN + s.FP) : 1,
    merges,
    falseMerges,
    pairRecall: truePairs ? foundPairs / truePairs : 1,
    missedPairs: missed.length,
    missedAsked,
    maybe: res.maybe.length,
    ms,
  };
}

const rows = [];
for (const set of TUNING) rows.push(await evaluate(set, "tuning"));
for (const set of REPORTING) rows.push(await evaluate(set, "reporting"));
rmSync(tmp, { recursive: true, force: true });

const f4 = (x) => x.toFixed(4);
console.log("\nDuplicate detection, two halves (record-level counts by the shared scorer; pairs counted here)");
console.log("half       set                  records  dup.pairs   TP   FP   FN    TN  sensitivity  specificity  precision  false merges (pairs)  pair recall  BibDedupe sens.  maybe  missed pairs (asked)    time");
const fmt = (r) =>
  `${r.half.padEnd(10)} ${r.set.padEnd(19)} ${String(r.records).padStart(8)} ${String(r.truePairs).padStart(10)} ${String(r.TP).padStart(4)} ${String(r.FP).padStart(4)} ${String(r.FN).padStart(4)} ${String(r.TN).padStart(5)}  ${f4(r.sensitivity).padStart(11)}  ${f4(r.specificity).padStart(11)}  ${f4(r.precision).padStart(9)}  ${String(r.falseMerges).padStart(20)}  ${f4(r.pairRecall).padStart(11)}  ${(BIBDEDUPE[r.set]?.toFixed(3) ?? "–").padStart(15)}  ${String(r.maybe).padStart(5)}  ${`${r.missedPairs} (${r.missedAsked})`.padStart(20)}  ${r.ms.toFixed(0).padStart(4)} ms`;
for (const half of ["tuning", "reporting"]) {
  const hs = rows.filter((r) => r.half === half);
  for (const r of hs) console.log(fmt(r));
  const sum = (k) => hs.reduce((n, r) => n + r[k], 0);
  const TP = sum("TP");
  const FP = sum("FP");
  const FN = sum("FN");
  const TN = sum("TN");
  console.log(
    `${half.padEnd(10)} ${"(all)".padEnd(19)} ${String(sum("records")).padStart(8)} ${String(sum("truePairs")).padStart(10)} ${String(TP).padStart(4)} ${String(FP).padStart(4)} ${String(FN).padStart(4)} ${String(TN).padStart(5)}  ${f4(TP / (TP + FN)).padStart(11)}  ${f4(TN / (TN + FP)).padStart(11)}  ${f4(TP / (TP + FP)).padStart(9)}  ${String(sum("falseMerges")).padStart(20)}  ${"".padStart(11)}  ${"".padStart(15)}  ${String(sum("maybe")).padStart(5)}  ${`${sum("missedPairs")} (${sum("missedAsked")})`.padStart(20)}`,
  );
}
if (unassigned.length) console.log(`\nsets in neither half (assign them in bench/dedupe-eval.mjs): ${unassigned.join(", ")}`);
console.log(`\ntuning: ${TUNING.join(", ")}; reporting: ${REPORTING.join(", ")}${show ? " (mistakes shown for the tuning half only)" : ""}`);
