import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { fitMetaSpec, metaSpecResult, parseMetaSpec } from "@homeward/meta";
import { effectSizeRows } from "@homeward/review";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * Saved analyses over HTTP: a reviewer saves a named analysis (the next
 * version of a name saved before), signed from the session; anyone in the
 * project lists, reads and re-runs it; a re-run after one effect size changed
 * (and one was added) names them and shows the estimate that moved.
 */
describe("saved analyses routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const cookie = new Map<string, string>();
  const esIds: string[] = [];

  const call = (user: string, method: "GET" | "POST", url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { cookie: cookie.get(user)!, ...(payload === undefined ? {} : { "content-type": "application/json" }) }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const base = () => `/api/projects/${project}/saved-analyses`;
  const spec = { data: "effectSizes", method: "REML", random: ["study", "outcome"], test: "t", robust: { cluster: "study" }, figures: ["forest"] };

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-saved-analyses-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Saved analyses", [["ana", "reviewer"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [n, c] of team.cookie) cookie.set(n, c);
    const at = new Date().toISOString();
    // Six studies, two outcomes each: made-up SMDs, enough for a three-level model.
    const yi = [0.31, 0.12, 0.55, 0.41, -0.05, 0.08, 0.62, 0.47, 0.2, 0.35, 0.15, 0.02];
    const vi = [0.04, 0.05, 0.03, 0.06, 0.05, 0.04, 0.07, 0.05, 0.03, 0.04, 0.06, 0.05];
    const studies = await store.insert(project, "studies", [1, 2, 3, 4, 5, 6].map((n) => ({ name: `Trial ${n}`, createdAt: at })), { actor: "olive" });
    const outcomes = await store.insert(project, "outcomes", studies.flatMap((s) => [{ studyId: s.id, name: "Reunified" }, { studyId: s.id, name: "Re-entry" }]), { actor: "olive" });
    const es = await store.insert(project, "effectSizes", outcomes.map((o, i) => ({ outcomeId: o.id, measure: "SMD", inputs: {}, yi: yi[i]!, vi: vi[i]!, createdBy: "olive" })), { actor: "olive" });
    esIds.push(...es.map((e) => e.id));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const projectRows = async () =>
    effectSizeRows({ studies: await store.list(project, "studies"), outcomes: await store.list(project, "outcomes"), effectSizes: await store.list(project, "effectSizes") }).rows;

  it("saves a named analysis with its result and rows, signed from the session; the same name again is version 2", async () => {
    const res = await call("ana", "POST", base(), { name: "Overall, three-level", description: "primary model", spec });
    expect(res.statusCode, res.body).toBe(201);
    const saved = res.json();
    expect(saved).toMatchObject({ name: "Overall, three-level", version: 1, description: "primary model", savedBy: "ana" });
    expect(Date.parse(saved.savedAt)).toBeGreaterThan(Date.now() - 60_000);
    // The result is the analysis route's fit of the project's rows.
    const expected = metaSpecResult(fitMetaSpec(parseMetaSpec(spec, ["figures"]), await projectRows()));
    expect(saved.result.coefficients[0].estimate).toBe(expected.coefficients[0]!.estimate);
    expect(saved.result.robust.coefficients[0].se).toBe(expected.robust!.coefficients[0]!.se);
    expect(saved.rows.map((r: { effectSizeId: string }) => r.effectSizeId).sort()).toEqual([...esIds].sort());
    expect((await call("ana", "POST", base(), { name: "Overall, three-level", spec })).json()).toMatchObject({ version: 2, savedBy: "ana" });
    expect((await call("ana", "POST", base(), { name: "Univariate", spec: { data: "effectSizes", method: "DL" } })).json()).toMatchObject({ version: 1 });
  });

  it("refuses bad input with a reason and saves nothing; a viewer may not save, nor may anyone sign for someone else", async () => {
    const before = (await store.list(project, "savedAnalyses")).length;
    const cases: [unknown, RegExp][] = [
      [{ name: "x", spec: { data: "effectSizes", method: "NOPE" } }, /spec "method" must be one of/],
      [{ name: "x", spec: { data: "effectSizes", random: ["nosuch"] } }, /column "nosuch" not found/],
      [{ name: "x", spec: { data: "effectSizes", figures: ["pie"] } }, /"figures" must be an array of figure names/],
      [{ name: "  ", spec }, /give the analysis a name/],
      [{ name: "x", spec, savedBy: "vic" }, /savedBy/],
    ];
    for (const [body, msg] of cases) {
      const res = await call("ana", "POST", base(), body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toMatch(msg);
    }
    expect((await call("vic", "POST", base(), { name: "x", spec })).statusCode).toBe(403);
    expect((await store.list(project, "savedAnalyses")).length).toBe(before);
  });

  it("lists analyses by name with versions newest first, and reads one version", async () => {
    const list = (await call("vic", "GET", base())).json();
    expect(list.analyses.map((a: { name: string }) => a.name)).toEqual(["Overall, three-level", "Univariate"]);
    const three = list.analyses[0];
    expect(three.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(three.latest).toMatchObject({ version: 2, k: 12, measure: "SMD", savedBy: "ana" });
    expect(three.latest.model).toMatch(/multilevel \(study\/outcome\).*CR2 by study/);
    const one = await call("vic", "GET", `${base()}/${three.versions[1].id}`);
    expect(one.json()).toMatchObject({ version: 1, spec });
    expect((await call("vic", "GET", `${base()}/nope`)).statusCode).toBe(404);
  });

  it("re-runs a version against today's data: nothing moved, then one changed and one added effect size and the estimates that moved", async () => {
    const id = (await call("vic", "GET", base())).json().analyses[0].versions[1].id as string;
    const same = (await call("vic", "POST", `${base()}/${id}/rerun`)).json();
    expect(same.moved.unchanged).toBe(true);
    expect(same.moved.effectSizes).toEqual({ added: [], removed: [], changed: [] });

    await store.update(project, "effectSizes", esIds[3]!, { yi: 1.4 }, { actor: "olive" });
    const study = (await store.list(project, "studies"))[0]!;
    const [o] = await store.insert(project, "outcomes", [{ studyId: study.id, name: "Stability" }], { actor: "olive" });
    const [added] = await store.insert(project, "effectSizes", [{ outcomeId: o!.id, measure: "SMD", inputs: {}, yi: 0.3, vi: 0.05, createdBy: "olive" }], { actor: "olive" });
    const res = await call("vic", "POST", `${base()}/${id}/rerun`);
    expect(res.statusCode, res.body).toBe(200);
    const { moved, result } = res.json();
    expect(moved.unchanged).toBe(false);
    expect(moved.k).toEqual({ before: 12, after: 13 });
    expect(moved.effectSizes.changed).toEqual([expect.objectContaining({ effectSizeId: esIds[3], before: { yi: 0.41, vi: 0.06 }, after: { yi: 1.4, vi: 0.06 } })]);
    expect(moved.effectSizes.added.map((r: { effectSizeId: string }) => r.effectSizeId)).toEqual([added!.id]);
    expect(moved.effectSizes.removed).toEqual([]);
    const coef = moved.coefficients[0];
    expect(coef.moved).toBe(true);
    expect(coef.after.estimate).toBe(result.coefficients[0].estimate);
    expect(coef.after.estimate).toBeGreaterThan(coef.before.estimate);
    expect(moved.robust[0].moved).toBe(true);
    // Nothing is saved by a re-run.
    expect((await store.list(project, "savedAnalyses")).length).toBe(3);
  });
});
