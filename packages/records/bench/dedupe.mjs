// Duplicate detection benchmark: the labelled sets scored by the shared scorer
// (counting as the BibDedupe benchmark does), then run time on synthetic sets
// of 10k–100k records made by perturbing the labelled records.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dedupe, parseAll } from "../dist/index.js";

const root = new URL("../../../../shared/", import.meta.url).pathname;
const dataDir = join(root, "data/dedupe");
const scorer = join(root, "bench/dedupe_eval.py");
const python = "/usr/bin/python3";
if (!existsSync(dataDir) || !existsSync(scorer)) {
  console.log(`dedupe benchmark skipped: ${dataDir} or ${scorer} not found`);
  process.exit(0);
}
const tmp = mkdtempSync(join(tmpdir(), "homeward-dedupe-bench-"));
const score = (dir, result) => {
  const out = join(tmp, `out-${Math.random()}.json`);
  writeFileSync(out, JSON.stringify(result));
  return JSON.parse(execFileSync(python, [scorer, dir, out]).toString());
};
const SETS = { cytology_screening: 0.992, haematology: 0.889, respiratory: 0.936 };

console.log("Duplicate detection on the labelled sets (record-level counts, shared scorer)");
console.log("set                   records    TP   FP   FN    TN  sensitivity  precision  BibDedupe sens.  maybe  time");
const all = [];
for (const [set, bib] of Object.entries(SETS)) {
  const dir = join(dataDir, set);
  const { records } = await parseAll(readFileSync(join(dir, "records_pre_merged.csv")), { fileName: "records_pre_merged.csv" });
  const input = records.map((r) => ({ ...r, id: r.sourceId }));
  all.push(...input.map((r) => ({ ...r, set })));
  const t = performance.now();
  const res = dedupe(input);
  const ms = performance.now() - t;
  const s = score(dir, res);
  console.log(
    `${set.padEnd(20)} ${String(records.length).padStart(8)} ${String(s.TP).padStart(5)} ${String(s.FP).padStart(4)} ${String(s.FN).padStart(4)} ${String(s.TN).padStart(5)}  ${s.sensitivity.toFixed(4).padStart(11)}  ${s.precision.toFixed(4).padStart(9)}  ${bib.toFixed(3).padStart(15)}  ${String(res.maybe.length).padStart(5)}  ${ms.toFixed(0)} ms`,
  );
}

// ---------------------------------------------------------------- synthetic scale
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(42);
const pick = (xs) => xs[Math.floor(r() * xs.length)];
const words = [...new Set(all.flatMap((x) => (x.title ?? "").toLowerCase().split(/[^a-z]+/)).filter((w) => w.length > 3))];
const surnames = [...new Set(all.flatMap((x) => x.authors.map((a) => a.split(",")[0].trim())).filter(Boolean))];
const journals = [...new Set(all.map((x) => x.journal).filter(Boolean))];

/** A new work: a real record with a reworded title, other authors and new locators. */
function newWork(k) {
  const b = pick(all);
  const t = (b.title ?? pick(words)).split(" ");
  for (let i = 0; i < 3; i++) t[Math.floor(r() * t.length)] = pick(words);
  const year = 1980 + Math.floor(r() * 44);
  const sp = 1 + Math.floor(r() * 2000);
  return {
    id: `w${k}`,
    title: t.join(" "),
    authors: Array.from({ length: 1 + Math.floor(r() * 6) }, () => `${pick(surnames)}, ${String.fromCharCode(65 + Math.floor(r() * 26))}.`),
    year: String(year),
    journal: pick(journals),
    volume: String(1 + Math.floor(r() * 300)),
    issue: String(1 + Math.floor(r() * 12)),
    pages: `${sp}-${sp + Math.floor(r() * 15)}`,
    type: "article",
  };
}
/** A copy of a work as another database would write it. */
function perturb(w, id) {
  const c = { ...w, id };
  const roll = r();
  if (roll < 0.3) c.title = c.title.toUpperCase();
  else if (roll < 0.5) c.title = `${c.title}.`;
  else if (roll < 0.6) c.title = `[${c.title}]`;
  if (r() < 0.5) c.authors = c.authors.map((a) => a.replace(/,\s*([A-Z])\./, " $1"));
  if (r() < 0.3) c.pages = c.pages.replace(/^(\d+)-(\d+)$/, (_, a, b) => (b.length === a.length && b.slice(0, -1) === a.slice(0, -1) ? `${a}-${b.slice(-1)}` : `${a}-${b}`));
  if (r() < 0.2) c.pages = undefined;
  if (r() < 0.2) c.issue = undefined;
  return c;
}
function synth(n) {
  const recs = [];
  const groups = [];
  let k = 0;
  while (recs.length < n) {
    const w = newWork(k++);
    const copies = r() < 0.3 ? 1 + Math.floor(r() * 3) : 0;
    const ids = [w.id];
    recs.push(w);
    for (let c = 0; c < copies && recs.length < n; c++) {
      const p = perturb(w, `${w.id}-${c}`);
      recs.push(p);
      ids.push(p.id);
    }
    if (ids.length > 1) groups.push(ids);
  }
  // Shuffle so duplicates are not adjacent.
  for (let i = recs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [recs[i], recs[j]] = [recs[j], recs[i]];
  }
  return { recs, groups };
}
const csvCell = (v) => (v === undefined ? "" : `"${String(v).replace(/"/g, '""')}"`);
console.log("\nSynthetic sets (perturbed copies of the labelled records; scored by the shared scorer)");
console.log("records   wall     CPU      CPU per 1k   TP      FP  FN     sensitivity");
for (const n of [10_000, 25_000, 50_000, 100_000]) {
  const { recs, groups } = synth(n);
  const t = performance.now();
  const c0 = process.cpuUsage();
  const res = dedupe(recs);
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const dir = join(tmp, `synth-${n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "records_pre_merged.csv"), `"ID"\n${recs.map((x) => csvCell(x.id)).join("\n")}\n`);
  writeFileSync(join(dir, "merged_record_ids.csv"), `merged_ids\n${groups.map((g) => csvCell(g.join(";"))).join("\n")}\n`);
  const s = score(dir, res);
  console.log(`${String(n).padStart(7)}  ${(ms / 1000).toFixed(2).padStart(6)} s  ${(cpuMs / 1000).toFixed(2).padStart(6)} s  ${(cpuMs / (n / 1000)).toFixed(1).padStart(8)} ms  ${String(s.TP).padStart(6)}  ${String(s.FP).padStart(2)}  ${String(s.FN).padStart(5)}  ${s.sensitivity.toFixed(4)}`);
}
rmSync(tmp, { recursive: true, force: true });
