/**
 * The outcome-level example: metadat's dat.assink2016 as a Homeward
 * project, its saved analyses checked against metafor and clubSandwich
 * (reference/metafor.json, written by reference/metafor.R with literal
 * model calls), and its import into a fresh store.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec, type MetaSpecResult } from "@homeward/meta";
import type { ProjectFile } from "@homeward/model";
import { analysisSnapshot, effectSizeRows } from "@homeward/review";
import { loadProjectFile, openStore, readProjectSource, type Store } from "@homeward/store";

const dir = fileURLToPath(new URL(".", import.meta.url));
const p: ProjectFile = loadProjectFile(dir);
const ref = JSON.parse(readFileSync(join(dir, "reference", "metafor.json"), "utf8"));
const result = (name: string) => {
  const a = p.savedAnalyses.find((s) => s.name === name);
  if (!a) throw new Error(`no saved analysis "${name}"`);
  return a.result as unknown as MetaSpecResult;
};

/** Absolute 1e-6, relative beyond 1. */
function close(actual: readonly number[] | number, expected: readonly number[] | number, what: string) {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  expect(a.length, what).toBe(e.length);
  a.forEach((x, i) => expect(Math.abs(x - e[i]!), `${what}[${i}]: ${x} vs metafor ${e[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e[i]!))));
}
const col = (cs: readonly { [k: string]: unknown }[], k: string) => cs.map((c) => c[k] as number);

describe("assink2016 bundle: data", () => {
  it("holds metadat's 100 effect sizes in 17 studies, several per study", () => {
    expect(p.studies).toHaveLength(17);
    expect(p.outcomes).toHaveLength(100);
    expect(p.effectSizes).toHaveLength(100);
    const perStudy = new Map<string, number>();
    for (const o of p.outcomes) perStudy.set(o.studyId, (perStudy.get(o.studyId) ?? 0) + 1);
    expect(Math.max(...perStudy.values())).toBeGreaterThan(1);
    expect(p.effectSizes.every((e) => e.measure === "SMD" && typeof e.yi === "number" && typeof e.vi === "number")).toBe(true);
  });

  it("states its source and licence", () => {
    expect(p.project.description).toMatch(/Assink/);
    expect(p.project.description).toMatch(/metadat/);
    expect(p.project.description).toMatch(/GPL|General Public License/);
  });

  it("keeps each saved analysis's snapshot equal to a fit of today's rows", () => {
    const data = effectSizeRows(p);
    expect(p.savedAnalyses.length).toBeGreaterThanOrEqual(5);
    for (const a of p.savedAnalyses) {
      const now = analysisSnapshot(fitMetaSpec(parseMetaSpec(a.spec, ["figures", "figureOptions"]), data.rows));
      expect(now.rows, a.name).toEqual(a.rows);
      expect(JSON.parse(JSON.stringify(now.result)), a.name).toEqual(a.result);
    }
  });
});

describe("assink2016 bundle: saved analyses against metafor 3.8 and clubSandwich", () => {
  it("three-level model (rma.mv, random = ~ 1 | study/esid, t tests) and leave-one-study-out", () => {
    const r = result("Overall effect, three-level model");
    expect(r.k).toBe(ref.threeLevel.k);
    for (const k of ["estimate", "se", "ciLower", "ciUpper", "p"]) close(col(r.coefficients, k), ref.threeLevel[k], k);
    close(r.sigma2!, ref.threeLevel.sigma2, "sigma2");
    close(r.QE, ref.threeLevel.QE, "QE");
    const l1o = r.leave1out!;
    close((ref.threeLevel.leave1outStudy as string[]).map((s) => l1o.estimate[l1o.omitted.indexOf(s)]!), ref.threeLevel.leave1outEstimate, "leave-one-study-out");
  });

  it("CR2 robust inference with Satterthwaite df", () => {
    const r = result("Overall effect, cluster-robust (CR2)");
    for (const k of ["estimate", "se", "df", "ciLower", "ciUpper", "p"]) close(col(r.robust!.coefficients, k), ref.threeLevelRobust[k], `robust ${k}`);
  });

  it("moderators: publication year and type of delinquent behaviour", () => {
    for (const [name, key] of [["Moderator: publication year", "year"], ["Moderator: type of delinquent behaviour", "deltype"]] as const) {
      const r = result(name);
      for (const k of ["estimate", "se", "ciLower", "ciUpper", "p"]) close(col(r.coefficients, k), ref[key][k], `${key} ${k}`);
      close(r.sigma2!, ref[key].sigma2, `${key} sigma2`);
      close(r.QM!, ref[key].QM, `${key} QM`);
      for (const k of ["estimate", "se", "df", "ciLower", "ciUpper", "p"]) close(col(r.robust!.coefficients, k), ref[key].robust[k], `${key} robust ${k}`);
    }
  });

  it("univariate check: Egger's test, trim-and-fill and leave-one-out", () => {
    const r = result("Small-study effects (univariate check)");
    for (const k of ["estimate", "se", "ciLower", "ciUpper", "p"]) close(col(r.coefficients, k), ref.univariate[k], k);
    close([r.tau2!, r.I2!, r.QE], [ref.univariate.tau2, ref.univariate.I2, ref.univariate.QE], "heterogeneity");
    close([r.egger!.statistic, r.egger!.p], [ref.univariate.egger.statistic, ref.univariate.egger.p], "Egger");
    expect(r.trimfill!.k0).toBe(ref.univariate.trimfillK0);
    // Rows are matched by effect size: es-NNN is metadat's row NNN.
    const rows = p.savedAnalyses.find((s) => s.name === "Small-study effects (univariate check)")!.rows;
    close(r.leave1out!.estimate, rows.map((row) => ref.univariate.leave1outEstimate[Number(row.effectSizeId.slice(3)) - 1]), "leave-one-out");
  });
});

describe("assink2016 bundle: import", () => {
  let store: Store;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "homeward-assink-"));
    store = await openStore({ dataDir });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("imports into a fresh store and exports the same collections", async () => {
    const project = await store.importProject(readProjectSource(dir), { actor: "test" });
    expect(project.id).toBe("assink2016");
    const out = await store.exportProject("assink2016");
    for (const c of ["studies", "outcomes", "effectSizes", "savedAnalyses"] as const) expect(out[c], c).toEqual(p[c]);
  });
});
