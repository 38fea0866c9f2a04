// Whole-process `homeward meta` against R's metafor + clubSandwich on the same
// data: a multilevel model (REML, study/outcome random effects, a numeric and a
// 4-level moderator, t tests) with CR2 robust inference clustered by study.
// Homeward is timed as a whole process (node start-up, loading, reading the
// CSV, fitting, printing the JSON); R by packages/meta/bench/bench.R, i.e. the
// fit alone, and also as a whole `Rscript` process. Without Rscript, metafor
// and clubSandwich only Homeward is timed.
// Run: npm run bench -w @homeward/cli   (uses the built dist/; K=2000,5000 chooses the sizes)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataset } from "../../meta/bench/data.mjs";
import { load, median, seconds, timeProcess } from "./time.mjs";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const benchR = fileURLToPath(new URL("../../meta/bench/bench.R", import.meta.url));
const sizes = (process.env.K ?? "5000").split(",").map(Number);
const runs = Number(process.env.RUNS ?? 5);


const spec = {
  data: "d.csv", yi: "yi", vi: "vi", test: "t", random: ["study", "esid"],
  moderators: [{ name: "x" }, { name: "g", levels: ["a", "b", "c", "d"] }], robust: { cluster: "study" },
};

const haveR = spawnSync("Rscript", ["-e", "suppressMessages({library(metafor); library(clubSandwich)})"]).status === 0;
console.log(`${load()}; homeward: median of ${runs} runs${haveR ? "" : "; metafor not available (Rscript with metafor and clubSandwich)"}`);
const tmp = mkdtempSync(join(tmpdir(), "homeward-cli-bench-"));
try {
  for (const k of sizes) {
    const d = dataset(k, 12345 + k);
    const csv = join(tmp, "d.csv");
    writeFileSync(csv, "study,esid,x,g,yi,vi\n" + d.yi.map((_, i) => [d.study[i], d.esid[i], d.x[i], d.g[i], d.yi[i], d.vi[i]].join(",")).join("\n") + "\n");
    const specFile = join(tmp, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const t = Array.from({ length: runs }, () => timeProcess([process.execPath, main, "meta", "--spec", specFile]));
    const out = JSON.parse(t[0].stdout);
    const hw = median(t.map((x) => x.wall)), hc = median(t.map((x) => x.cpu));
    console.log(`k = ${k}: homeward meta (whole process) ${seconds(hw)} wall, ${seconds(hc)} CPU; ${out.robust.coefficients.length} robust coefficients`);
    if (!haveR) continue;
    const r = timeProcess(["Rscript", benchR, csv, "mv"]);
    const fit = Number(r.stdout.trim());
    console.log(`k = ${k}: metafor + clubSandwich fit ${seconds(fit)} (whole Rscript ${seconds(r.wall)} wall, ${seconds(r.cpu)} CPU)`);
    const cpu = r.cpu === null || hc === null ? "" : `, ${Math.round(r.cpu / hc)}× (process / process, CPU)`;
    console.log(`k = ${k}: ${Math.round(fit / hw)}× (R fit / homeward process, wall), ${Math.round(r.wall / hw)}× (process / process, wall)${cpu}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
