/**
 * Client for the review routes (/api/projects/:id/review/*). The answers are
 * @homeward/review's own types, imported type-only, so nothing of the review
 * package (which renders figures with Node-only libraries) reaches the bundle.
 */
import type { Figure } from "@homeward/figures";
import type {
  AppraisalConflictDetail,
  CerqualRow,
  FlowCheck,
  PrismaFlow,
  PrismaSource,
  RobPlotData,
  TrailRecommendation,
} from "@homeward/review";
import { ApiError, getUser } from "../../api";

export type Source = PrismaSource;

/** The flow with its failed arithmetic checks. */
export type PrismaAnswer = PrismaFlow & { checks: FlowCheck[] };

/** A figure's texts (the route also sends its Vega-Lite spec, which the page does not read). */
export type FigureAnswer = Pick<Figure, "title" | "description" | "alt">;

/** An appraisal tool used in the project: its domains and how many studies it appraised. */
export type RobTool = Pick<RobPlotData, "tool" | "domains"> & { studies: number };

export type ConflictAnswer = AppraisalConflictDetail;
export type TrailAnswer = TrailRecommendation;

const enc = encodeURIComponent;
export const reviewBase = (projectId: string) => `/api/projects/${enc(projectId)}/review`;

async function call<T>(method: "GET" | "POST", url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "X-Homeward-User": getUser() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if ((err as { name?: string }).name === "AbortError") throw err;
    throw new ApiError("Cannot reach the Homeward server. Check that it is running.", 0);
  }
  const data = (await res.json().catch(() => null)) as { error?: string } | null;
  if (!res.ok) throw new ApiError(data?.error || `${res.status} ${res.statusText}`, res.status);
  return data as T;
}

export const reviewApi = {
  prisma: (id: string, signal?: AbortSignal) => call<PrismaAnswer>("GET", `${reviewBase(id)}/prisma`, undefined, signal),
  figure: (url: string, signal?: AbortSignal) => call<FigureAnswer>("GET", url, undefined, signal),
  robTools: (id: string, signal?: AbortSignal) => call<RobTool[]>("GET", `${reviewBase(id)}/rob-tools`, undefined, signal),
  conflicts: (id: string, signal?: AbortSignal) => call<ConflictAnswer[]>("GET", `${reviewBase(id)}/appraisal-conflicts`, undefined, signal),
  acceptFlag: (id: string, body: { appraisalId: string; rule: string; justification: string }) =>
    call<unknown>("POST", `${reviewBase(id)}/appraisal-conflicts/accept`, body),
  cerqual: (id: string, signal?: AbortSignal) => call<CerqualRow[]>("GET", `${reviewBase(id)}/cerqual`, undefined, signal),
  trail: (id: string, signal?: AbortSignal) => call<TrailAnswer[]>("GET", `${reviewBase(id)}/recommendations`, undefined, signal),
};

/** URL of a figure in a format; `query` carries tool/palette. */
export function figureUrl(projectId: string, name: string, query: Record<string, string> = {}, format?: "svg" | "png" | "csv", download = false): string {
  const p = new URLSearchParams(query);
  if (format) p.set("format", format);
  if (download) p.set("download", "true");
  const qs = p.toString();
  return `${reviewBase(projectId)}/figures/${name}${qs ? `?${qs}` : ""}`;
}
