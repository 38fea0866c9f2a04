// Benchmark of the diagnostics (leave-one-out and influence) against metafor
// on the same data, univariate REML.
// Run: npm run bench -w @homeward/meta   (uses the built dist/)
//
// k = 200: both sides run in full. k = 2,000: ours runs in full; metafor's
// leave1out()/influence() would take hours (each REML iteration forms the
// k×k matrix P and P %*% P), so its time is extrapolated as k × the mean time
// of a sample of the refits both functions perform — a lower bound, since
// influence() also does O(k²) work per deletion outside the refit.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { influenceDiagnostics, leaveOneOut, rma } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE = 3;

/** Deterministic random-effects data: τ² = 0.05, vᵢ uniform on [0.01, 0.11]. */
function dataset(k, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
  const yi = [], vi = [];
  for (let i = 0; i < k; i++) {
    const v = 0.01 + rnd() * 0.1;
    vi.push(v);
    yi.push(0.25 + gauss() * Math.sqrt(0.05) + gauss() * Math.sqrt(v));
  }
  return { yi, vi };
}

function time(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function rTime(d, mode) {
  if (spawnSync("Rscript", ["--version"]).status !== 0) return null;
  const tmp = mkdtempSync(join(tmpdir(), "homeward-diag-bench-"));
  try {
    const csv = join(tmp, "data.csv");
    writeFileSync(csv, "yi,vi\n" + d.yi.map((y, i) => `${y},${d.vi[i]}`).join("\n") + "\n");
    const res = spawnSync("Rscript", [join(here, "diagnostics.R"), csv, mode, String(SAMPLE)], { encoding: "utf8" });
    if (res.status !== 0) {
      console.error(res.stderr);
      return null;
    }
    return res.stdout.trim().split(/\s+/).map(Number);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

leaveOneOut(rma({ yi: dataset(50, 1).yi, vi: dataset(50, 1).vi })); // warm-up
const rows = [];
for (const k of [200, 2000]) {
  const d = dataset(k, 2026 + k);
  const fit = rma({ yi: d.yi, vi: d.vi, method: "REML" });
  const js = { leave1out: time(() => leaveOneOut(fit)), influence: time(() => influenceDiagnostics(fit)) };
  let r = null, note = "";
  if (k <= 200) {
    const t = rTime(d, "full");
    if (t) r = { leave1out: t[0], influence: t[1] };
  } else {
    const t = rTime(d, "sample");
    if (t) {
      r = { leave1out: t[0] * k, influence: t[0] * k };
      note = ` (extrapolated: k × ${t[0].toFixed(2)} s per refit, ${SAMPLE} refits timed)`;
    }
  }
  for (const key of ["leave1out", "influence"]) {
    rows.push(`| ${key} | ${k.toLocaleString("en")} | ${js[key].toFixed(3)} | ${r ? r[key].toFixed(1) + note : "R not available"} | ${r ? `${Math.round(r[key] / js[key]).toLocaleString("en")}×` : "–"} |`);
  }
}
console.log("\nDiagnostics benchmark, univariate REML");
console.log("| analysis | k | Homeward (s) | metafor 3.8 (s) | speed-up |");
console.log("|---|---|---|---|---|");
for (const r of rows) console.log(r);
