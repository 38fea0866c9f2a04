import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { fitMetaSpec, metaSpecResult, parseMetaSpec } from "@homeward/meta";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

/** Risk of bias in the analysis: the moderator columns of the project's data, the forest column and the sensitivity refit. */
describe("risk of bias in the analysis routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let pid: string;
  const ctx = { actor: "setup" };
  const yi = [0.42, 0.1, 0.65, -0.05, 0.3, 0.8];
  const vi = [0.02, 0.03, 0.05, 0.04, 0.03, 0.06];
  const designs = ["RCT", "RCT", "RCT", "RCT", "QED", "QED"];

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-rob-analysis-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    pid = (await store.createProject({ title: "Risk of bias" }, { actor: "setup" })).id;
    await store.insert(pid, "studies", designs.map((design, i) => ({ id: `s${i + 1}`, name: `Trial ${i + 1}`, design })), ctx);
    await store.insert(pid, "outcomes", designs.map((_, i) => ({ id: `o${i + 1}`, studyId: `s${i + 1}`, name: "Reunified" })), ctx);
    await store.insert(pid, "effectSizes", yi.map((y, i) => ({ id: `e${i + 1}`, outcomeId: `o${i + 1}`, measure: "SMD", yi: y, vi: vi[i] })), ctx);
    const at = "2026-01-01T00:00:00.000Z";
    const appraisals = [
      { studyId: "s1", tool: "RoB2", overall: "Low", reviewer: "ana", at },
      { studyId: "s2", tool: "RoB2", overall: "Low", reviewer: "ana", at },
      { studyId: "s2", tool: "RoB2", overall: "High", reviewer: "ben", at },
      { studyId: "s2", tool: "RoB2", overall: "Some concerns", reviewer: "cy", consensus: true, at },
      { studyId: "s3", tool: "RoB2", overall: "High", reviewer: "ana", at },
      { studyId: "s5", tool: "ROBINS-I", overall: "Moderate", reviewer: "ana", at },
      { studyId: "s6", tool: "ROBINS-I", overall: "Serious", reviewer: "ana", at },
    ];
    // The store signs each appraisal with its reviewer.
    for (const a of appraisals) await store.insert(pid, "appraisals", [a], { actor: a.reviewer });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const post = (url: string, body: unknown) =>
    app.inject({ method: "POST", url, payload: JSON.stringify(body), headers: { "content-type": "application/json" } });

  it("gives each effect size its study's overall judgement as a moderator column", async () => {
    const res = await app.inject({ method: "GET", url: `/api/projects/${pid}/analysis/data` });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json();
    expect(data.columns).toContain("riskOfBias");
    expect(data.rows.map((r: Record<string, unknown>) => [r.study, r.riskOfBias, r.riskOfBiasTool])).toEqual([
      ["Trial 1", "Low", "RoB 2"], ["Trial 2", "Some concerns", "RoB 2"], ["Trial 3", "High", "RoB 2"],
      ["Trial 4", null, null], ["Trial 5", "Moderate", "ROBINS-I"], ["Trial 6", "Serious", "ROBINS-I"],
    ]);
  });

  it("draws the risk of bias beside the forest plot", async () => {
    const res = await post(`/api/projects/${pid}/analysis`, { data: "effectSizes", figures: ["forest"], figureOptions: { column: "riskOfBias" } });
    expect(res.statusCode, res.body).toBe(200);
    const forest = res.json().figures.forest;
    expect(forest.svg).toContain("Risk of bias");
    expect(forest.svg).toContain("Serious");
    expect(forest.description).toContain('A further column headed "Risk of bias"');
    expect(forest.csv.split("\r\n")[0]).toBe("study,outcome,estimate,ciLower,ciUpper,weightPercent,riskOfBias");
  });

  it("refits without the studies at high risk of bias, matching a direct fit of the reduced rows", async () => {
    const res = await post(`/api/projects/${pid}/analysis/risk-of-bias-sensitivity`, { data: "effectSizes", method: "REML" });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.dropped).toEqual({ studies: [{ study: "Trial 3", tool: "RoB 2", judgement: "High" }, { study: "Trial 6", tool: "ROBINS-I", judgement: "Serious" }], rows: 2 });
    expect(out.unjudged).toBe(1);
    const spec = parseMetaSpec({ data: "x", method: "REML" });
    const rows = (keep: number[]) => keep.map((i) => ({ yi: yi[i], vi: vi[i], measure: "SMD" }));
    const json = (v: unknown) => JSON.parse(JSON.stringify(v));
    expect(out.full.k).toBe(6);
    expect(out.reduced.k).toBe(4);
    expect(out.reduced.coefficients[0].estimate).toBeCloseTo(metaSpecResult(fitMetaSpec(spec, rows([0, 1, 3, 4]))).coefficients[0]!.estimate, 10);
    expect(out.full.coefficients).toEqual(json(metaSpecResult(fitMetaSpec(spec, rows([0, 1, 2, 3, 4, 5]))).coefficients));
  });

  it("refuses a project whose data carries no judgements", async () => {
    const other = (await store.createProject({ title: "No appraisals" }, ctx)).id;
    await store.insert(other, "studies", [{ id: "a", name: "A" }, { id: "b", name: "B" }], ctx);
    await store.insert(other, "outcomes", [{ id: "oa", studyId: "a", name: "X" }, { id: "ob", studyId: "b", name: "X" }], ctx);
    await store.insert(other, "effectSizes", [{ id: "ea", outcomeId: "oa", measure: "SMD", yi: 0.1, vi: 0.01 }, { id: "eb", outcomeId: "ob", measure: "SMD", yi: 0.2, vi: 0.02 }], ctx);
    const res = await post(`/api/projects/${other}/analysis/risk-of-bias-sensitivity`, { data: "effectSizes" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error ?? res.body).toMatch(/no risk-of-bias judgements/);
  });
});
