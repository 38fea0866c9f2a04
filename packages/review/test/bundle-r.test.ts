/**
 * The reproducibility bundle's R script, run with Rscript on the
 * outcome-level example (examples/assink2016): every number it writes must
 * match Homeward's fit of the same saved analysis to 1e-6 (absolute, or
 * relative beyond 1). In CI (`CI` set) a missing Rscript is a failure; on a
 * machine without R the test is skipped and says why.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { fitMetaSpec, inlineRows, parseMetaSpec } from "@homeward/meta";
import { EffectSize, Outcome, SavedAnalysis, Study } from "@homeward/model";
import { analysisKey, analysisSnapshot, buildReproducibilityBundle, effectSizeRows, R_RESULTS_PATH } from "@homeward/review";

const example = fileURLToPath(new URL("../../../examples/assink2016/", import.meta.url));
const read = (name: string) => JSON.parse(readFileSync(join(example, `${name}.json`), "utf8")) as unknown[];

const hasRscript = spawnSync("Rscript", ["--version"], { stdio: "ignore" }).status === 0;
const inCi = Boolean(process.env.CI);
const TOLERANCE = 1e-6;

/** Homeward's coefficient tables as R writes them: one array per column. */
function columns(value: unknown): unknown {
  if (Array.isArray(value) && value.length > 0 && typeof value[0] === "object" && value[0] !== null && "term" in value[0]) {
    const rows = value as Record<string, unknown>[];
    return Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, rows.map((r) => r[k])]));
  }
  if (Array.isArray(value)) return value.map(columns);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, columns(v)]));
  return value;
}

interface Comparison {
  compared: number;
  maxAbs: number;
  maxRel: number;
  worst: string;
  failures: string[];
}

/** Walks R's answer and compares each number with Homeward's at the same place. */
function compare(path: string, homeward: unknown, r: unknown, out: Comparison): void {
  if (r === null || r === undefined) {
    // R writes NA (as null) where a z test has no df.
    if (homeward !== null && homeward !== undefined) out.failures.push(`${path}: R has no value, Homeward ${JSON.stringify(homeward)}`);
    return;
  }
  if (typeof r === "number") {
    if (typeof homeward !== "number") {
      out.failures.push(`${path}: R ${r}, Homeward ${JSON.stringify(homeward)}`);
      return;
    }
    const diff = Math.abs(homeward - r);
    out.compared += 1;
    if (diff > out.maxAbs) (out.maxAbs = diff), (out.worst = path);
    if (r !== 0) out.maxRel = Math.max(out.maxRel, diff / Math.abs(r));
    if (diff > TOLERANCE * Math.max(1, Math.abs(r))) out.failures.push(`${path}: R ${r}, Homeward ${homeward} (|Δ| = ${diff})`);
    return;
  }
  if (typeof r === "string" || typeof r === "boolean") {
    if (r !== homeward) out.failures.push(`${path}: R ${JSON.stringify(r)}, Homeward ${JSON.stringify(homeward)}`);
    return;
  }
  if (Array.isArray(r)) {
    if (!Array.isArray(homeward) || homeward.length !== r.length) {
      out.failures.push(`${path}: R has ${r.length} values, Homeward ${Array.isArray(homeward) ? homeward.length : JSON.stringify(homeward)}`);
      return;
    }
    r.forEach((x, i) => compare(`${path}[${i}]`, homeward[i], x, out));
    return;
  }
  const rObj = r as Record<string, unknown>;
  const hObj = (homeward ?? {}) as Record<string, unknown>;
  // Leave-one-study-out: the rows are matched by the study left out, not by order.
  if (Array.isArray(rObj.omitted) && Array.isArray(hObj.omitted)) {
    const at = (rObj.omitted as string[]).map((s) => (hObj.omitted as string[]).indexOf(s));
    if (at.some((i) => i < 0) || at.length !== (hObj.omitted as string[]).length) out.failures.push(`${path}.omitted: R ${JSON.stringify(rObj.omitted)}, Homeward ${JSON.stringify(hObj.omitted)}`);
    for (const [k, v] of Object.entries(rObj)) {
      if (k === "omitted" || k === "unit") continue;
      compare(`${path}.${k}`, at.map((i) => (hObj[k] as unknown[])[i]), v, out);
    }
    return;
  }
  for (const [k, v] of Object.entries(rObj)) {
    if (path === "" && ["id", "name", "version"].includes(k)) continue;
    if (!(k in hObj)) {
      out.failures.push(`${path}.${k}: in R's answer, not in Homeward's`);
      continue;
    }
    compare(`${path}.${k}`, hObj[k], v, out);
  }
}

const parity = JSON.parse(readFileSync(fileURLToPath(new URL("../../meta/test/fixtures/parity.json", import.meta.url)), "utf8")) as {
  cases: { name: string; input: { yi: number[]; vi: number[]; mods: { name: string; values: (number | string)[]; levels?: string[] }[] } }[];
};

describe("the reproducibility bundle's R script", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("finds Rscript with metafor, clubSandwich and jsonlite when CI is set", () => {
    if (!inCi) return;
    expect(hasRscript, "CI must install r-base-core r-cran-metafor r-cran-clubsandwich r-cran-jsonlite (.ci/run): Rscript is missing").toBe(true);
  });

  it.skipIf(!hasRscript && !inCi)(
    `reproduces every saved analysis of the assink2016 example to 1e-6${hasRscript ? "" : " (skipped: Rscript is not installed and CI is not set)"}`,
    () => {
      const studies = read("studies").map((s) => Study.parse(s));
      const outcomes = read("outcomes").map((o) => Outcome.parse(o));
      const effectSizes = read("effectSizes").map((e) => EffectSize.parse(e));
      const data = effectSizeRows({ studies, outcomes, effectSizes });
      // Homeward's numbers are computed afresh here, not taken from the example's stored snapshots.
      const saved = read("savedAnalyses").map((s) => {
        const a = SavedAnalysis.parse(s);
        const snap = analysisSnapshot(fitMetaSpec(parseMetaSpec(a.spec, ["figures", "figureOptions"]), data.rows));
        return { ...a, result: snap.result as unknown as Record<string, unknown>, rows: snap.rows };
      });
      expect(saved.length).toBeGreaterThanOrEqual(5);

      const files = buildReproducibilityBundle({ project: { id: "assink2016", title: "assink2016" }, data, effectSizes, studies, savedAnalyses: saved });
      const dir = mkdtempSync(join(tmpdir(), "homeward-bundle-"));
      dirs.push(dir);
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
      execFileSync("Rscript", [join(dir, "analysis.R")], { cwd: tmpdir(), stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });

      const r = JSON.parse(readFileSync(join(dir, R_RESULTS_PATH), "utf8")) as { metafor: string; analyses: Record<string, Record<string, unknown>> };
      const out: Comparison = { compared: 0, maxAbs: 0, maxRel: 0, worst: "", failures: [] };
      for (const a of saved) {
        const key = analysisKey(a);
        const ra = r.analyses[key];
        expect(ra, `R's results lack ${key}`).toBeDefined();
        // What the spec asks for is in R's answer, so a missing part cannot pass unnoticed.
        const spec = parseMetaSpec(a.spec, ["figures", "figureOptions"]);
        const expectedKeys = ["k", "coefficients", "QE", ...(spec.cluster ? ["robust"] : []), ...(spec.diagnostics ?? []), ...(spec.random.length ? ["sigma2"] : ["tau2", "I2"])];
        for (const k of expectedKeys) expect(Object.keys(ra!), `${key}`).toContain(k);
        compare("", columns(a.result), ra, out);
        for (const name of Array.isArray(a.spec.figures) ? (a.spec.figures as string[]) : []) {
          for (const ext of ["pdf", "png"]) {
            const p = join(dir, "figures", `${key}-${name}.${ext}`);
            expect(existsSync(p), p).toBe(true);
            expect(statSync(p).size).toBeGreaterThan(1000);
          }
        }
      }
      console.log(`R round trip (metafor ${r.metafor}): ${out.compared} numbers compared, max |Δ| = ${out.maxAbs.toExponential(2)} at ${out.worst}, max relative ${out.maxRel.toExponential(2)}; bundle ${files.length} files, ${bytes} bytes`);
      expect(out.failures).toEqual([]);
      expect(out.compared).toBeGreaterThan(500);

      // The manifest's hashes are those of the files as written.
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: { path: string; sha256: string; bytes: number }[] };
      expect(manifest.files.map((f) => f.path).sort()).toEqual(files.filter((f) => f.path !== "manifest.json").map((f) => f.path).sort());
      for (const f of manifest.files) {
        const body = readFileSync(join(dir, f.path));
        expect(createHash("sha256").update(body).digest("hex"), f.path).toBe(f.sha256);
        expect(body.length).toBe(f.bytes);
      }
    },
    300_000,
  );
  it.skipIf(!hasRscript && !inCi)(
    `reproduces inline-data analyses (Knapp–Hartung, no intercept, 90% level, z-test CR2) of dat.bcg to 1e-6${hasRscript ? "" : " (skipped: Rscript is not installed and CI is not set)"}`,
    () => {
      const bcg = parity.cases.find((c) => c.name === "bcg ablat+alloc knha")!.input;
      const rows = bcg.yi.map((yi, i) => ({ trial: `Trial ${i + 1}`, yi, vi: bcg.vi[i], ...Object.fromEntries(bcg.mods.map((m) => [m.name, m.values[i]])) }));
      const alloc = bcg.mods.find((m) => m.name === "alloc")!;
      const levels = alloc.levels ?? [...new Set(alloc.values.map(String))];
      const specs = [
        { name: "Latitude and allocation (Knapp–Hartung)", spec: { data: rows, method: "REML", test: "t", level: 0.9, moderators: [{ name: "ablat" }, { name: "alloc", levels }], diagnostics: ["egger"], figures: ["forest"] } },
        { name: "Allocation means (no intercept)", spec: { data: rows, method: "DL", intercept: false, moderators: [{ name: "alloc", levels }], robust: { cluster: "trial" } } },
        { name: "Latitude (bubble)", spec: { data: rows, method: "PM", moderators: [{ name: "ablat" }], robust: { cluster: "trial" }, diagnostics: ["influence"], figures: ["bubble", "funnel"] } },
      ];
      const saved = specs.map((x, i) => {
        const snap = analysisSnapshot(fitMetaSpec(parseMetaSpec(x.spec, ["figures", "figureOptions"]), inlineRows(x.spec.data)));
        return SavedAnalysis.parse({ id: `bcg-${i}`, name: x.name, version: 1, spec: x.spec, result: snap.result, rows: snap.rows, savedBy: "ana", savedAt: "2025-01-01T00:00:00.000Z" });
      });
      const files = buildReproducibilityBundle({ project: { id: "bcg", title: "BCG" }, data: { columns: [], rows: [] }, effectSizes: [], studies: [], savedAnalyses: saved });
      const dir = mkdtempSync(join(tmpdir(), "homeward-bundle-"));
      dirs.push(dir);
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      execFileSync("Rscript", [join(dir, "analysis.R")], { cwd: tmpdir(), stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });
      const r = JSON.parse(readFileSync(join(dir, R_RESULTS_PATH), "utf8")) as { analyses: Record<string, Record<string, unknown>> };
      const out: Comparison = { compared: 0, maxAbs: 0, maxRel: 0, worst: "", failures: [] };
      for (const a of saved) {
        const ra = r.analyses[analysisKey(a)];
        expect(ra, analysisKey(a)).toBeDefined();
        compare("", columns(a.result), ra, out);
      }
      for (const [key, figure] of [["latitude-bubble-v1", "bubble"], ["latitude-bubble-v1", "funnel"], ["latitude-and-allocation-knapp-hartung-v1", "forest"]]) {
        expect(statSync(join(dir, "figures", `${key}-${figure}.png`)).size, `${key} ${figure}`).toBeGreaterThan(1000);
      }
      console.log(`R round trip (dat.bcg, inline data): ${out.compared} numbers compared, max |Δ| = ${out.maxAbs.toExponential(2)} at ${out.worst}`);
      expect(out.failures).toEqual([]);
      expect(out.compared).toBeGreaterThan(100);
    },
    300_000,
  );
});
