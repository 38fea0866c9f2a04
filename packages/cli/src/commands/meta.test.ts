import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, type Io } from "../io.js";

// Reference values from metafor / clubSandwich (packages/meta/test/fixtures/generate.R).
const fixtures = JSON.parse(readFileSync(new URL("../../../meta/test/fixtures/parity.json", import.meta.url), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "homeward-meta-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  return captureIo(dir);
}
const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
function close(a: number, e: number, what: string) {
  expect(Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-9, `${what}: ${a} vs ${e}`).toBe(true);
}
function writeSpec(name: string, spec: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(spec));
  return f;
}
async function runSpec(cmd: string, spec: unknown) {
  const c = io();
  const code = await run([cmd, "--spec", writeSpec(`${cmd}-${Math.random()}.json`, spec)], c);
  return { code, c, out: code === 0 ? JSON.parse(c.stdout) : null };
}
function fixture(name: string) {
  const c = fixtures.cases.find((x: { name: string }) => x.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return c;
}
/** Inline rows from a fixture's inputs. */
function rowsOf(c: ReturnType<typeof fixture>): Record<string, unknown>[] {
  const mods = Array.isArray(c.input.mods) ? c.input.mods : [];
  return c.input.yi.map((y: number, i: number) => {
    const row: Record<string, unknown> = { effect: y, variance: c.input.vi[i] };
    for (const m of mods) row[m.name] = arr(m.values)[i];
    for (const r of c.input.random ?? []) row[r.name] = arr(r.values)[i];
    if (c.input.cluster) row.cluster = c.input.cluster[i];
    return row;
  });
}
function compareCoefs(actual: Record<string, number | null>[], expected: unknown) {
  arr(expected as Record<string, number | null>[]).forEach((e, j) => {
    for (const key of ["estimate", "se", "statistic", "p", "ciLower", "ciUpper"]) close(actual[j][key] as number, e[key] as number, `${j} ${key}`);
    if (e.df === null) expect(actual[j].df).toBeNull();
    else close(actual[j].df as number, e.df as number, `${j} df`);
  });
}

describe("homeward meta", () => {
  it("meta-regression with a categorical moderator under Knapp–Hartung matches metafor", async () => {
    const c = fixture("bcg ablat+alloc knha");
    const { code, out } = await runSpec("meta", {
      data: rowsOf(c), yi: "effect", vi: "variance", method: "REML", test: "t",
      moderators: [{ name: "ablat" }, { name: "alloc", levels: ["random", "alternate", "systematic"] }],
    });
    expect(code).toBe(0);
    expect(out.coefficients.map((x: { term: string }) => x.term)).toEqual(["intrcpt", "ablat", "alloc[alternate]", "alloc[systematic]"]);
    compareCoefs(out.coefficients, c.expected.coefficients);
    close(out.tau2, c.expected.tau2, "tau2");
    close(out.I2, c.expected.I2, "I2");
    close(out.QM, c.expected.QM, "QM");
    expect(out.QMdf).toEqual(c.expected.QMdf);
    close(out.logLik, c.expected.logLik, "logLik");
    expect(out.prediction).toBeUndefined();
  });

  it("intercept-only model reports the prediction interval", async () => {
    const c = fixture("bcg REML z");
    const { out } = await runSpec("meta", { data: rowsOf(c), yi: "effect", vi: "variance" });
    close(out.prediction.lower, c.expected.prediction.lower, "pi lower");
    close(out.prediction.upper, c.expected.prediction.upper, "pi upper");
    expect(out.coefficients[0].df).toBeNull();
    expect(out.QM).toBeUndefined();
  });

  it("multilevel model with moderators and CR2/HTZ robust inference matches metafor + clubSandwich", async () => {
    const c = fixture("review-shaped intervention type");
    const itype = c.input.mods[0];
    const { code, out } = await runSpec("meta", {
      data: rowsOf(c), yi: "effect", vi: "variance", test: "t", random: ["study", "esid"],
      moderators: [{ name: "itype", levels: itype.levels }], robust: { cluster: "cluster" },
    });
    expect(code).toBe(0);
    expect(out.sigma2).toHaveLength(2);
    arr(c.expected.sigma2 as number[]).forEach((s, l) => close(out.sigma2[l], s, `sigma2 ${l}`));
    compareCoefs(out.coefficients, c.expected.coefficients);
    compareCoefs(out.robust.coefficients, c.expected.robust.coefficients);
    close(out.robust.QM, c.expected.robust.QM, "robust QM");
    close(out.robust.QMdf[1], c.expected.robust.QMdf[1], "robust QMdf");
    close(out.robust.QMp, c.expected.robust.QMp, "robust QMp");
    // Single-study levels: Satterthwaite df fall near 1, as in the review.
    expect(Math.min(...out.robust.coefficients.map((x: { df: number }) => x.df))).toBeLessThan(1.5);
  });

  it("reads CSV data relative to the spec file", async () => {
    const c = fixture("hackshaw REML");
    writeFileSync(join(dir, "hk.csv"), "yi,vi\n" + c.input.yi.map((y: number, i: number) => `${y},${c.input.vi[i]}`).join("\n") + "\n");
    const { code, out } = await runSpec("meta", { data: "hk.csv", yi: "yi", vi: "vi" });
    expect(code).toBe(0);
    close(out.tau2, c.expected.tau2, "tau2");
  });

  it.each([
    [{ data: [{ yi: 1, vi: 0.1 }], method: "XYZ" }, /method/],
    [{ data: [{ yi: 1, vi: 0.1 }], tset: "z" }, /unknown key "tset"/],
    [{ data: [{ yi: 1, vi: 0.1 }, { yi: "abc", vi: 0.2 }] }, /row 2, column "yi": not a number/],
    [{ data: [{ yi: 1, vi: 0.1 }], yi: "effect" }, /column "effect" not found/],
    [{ data: [{ yi: 1, vi: 0.1, d: "x" }, { yi: 2, vi: 0.1, d: "y" }], moderators: [{ name: "d", levels: ["x", "z"] }] }, /row 2, column "d": value "y" is not one of the listed levels/],
    [{ data: [{ yi: 1, vi: 0.1 }], random: ["study", "esid"], method: "DL" }, /REML, ML for a multilevel model/],
    [{ data: "missing.csv" }, /cannot read data file missing.csv/],
  ])("rejects a bad spec with exit 2 and a one-line reason (%#)", async (spec, reason) => {
    const { code, c } = await runSpec("meta", spec);
    expect(code).toBe(2);
    expect(c.stderr).toMatch(reason);
    expect(c.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects a spec that is not JSON", async () => {
    const f = join(dir, "bad.json");
    writeFileSync(f, "{ not json");
    const c = io();
    expect(await run(["meta", "--spec", f], c)).toBe(2);
    expect(c.stderr).toMatch(/not valid JSON/);
  });
});

describe("homeward escalc", () => {
  it("computes Hedges' g from a CSV as metafor's escalc", async () => {
    const e = fixtures.escalc.find((x: { name: string }) => x.name === "normand SMD");
    const cols = ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"];
    writeFileSync(join(dir, "normand.csv"), "a,b,c,d,e,f\n" + e.columns.m1i.map((_: number, i: number) => cols.map((k) => e.columns[k][i]).join(",")).join("\n"));
    const { code, out } = await runSpec("escalc", {
      data: "normand.csv", measure: "SMD",
      columns: { m1i: "a", sd1i: "b", n1i: "c", m2i: "d", sd2i: "e", n2i: "f" },
    });
    expect(code).toBe(0);
    e.expected.yi.forEach((y: number, i: number) => close(out.yi[i], y, `yi ${i}`));
    e.expected.vi.forEach((v: number, i: number) => close(out.vi[i], v, `vi ${i}`));
  });

  it("2×2 measures with zero cells from inline rows", async () => {
    const e = fixtures.escalc.find((x: { name: string }) => x.name === "nielweise OR2DL");
    const rows = e.columns.ai.map((_: number, i: number) => ({ a: e.columns.ai[i], b: e.columns.bi[i], c: e.columns.ci[i], d: e.columns.di[i] }));
    const { out } = await runSpec("escalc", { data: rows, measure: "OR2DL", columns: { ai: "a", bi: "b", ci: "c", di: "d" } });
    e.expected.yi.forEach((y: number, i: number) => close(out.yi[i], y, `yi ${i}`));
    e.expected.vi.forEach((v: number, i: number) => close(out.vi[i], v, `vi ${i}`));
  });

  it.each([
    [{ data: [], measure: "XX", columns: {} }, /unknown measure "XX"/],
    [{ data: [{ r: 0.3, n: 20 }], measure: "ZCOR", columns: { ri: "r" } }, /must name the column for ni/],
    [{ data: [{ r: 0.3, n: 20 }], measure: "ZCOR", columns: { ri: "r", ni: "n", m1i: "x" } }, /unknown key "m1i"/],
    [{ data: [{ r: 0.3, n: 20 }, { r: 1.3, n: 20 }], measure: "COR", columns: { ri: "r", ni: "n" } }, /row 2: correlation outside/],
    [{ data: [{ r: 0.3, n: "" }], measure: "COR", columns: { ri: "r", ni: "n" } }, /row 1, column "n": missing value/],
  ])("rejects a bad spec with exit 2 (%#)", async (spec, reason) => {
    const { code, c } = await runSpec("escalc", spec);
    expect(code).toBe(2);
    expect(c.stderr).toMatch(reason);
  });
});
