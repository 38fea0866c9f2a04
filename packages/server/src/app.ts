import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import fastifyStatic from "@fastify/static";
import { z } from "zod";
import { isInputError, PageQuery, type ProjectDetail, parseInput, ProjectCreate, ProjectPatch, RecordsQuery, UserName } from "@homeward/model";
import { dashboardStages, prismaFlow } from "@homeward/review";
import { loadPrismaInput } from "./load.js";
import type { Store, WriteContext } from "@homeward/store";

export interface ServerOptions {
  store: Store;
  version: string;
  /** Folder of the web build (index.html and assets); default packages/web/dist. */
  webDir?: string;
  /** Largest accepted request body, bytes (project imports can be large). */
  bodyLimit?: number;
  logger?: boolean;
}

export const USER_HEADER = "x-homeward-user";
export const DEFAULT_USER = "local";
export const defaultWebDir = (): string => fileURLToPath(new URL("../../web/dist/", import.meta.url));

const IdParams = z.object({ id: z.string().min(1) });
const RecordParams = z.object({ id: z.string().min(1), recordId: z.string().min(1) });

/**
 * The HTTP API (JSON under /api) and the web app (static files with an SPA
 * fallback to index.html). Errors are `{"error": "<one line>"}` with a 4xx
 * status for bad input, 404 for unknown things, 409 for conflicts.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { store } = opts;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: opts.bodyLimit ?? 512 * 1024 * 1024 });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (isInputError(err)) return reply.code(err.status ?? 400).send({ error: err.message });
    const e = err as { statusCode?: number; message?: string };
    // Fastify's own 4xx (malformed JSON, wrong content type, body too large).
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.message ?? "bad request" });
    app.log.error(err);
    return reply.code(500).send({ error: `internal error: ${e.message ?? String(err)}` });
  });

  const actor = (req: FastifyRequest): WriteContext => {
    const h = req.headers[USER_HEADER];
    const name = Array.isArray(h) ? h[0] : h;
    return { actor: name === undefined || name === "" ? DEFAULT_USER : parseInput(UserName, name, `${USER_HEADER} header`) };
  };
  const params = <T extends z.ZodType>(schema: T, req: FastifyRequest) => parseInput(schema, req.params, "path");

  app.get("/api/health", async () => ({ ok: true, version: opts.version }));

  app.get("/api/projects", async () => store.listProjects());
  app.post("/api/projects", async (req, reply) => {
    const body = parseInput(ProjectCreate, req.body ?? {}, "project");
    const p = await store.createProject(body, actor(req));
    return reply.code(201).send(p);
  });
  app.post("/api/projects/import", async (req, reply) => {
    const copy = parseInput(z.object({ copy: z.enum(["true", "false"]).optional() }), req.query, "query").copy === "true";
    const p = await store.importProject(req.body, { ...actor(req), copy });
    return reply.code(201).send(p);
  });
  app.get("/api/projects/:id", async (req): Promise<ProjectDetail> => {
    const { id } = params(IdParams, req);
    const summary = await store.getProjectSummary(id);
    return { ...summary, dashboard: { stages: dashboardStages(prismaFlow(await loadPrismaInput(store, id))) } };
  });
  app.patch("/api/projects/:id", async (req) => {
    const { id } = params(IdParams, req);
    return store.updateProject(id, parseInput(ProjectPatch, req.body ?? {}, "project change"), actor(req));
  });
  app.get("/api/projects/:id/protocol", async (req) => store.getProtocol(params(IdParams, req).id));
  app.put("/api/projects/:id/protocol", async (req) => store.setProtocol(params(IdParams, req).id, req.body, actor(req)));
  app.get("/api/projects/:id/searches", async (req) => {
    const { id } = params(IdParams, req);
    await store.getProject(id);
    return store.list(id, "searches");
  });
  app.get("/api/projects/:id/records", async (req) => {
    const { id } = params(IdParams, req);
    return store.queryRecords(id, parseInput(RecordsQuery, req.query, "records query"));
  });
  app.get("/api/projects/:id/records/:recordId", async (req) => {
    const { id, recordId } = params(RecordParams, req);
    return store.get(id, "records", recordId);
  });
  app.get("/api/projects/:id/studies", async (req) => store.listStudyViews(params(IdParams, req).id));
  app.get("/api/projects/:id/audit", async (req) => {
    const { id } = params(IdParams, req);
    return store.listAudit(id, parseInput(PageQuery, req.query, "audit query"));
  });
  app.get("/api/projects/:id/export", async (req, reply: FastifyReply) => {
    const { id } = params(IdParams, req);
    const file = await store.exportProject(id);
    const name = (file.project.title.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 60) || "project") + ".homeward.json";
    return reply
      .header("content-type", "application/json; charset=utf-8")
      .header("content-disposition", `attachment; filename="${name.replace(/[^\x20-\x7e]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(JSON.stringify(file));
  });

  await (await import("./routes/review.js")).registerReviewRoutes(app, store);
  await (await import("./routes/records.js")).registerRecordsRoutes(app, store);
  await (await import("./routes/screening.js")).registerScreeningRoutes(app, store);
  await (await import("./routes/screening-setup.js")).registerScreeningSetupRoutes(app, store);
  await (await import("./routes/fulltext.js")).registerFullTextRoutes(app, store);
  await (await import("./routes/collections.js")).registerCollectionRoutes(app, store);
  await (await import("./routes/analysis.js")).registerAnalysisRoutes(app, store);

  const webDir = resolve(opts.webDir ?? defaultWebDir());
  const webBuilt = existsSync(join(webDir, "index.html"));
  if (webBuilt) await app.register(fastifyStatic, { root: webDir });

  app.setNotFoundHandler((req, reply) => {
    if (req.url === "/api" || req.url.startsWith("/api/")) {
      return reply.code(404).send({ error: `no such API route: ${req.method} ${req.url.split("?")[0]}` });
    }
    if (req.method !== "GET" && req.method !== "HEAD") return reply.code(404).send({ error: "not found" });
    if (!webBuilt) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(`The Homeward web app is not built (no ${join(webDir, "index.html")}).\nBuild it with: npm run build -w @homeward/web\nThe API is available under /api.\n`);
    }
    // Client-side routes: every other path is the single-page app.
    return reply.type("text/html; charset=utf-8").sendFile("index.html");
  });

  return app;
}

