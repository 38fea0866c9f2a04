/**
 * Client for the review routes (/api/projects/:id/review/*). The answers'
 * shapes mirror @homeward/review; they are declared here because the web
 * bundle must not pull in the review package (it renders figures with
 * Node-only libraries on the server).
 */
import { ApiError, getUser } from "../../api";

export type Source = "live" | "recorded" | "none";

export interface PrismaAnswer {
  prisma: Record<string, number | Record<string, number> | null>;
  prismaSource: Record<string, Source>;
  checks: { identity: string; expected: number; actual: number }[];
}

export interface FigureAnswer {
  title: string;
  description: string;
  alt: string;
}

export interface RobTool {
  tool: string;
  studies: number;
  domains: string[];
}

export interface ConflictAnswer {
  study: string;
  studyId: string;
  appraisalId: string;
  tool: string;
  recorded: string;
  implied: string | null;
  rule: string;
  accepted: { by: string; at: string; justification: string } | null;
}

export interface CerqualRowAnswer {
  id: string;
  statement: string;
  methodologicalLimitations: { judgement: string | null; explanation: string };
  coherence: { judgement: string | null; explanation: string };
  adequacy: { judgement: string | null; explanation: string };
  relevance: { judgement: string | null; explanation: string };
  confidence: string | null;
  explanation: string;
  studies: { id: string; citation: string }[];
}

export interface TrailAnswer {
  id: string;
  kind: "principle" | "recommendation";
  text: string;
  rating: string | null;
  findings: { id: string; statement: string; confidence: string | null; studyIds: string[] }[];
  results: {
    id: string;
    label: string;
    measure: string | null;
    estimate: number | null;
    ciLower: number | null;
    ciUpper: number | null;
    p: number | null;
    kStudies: number | null;
    kOutcomes: number | null;
    studyIds: string[];
  }[];
  studies: {
    id: string;
    citation: string;
    design: string | null;
    reports: { id: string; role: "lead" | "linked"; citation: string; recordId: string | null }[];
  }[];
}

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
  cerqual: (id: string, signal?: AbortSignal) => call<CerqualRowAnswer[]>("GET", `${reviewBase(id)}/cerqual`, undefined, signal),
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
