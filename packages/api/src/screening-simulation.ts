import { z } from "zod";
import { ScreeningStage } from "@homeward/model";
import type { TeamSimulationProgress, TeamSimulationResult } from "@homeward/screening";
import { route } from "./route.js";

export type { TeamSimulationProgress, TeamSimulationResult };

const base = "/api/projects/:id/screening/:stage";
const StageParams = z.object({ id: z.string().min(1), stage: ScreeningStage });
export const SimulationJobParams = StageParams.extend({ jobId: z.string().min(1) });

const ModelName = z.string().trim().min(1, "name a model").max(100);

/** The model that ranks the stage's queue; null returns it to the default. */
export const ScreeningModelBody = z.object({ model: ModelName.nullable() }).strict();

/** One model, or two to compare, replayed on the team's own decisions from the same priors and seed. */
export const SimulationBody = z
  .object({
    models: z.array(ModelName).min(1, "choose a model").max(2, "compare at most two models"),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  })
  .strict();

export interface ScreeningModelInfo {
  name: string;
  label: string;
  summary: string;
}

/** A simulation run in the background, polled for its progress. */
export interface SimulationJob {
  id: string;
  projectId: string;
  stage: ScreeningStage;
  models: string[];
  state: "running" | "done" | "failed";
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  progress: TeamSimulationProgress;
  result: TeamSimulationResult | null;
  /** The recall curve (packages/figures), drawn once the run is done. */
  figure: { title: string; description: string; alt: string; svg: string } | null;
  error: string | null;
}

export interface ScreeningModelsAnswer {
  models: ScreeningModelInfo[];
  /** The model a stage ranks with when its settings name none. */
  default: string;
  /** The stage's chosen model (null: the default). */
  current: string | null;
  /** The stage's settled decisions a simulation learns from: relevant (include or maybe at title and abstract; include at full text) and irrelevant. */
  labelled: { relevant: number; irrelevant: number };
  minimum: { relevant: number; irrelevant: number };
  /** The latest simulation of the stage on this server (kept until the next one or a restart). */
  job: SimulationJob | null;
}

/** Prioritisation models: which ranks a stage's queue, and simulations comparing them on the team's own decisions. */
export const screeningSimulationRoutes = {
  screeningModels: route<ScreeningModelsAnswer>()({
    method: "GET", access: "viewer",
    path: `${base}/models`,
    params: StageParams,
    summary: "the prioritisation models, the stage's chosen one, its labelled decisions and latest simulation",
  }),
  setScreeningModel: route<ScreeningModelsAnswer>()({
    method: "PUT", access: "owner",
    path: `${base}/model`,
    params: StageParams,
    body: ScreeningModelBody,
    bodyName: "model choice",
    summary: "choose the model that ranks the stage's queue (null: the default)",
  }),
  startSimulation: route<SimulationJob>()({
    method: "POST", access: "reviewer",
    path: `${base}/simulations`,
    params: StageParams,
    body: SimulationBody,
    bodyName: "simulation",
    status: 201,
    summary: "simulate one model, or compare two, on the stage's own decisions, in the background (or answer the run already going)",
  }),
  getSimulation: route<SimulationJob>()({
    method: "GET", access: "viewer",
    path: `${base}/simulations/:jobId`,
    params: SimulationJobParams,
    summary: "a simulation's progress and, when done, its WSS@95, recall and recall curve",
  }),
};
