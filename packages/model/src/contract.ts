import { z } from "zod";
import { PageQuery, ProjectCreate, ProjectPatch, RecordsQuery, type Page, type ProjectDetail, type ProjectSummary, type RecordSummary, type StudyView } from "./api.js";
import type { AuditEntry, BibRecord, Project, Search } from "./entities.js";
import type { Protocol } from "./protocol.js";

/**
 * The HTTP API as data: every route is declared once, with its method, path,
 * the schemas of its path parameters, query and body, and the type of its
 * answer. The server registers its handlers from these declarations (so a
 * handler cannot read a body its route did not declare) and the web app calls
 * them through one typed `request` (so it cannot drift from what the server
 * answers). Engine packages whose answers are their own types (screening,
 * review, analysis) declare their routes the same way beside those types.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteSpec {
  method: Method;
  /** Fastify-style path under the server root, e.g. "/api/projects/:id/records". */
  path: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** What the body is called in error messages ("decision", "project change"); default "body". */
  bodyName?: string;
  /** Success status when not 200 (201 for creations, 204 for removals). */
  status?: 200 | 201 | 204;
  /** What the route does, for the route table in the server's README and errors. */
  summary: string;
}

/** A declared route; `Answer` exists only in the type system. */
export type Route<S extends RouteSpec = RouteSpec, Answer = unknown> = S & { readonly __answer?: Answer };

/**
 * Declares a route answering `Answer`: `route<Page<X>>()({ method: "GET", … })`.
 * Curried so the spec's literal types are inferred while the answer is named.
 */
export const route =
  <Answer>() =>
  <const S extends RouteSpec>(spec: S): Route<S, Answer> =>
    spec as Route<S, Answer>;

type Input<T> = T extends z.ZodType ? z.input<T> : undefined;
type Output<T> = T extends z.ZodType ? z.output<T> : undefined;

export type ParamsOf<R extends RouteSpec> = Input<R["params"]>;
export type QueryOf<R extends RouteSpec> = Input<R["query"]>;
export type BodyOf<R extends RouteSpec> = Input<R["body"]>;
export type ParsedParams<R extends RouteSpec> = Output<R["params"]>;
export type ParsedQuery<R extends RouteSpec> = Output<R["query"]>;
export type ParsedBody<R extends RouteSpec> = Output<R["body"]>;
export type AnswerOf<R> = R extends { readonly __answer?: infer A } ? A : never;

/** What a caller passes: only the parts the route declares (path parameters, query, body). */
export type CallArgs<R extends RouteSpec> = (R["params"] extends z.ZodType ? { params: ParamsOf<R> } : { params?: undefined }) &
  (R["query"] extends z.ZodType ? { query?: QueryOf<R> } : { query?: undefined }) &
  (R["body"] extends z.ZodType ? { body: BodyOf<R> } : { body?: undefined });

/** The URL of a call: path parameters filled in (percent-encoded), the query as a query string. */
export function routeUrl(r: RouteSpec, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const path = r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null || v === "") throw new Error(`${r.method} ${r.path}: missing path parameter "${name}"`);
    return encodeURIComponent(String(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

// ------------------------------------------------------------------ core routes

export const IdParams = z.object({ id: z.string().min(1) });
export const RecordParams = z.object({ id: z.string().min(1), recordId: z.string().min(1) });
export const ImportQuery = z.object({ copy: z.enum(["true", "false"]).optional() });

/** The routes of projects, their protocol, records table, studies and audit log. */
export const coreRoutes = {
  health: route<{ ok: boolean; version: string }>()({ method: "GET", path: "/api/health", summary: "server is up, and its version" }),
  listProjects: route<ProjectSummary[]>()({ method: "GET", path: "/api/projects", summary: "projects with their counts" }),
  createProject: route<Project>()({ method: "POST", path: "/api/projects", body: ProjectCreate, bodyName: "project", status: 201, summary: "create an empty project" }),
  importProject: route<Project>()({
    method: "POST",
    path: "/api/projects/import",
    query: ImportQuery,
    // The project file is validated whole by the store (parseProjectFile), which names the bad part.
    body: z.unknown(),
    status: 201,
    summary: "import a project file (as a copy with ?copy=true)",
  }),
  getProject: route<ProjectDetail>()({ method: "GET", path: "/api/projects/:id", params: IdParams, summary: "a project with its dashboard counts" }),
  updateProject: route<Project>()({ method: "PATCH", path: "/api/projects/:id", params: IdParams, body: ProjectPatch, bodyName: "project change", summary: "change title or description" }),
  getProtocol: route<Protocol>()({ method: "GET", path: "/api/projects/:id/protocol", params: IdParams, summary: "the project's protocol" }),
  setProtocol: route<Protocol>()({
    method: "PUT",
    path: "/api/projects/:id/protocol",
    params: IdParams,
    // Validated by the store against Protocol, with its cross-field rules.
    body: z.unknown(),
    summary: "replace the protocol",
  }),
  listSearches: route<Search[]>()({ method: "GET", path: "/api/projects/:id/searches", params: IdParams, summary: "the project's searches" }),
  listRecords: route<Page<RecordSummary>>()({
    method: "GET",
    path: "/api/projects/:id/records",
    params: IdParams,
    query: RecordsQuery,
    summary: "the records table: paged, sorted, searched",
  }),
  getRecord: route<BibRecord>()({ method: "GET", path: "/api/projects/:id/records/:recordId", params: RecordParams, summary: "one record in full" }),
  listStudies: route<StudyView[]>()({ method: "GET", path: "/api/projects/:id/studies", params: IdParams, summary: "studies with their reports" }),
  listAudit: route<Page<AuditEntry>>()({
    method: "GET",
    path: "/api/projects/:id/audit",
    params: IdParams,
    query: PageQuery,
    summary: "the audit log, newest first",
  }),
} as const;

/** The whole project as a file download (not a JSON answer: a link, not a call). */
export const exportPath = (projectId: string): string => `/api/projects/${encodeURIComponent(projectId)}/export`;
