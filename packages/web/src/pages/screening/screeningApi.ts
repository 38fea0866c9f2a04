/**
 * Client for the screening routes (/api/projects/:id/screening/:stage/*) and
 * full-text retrieval (/api/projects/:id/fulltext). The answers' shapes
 * mirror @homeward/screening; they are declared here so the web bundle does
 * not pull in the screening package (its prioritiser is server-side code).
 */
import { useEffect, useState } from "react";
import { getUser, request, USER_CHANGE_EVENT, type BibRecord } from "../../api";

export type Stage = "title_abstract" | "full_text";
export type Verdict = "include" | "exclude" | "maybe";
export type RetrievalStatus = "sought" | "retrieved" | "not_retrieved" | "author_contacted";

export const STAGES: { stage: Stage; slug: string; label: string }[] = [
  { stage: "title_abstract", slug: "title-abstract", label: "Title and abstract" },
  { stage: "full_text", slug: "full-text", label: "Full text" },
];
export const stageLabel = (s: Stage) => STAGES.find((x) => x.stage === s)!.label;
export const stageFromParam = (v: string | null): Stage => (v === "full_text" ? "full_text" : "title_abstract");

export const VERDICT_LABEL: Record<Verdict, string> = { include: "Include", exclude: "Exclude", maybe: "Maybe" };

export interface ReviewerDecision {
  reviewer: string;
  verdict: Verdict;
  reasons?: string[];
}

export interface NextAnswer {
  record: BibRecord | null;
  /** True when the queue is ordered by the model (false before it has been trained). */
  prioritised: boolean;
  awaitingSecond: number;
  /** Records the acting reviewer can still screen in this stage. */
  remaining: number;
}

export type Mode = { kind: "single" } | { kind: "dual" } | { kind: "dual_then_single"; dualShare: number };

export interface StatusAnswer {
  stage: Stage;
  mode: Mode;
  records: number;
  counts: Record<"unscreened" | "awaiting_second" | "decided" | "conflict" | "reconciled" | Verdict, number>;
  conflicts: { recordId: string; title: string; decisions: ReviewerDecision[] }[];
}

export interface DecisionAnswer {
  decisions: { id: string; recordId: string; reviewer: string; decision: Verdict; reasons: string[] }[];
  recordedReason: string | null;
}

/** The acting reviewer's current decision on a record. */
export interface MyDecision {
  recordId: string;
  title: string;
  decision: Verdict;
  reasons: string[];
  note: string | null;
  labels: string[];
  at: string;
}

export interface AgreementFigures {
  n: number;
  categories: string[];
  table: number[][];
  percent: number;
  /** null when undefined (both reviewers used one category only). */
  kappa: number | null;
  kappaSe: number | null;
  kappaCi: [number | null, number | null];
  ac1: number | null;
  level: number;
}

export interface AgreementAnswer {
  stage: Stage;
  overall: AgreementFigures | null;
  byPair: (AgreementFigures & { reviewers: [string, string] })[];
}

export interface StoppingAnswer {
  p: number;
  targetLikelyReached: boolean;
  sampleSize: number;
  recallTarget: number;
  confidence: number;
  screened: number;
  relevantFound: number;
  total: number;
  assumptions: string[];
}

export interface Settings {
  id: string | null;
  stage: Stage;
  mode: "single" | "dual" | "dual_then_single";
  dualFraction: number | null;
  reviewers: string[];
  updatedAt: string | null;
}

export interface QaSampleView {
  id: string;
  stage: Stage;
  recordIds: string[];
  fraction: number | null;
  seed: number | null;
  checker: string | null;
  createdBy: string;
  createdAt: string;
  checked: number;
  agreement: AgreementFigures | null;
  items: {
    recordId: string;
    title: string;
    original: { reviewer: string; decision: Verdict; reasons: string[] } | null;
    check: { reviewer: string; decision: Verdict; reasons: string[]; at: string } | null;
  }[];
}

export interface Retrieval {
  id: string;
  recordId: string;
  status: RetrievalStatus;
  file: { name: string; mediaType: string | null; size: number | null; sha256: string | null } | null;
  note: string | null;
  updatedBy: string;
  updatedAt: string;
}

const enc = encodeURIComponent;
const base = (id: string, stage: Stage) => `/projects/${enc(id)}/screening/${stage}`;

export const screeningApi = {
  next: (id: string, stage: Stage, prioritise: boolean, signal?: AbortSignal) =>
    request<NextAnswer>("GET", `${base(id, stage)}/next?prioritise=${prioritise}`, undefined, signal),
  status: (id: string, stage: Stage, signal?: AbortSignal) => request<StatusAnswer>("GET", `${base(id, stage)}/status`, undefined, signal),
  decide: (id: string, stage: Stage, body: { recordId: string; decision: Verdict; reasons: string[]; note?: string; labels: string[] }) =>
    request<DecisionAnswer>("POST", `${base(id, stage)}/decisions`, body),
  reconcile: (id: string, stage: Stage, body: { recordId: string; decision: Verdict; reasons: string[]; reason: string }) =>
    request<unknown>("POST", `${base(id, stage)}/reconciliations`, body),
  myDecisions: (id: string, stage: Stage, limit: number, signal?: AbortSignal) =>
    request<{ total: number; items: MyDecision[] }>("GET", `${base(id, stage)}/my-decisions?limit=${limit}`, undefined, signal),
  reviewersOf: (id: string, stage: Stage, recordId: string, signal?: AbortSignal) =>
    request<{ reviewers: string[] }>("GET", `${base(id, stage)}/records/${enc(recordId)}/reviewers`, undefined, signal),
  agreement: (id: string, stage: Stage, signal?: AbortSignal) => request<AgreementAnswer>("GET", `${base(id, stage)}/agreement`, undefined, signal),
  stopping: (id: string, stage: Stage, recallTarget: number, confidence: number, signal?: AbortSignal) =>
    request<StoppingAnswer>("GET", `${base(id, stage)}/stopping?recallTarget=${recallTarget}&confidence=${confidence}`, undefined, signal),
  settings: (id: string, stage: Stage, signal?: AbortSignal) => request<Settings>("GET", `${base(id, stage)}/settings`, undefined, signal),
  saveSettings: (id: string, stage: Stage, body: { mode: Settings["mode"]; dualFraction: number | null; reviewers: string[] }) =>
    request<Settings>("PUT", `${base(id, stage)}/settings`, body),
  qaSamples: (id: string, stage: Stage, signal?: AbortSignal) => request<QaSampleView[]>("GET", `${base(id, stage)}/qa-samples`, undefined, signal),
  drawQaSample: (id: string, stage: Stage, body: { fraction: number; seed: number; checker?: string }) =>
    request<unknown>("POST", `${base(id, stage)}/qa-samples`, body),
  retrievals: (id: string, signal?: AbortSignal) => request<Retrieval[]>("GET", `/projects/${enc(id)}/fulltext`, undefined, signal),
  saveRetrieval: (id: string, recordId: string, body: { status: RetrievalStatus; note?: string | null; file?: Retrieval["file"] }) =>
    request<Retrieval>("PUT", `/projects/${enc(id)}/fulltext/${enc(recordId)}`, body),
};

/** The acting user, following changes made in the header. */
export function useActingUser(): string {
  const [user, setUser] = useState(getUser);
  useEffect(() => {
    const on = () => setUser(getUser());
    window.addEventListener(USER_CHANGE_EVENT, on);
    return () => window.removeEventListener(USER_CHANGE_EVENT, on);
  }, []);
  return user;
}
