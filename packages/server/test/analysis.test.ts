import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

// Expected numbers are metafor 3.8 / clubSandwich references (packages/meta/test/fixtures/generate.R).
const fixtures = JSON.parse(readFileSync(new URL("../../meta/test/fixtures/parity.json", import.meta.url), "utf8"));
type Fixture = { input: Record<string, any>; expected: Record<string, any> };
const fixture = (name: string): Fixture => {
  const c = fixtures.cases.find((x: { name: string }) => x.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return c;
};
const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
function close(a: number, e: number, what: string) {
  expect(Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-9, `${what}: ${a} vs ${e}`).toBe(true);
}
function compareCoefs(actual: Record<string, number | null>[], expected: unknown) {
  const exp = arr(expected as Record<string, number | null>[]);
  expect(actual).toHaveLength(exp.length);
  exp.forEach((e, j) => {
    for (const key of ["estimate", "se", "statistic", "p", "ciLower", "ciUpper"]) close(actual[j]![key] as number, e[key] as number, `${j} ${key}`);
    if (e.df === null) expect(actual[j]!.df).toBeNull();
    else close(actual[j]!.df as number, e.df as number, `${j} df`);
  });
}
/** Marks of a named Vega layer in a rendered SVG. */
function marks(svg: string, layer: string): number {
  const m = new RegExp(`<g[^>]*class="[^"]*\\b${layer}_marks\\b[^"]*"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  return m ? (m[1]!.match(/<path/g) ?? []).length : 0;
}

describe("analysis routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let pid: string;
  const bcg = fixture("bcg REML z");
  const bcgRows = bcg.input.yi.map((y: number, i: number) => ({ trial: `Trial ${i + 1}`, logRR: y, v: bcg.input.vi[i] }));

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-analysis-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    pid = (await store.createProject({ title: "Analysis" }, { actor: "setup" })).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const post = (url: string, body: unknown) =>
    app.inject({ method: "POST", url, payload: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const analyse = (body: unknown, project = pid) => post(`/api/projects/${project}/analysis`, body);

  it("fits inline rows as `homeward meta` does, with figures drawn from the fit", async () => {
    const res = await analyse({ data: bcgRows, yi: "logRR", vi: "v", method: "REML", figures: ["forest", "funnel"], figureOptions: { label: "trial", measure: "Log risk ratio" } });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    const e = bcg.expected;
    compareCoefs(out.coefficients, e.coefficients);
    for (const key of ["tau2", "I2", "H2", "QE", "QEp", "logLik"]) close(out[key], e[key], key);
    close(out.prediction.lower, e.prediction.lower, "pi lower");
    close(out.prediction.upper, e.prediction.upper, "pi upper");
    expect(out.k).toBe(13);

    const forest = out.figures.forest;
    expect(forest.svg.startsWith("<svg")).toBe(true);
    expect(marks(forest.svg, "estimates")).toBe(13);
    expect(forest.svg).toContain("Trial 13");
    expect(forest.description.length).toBeGreaterThan(200);
    expect(forest.alt.length).toBeGreaterThan(20);
    expect(forest.vegaSpec.$schema).toMatch(/vega\/v\d/);
    const csv = forest.csv.trimEnd().split("\r\n");
    expect(csv[0]).toBe("study,outcome,estimate,ciLower,ciUpper,weightPercent");
    expect(csv).toHaveLength(1 + 13 + 1);
    expect(marks(out.figures.funnel.svg, "points")).toBe(13);
  });

  it("reports a figure the model cannot have in its slot, and refuses unknown figure names", async () => {
    const withMod = bcgRows.map((r: Record<string, unknown>, i: number) => ({ ...r, ablat: fixture("bcg ablat REML").input.mods[0].values[i] }));
    const res = await analyse({ data: withMod, yi: "logRR", vi: "v", moderators: [{ name: "ablat" }], figures: ["forest", "bubble"] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().figures.forest).toEqual({ error: "the forest figure needs a model without moderators" });
    expect(marks(res.json().figures.bubble.svg, "bubbles")).toBe(13);
    const bad = await analyse({ data: bcgRows, yi: "logRR", vi: "v", figures: ["pie"] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/"figures" must be an array of figure names/);
  });

  it("analyses the project's effect sizes joined to outcomes and studies (meta-regression, Knapp–Hartung)", async () => {
    const c = fixture("bcg ablat+alloc knha");
    const [ablat, alloc] = c.input.mods;
    const ctx = { actor: "ana" };
    const n = c.input.yi.length;
    const id = (i: number) => String(i + 1).padStart(2, "0");
    await store.insert(pid, "studies", Array.from({ length: n }, (_, i) => ({ id: `s${id(i)}`, name: `Trial ${i + 1}`, attributes: { ablat: ablat.values[i], alloc: alloc.values[i] } })), ctx);
    await store.insert(pid, "outcomes", Array.from({ length: n }, (_, i) => ({ id: `o${id(i)}`, studyId: `s${id(i)}`, name: "Tuberculosis" })), ctx);
    await store.insert(pid, "effectSizes", [
      ...Array.from({ length: n }, (_, i) => ({ id: `e${id(i)}`, outcomeId: `o${id(i)}`, measure: "RR", yi: c.input.yi[i], vi: c.input.vi[i] })),
      { id: "e99", outcomeId: "o01", measure: "RR", yi: null, vi: null },
    ], ctx);

    const data = (await app.inject({ method: "GET", url: `/api/projects/${pid}/analysis/data` })).json();
    expect(data.rows).toHaveLength(n);
    expect(data.columns).toEqual(expect.arrayContaining(["study", "outcome", "yi", "vi", "ablat", "alloc"]));
    expect(data.skipped).toEqual([{ effectSizeId: "e99", reason: "no yi and vi" }]);

    const res = await analyse({
      data: "effectSizes", method: "REML", test: "t",
      moderators: [{ name: "ablat" }, { name: "alloc", levels: alloc.levels }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.coefficients.map((x: { term: string }) => x.term)).toEqual(["intrcpt", "ablat", "alloc[alternate]", "alloc[systematic]"]);
    compareCoefs(out.coefficients, c.expected.coefficients);
    close(out.tau2, c.expected.tau2, "tau2");
    close(out.QM, c.expected.QM, "QM");
    expect(out.QMdf).toEqual(c.expected.QMdf);
    expect(out.skipped).toEqual([{ effectSizeId: "e99", reason: "no yi and vi" }]);
  });

  it("fits a multilevel model with CR2 robust inference on effect sizes grouped by study and outcome", async () => {
    const c = fixture("konstantopoulos year robust");
    const [district, school] = c.input.random;
    // Year of the study varies between schools of one district, so it is an outcome attribute.
    const year = c.input.mods[0].values;
    const p2 = (await store.createProject({ title: "Multilevel" }, { actor: "setup" })).id;
    const ctx = { actor: "ana" };
    const districts = [...new Set<string>(district.values)];
    await store.insert(p2, "studies", districts.map((d) => ({ id: `d${d}`, name: `District ${d}` })), ctx);
    const id = (i: number) => String(i).padStart(3, "0");
    await store.insert(p2, "outcomes", c.input.yi.map((_: number, i: number) => ({ id: `o${id(i)}`, studyId: `d${district.values[i]}`, name: `School ${school.values[i]}`, attributes: { year: year[i] } })), ctx);
    await store.insert(p2, "effectSizes", c.input.yi.map((y: number, i: number) => ({ id: `e${id(i)}`, outcomeId: `o${id(i)}`, measure: "SMD", yi: y, vi: c.input.vi[i] })), ctx);

    const res = await analyse({
      data: "effectSizes", method: "REML", test: "t", random: ["study", "outcome"],
      moderators: [{ name: "year" }], robust: { cluster: "study" },
    }, p2);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    arr(c.expected.sigma2 as number[]).forEach((s, l) => close(out.sigma2[l], s, `sigma2 ${l}`));
    compareCoefs(out.coefficients, c.expected.coefficients);
    compareCoefs(out.robust.coefficients, c.expected.robust.coefficients);
    close(out.robust.QMp, c.expected.robust.QMp, "robust QMp");

    const forest = await analyse({ data: "effectSizes", random: ["study", "outcome"], figures: ["forest", "leave1out"] }, p2);
    expect(forest.statusCode, forest.body).toBe(200);
    expect(marks(forest.json().figures.forest.svg, "estimates")).toBe(56);
    expect(forest.json().figures.forest.description).toMatch(/56 outcomes from 11 studies/);
    expect(marks(forest.json().figures.leave1out.svg, "points")).toBe(11);
  });

  it("pools one effect measure: the project's rows are filtered by measure, and a mixed selection is refused with the measures named", async () => {
    const bcgKnha = fixture("bcg REML z");
    const kon = fixture("konstantopoulos REML z");
    const p3 = (await store.createProject({ title: "Two measures" }, { actor: "setup" })).id;
    const ctx = { actor: "ana" };
    const id = (i: number) => String(i).padStart(3, "0");
    // dat.bcg's 13 trials as log risk ratios and Konstantopoulos' 56 schools as SMDs, in one project.
    await store.insert(p3, "studies", [
      ...bcgKnha.input.yi.map((_: number, i: number) => ({ id: `t${id(i)}`, name: `Trial ${i + 1}` })),
      ...kon.input.yi.map((_: number, i: number) => ({ id: `k${id(i)}`, name: `School ${i + 1}` })),
    ], ctx);
    await store.insert(p3, "outcomes", [
      ...bcgKnha.input.yi.map((_: number, i: number) => ({ id: `ot${id(i)}`, studyId: `t${id(i)}`, name: "Tuberculosis" })),
      ...kon.input.yi.map((_: number, i: number) => ({ id: `ok${id(i)}`, studyId: `k${id(i)}`, name: "Achievement" })),
    ], ctx);
    await store.insert(p3, "effectSizes", [
      ...bcgKnha.input.yi.map((y: number, i: number) => ({ id: `et${id(i)}`, outcomeId: `ot${id(i)}`, measure: "RR", yi: y, vi: bcgKnha.input.vi[i] })),
      ...kon.input.yi.map((y: number, i: number) => ({ id: `ek${id(i)}`, outcomeId: `ok${id(i)}`, measure: "SMD", yi: y, vi: kon.input.vi[i] })),
    ], ctx);

    const data = (await app.inject({ method: "GET", url: `/api/projects/${p3}/analysis/data` })).json();
    expect(data.measures).toEqual([{ measure: "SMD", rows: 56 }, { measure: "RR", rows: 13 }]);

    const mixed = await analyse({ data: "effectSizes" }, p3);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error).toBe('the rows mix effect measures: SMD (56 rows), RR (13 rows); pool one measure at a time (spec "measure", e.g. "measure": "SMD")');

    const rr = await analyse({ data: "effectSizes", measure: "RR", figures: ["forest"] }, p3);
    expect(rr.statusCode, rr.body).toBe(200);
    const out = rr.json();
    expect(out.k).toBe(13);
    expect(out.measure).toEqual({ measure: "RR", rows: 13, otherRows: 56 });
    compareCoefs(out.coefficients, bcgKnha.expected.coefficients);
    close(out.tau2, bcgKnha.expected.tau2, "tau2");
    expect(marks(out.figures.forest.svg, "estimates")).toBe(13);

    const none = await analyse({ data: "effectSizes", measure: "OR" }, p3);
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toBe('no rows have the measure "OR" (the data have SMD (56 rows), RR (13 rows))');
  });

  it("warns beside CR2 tests on fewer than 4 Satterthwaite df, and reports a one-study subgroup without failing the others", async () => {
    // Shaped like the reunification review: an 8-level intervention type, two levels from one study each.
    const c = fixture("review-shaped intervention type");
    const [itype] = c.input.mods;
    const [study, esid] = c.input.random;
    const rows = c.input.yi.map((y: number, i: number) => ({ yi: y, vi: c.input.vi[i], itype: itype.values[i], study: study.values[i], esid: esid.values[i] }));
    const res = await analyse({
      data: rows, method: "REML", test: "t", random: ["study", "esid"], moderators: [{ name: "itype", levels: itype.levels }], robust: { cluster: "study" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    compareCoefs(out.robust.coefficients, c.expected.robust.coefficients);
    const small = arr(c.expected.robust.coefficients as { df: number }[]).flatMap((x, j) => (x.df < 4 ? [out.robust.coefficients[j].term] : []));
    expect(out.warnings.filter((w: { code: string }) => w.code === "robust-small-df").map((w: { item: string }) => w.item)).toEqual(small);
    const htz = out.warnings.find((w: { code: string }) => w.code === "robust-test-small-df");
    close(out.robust.QMdf[1], c.expected.robust.QMdf[1], "HTZ df");
    expect(c.expected.robust.QMdf[1]).toBeLessThan(4);
    expect(htz).toMatchObject({ about: "robust.QM" });
    expect(htz.message).toMatch(/^HTZ test: F = \S+ on 7 and 1\.63 df; with denominator df below 4 its p-value may be unreliable/);

    const sub = await analyse({ data: rows, random: ["study", "esid"], diagnostics: ["subgroups"], subgroup: "itype" });
    expect(sub.statusCode, sub.body).toBe(200);
    const sg = sub.json().subgroups;
    const single = sg.levels.filter((_: string, g: number) => sg.studies[g] === 1);
    expect(single).toEqual(["Family group decision making", "Problem solving courts"]);
    single.forEach((level: string) => expect(sg.estimate[sg.levels.indexOf(level)]).toBeNull());
    expect(sg.estimate.filter((e: number | null) => e !== null)).toHaveLength(6);
    expect(sg.QBdf).toBe(5);
    expect(sub.json().warnings.map((w: { code: string; item?: string }) => [w.code, w.item])).toEqual(single.map((l: string) => ["subgroup-single-study", l]));
  });

  it("the forest plot of the project's outcomes counts studies, not the row labels drawn", async () => {
    const p4 = (await store.createProject({ title: "Forest counts" }, { actor: "setup" })).id;
    const ctx = { actor: "ana" };
    const c = fixture("bcg REML z");
    // 13 outcomes from 5 studies, outcome names repeating across studies; two studies share a name.
    const studyOf = (i: number) => `s${i % 5}`;
    await store.insert(p4, "studies", [0, 1, 2, 3, 4].map((j) => ({ id: `s${j}`, name: j === 4 ? "Study 3" : `Study ${j}` })), ctx);
    await store.insert(p4, "outcomes", c.input.yi.map((_: number, i: number) => ({ id: `o${i}`, studyId: studyOf(i), name: `Outcome ${Math.floor(i / 5)}` })), ctx);
    await store.insert(p4, "effectSizes", c.input.yi.map((y: number, i: number) => ({ id: `e${i}`, outcomeId: `o${i}`, measure: "RR", yi: y, vi: c.input.vi[i] })), ctx);
    for (const label of ["outcome", "study"]) {
      const res = await analyse({ data: "effectSizes", figures: ["forest"], figureOptions: { label } }, p4);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().figures.forest.title).toBe("Forest plot of 13 outcomes from 5 studies");
    }
    // Labels that repeat in data without studies are only labels.
    const labelled = await analyse({ data: c.input.yi.map((y: number, i: number) => ({ yi: y, vi: c.input.vi[i], arm: `Arm ${i % 3}` })), figures: ["forest"], figureOptions: { label: "arm" } });
    expect(labelled.json().figures.forest.title).toBe("Forest plot of 13 outcomes");
  });

  it("serves a figure as SVG, PNG or CSV", async () => {
    const body = { data: bcgRows, yi: "logRR", vi: "v", diagnostics: ["influence"] };
    const png = await post(`/api/projects/${pid}/analysis/figures/influence?format=png&scale=1`, body);
    expect(png.statusCode, png.body).toBe(200);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.rawPayload.subarray(1, 4).toString()).toBe("PNG");
    const svg = await post(`/api/projects/${pid}/analysis/figures/funnel`, body);
    expect(svg.headers["content-type"]).toMatch(/image\/svg\+xml/);
    expect(svg.headers["content-disposition"]).toBe('attachment; filename="funnel.svg"');
    const csv = await post(`/api/projects/${pid}/analysis/figures/influence?format=csv`, body);
    expect(csv.body.split("\r\n")[0]).toBe("outcome,rstudent,dffits,cookD,covRatio,tau2Del,QEDel,hat,weight,outlier,influential");
    const missing = await post(`/api/projects/${pid}/analysis/figures/pie`, body);
    expect(missing.statusCode).toBe(404);
  });

  // The same reasons as `homeward meta` prints (packages/cli/src/commands/meta.test.ts).
  it.each([
    [{ data: [{ yi: 1, vi: 0.1 }], method: "XYZ" }, /spec "method" must be one of REML, ML, DL/],
    [{ data: [{ yi: 1, vi: 0.1 }], tset: "z" }, /unknown key "tset"/],
    [{ data: [{ yi: 1, vi: 0.1 }, { yi: "abc", vi: 0.2 }] }, /row 2, column "yi": not a number/],
    [{ data: [{ yi: 1, vi: 0.1 }], yi: "effect" }, /column "effect" not found/],
    [{ data: [{ yi: 1, vi: 0.1, d: "x" }, { yi: 2, vi: 0.1, d: "y" }], moderators: [{ name: "d", levels: ["x", "z"] }] }, /row 2, column "d": value "y" is not one of the listed levels/],
    [{ data: [{ yi: 1, vi: 0.1 }], random: ["study", "esid"], method: "DL" }, /REML, ML for a multilevel model/],
    [{ data: "records.csv" }, /spec "data" must be "effectSizes" \(the project's effect sizes\) or an array of row objects/],
    [{ data: [{ yi: 1, vi: 0.1 }], figureOptions: { metric: "tau" } }, /figureOptions: metric/],
    [[1, 2], /the spec must be a JSON object/],
  ])("refuses a bad spec with 400 and a one-line reason (%#)", async (spec, reason) => {
    const res = await analyse(spec);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(reason);
    expect(res.json().error).not.toContain("\n");
  });

  it("an unknown project is a 404; a project without effect sizes is a 400", async () => {
    expect((await analyse({ data: bcgRows, yi: "logRR", vi: "v" }, "nope")).statusCode).toBe(404);
    const empty = (await store.createProject({ title: "Empty" }, { actor: "setup" })).id;
    const res = await analyse({ data: "effectSizes" }, empty);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/no effect sizes with yi and vi/);
  });
});
