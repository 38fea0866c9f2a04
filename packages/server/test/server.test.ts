import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ensureExamples, openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { coreRoutes } from "@homeward/api";
import { namedUserPolicy } from "./identity.js";

const tmp = () => mkdtempSync(join(tmpdir(), "homeward-server-"));

describe("HTTP API", () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await openStore({ dataDir: tmp() });
    const web = tmp();
    writeFileSync(join(web, "index.html"), "<!doctype html><title>Homeward</title>");
    mkdirSync(join(web, "assets"));
    writeFileSync(join(web, "assets", "app.js"), "console.log(1)");
    app = await buildServer({ store, policy: namedUserPolicy, version: "9.9.9", webDir: web });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const json = async (method: "GET" | "POST" | "PATCH" | "PUT", url: string, body?: unknown, user?: string) => {
    const res = await app.inject({ method, url, payload: body as object, headers: user ? { "x-homeward-user": user } : {} });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
  };

  it("serves every route of the core contract", () => {
    for (const r of Object.values(coreRoutes)) expect(app.hasRoute({ method: r.method, url: r.path }), `${r.method} ${r.path}`).toBe(true);
  });

  it("counts the dashboard's stages from the PRISMA flow, saying which are live and which recorded", async () => {
    await ensureExamples(store);
    const detail = await json("GET", "/api/projects/reunification");
    // Seed 000, Appendix A (PRISMA flow): 10,263 database + 41 website records, 2,594 duplicates,
    // 7,669 screened, 338 + 16 reports assessed; 73 included studies are held as studies (live).
    expect(detail.body.dashboard.stages).toEqual([
      { stage: "identified", count: 10263 + 41, source: "recorded" },
      { stage: "duplicates", count: 2594, source: "recorded" },
      { stage: "screened", count: 7669, source: "recorded" },
      { stage: "fulltext", count: 338 + 16, source: "recorded" },
      { stage: "included", count: 73, source: "live" },
    ]);
    const flow = await json("GET", "/api/projects/reunification/review/prisma");
    expect(flow.body.prisma).toMatchObject({ records_screened: 7669, duplicates: 2594, new_studies: 73 });
  });

  it("answers health", async () => {
    expect(await json("GET", "/api/health")).toMatchObject({ status: 200, body: { ok: true, version: "9.9.9" } });
  });

  it("creates, lists, patches projects and logs who did it", async () => {
    const created = await json("POST", "/api/projects", { title: "Kinship care", description: "d" }, "ana");
    expect(created.status).toBe(201);
    const id = created.body.id;
    const list = await json("GET", "/api/projects");
    expect(list.body.find((p: { id: string }) => p.id === id)).toMatchObject({ title: "Kinship care", counts: { records: 0, studies: 0 } });
    expect((await json("PATCH", `/api/projects/${id}`, { title: "Kinship" })).body.title).toBe("Kinship");
    const detail = await json("GET", `/api/projects/${id}`);
    expect(detail.body.dashboard.stages.map((s: { stage: string }) => s.stage)).toEqual(["identified", "duplicates", "screened", "fulltext", "included"]);
    const audit = await json("GET", `/api/projects/${id}/audit?limit=10`);
    expect(audit.body).toMatchObject({ total: 3, offset: 0, limit: 10 });
    // The creator becomes the project's owner in the creating transaction.
    expect(audit.body.items.map((a: { actor: string; action: string; entity: string }) => [a.actor, a.action])).toEqual([
      ["local", "project.update"],
      ["ana", "members.create"],
      ["ana", "project.create"],
    ]);
  });

  it("answers bad input with 4xx JSON and one-line messages", async () => {
    const bad = await json("POST", "/api/projects", { title: "" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^invalid project: title: title must not be empty$/);
    expect((await json("GET", "/api/projects/nope")).status).toBe(404);
    expect((await json("GET", "/api/projects/nope/records")).status).toBe(404);
    expect((await json("GET", "/api/nothing-here")).body.error).toMatch(/no such API route/);
    const p = (await json("POST", "/api/projects", { title: "X" })).body;
    expect((await json("GET", `/api/projects/${p.id}/records?limit=0`)).status).toBe(400);
    expect((await json("GET", `/api/projects/${p.id}/records?sort=abstract`)).status).toBe(400);
    expect((await json("PATCH", `/api/projects/${p.id}`, { nope: 1 })).status).toBe(400);
    expect((await json("PUT", `/api/projects/${p.id}/protocol`, { exclusionReasons: "x" })).status).toBe(400);
    const malformed = await app.inject({ method: "POST", url: "/api/projects", payload: "{", headers: { "content-type": "application/json" } });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toBeTypeOf("string");
  });

  it("serves records, studies, searches, protocol, export and import", async () => {
    const p = (await json("POST", "/api/projects", { title: "Records" })).body;
    await store.insert(p.id, "searches", [{ id: "s1", source: "ERIC", kind: "database" }], { actor: "ana" });
    await store.insert(p.id, "records", Array.from({ length: 30 }, (_, i) => ({ id: `r${String(i).padStart(2, "0")}`, searchId: "s1", title: `Title ${i}`, year: 1990 + i })), { actor: "ana" });
    await store.insert(p.id, "studies", [{ id: "st", name: "Study" }], { actor: "ana" });
    await store.insert(p.id, "studyReports", [{ studyId: "st", recordId: "r03", role: "lead" }], { actor: "ana" });
    const page = await json("GET", `/api/projects/${p.id}/records?offset=5&limit=10&sort=year&dir=desc`);
    expect(page.body.total).toBe(30);
    expect(page.body.items.map((r: { year: number }) => r.year)).toEqual([2014, 2013, 2012, 2011, 2010, 2009, 2008, 2007, 2006, 2005]);
    // A search's page comes without its count, which is its own request.
    const searched = (await json("GET", `/api/projects/${p.id}/records?q=title%2017`)).body;
    expect(searched).toMatchObject({ total: 1, uncounted: true });
    expect(searched.items.map((r: { id: string }) => r.id)).toEqual(["r17"]);
    expect((await json("GET", `/api/projects/${p.id}/records?q=title&limit=4&offset=2&sort=year`)).body).toMatchObject({ total: 6, uncounted: true });
    expect((await json("GET", `/api/projects/${p.id}/records-count?q=title%2017`)).body).toEqual({ total: 1 });
    expect((await json("GET", `/api/projects/${p.id}/records-count?q=title%201`)).body).toEqual({ total: 11 });
    expect((await json("GET", `/api/projects/${p.id}/records-count`)).body).toEqual({ total: 30 });
    expect((await json("GET", `/api/projects/nope/records-count?q=title`)).status).toBe(404);
    expect((await json("GET", `/api/projects/${p.id}/records/r03`)).body).toMatchObject({ id: "r03", searchId: "s1", raw: null });
    expect((await json("GET", `/api/projects/${p.id}/records/zz`)).status).toBe(404);
    expect((await json("GET", `/api/projects/${p.id}/studies`)).body[0].leadReport.record.id).toBe("r03");
    expect((await json("GET", `/api/projects/${p.id}/searches`)).body).toMatchObject([{ id: "s1", source: "ERIC" }]);
    const proto = await json("PUT", `/api/projects/${p.id}/protocol`, { question: "Q?" });
    expect(proto.body.question).toBe("Q?");
    expect((await json("GET", `/api/projects/${p.id}/protocol`)).body.question).toBe("Q?");

    const started = await json("POST", `/api/projects/${p.id}/exports/jobs`);
    expect(started.status).toBe(201);
    for (let n = 0; (await json("GET", `/api/projects/${p.id}/jobs/${started.body.id}`)).body.state !== "done"; n++) {
      if (n > 600) throw new Error("the export job did not finish");
      await new Promise((r) => setTimeout(r, 50));
    }
    const exp = await app.inject({ method: "GET", url: `/api/projects/${p.id}/jobs/${started.body.id}/file` });
    expect(exp.headers["content-disposition"]).toMatch(/attachment; filename="Records-\d{4}-\d{2}-\d{2}\.homeward\.json"/);
    expect(exp.headers["content-type"]).toBe("application/json; charset=utf-8");
    const file = JSON.parse(exp.body);
    expect(file).toMatchObject({ format: "homeward-project", version: 2 });
    expect((await json("POST", "/api/projects/import", file)).status).toBe(409);
    const copy = await json("POST", "/api/projects/import?copy=true", file);
    expect(copy.status).toBe(201);
    expect((await json("GET", `/api/projects/${copy.body.id}/records?limit=1`)).body.total).toBe(30);
    const bad = await json("POST", "/api/projects/import", { ...file, format: "ris" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not a Homeward project file/);
  });

  it("serves the web app with a fallback to index.html outside /api", async () => {
    const page = await app.inject({ method: "GET", url: "/projects/abc/records" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>Homeward</title>");
    expect((await app.inject({ method: "GET", url: "/assets/app.js" })).body).toBe("console.log(1)");
  });

  it("explains when the web app is not built", async () => {
    const bare = await buildServer({ store, policy: namedUserPolicy, version: "1", webDir: tmp() });
    const res = await bare.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/npm run build -w @homeward\/web/);
    expect((await bare.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
    await bare.close();
  });
});
