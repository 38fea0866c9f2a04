import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { teamSimulation } from "@homeward/screening";
import { storeEngines } from "../../store/test/scratch-database.js";
import { screeningProjects } from "../src/routes/screening-state.js";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * Prioritisation models over HTTP: the stage's chosen model (an owner's
 * setting, kept beside the mode), and a simulation of one model or two on
 * the team's own settled decisions, as a job polled for progress.
 */
const rows: Record<string, string>[] = parse(readFileSync(new URL("../../screening/test/fixtures/cohen2006_adhd_subset.csv", import.meta.url)), { columns: true, bom: true });
// 80 records of the ADHD subset with 6 relevant among them: enough to simulate, quick to run.
const sample = rows.slice(0, 80);

describe.each(storeEngines("screening_sim"))("screening models and simulation routes (%s)", (_engine, open) => {
  let store: Store;
  let app: FastifyInstance;
  let done: () => Promise<void>;
  let project: string;
  let recordIds: string[];
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "Simulation" }, { actor: "ana" })).id;
    await addMembers(store, project, ["ben"]);
    const recs = await store.insert(project, "records", sample.map((r) => ({ title: r.title, abstract: r.abstract })), { actor: "ana" });
    recordIds = recs.map((r) => r.id);
    // Every record settled: included (or maybe) when the benchmark's label says relevant.
    await store.insert(
      project,
      "screeningDecisions",
      recs.map((r, i) => ({ recordId: r.id, stage: "title_abstract" as const, reviewer: "ana", decision: sample[i].label_included === "1" ? (i % 2 ? ("maybe" as const) : ("include" as const)) : ("exclude" as const) })),
      { actor: "ana" },
    );
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });
  const as = (user: string) => ({ "x-homeward-user": user });
  const url = (path: string) => `/api/projects/${project}/screening/title_abstract/${path}`;
  const relevant = sample.filter((r) => r.label_included === "1").length;

  it("lists the models, the stage's labelled decisions, and the default until an owner chooses another", async () => {
    const res = await app.inject({ url: url("models"), headers: as("ben") });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.models.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(["elas_u4", "elas_u2", "committee"]));
    expect(body).toMatchObject({ default: "elas_u4", current: null, labelled: { relevant, irrelevant: 80 - relevant }, job: null });
  });

  it("an owner chooses the stage's model (who may is the access test's matrix); the mode stays; an unknown name is refused with the names", async () => {
    await app.inject({ method: "PUT", url: url("settings"), headers: as("ana"), payload: { mode: "dual", reviewers: ["ana", "ben"] } });
    const bad = await app.inject({ method: "PUT", url: url("model"), headers: as("ana"), payload: { model: "svm9" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/unknown model "svm9".*elas_u4/);
    const set = await app.inject({ method: "PUT", url: url("model"), headers: as("ana"), payload: { model: "elas_u2" } });
    expect(set.statusCode).toBe(200);
    expect(set.json().current).toBe("elas_u2");
    // The stage's queue is now ranked by that model (the engine hands the setting to the ranking).
    const queueModel = async () => ((await screeningProjects(app, store).synced(project)).engine.stage("title_abstract").ranking as unknown as { modelName: string }).modelName;
    expect(await queueModel()).toBe("elas_u2");
    const settings = (await app.inject({ url: url("settings") })).json();
    expect(settings).toMatchObject({ mode: "dual", reviewers: ["ana", "ben"], model: "elas_u2" });
    // Saving the mode again keeps the model.
    await app.inject({ method: "PUT", url: url("settings"), headers: as("ana"), payload: { mode: "single" } });
    expect((await app.inject({ url: url("settings") })).json()).toMatchObject({ mode: "single", model: "elas_u2" });
    expect((await app.inject({ method: "PUT", url: url("model"), headers: as("ana"), payload: { model: null } })).json().current).toBeNull();
    expect(await queueModel()).toBe("elas_u4");
  });

  it("simulates two models on the team's decisions as a job, with both runs' figures and the recall curve", async () => {
    const start = await app.inject({ method: "POST", url: url("simulations"), headers: as("ben"), payload: { models: ["elas_u4", "elas_u2"], seed: 3 } });
    expect(start.statusCode, start.body).toBe(201);
    const { id } = start.json();
    let job = start.json();
    for (let k = 0; k < 600 && job.state === "running"; k++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await app.inject({ url: url(`simulations/${id}`), headers: as("ana") })).json();
    }
    expect(job.state, job.error).toBe("done");
    // The same simulation run directly on the benchmark's labels, records in the store's order.
    const order = (await store.list(project, "records")).map((r) => recordIds.indexOf(r.id));
    const direct = teamSimulation({
      texts: order.map((i) => `${sample[i].title} ${sample[i].abstract}`),
      labels: order.map((i) => Number(sample[i].label_included)),
      models: ["elas_u4", "elas_u2"],
      seed: 3,
    });
    expect(job.result.records).toBe(80);
    expect(job.result.relevant).toBe(relevant);
    expect(job.result.runs.map((r: { model: string; wss95: number; n95: number }) => [r.model, r.wss95, r.n95])).toEqual(direct.runs.map((r) => [r.model, r.wss95, r.n95]));
    expect(job.result.runs[1].servedBy[0].servedBy).toBe("elas_u2 (nb alpha=3.822)");
    const curve = job.result.runs[0].curve;
    expect(curve[0]).toEqual({ screened: 0, found: 0 });
    expect(curve[curve.length - 1]).toEqual({ screened: 80, found: relevant });
    expect(job.figure.svg).toContain("<svg");
    expect(job.figure.description).toMatch(/WSS@95 of/);
    expect(job.figure.description).toContain("ASReview 1 default (naive Bayes)");
    // The overview shows the latest run.
    expect((await app.inject({ url: url("models") })).json().job.id).toBe(id);
  });

  it("refuses bad simulations before starting a job", async () => {
    const cases: [unknown, RegExp][] = [
      [{ models: [] }, /choose a model/],
      [{ models: ["elas_u4", "elas_u2", "committee"] }, /at most two/],
      [{ models: ["elas_u4", "svm9"] }, /unknown screening model "svm9"/],
      [{ models: ["elas_u4", "elas_u4"] }, /two different models/],
    ];
    for (const [payload, msg] of cases) {
      const res = await app.inject({ method: "POST", url: url("simulations"), headers: as("ana"), payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toMatch(msg);
    }
    const empty = (await store.createProject({ title: "Empty" }, { actor: "ana" })).id;
    const res = await app.inject({ method: "POST", url: `/api/projects/${empty}/screening/title_abstract/simulations`, headers: as("ana"), payload: { models: ["elas_u4"] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/at least 2 records included \(or maybe\) and 2 excluded.*has 0 and 0/);
    expect((await app.inject({ url: url("simulations/nope") })).statusCode).toBe(404);
  });
});
