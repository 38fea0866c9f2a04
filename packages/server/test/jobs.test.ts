import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Store } from "@homeward/store";
import { buildServer, type AccessPolicy } from "@homeward/server";
import { storeEngines } from "../../store/test/scratch-database.js";

/**
 * Background jobs over HTTP on both engines: a large analysis fitted in a
 * worker thread while the server keeps answering, the project's job list
 * with progress, results shown to whoever started a job, and cancellation.
 */

/** "rae" is a reviewer, everyone else an owner. */
const policy: AccessPolicy = {
  async identify(req: FastifyRequest) {
    const h = req.headers["x-homeward-user"];
    return { user: (Array.isArray(h) ? h[0] : h) || "ana", displayName: "", admin: false };
  },
  roleOf: async (_p, user) => (user === "rae" ? "reviewer" : "owner"),
  projectExists: async () => true,
};

/** A seeded generator (mulberry32), so the data set is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` effect sizes nested `per` to a study: study effects around 0.3, outcomes within them. */
function multilevelRows(n: number, per = 50) {
  const r = random(17);
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const rows: { study: string; esid: string; yi: number; vi: number }[] = [];
  let studyEffect = 0;
  for (let i = 0; i < n; i++) {
    if (i % per === 0) studyEffect = 0.3 + 0.2 * normal();
    const vi = 0.01 + 0.05 * r();
    rows.push({ study: `s${Math.floor(i / per)}`, esid: `e${i}`, yi: studyEffect + 0.1 * normal() + Math.sqrt(vi) * normal(), vi });
  }
  return rows;
}

describe.each(storeEngines("jobs_routes"))("background jobs (%s)", (_engine, open) => {
  let store: Store;
  let app: FastifyInstance;
  let done: () => Promise<void>;
  let projectId: string;
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")), jobs: { pollMs: 50, heartbeatMs: 200 } });
    projectId = (await store.createProject({ title: "Jobs" }, { actor: "ana" })).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });

  const req = async (method: "GET" | "POST", url: string, user = "ana", payload?: unknown) => {
    const res = await app.inject({ method, url, headers: { "x-homeward-user": user }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };

  it("fits a 20,000-row multilevel model in a worker thread while the server keeps answering, and lists the job with its result for its starter", async () => {
    // A hundred effect sizes per study: seconds of fitting, long enough to see the event loop stay free.
    const rows = multilevelRows(20_000, 100);
    const spec = { data: rows, random: ["study", "esid"] };
    const started = await req("POST", `/api/projects/${projectId}/analysis/jobs`, "ana", spec);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: "analysis", state: "queued", createdBy: "ana", progress: 0 });
    const id = started.body.id as string;
    // Poll as the page does, timing each answer: a fit on the event loop would hold one of them for seconds.
    let slowest = 0;
    let job = started.body;
    const states = new Set<string>();
    while (!["done", "failed", "cancelled"].includes(job.state)) {
      const t = performance.now();
      const page = await req("GET", `/api/projects/${projectId}/jobs`);
      slowest = Math.max(slowest, performance.now() - t);
      expect(page.status).toBe(200);
      job = (await req("GET", `/api/projects/${projectId}/jobs/${id}`)).body;
      states.add(job.state);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(job.error).toBeNull();
    expect(job.state).toBe("done");
    expect(states.has("running")).toBe(true);
    const ran = Date.parse(job.finishedAt) - Date.parse(job.startedAt);
    // The fit took far longer than any answer the server gave meanwhile.
    expect(ran).toBeGreaterThan(500);
    expect(slowest).toBeLessThan(ran / 4);
    expect(job.result.k).toBe(20_000);
    // The pooled effect of data generated around 0.3.
    expect(job.result.coefficients[0].estimate).toBeGreaterThan(0.25);
    expect(job.result.coefficients[0].estimate).toBeLessThan(0.35);
    expect(job.result.sigma2).toHaveLength(2);

    const list = await req("GET", `/api/projects/${projectId}/jobs?kind=analysis`);
    expect(list.body).toMatchObject({ total: 1, items: [{ id, kind: "analysis", state: "done", progress: 1, createdBy: "ana" }] });
    expect(list.body.items[0].result).toBeUndefined();
    // Computed with the starter's view of the project: others see that it ran, not what it found.
    expect((await req("GET", `/api/projects/${projectId}/jobs/${id}`, "ben")).body).toMatchObject({ state: "done", result: null });
  }, 120_000);

  it("refuses a bad spec at once, and answers 404 for another project's job", async () => {
    const bad = await req("POST", `/api/projects/${projectId}/analysis/jobs`, "ana", { data: [{ yi: 1, vi: 1 }], method: "nonsense" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/method/);
    const other = (await store.createProject({ title: "Other" }, { actor: "ana" })).id;
    const job = (await req("POST", `/api/projects/${projectId}/analysis/jobs`, "ana", { data: multilevelRows(40, 4), random: ["study", "esid"] })).body;
    expect((await req("GET", `/api/projects/${other}/jobs/${job.id}`)).status).toBe(404);
    expect((await req("GET", `/api/projects/${other}/jobs`)).body.total).toBe(0);
  });

  it("cancels a running job for its starter or an owner only; the worker thread is ended and nothing is kept", async () => {
    const job = (await req("POST", `/api/projects/${projectId}/analysis/jobs`, "rae", { data: multilevelRows(20_000), random: ["study", "esid"] })).body;
    for (let i = 0; i < 400; i++) {
      const j = (await req("GET", `/api/projects/${projectId}/jobs/${job.id}`)).body;
      if (j.state === "running") break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const refused = await req("POST", `/api/projects/${projectId}/jobs/${job.id}/cancel`, "rob");
    // rob is an owner: owners may cancel anyone's job. A reviewer other than the starter may not.
    expect(refused.status).toBe(200);
    const other = (await req("POST", `/api/projects/${projectId}/analysis/jobs`, "ana", { data: multilevelRows(20_000), random: ["study", "esid"] })).body;
    expect((await req("POST", `/api/projects/${projectId}/jobs/${other.id}/cancel`, "rae")).status).toBe(403);
    expect((await req("POST", `/api/projects/${projectId}/jobs/${other.id}/cancel`, "ana")).status).toBe(200);
    for (const id of [job.id, other.id]) {
      let j = (await req("GET", `/api/projects/${projectId}/jobs/${id}`, "ana")).body;
      for (let i = 0; i < 400 && !["done", "failed", "cancelled"].includes(j.state); i++) {
        await new Promise((r) => setTimeout(r, 25));
        j = (await req("GET", `/api/projects/${projectId}/jobs/${id}`, "ana")).body;
      }
      expect(j).toMatchObject({ state: "cancelled", result: null });
    }
  }, 60_000);

  it("imports a records file as a job any server can run, with its result, and fails a refused file with the report", async () => {
    const ris = (title: string) => `TY  - JOUR\nTI  - ${title}\nAU  - Okafor, N.\nPY  - 2010\nER  - \n\n`;
    const upload = async (body: string, extra = "") =>
      app.inject({ method: "POST", url: `/api/projects/${projectId}/imports/jobs?fileName=a.ris&source=ERIC${extra}`, headers: { "x-homeward-user": "ana", "content-type": "application/octet-stream" }, payload: body });
    const settle = async (id: string) => {
      let j = (await req("GET", `/api/projects/${projectId}/jobs/${id}`)).body;
      for (let i = 0; i < 400 && !["done", "failed", "cancelled"].includes(j.state); i++) {
        await new Promise((r) => setTimeout(r, 25));
        j = (await req("GET", `/api/projects/${projectId}/jobs/${id}`)).body;
      }
      return j;
    };
    const before = (await store.list(projectId, "records")).length;
    const started = await upload(ris("Mentoring and attendance") + ris("Tutoring and reading") + ris("Class size and behaviour"));
    expect(started.statusCode).toBe(201);
    expect(started.json()).toMatchObject({ kind: "import", createdBy: "ana" });
    const done = await settle(started.json().id);
    expect(done).toMatchObject({ state: "done", progress: 1, result: { imported: 3, skipped: 0 } });
    const titles = (await store.list(projectId, "records")).map((x) => x.title);
    expect(titles.length).toBe(before + 3);
    expect(titles).toContain("Tutoring and reading");

    const refused = await upload(ris("A readable record") + "TY  - JOUR\nER  - \n");
    expect(refused.statusCode).toBe(201);
    const failed = await settle(refused.json().id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toBeTruthy();
    // Bad input is not tried again.
    expect(failed.attempts).toBe(1);
    expect(failed.detail.report).toMatchObject({ format: "ris", records: 1, skipped: 1 });
    expect((await store.list(projectId, "records")).length).toBe(before + 3);

    expect((await upload("", "")).statusCode).toBe(400);
    expect((await app.inject({ method: "POST", url: `/api/projects/${projectId}/imports/jobs?fileName=a.ris`, headers: { "x-homeward-user": "ana" }, payload: ris("x") })).statusCode).toBe(400);
  }, 60_000);
});
