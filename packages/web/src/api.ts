/**
 * Typed client for the Homeward HTTP API (all under /api). Every failure
 * surfaces as an ApiError carrying the server's one-line `error` message, so
 * pages can show it as is.
 */

import type {
  AuditEntry,
  BibRecord,
  Page,
  ProjectDetail,
  ProjectSummary,
  Protocol,
  RecordSort,
  RecordSummary,
  Search,
  StudyView,
} from "@homeward/model";
import { announceStanding } from "./standing-event";
import { coreRoutes, routeUrl, type AnswerOf, type CallArgs, type FileAnswer, type Route, type RouteSpec } from "@homeward/api";

export type { AuditEntry, BibRecord, Page, ProjectDetail, ProjectSummary, Protocol, RecordSort, RecordSummary, Search, StudyView };
export type StageCount = ProjectDetail["dashboard"]["stages"][number];
export type SortDir = "asc" | "desc";

export interface RecordQuery {
  offset: number;
  limit: number;
  sort?: RecordSort;
  dir?: SortDir;
  q?: string;
  /** The last record of the page before: the page is the records after it (see RecordsQuery). */
  after?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly details?: unknown[];
  /** With a 409 from a "one per" place: the row that stands there (see standing.tsx). */
  readonly current?: unknown;
  constructor(message: string, status: number, details?: unknown[], current?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
    this.current = current;
  }
}

/** Dispatched on `window` when the server answers 401 to a route that needs a session. */
export const SIGNED_OUT_EVENT = "homeward:signed-out";

/**
 * Tells the app the session may be gone, so it checks and, if so, sends the
 * user to the sign-in page (and back here afterwards). Routes open to
 * everyone answer 401 only for a wrong password, which their page shows.
 */
export function signedOut(): void {
  window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
}

/**
 * One call of a declared route (the route tables of @homeward/api): the path
 * parameters, query and body the route declares, answered with the type it
 * declares. Every page calls the server through this (`callFile` for a
 * route answering a file, which `call` refuses to type).
 */
export function call<R extends Route>(route: R, args: AnswerOf<R> extends FileAnswer ? never : CallArgs<R>, signal?: AbortSignal): Promise<AnswerOf<R>> {
  const a = args as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  return send<AnswerOf<R>>(route.method, routeUrl(route, a.params, a.query), a.body, signal, route.access !== "public");
}

/** A call of a declared route that answers a file (a figure, an export) rather than JSON. */
export async function callFile<R extends Route<RouteSpec, FileAnswer>>(route: R, args: CallArgs<R>, signal?: AbortSignal): Promise<Blob> {
  const a = args as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  return (await fetchOk(route.method, routeUrl(route, a.params, a.query), a.body, signal, route.access !== "public")).blob();
}

/** The response of a request that succeeded; any failure as an ApiError with the server's message. */
async function fetchOk(method: string, url: string, body: unknown, signal: AbortSignal | undefined, needsSession: boolean): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // The session cookie goes with same-origin requests only (it is SameSite=Strict too).
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if ((err as { name?: string }).name === "AbortError") throw err;
    throw new ApiError("Cannot reach the Homeward server. Check that it is running.", 0);
  }
  if (res.ok) return res;
  if (res.status === 401 && needsSession) signedOut();
  const data = (await res.json().catch(() => null)) as { error?: unknown; details?: unknown; current?: unknown } | null;
  const e = data ?? {};
  // Someone else wrote this "one per" row first: said once, in words, above the page, which reads again (standing.tsx).
  if (res.status === 409 && e.current !== undefined) throw new ApiError(announceStanding(e.current), 409, undefined, e.current);
  const message = typeof e.error === "string" && e.error ? e.error : `${res.status} ${res.statusText || "error"}`;
  throw new ApiError(message, res.status, Array.isArray(e.details) ? e.details : undefined);
}

async function send<T>(method: string, url: string, body: unknown, signal: AbortSignal | undefined, needsSession: boolean): Promise<T> {
  const res = await fetchOk(method, url, body, signal, needsSession);
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(`The server sent an unreadable answer to ${method} ${url}.`, res.status);
  }
}

const r = coreRoutes;

export const api = {
  health: (signal?: AbortSignal) => call(r.health, {}, signal),
  listProjects: (signal?: AbortSignal) => call(r.listProjects, {}, signal),
  createProject: (input: { title: string; description?: string }) => call(r.createProject, { body: input }),
  importProject: (file: unknown) => call(r.importProject, { body: file }),
  getProject: (id: string, signal?: AbortSignal) => call(r.getProject, { params: { id } }, signal),
  updateProject: (id: string, patch: { title?: string; description?: string }) => call(r.updateProject, { params: { id }, body: patch }),
  getProtocol: (id: string, signal?: AbortSignal) => call(r.getProtocol, { params: { id } }, signal),
  getSearches: (id: string, signal?: AbortSignal) => call(r.listSearches, { params: { id } }, signal),
  listRecords: (id: string, q: RecordQuery, signal?: AbortSignal) => call(r.listRecords, { params: { id }, query: q }, signal),
  countRecords: (id: string, q: string | undefined, signal?: AbortSignal) => call(r.countRecords, { params: { id }, query: { q } }, signal),
  getRecord: (id: string, recordId: string, signal?: AbortSignal) => call(r.getRecord, { params: { id, recordId } }, signal),
  listStudies: (id: string, signal?: AbortSignal) => call(r.listStudies, { params: { id } }, signal),
  listAudit: (id: string, offset: number, limit: number, signal?: AbortSignal) =>
    call(r.listAudit, { params: { id }, query: { offset, limit } }, signal),
};

export function recordQueryString(q: RecordQuery): string {
  const p = new URLSearchParams({ offset: String(q.offset), limit: String(q.limit) });
  if (q.sort) p.set("sort", q.sort);
  if (q.dir) p.set("dir", q.dir);
  if (q.q) p.set("q", q.q);
  if (q.after) p.set("after", q.after);
  return p.toString();
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
