import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import { coreRoutes } from "@homeward/api";
import { InputError, isInputError, protocolVersions } from "@homeward/model";
import { blindCollection, blindView } from "./blinding.js";
import { dashboardStages, prismaFlow } from "@homeward/review";
import { loadFlowInput } from "./load.js";
import type { QueueOptions, Store } from "@homeward/store";
import fastifyCookie from "@fastify/cookie";
import { createAccounts, type Accounts } from "@homeward/accounts";
import { sessionPolicy } from "./auth.js";
import type { OidcOptions } from "./oidc.js";
import { requestContext, writer, type AccessPolicy } from "./context.js";
import { DEFAULT_BODY_LIMIT, serve } from "./contract.js";
import { boundedJson, security } from "./security.js";

export type { AccessPolicy, Identity } from "./context.js";

export interface ServerOptions {
  store: Store;
  version: string;
  /** Folder of the web build (index.html and assets); default packages/web/dist. */
  webDir?: string;
  /** Largest request body of a route that declares no limit of its own, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest full-text file (a PDF) the server stores, bytes (default 100 MiB). */
  maxFullTextBytes?: number;
  /** Host names the server answers besides the loopback names (the name it is reached by on a network). */
  allowedHosts?: readonly string[];
  logger?: boolean;
  /** The accounts engine over the store (default: made from `store`). */
  accounts?: Accounts;
  /**
   * Who is asking and in which role (default: the session cookie and the
   * project's members, `sessionPolicy`). Set only by code embedding the
   * server; no configuration or command reaches it.
   */
  policy?: AccessPolicy;
  /** Mark the session cookie Secure even when the request is not seen as TLS (behind a TLS-terminating proxy that the server does not trust). */
  secureCookies?: boolean;
  /** Organisation sign-in through an OpenID Connect provider (off when absent). */
  oidc?: OidcOptions;
  /** Timings of the background job queue (tests shorten them). */
  jobs?: QueueOptions;
}

export const defaultWebDir = (): string => fileURLToPath(new URL("../../web/dist/", import.meta.url));


/**
 * The HTTP API (JSON under /api) and the web app (static files with an SPA
 * fallback to index.html). Errors are `{"error": "<one line>"}` with a 4xx
 * status for bad input, 404 for unknown things, 409 for conflicts.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { store } = opts;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT });
  security(app, { allowedHosts: opts.allowedHosts });
  boundedJson(app);

  app.setErrorHandler((err: unknown, _req, reply) => {
    // A conflict may carry what now stands (a "one per" place another writer took first), so the client can show it.
    if (isInputError(err)) {
      const current = (err as { current?: unknown }).current;
      return reply.code(err.status ?? 400).send(current === undefined ? { error: err.message } : { error: err.message, current });
    }
    const e = err as { statusCode?: number; message?: string };
    // Fastify's own 4xx (malformed JSON, wrong content type, body too large).
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.message ?? "bad request" });
    app.log.error(err);
    return reply.code(500).send({ error: `internal error: ${e.message ?? String(err)}` });
  });

  await app.register(fastifyCookie);
  const accounts = opts.accounts ?? createAccounts(store);
  const policy = opts.policy ?? sessionPolicy(store, accounts);
  requestContext(app, policy);
  const r = coreRoutes;

  serve(app, r.health, async () => ({ ok: true, version: opts.version }));
  serve(app, r.listProjects, async ({ ctx }) => {
    const all = await store.listProjects();
    const roles = await Promise.all(all.map((p) => policy.roleOf(p.id, ctx.actor)));
    return all.filter((_, i) => roles[i] !== null);
  });
  serve(app, r.createProject, async ({ body, ctx }) => store.createProject(body, writer(ctx)));
  serve(app, r.importProject, async ({ query, body, ctx }) => store.importProject(body, { ...writer(ctx), copy: query.copy === "true" }));
  serve(app, r.getProject, async ({ params: { id } }) => {
    const summary = await store.getProjectSummary(id);
    return { ...summary, dashboard: { stages: dashboardStages(prismaFlow(await loadFlowInput(store, id))) } };
  });
  serve(app, r.updateProject, async ({ params: { id }, body, ctx }) => store.updateProject(id, body, writer(ctx)));
  serve(app, r.getProtocol, async ({ params: { id } }) => store.getProtocol(id));
  serve(app, r.setProtocol, async ({ params: { id }, body, ctx }) => store.setProtocol(id, body, writer(ctx)));
  serve(app, r.getProtocolVersions, async ({ params: { id } }) => {
    const protocol = await store.getProtocol(id);
    return { protocol, versions: protocolVersions(protocol) };
  });
  serve(app, r.updateProtocolSection, async ({ params: { id, section }, body, ctx }) => {
    const protocol = await store.updateProtocolSection(id, section, body.value, body.version, writer(ctx, body.reason));
    return { protocol, versions: protocolVersions(protocol) };
  });
  serve(app, r.listSearches, async ({ params: { id } }) => {
    await store.getProject(id);
    return store.list(id, "searches");
  });
  // A search's page does not wait for its count (up to 100 times the page for a common prefix): the records page asks for it next.
  serve(app, r.listRecords, async ({ params: { id }, query }) => store.queryRecords(id, query, { counted: false }));
  serve(app, r.countRecords, async ({ params: { id }, query }) => {
    await store.getProject(id);
    return store.recordsCount(id, query.q);
  });
  serve(app, r.getRecord, async ({ params: { id, recordId } }) => store.get(id, "records", recordId));
  serve(app, r.listStudies, async ({ params: { id } }) => store.listStudyViews(id));
  serve(app, r.listAudit, async ({ params: { id }, query, ctx }) => {
    const page = await store.listAudit(id, query);
    // Blind work is listed (who, when, what kind of change) without its values until the caller may see them.
    const view = await blindView(store, id, ctx);
    for (const e of page.items) {
      const c = blindCollection(e.entity);
      if (!c) continue;
      const value = (e.after ?? e.before) as Record<string, unknown> | null;
      if (value && typeof value === "object" && !("omitted" in value) && !(await view.visible(c, value))) {
        e.before = e.before === null ? null : { hidden: "blind until you have done this item yourself" };
        e.after = e.after === null ? null : { hidden: "blind until you have done this item yourself" };
      }
    }
    return page;
  });
  await (await import("./routes/accounts.js")).registerAccountRoutes(app, accounts, {
    secureCookies: opts.secureCookies ?? false,
    oidc: opts.oidc ?? null,
  });
  await (await import("./routes/review.js")).registerReviewRoutes(app, store);
  await (await import("./routes/records.js")).registerRecordsRoutes(app, store);
  const jobs = await import("./jobs.js");
  const queue = await jobs.startJobs(app, store, opts.jobs);
  await jobs.registerJobsRoutes(app, store, queue);
  await (await import("./routes/duplicates.js")).registerDuplicatesRoutes(app, store, queue);
  await (await import("./routes/screening.js")).registerScreeningRoutes(app, store);
  await (await import("./routes/screening-setup.js")).registerScreeningSetupRoutes(app, store);
  await (await import("./routes/screening-simulation.js")).registerScreeningSimulationRoutes(app, store, queue);
  await (await import("./jobs/ranking.js")).registerRankingJobs(app, store, queue);
  await (await import("./routes/fulltext.js")).registerFullTextRoutes(app, store, { maxFileBytes: opts.maxFullTextBytes });
  await (await import("./routes/collections.js")).registerCollectionRoutes(app, store);
  await (await import("./routes/analysis.js")).registerAnalysisRoutes(app, store);
  await (await import("./routes/analysis-risk-of-bias.js")).registerRiskOfBiasAnalysisRoutes(app, store);
  await (await import("./routes/studies.js")).registerStudiesRoutes(app, store);
  await (await import("./routes/appraisal.js")).registerAppraisalRoutes(app, store);
  await (await import("./routes/appraisal-robvis-import.js")).registerRobvisImportRoutes(app, store);
  await (await import("./routes/extraction.js")).registerExtractionRoutes(app, store);
  await (await import("./routes/outcomes.js")).registerOutcomeRoutes(app, store);
  await (await import("./routes/extraction-outputs.js")).registerExtractionOutputRoutes(app, store);
  await (await import("./routes/synthesis.js")).registerSynthesisRoutes(app, store);
  await (await import("./routes/report.js")).registerReportRoutes(app, store);
  await (await import("./routes/saved-analyses.js")).registerSavedAnalysesRoutes(app, store);

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

