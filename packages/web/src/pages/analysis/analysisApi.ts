/**
 * Client for the analysis routes (/api/projects/:id/analysis*). The shapes
 * mirror `homeward meta` (@homeward/meta `MetaSpecResult`); they are
 * declared here because the web bundle must not pull in the engine or the
 * figure renderer.
 */
import { ApiError, getUser } from "../../api";

export interface Coefficient {
  term: string;
  estimate: number;
  se: number;
  statistic: number;
  df: number | null;
  p: number;
  ciLower: number;
  ciUpper: number;
}

export interface FigureAnswer {
  title: string;
  description: string;
  alt: string;
  svg: string;
  csv: string;
  vegaSpec: unknown;
}

export interface AnalysisAnswer {
  k: number;
  coefficients: Coefficient[];
  tau2?: number;
  I2?: number;
  H2?: number;
  sigma2?: number[];
  QE: number;
  QEdf: number;
  QEp: number;
  QM?: number;
  QMdf?: number[];
  QMp?: number;
  prediction?: { lower: number | null; upper: number | null };
  logLik?: number;
  robust?: { coefficients: Coefficient[]; QM: number; QMdf: number[]; QMp: number };
  leave1out?: { unit: "outcome" | "study"; omitted: string[]; estimate: number[]; se: number[]; ciLower: number[]; ciUpper: number[]; tau2: number[]; I2: number[] };
  influence?: {
    rstudent: number[]; dffits: number[]; cookD: number[]; covRatio: number[]; tau2Del: number[]; QEDel: number[]; hat: number[]; weight: number[];
    flags: { outlierThreshold: number; outliers: number[]; cookThresholdIQR: number; cookInfluentialIQR: number[]; cookThreshold4k: number; cookInfluential4k: number[] };
  };
  egger?: { statistic: number; df: number | null; p: number; limitEstimate: number | null; limitLower: number | null; limitUpper: number | null };
  begg?: { tau: number; p: number; exact: boolean };
  trimfill?: { k0: number; side: "left" | "right"; estimate: number; se: number; ciLower: number; ciUpper: number; tau2: number };
  tau2CI?: { lower: number; upper: number; I2Lower: number; I2Upper: number; level: number; empty: boolean };
  subgroups?: {
    levels: string[]; k: number[]; estimate: number[]; se: number[]; ciLower: number[]; ciUpper: number[]; tau2: number[];
    QW: number[]; QWdf: number[]; QWp: number[]; QB: number; QBdf: number; QBp: number;
  };
  failsafe?: { rosenthal: number; orwin: number; rosenberg: number; alpha: number; orwinTarget: number };
  figures?: Record<string, FigureAnswer | { error: string }>;
  skipped?: { effectSizeId: string; reason: string }[];
}

export type Cell = string | number | boolean | null;

export interface ProjectData {
  columns: string[];
  rows: Record<string, Cell>[];
  skipped: { effectSizeId: string; reason: string }[];
}

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
