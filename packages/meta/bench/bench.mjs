// Benchmark of @homeward/meta against R's metafor + clubSandwich on the same data.
// Run: npm run bench -w @homeward/meta   (uses the built dist/; the root `npm run bench` builds first)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rma, rmaMv, robust } from "../dist/index.js";
import { dataset } from "./data.mjs";

const here = dirname(fileURLToPath(import.meta.url));


/** Seconds per call: wall clock, and this process's CPU time (steadier when the machine is shared). */
function time(fn, reps) {
  fn(); // warm-up
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) fn();
  const c = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9 / reps, cpu: (c.user + c.system) / 1e6 / reps };
}

const mvRobust = (d) => () => {
  const fit = rmaMv({ yi: d.yi, vi: d.vi, random: [{ name: "study", values: d.study }, { name: "esid", values: d.esid }],
    mods: [{ name: "x", values: d.x }, { name: "g", values: d.g, levels: ["a", "b", "c", "d"] }], test: "t" });
  robust(fit, d.study);
};
const uni = (d) => () => rma({ yi: d.yi, vi: d.vi, method: "REML" });

const cases = [
  { name: "rma.mv REML + 2 moderators + CR2 robust, k = 2,000", k: 2000, kind: "mv", reps: 5, r: true },
  { name: "rma.mv REML + 2 moderators + CR2 robust, k = 5,000", k: 5000, kind: "mv", reps: 3, r: true },
  { name: "rma.mv REML + 2 moderators + CR2 robust, k = 100,000", k: 100000, kind: "mv", reps: 1, r: false },
  { name: "rma.uni REML, k = 2,000", k: 2000, kind: "uni", reps: 50, r: true },
];

const haveR = spawnSync("Rscript", ["--version"]).status === 0;
const committed = JSON.parse(readFileSync(join(here, "r-timings.json"), "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "homeward-meta-bench-"));
const rows = [];
try {
  for (const c of cases) {
    const d = dataset(c.k, 12345 + c.k);
    const { wall: js, cpu } = time(c.kind === "mv" ? mvRobust(d) : uni(d), c.reps);
    let r = null, rSource = "";
    if (c.r) {
      if (haveR) {
        const csv = join(tmp, `d${c.k}.csv`);
        writeFileSync(csv, "study,esid,x,g,yi,vi\n" + d.yi.map((_, i) => [d.study[i], d.esid[i], d.x[i], d.g[i], d.yi[i], d.vi[i]].join(",")).join("\n") + "\n");
        r = Number(execFileSync("Rscript", [join(here, "bench.R"), csv, c.kind], { encoding: "utf8" }).trim());
        rSource = "measured now";
      } else if (committed[c.name] !== undefined) {
        r = committed[c.name];
        rSource = `committed (${committed._machine})`;
      }
    }
    rows.push({ case: c.name, homeward_s: +js.toFixed(4), homeward_cpu_s: +cpu.toFixed(4), R_s: r === null ? null : +r.toFixed(3), ratio: r === null ? null : Math.round(r / js), R_timing: rSource || "n/a" });
    console.log(`${c.name}: homeward ${js.toFixed(4)} s (CPU ${cpu.toFixed(4)} s)${r === null ? "" : `, R ${r.toFixed(3)} s (${rSource}), ${Math.round(r / js)}× faster`}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.table(rows);
