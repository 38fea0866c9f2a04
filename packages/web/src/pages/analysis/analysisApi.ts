/**
 * Client for the analysis routes (/api/projects/:id/analysis*). The answer is
 * `homeward meta`'s (@homeward/meta `MetaSpecResult`) plus the figures the
 * server renders. The engine types are imported type-only, so nothing of the
 * engine or the Node-only figure renderer reaches the bundle.
 */
import type { MetaSpecResult } from "@homeward/meta";
import type { Figure } from "@homeward/figures";
import type { AnalysisCell, AnalysisData } from "@homeward/review";
import { ApiError, getUser } from "../../api";

export type { Coefficient } from "@homeward/meta";

/**
 * A figure as the analysis answer carries it: the figure's texts plus what
 * the server renders from it (SVG, the data as CSV, the compiled Vega spec).
 */
export type FigureAnswer = Pick<Figure, "title" | "description" | "alt"> & {
  svg: string;
  csv: string;
  vegaSpec: unknown;
};

export type AnalysisAnswer = MetaSpecResult & {
  /** Requested figures; one the model cannot have carries `error` instead. */
  figures?: Record<string, FigureAnswer | { error: string }>;
  /** With `data: "effectSizes"`: effect sizes left out and why. */
  skipped?: AnalysisData["skipped"];
};

export type Cell = AnalysisCell;
export type ProjectData = AnalysisData;

const base = (projectId: string) => `/api/projects/${encodeURIComponent(projectId)}/analysis`;

async function request(method: "GET" | "POST", url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { "X-Homeward-User": getUser() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if ((err as { name?: string }).name === "AbortError") throw err;
    throw new ApiError("Cannot reach the Homeward server. Check that it is running.", 0);
  }
  if (!res.ok) {
    const data = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(data?.error || `${res.status} ${res.statusText}`, res.status);
  }
  return res;
}

export const analysisApi = {
  data: async (projectId: string, signal?: AbortSignal) => (await request("GET", `${base(projectId)}/data`, undefined, signal)).json() as Promise<ProjectData>,
  analyse: async (projectId: string, spec: unknown, signal?: AbortSignal) => (await request("POST", base(projectId), spec, signal)).json() as Promise<AnalysisAnswer>,
  /** One figure as a file (PNG is rendered on the server). */
  figureFile: async (projectId: string, name: string, format: "png" | "svg" | "csv", spec: unknown) =>
    (await request("POST", `${base(projectId)}/figures/${encodeURIComponent(name)}?format=${format}`, spec)).blob(),
};
