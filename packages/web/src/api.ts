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

export type { AuditEntry, BibRecord, Page, ProjectDetail, ProjectSummary, Protocol, RecordSort, RecordSummary, Search, StudyView };
export type StageCount = ProjectDetail["dashboard"]["stages"][number];
export type SortDir = "asc" | "desc";

export interface RecordQuery {
  offset: number;
  limit: number;
  sort?: RecordSort;
  dir?: SortDir;
  q?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly details?: unknown[];
  constructor(message: string, status: number, details?: unknown[]) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.details = details;
  }
}

const USER_KEY = "homeward.user";

/** The acting user sent as X-Homeward-User; the server records it in the audit log. */
export function getUser(): string {
  try {
    return localStorage.getItem(USER_KEY) || "local";
  } catch {
    return "local";
  }
}

/** Dispatched on `window` when the acting user changes, so open pages can reload as the new user. */
export const USER_CHANGE_EVENT = "homeward:user-change";

export function setUser(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(USER_KEY, name.trim());
    else localStorage.removeItem(USER_KEY);
  } catch {
    // Storage may be disabled (private mode); the default user applies.
  }
  window.dispatchEvent(new Event(USER_CHANGE_EVENT));
}

/** One API call; page modules with their own endpoints build on this. */
export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "X-Homeward-User": getUser() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if ((err as { name?: string }).name === "AbortError") throw err;
    throw new ApiError("Cannot reach the Homeward server. Check that it is running.", 0);
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(`The server sent an unreadable answer to ${method} ${path}.`, res.status);
    }
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: unknown; details?: unknown };
    const message = typeof e.error === "string" && e.error ? e.error : `${res.status} ${res.statusText || "error"}`;
    throw new ApiError(message, res.status, Array.isArray(e.details) ? e.details : undefined);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  health: (signal?: AbortSignal) => request<{ ok: boolean; version: string }>("GET", "/health", undefined, signal),
  listProjects: (signal?: AbortSignal) => request<ProjectSummary[]>("GET", "/projects", undefined, signal),
  createProject: (input: { title: string; description?: string }) =>
    request<ProjectSummary>("POST", "/projects", input),
  importProject: (file: unknown) => request<ProjectSummary>("POST", "/projects/import", file),
  getProject: (id: string, signal?: AbortSignal) =>
    request<ProjectDetail>("GET", `/projects/${enc(id)}`, undefined, signal),
  updateProject: (id: string, patch: { title?: string; description?: string }) =>
    request<ProjectSummary>("PATCH", `/projects/${enc(id)}`, patch),
  getProtocol: (id: string, signal?: AbortSignal) =>
    request<Protocol>("GET", `/projects/${enc(id)}/protocol`, undefined, signal),
  getSearches: (id: string, signal?: AbortSignal) =>
    request<Search[]>("GET", `/projects/${enc(id)}/searches`, undefined, signal),
  listRecords: (id: string, q: RecordQuery, signal?: AbortSignal) =>
    request<Page<RecordSummary>>("GET", `/projects/${enc(id)}/records?${recordQueryString(q)}`, undefined, signal),
  getRecord: (id: string, recordId: string, signal?: AbortSignal) =>
    request<BibRecord>("GET", `/projects/${enc(id)}/records/${enc(recordId)}`, undefined, signal),
  listStudies: (id: string, signal?: AbortSignal) =>
    request<StudyView[]>("GET", `/projects/${enc(id)}/studies`, undefined, signal),
  listAudit: (id: string, offset: number, limit: number, signal?: AbortSignal) =>
    request<Page<AuditEntry>>("GET", `/projects/${enc(id)}/audit?offset=${offset}&limit=${limit}`, undefined, signal),
  exportUrl: (id: string) => `/api/projects/${enc(id)}/export`,
};

export function recordQueryString(q: RecordQuery): string {
  const p = new URLSearchParams({ offset: String(q.offset), limit: String(q.limit) });
  if (q.sort) p.set("sort", q.sort);
  if (q.dir) p.set("dir", q.dir);
  if (q.q) p.set("q", q.q);
  return p.toString();
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
