import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { loadProjectFile, openStore, syntheticRecords, type Store } from "@homeward/store";
import { buildServer, type AccessPolicy } from "@homeward/server";
import { storeEngines } from "../../store/test/scratch-database.js";
import { reportWorker } from "../src/jobs/report.js";

/**
 * A project backup, its export and the report's files as background jobs over HTTP,
 * on both engines: started, run to the end, their file downloaded by those
 * who may take it (and refused to others), the backup equal to the project's
 * file read in one transaction on the store's own connection, and read back
 * by the ordinary project import.
 */

/** "rae" is a reviewer, "vic" a viewer, everyone else an owner. */
const policy: AccessPolicy = {
  async identify(req: FastifyRequest) {
    const h = req.headers["x-homeward-user"];
    return { user: (Array.isArray(h) ? h[0] : h) || "ana", displayName: "", admin: false };
  },
  roleOf: async (_p, user) => (user === "rae" ? "reviewer" : user === "vic" ? "viewer" : "owner"),
  projectExists: async () => true,
};

describe.each(storeEngines("backup_report_jobs"))("backup and report jobs (%s)", (_engine, open) => {
  let store: Store;
  let app: FastifyInstance;
  let done: () => Promise<void>;
  let projectId: string;
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")), jobs: { pollMs: 50, heartbeatMs: 200 } });
    projectId = (await store.createProject({ title: "Backup & report" }, { actor: "ana" })).id;
    await store.insert(projectId, "records", syntheticRecords(2_000), { actor: "ana" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });

  const req = async (method: "GET" | "POST", url: string, user = "ana", payload?: unknown) => {
    const res = await app.inject({ method, url, headers: { "x-homeward-user": user }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, body: res.headers["content-type"]?.toString().startsWith("application/json") && res.body ? res.json() : undefined };
  };
  const settled = async (jobId: string) => {
    for (let i = 0; i < 1200; i++) {
      const j = (await req("GET", `/api/projects/${projectId}/jobs/${jobId}`)).body;
      if (["done", "failed", "cancelled"].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${jobId} did not finish`);
  };

  it("backs up the project as a job; the file is the project file gzip'd, downloaded by owners only, and imports as the project", async () => {
    expect((await req("POST", `/api/projects/${projectId}/backups/jobs`, "rae")).status).toBe(403);
    const started = await req("POST", `/api/projects/${projectId}/backups/jobs`, "ana");
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: "backup", state: "queued", createdBy: "ana" });
    const job = await settled(started.body.id);
    expect(job).toMatchObject({ state: "done", progress: 1, error: null });
    expect(job.result.file).toMatchObject({ mediaType: "application/gzip" });
    expect(job.result.file.name).toMatch(/^Backup-report-\d{4}-\d{2}-\d{2}\.homeward\.json\.gz$/);

    const file = await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "ana");
    expect(file.status).toBe(200);
    expect(file.headers["content-type"]).toBe("application/gzip");
    expect(file.headers["content-disposition"]).toContain(job.result.file.name);
    expect(file.raw.length).toBe(job.result.file.size);
    // The same bytes as the project's file read in one transaction on the store's own connection (the export before it moved).
    const expected = await store.transaction(async (tx) => JSON.stringify(await tx.exportProject(projectId)));
    expect(gunzipSync(file.raw).toString("utf8")).toBe(expected);
    // Another owner may take it; a reviewer may not (it holds every reviewer's decisions).
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "rob")).status).toBe(200);
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "rae")).status).toBe(403);

    // The file as downloaded is what `homeward project import` reads.
    const dir = mkdtempSync(join(tmpdir(), "homeward-backup-file-"));
    writeFileSync(join(dir, job.result.file.name), file.raw);
    const restored = await openStore({ dataDir: join(dir, "data") });
    try {
      const p = await restored.importProject(loadProjectFile(join(dir, job.result.file.name)), { actor: "ana" });
      expect(p.id).toBe(projectId);
      expect((await restored.queryRecords(projectId, { offset: 0, limit: 1 })).total).toBe(2_000);
    } finally {
      await restored.close();
    }
  }, 120_000);

  it("renders the report's Word document as a job for whoever asked; a missing version is refused at once", async () => {
    expect((await req("POST", `/api/projects/${projectId}/report/jobs`, "vic", { format: "odt" })).status).toBe(400);
    const missing = await req("POST", `/api/projects/${projectId}/report/jobs`, "vic", { format: "pdf", version: 9 });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/version 9/);

    const started = await req("POST", `/api/projects/${projectId}/report/jobs`, "vic", { format: "docx" });
    expect(started.status).toBe(201);
    const job = await settled(started.body.id);
    expect(job).toMatchObject({ kind: "report", state: "done", error: null, result: null }); // the result is vic's, not ana's
    const mine = (await req("GET", `/api/projects/${projectId}/jobs/${job.id}`, "vic")).body;
    expect(mine.result).toMatchObject({ format: "docx", version: null, file: { name: "report-draft.docx", mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" } });
    const file = await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "vic");
    expect(file.status).toBe(200);
    expect(file.raw.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(file.raw.length).toBe(mine.result.file.size);
    // Rendered with vic's view of the project: not for others, owners included.
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "ana")).status).toBe(403);
  }, 120_000);

  it("exports the project as a job: refused to all but owners while a stage is blind; the project file as it is, which its starter and owners may take", async () => {
    const refused = await req("POST", `/api/projects/${projectId}/exports/jobs`, "vic");
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/blind/);
    const stages = ["title_abstract", "full_text", "extraction", "appraisal", "cerqual"] as const;
    for (const s of stages) await store.setBlinding(projectId, s, false, { actor: "ana", reason: "the review is done" });

    const started = await req("POST", `/api/projects/${projectId}/exports/jobs`, "vic");
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: "export", state: "queued", createdBy: "vic" });
    const job = await settled(started.body.id);
    expect(job).toMatchObject({ state: "done", progress: 1, error: null });
    const mine = (await req("GET", `/api/projects/${projectId}/jobs/${job.id}`, "vic")).body;
    expect(mine.result.file).toMatchObject({ mediaType: "application/json; charset=utf-8" });
    expect(mine.result.file.name).toMatch(/^Backup-report-\d{4}-\d{2}-\d{2}\.homeward\.json$/);
    const file = await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "vic");
    expect(file.status).toBe(200);
    expect(file.headers["content-disposition"]).toContain(mine.result.file.name);
    expect(file.raw.toString("utf8")).toBe(await store.transaction(async (tx) => JSON.stringify(await tx.exportProject(projectId))));
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "ana")).status).toBe(200);
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "rae")).status).toBe(403);

    // Blinding imposed since: the file holds every reviewer's work, so it waits for the viewer as a new export would; owners may still take it.
    await store.setBlinding(projectId, "title_abstract", true, { actor: "ana", reason: "a second team screens" });
    const late = await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "vic");
    expect(late.status).toBe(403);
    expect(late.body.error).toMatch(/blind/);
    expect((await req("GET", `/api/projects/${projectId}/jobs/${job.id}/file`, "ana")).status).toBe(200);
    for (const s of stages) await store.setBlinding(projectId, s, true, { actor: "ana", reason: "as it was" });
  }, 120_000);

  it("makes the report's HTML and its bundle as jobs", async () => {
    const html = await settled((await req("POST", `/api/projects/${projectId}/report/jobs`, "rae", { format: "html" })).body.id);
    const htmlResult = (await req("GET", `/api/projects/${projectId}/jobs/${html.id}`, "rae")).body.result;
    expect(htmlResult).toMatchObject({ format: "html", version: null, file: { name: "report-draft.html", mediaType: "text/html; charset=utf-8" } });
    const page = await req("GET", `/api/projects/${projectId}/jobs/${html.id}/file`, "rae");
    expect(page.raw.toString("utf8")).toBe((await app.inject({ url: `/api/projects/${projectId}/report/html`, headers: { "x-homeward-user": "rae" } })).body);
    const bundle = await settled((await req("POST", `/api/projects/${projectId}/report/jobs`, "rae", { format: "bundle" })).body.id);
    const zip = await req("GET", `/api/projects/${projectId}/jobs/${bundle.id}/file`, "rae");
    expect(zip.headers["content-type"]).toBe("application/zip");
    expect(zip.headers["content-disposition"]).toContain("report-draft.zip");
    expect(zip.raw.subarray(0, 2).toString("latin1")).toBe("PK");
    for (const name of ["report.html", "report-data.json", "manifest.json"]) expect(zip.raw.includes(Buffer.from(name))).toBe(true);
  }, 120_000);

  it("renders report files one after another on one kept worker thread, and replaces a thread that dies, the job retried", async () => {
    const worker = reportWorker(store);
    const html = await settled((await req("POST", `/api/projects/${projectId}/report/jobs`, "ana", { format: "html" })).body.id);
    expect(html.state).toBe("done");
    // The build's thread: from the TypeScript sources without a build the report would be rendered on this thread.
    const thread = worker.current;
    expect(thread, "the report worker thread (build first: npx tsc -b)").not.toBeNull();
    const started = worker.started;
    const bundle = await settled((await req("POST", `/api/projects/${projectId}/report/jobs`, "ana", { format: "bundle" })).body.id);
    expect(bundle).toMatchObject({ state: "done", attempts: 1 });
    expect(worker.current).toBe(thread);
    expect(worker.started).toBe(started);

    // The thread dies as the next file is handed to it: that attempt fails, the retry runs on a new thread.
    thread!.postMessage = () => void thread!.terminate();
    const retried = await settled((await req("POST", `/api/projects/${projectId}/report/jobs`, "ana", { format: "html" })).body.id);
    expect(retried).toMatchObject({ state: "done", attempts: 2 });
    expect(worker.started).toBe(started + 1);
    expect(worker.current).not.toBe(thread);
    expect(worker.current).not.toBeNull();
    const page = await req("GET", `/api/projects/${projectId}/jobs/${retried.id}/file`, "ana");
    expect(page.raw.toString("utf8")).toBe((await app.inject({ url: `/api/projects/${projectId}/report/html`, headers: { "x-homeward-user": "ana" } })).body);
  }, 120_000);

  it("answers 404 for a finished job without a file and 409 for one not done", async () => {
    const analysis = (await req("POST", `/api/projects/${projectId}/analysis/jobs`, "ana", { data: [{ yi: 0.1, vi: 0.01 }, { yi: 0.3, vi: 0.02 }, { yi: 0.2, vi: 0.01 }] })).body;
    const finished = await settled(analysis.id);
    expect(finished.state).toBe("done");
    expect((await req("GET", `/api/projects/${projectId}/jobs/${analysis.id}/file`, "ana")).status).toBe(404);
    const backup = (await req("POST", `/api/projects/${projectId}/backups/jobs`, "ana")).body;
    const cancelled = (await req("POST", `/api/projects/${projectId}/jobs/${backup.id}/cancel`, "ana")).body;
    if (cancelled.state !== "done") expect((await req("GET", `/api/projects/${projectId}/jobs/${backup.id}/file`, "ana")).status).toBe(409);
    await settled(backup.id);
  });
});
