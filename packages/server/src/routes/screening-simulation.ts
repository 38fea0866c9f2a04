import type { FastifyInstance } from "fastify";
import { screeningSimulationRoutes as r, type ScreeningModelsAnswer, type SimulationJob } from "@homeward/api";
import { recallCurvePlot, renderSvg } from "@homeward/figures";
import { InputError, type ScreeningStage } from "@homeward/model";
import {
  checkTeamSimulation,
  currentSettings,
  DEFAULT_SCREENING_MODEL,
  SCREENING_MODEL_NAMES,
  SCREENING_MODELS,
  TEAM_SIMULATION_MINIMUM,
  teamSimulationInWorker,
  type TeamSimulationProgress,
  type TeamSimulationResult,
} from "@homeward/screening";
import type { JobQueue, JobRecord, Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { screeningProjects } from "./screening-state.js";

/** The job kind of a team's screening simulation in the store's queue. */
export const SIMULATION = "screening-simulation";

interface SimulationPayload {
  stage: ScreeningStage;
  models: string[];
  seed: number;
}

interface SimulationJobResult {
  result: TeamSimulationResult;
  figure: SimulationJob["figure"];
}

const idle = (): TeamSimulationProgress => ({ done: 0, models: 1, screened: 0, records: 0 });

function view(j: JobRecord): SimulationJob {
  const p = j.payload as SimulationPayload;
  const out = j.result as SimulationJobResult | null;
  return {
    id: j.id,
    projectId: j.projectId,
    stage: p.stage,
    models: p.models,
    // The page knows three states: a queued run is on its way, a cancelled one did not finish.
    state: j.state === "done" ? "done" : j.state === "failed" || j.state === "cancelled" ? "failed" : "running",
    startedBy: j.createdBy,
    startedAt: j.startedAt ?? j.createdAt,
    finishedAt: j.finishedAt,
    progress: (j.detail as TeamSimulationProgress | null) ?? { ...idle(), models: p.models.length },
    result: out?.result ?? null,
    figure: out?.figure ?? null,
    error: j.state === "cancelled" ? (j.error ?? "the simulation was cancelled") : j.error,
  };
}

/**
 * Prioritisation models (`screeningSimulationRoutes` in @homeward/api): the
 * models there are, the one a stage's settings choose for its queue, and
 * simulations that replay a team's own settled decisions with one model or
 * two, run as jobs of the store's queue (the simulation itself in a worker
 * thread, so the server keeps answering), polled for progress, with the
 * recall curve drawn by @homeward/figures when done.
 */
export async function registerScreeningSimulationRoutes(app: FastifyInstance, store: Store, queue: JobQueue): Promise<void> {
  const projects = screeningProjects(app, store);

  /** Relevant and irrelevant counts of the stage's settled outcomes (the engine's counts: no project read). */
  const labelled = async (id: string, stage: ScreeningStage) => {
    const c = (await projects.synced(id)).engine.status(stage).counts;
    return { relevant: c.include + (stage === "title_abstract" ? c.maybe : 0), irrelevant: c.exclude + (stage === "title_abstract" ? 0 : c.maybe) };
  };

  const overview = async (id: string, stage: ScreeningStage): Promise<ScreeningModelsAnswer> => {
    const [settings, counts, latest] = await Promise.all([store.list(id, "screeningSettings", { stage }), labelled(id, stage), queue.latest(id, SIMULATION)]);
    // The latest run of this stage: the newest few runs of the project are enough to find it.
    let job = latest && (latest.payload as SimulationPayload).stage === stage ? latest : undefined;
    if (latest && !job) job = (await queue.list(id, { kind: SIMULATION, limit: 10 })).items.find((j) => (j.payload as SimulationPayload).stage === stage);
    return {
      models: SCREENING_MODELS.map(({ name, label, summary }) => ({ name, label, summary })),
      default: DEFAULT_SCREENING_MODEL,
      current: currentSettings(settings)?.model ?? null,
      labelled: counts,
      minimum: TEAM_SIMULATION_MINIMUM,
      job: job ? view(job) : null,
    };
  };

  await queue.work(SIMULATION, async ({ job, progress, signal }) => {
    const { stage, models, seed } = job.payload as SimulationPayload;
    await progress(0, "reading the decisions", { done: 0, models: models.length, screened: 0, records: 0 });
    const p = await projects.synced(job.projectId);
    const st = p.engine.stage(stage);
    const texts: string[] = [];
    const labels: number[] = [];
    // Every settled record of the stage (a duplicate group's primary only), in record order.
    for (const rec of await store.list(job.projectId, "records")) {
      const s = st.statusOf(rec.id);
      const verdict = s?.state === "decided" || s?.state === "reconciled" ? s.verdict : null;
      if (!verdict) continue;
      texts.push(`${rec.title ?? ""} ${rec.abstract ?? ""}`);
      labels.push(verdict === "include" || (verdict === "maybe" && stage === "title_abstract") ? 1 : 0);
    }
    let last = 0;
    let writing: Promise<void> = Promise.resolve();
    const result = await new Promise<TeamSimulationResult>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      teamSimulationInWorker({ texts, labels, models, seed }, (pr) => {
        // A row update per report at most every half second.
        if (Date.now() - last < 500) return;
        last = Date.now();
        const fraction = (pr.done + (pr.records > 0 ? pr.screened / pr.records : 0)) / pr.models;
        writing = writing.then(() => progress(Math.min(0.99, fraction), `simulating ${models[Math.min(pr.done, models.length - 1)]}: ${pr.screened.toLocaleString("en")} of ${pr.records.toLocaleString("en")} records screened`, pr)).catch(() => undefined);
      }).then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
    await writing;
    const fig = recallCurvePlot({
      records: result.records,
      relevant: result.relevant,
      curves: result.runs.map((run) => ({ model: run.label, points: run.curve, n95: run.n95, wss95: run.wss95 })),
    });
    await progress(1, "done", { done: models.length, models: models.length, screened: result.records, records: result.records });
    return { result, figure: { title: fig.title, description: fig.description, alt: fig.alt, svg: await renderSvg(fig) } } satisfies SimulationJobResult;
  });

  serve(app, r.screeningModels, async ({ params: { id, stage } }) => overview(id, stage));

  serve(app, r.setScreeningModel, async ({ params: { id, stage }, body, ctx }) => {
    if (body.model !== null && !SCREENING_MODEL_NAMES.includes(body.model)) {
      throw new InputError(`unknown model "${body.model}"; the models are ${SCREENING_MODEL_NAMES.join(", ")}`);
    }
    await store.transaction(async (tx) => {
      const current = currentSettings(await tx.list(id, "screeningSettings", { stage }));
      const updatedAt = new Date().toISOString();
      // Only the model changes: mode and reviewers stay as set (single screening until set).
      if (!current) await tx.insert(id, "screeningSettings", [{ stage, mode: "single", dualFraction: null, reviewers: [], model: body.model, updatedAt }], writer(ctx));
      else await tx.update(id, "screeningSettings", current.id, { model: body.model, updatedAt }, writer(ctx));
    });
    return overview(id, stage);
  });

  serve(app, r.startSimulation, async ({ params: { id, stage }, body, ctx }) => {
    const counts = await labelled(id, stage);
    // Checked now, so bad input is a 400 rather than a failed job later.
    try {
      checkTeamSimulation(counts.relevant, counts.irrelevant, body.models);
    } catch (e) {
      throw new InputError(e instanceof Error ? e.message : String(e));
    }
    const payload: SimulationPayload = { stage, models: body.models, seed: body.seed };
    // A simulation is repeatable (same decisions, same result), so one attempt; a second start while one runs joins it.
    return view(await queue.enqueue({ kind: SIMULATION, projectId: id, payload, createdBy: ctx.actor, maxAttempts: 1, joinRunning: true }));
  });

  serve(app, r.getSimulation, async ({ params: { id, stage, jobId } }) => {
    const job = await queue.get(jobId);
    if (!job || job.projectId !== id || job.kind !== SIMULATION || (job.payload as SimulationPayload).stage !== stage) {
      throw new InputError(`simulation "${jobId}" not found`, 404);
    }
    return view(job);
  });
}
