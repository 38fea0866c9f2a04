/**
 * Client for the screening routes (/api/projects/:id/screening/:stage/*) and
 * full-text retrieval (/api/projects/:id/fulltext), called through their
 * declarations in @homeward/api (`screeningRoutes`, `fullTextRoutes`). The
 * answers are @homeward/screening's own types, imported type-only, so the
 * bundle gets nothing of the screening engine (its prioritiser is
 * server-side code) and the page cannot drift from what the server sends.
 */
import { fullTextRoutes, screeningRoutes as r } from "@homeward/api";
import type { AssignmentMode, SettingsAnswer, Verdict } from "@homeward/api";
import type { FullTextRetrieval, ScreeningStage } from "@homeward/model";
import { call } from "../../api";
import { useSession } from "../../session";

export type {
  AgreementAnswer,
  AgreementFigures,
  DecisionAnswer,
  MyDecision,
  NextAnswer,
  QaSampleView,
  ReviewerDecision,
  StatusAnswer,
  StoppingAnswer,
  Verdict,
} from "@homeward/api";

export type Stage = ScreeningStage;
export type Mode = AssignmentMode;
export type Settings = SettingsAnswer;
export type Retrieval = FullTextRetrieval;
export type RetrievalStatus = FullTextRetrieval["status"];

export const STAGES: { stage: Stage; slug: string; label: string }[] = [
  { stage: "title_abstract", slug: "title-abstract", label: "Title and abstract" },
  { stage: "full_text", slug: "full-text", label: "Full text" },
];
export const stageLabel = (s: Stage) => STAGES.find((x) => x.stage === s)!.label;
export const stageFromParam = (v: string | null): Stage => (v === "full_text" ? "full_text" : "title_abstract");

export const VERDICT_LABEL: Record<Verdict, string> = { include: "Include", exclude: "Exclude", maybe: "Maybe" };

export const screeningApi = {
  next: (id: string, stage: Stage, prioritise: boolean, signal?: AbortSignal) =>
    call(r.next, { params: { id, stage }, query: { prioritise: prioritise ? "true" : "false" } }, signal),
  release: (id: string, stage: Stage) => call(r.release, { params: { id, stage } }),
  status: (id: string, stage: Stage, signal?: AbortSignal) => call(r.status, { params: { id, stage } }, signal),
  decide: (id: string, stage: Stage, body: { recordId: string; decision: Verdict; reasons: string[]; note?: string; labels: string[] }) =>
    call(r.decide, { params: { id, stage }, body }),
  reconcile: (id: string, stage: Stage, body: { recordId: string; decision: Verdict; reasons: string[]; reason: string }) =>
    call(r.reconcile, { params: { id, stage }, body }),
  myDecisions: (id: string, stage: Stage, limit: number, signal?: AbortSignal) => call(r.myDecisions, { params: { id, stage }, query: { limit } }, signal),
  reviewersOf: (id: string, stage: Stage, recordId: string, signal?: AbortSignal) => call(r.reviewers, { params: { id, stage, recordId } }, signal),
  agreement: (id: string, stage: Stage, signal?: AbortSignal) => call(r.agreement, { params: { id, stage } }, signal),
  stopping: (id: string, stage: Stage, recallTarget: number, confidence: number, signal?: AbortSignal) =>
    call(r.stopping, { params: { id, stage }, query: { recallTarget, confidence } }, signal),
  settings: (id: string, stage: Stage, signal?: AbortSignal) => call(r.settings, { params: { id, stage } }, signal),
  saveSettings: (id: string, stage: Stage, body: { mode: Settings["mode"]; dualFraction: number | null; reviewers: string[] }) =>
    call(r.saveSettings, { params: { id, stage }, body }),
  qaSamples: (id: string, stage: Stage, signal?: AbortSignal) => call(r.qaSamples, { params: { id, stage } }, signal),
  drawQaSample: (id: string, stage: Stage, body: { fraction: number; seed: number; checker?: string }) => call(r.drawQaSample, { params: { id, stage }, body }),
  retrievals: (id: string, signal?: AbortSignal) => call(fullTextRoutes.list, { params: { id } }, signal),
  saveRetrieval: (id: string, recordId: string, body: { status: RetrievalStatus; note?: string | null; file?: Retrieval["file"] }) =>
    call(fullTextRoutes.save, { params: { id, recordId }, body }),
};

/** The signed-in user's name: whose decisions the server records (empty while the session loads). */
export function useActingUser(): string {
  return useSession().user?.name ?? "";
}
