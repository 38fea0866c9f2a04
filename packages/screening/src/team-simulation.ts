import { runInWorker, workerFile } from "@homeward/model/node";
import { ScreeningInputError } from "./errors.js";
import { screeningModel } from "./models.js";
import { Random } from "./random.js";
import { simulate, type ServedRun } from "./simulate.js";

/**
 * A team's simulation on its own labelled decisions: one or two named models
 * replayed from the same two priors (one relevant and one irrelevant record,
 * drawn with the seed, as the shared benchmark's script draws them) and the
 * same seed, so the team compares the models and nothing else.
 */
export interface TeamSimulationInput {
  texts: string[];
  /** 1 relevant (included or maybe at title and abstract), 0 irrelevant. */
  labels: number[];
  models: string[];
  seed: number;
}

export interface TeamSimulationProgress {
  /** Models finished. */
  done: number;
  models: number;
  /** Records screened in the current model's simulation. */
  screened: number;
  records: number;
}

export interface TeamSimulationRun {
  model: string;
  label: string;
  wss95: number;
  recall10: number;
  atd: number;
  /** Records screened to find 95% of the relevant ones. */
  n95: number;
  fits: number;
  /**
   * True when a model that retrains after every decision was retrained in
   * batches instead (at once after a relevant decision, else when 2% of the
   * decisions are new), because the set is larger than `EXACT_RETRAIN_MAX`.
   */
  batched: boolean;
  servedBy: ServedRun[];
  /** Where the recall curve steps: (0, 0), then (records screened, relevant found) at each relevant record, then (records, relevant). */
  curve: { screened: number; found: number }[];
}

export interface TeamSimulationResult {
  records: number;
  relevant: number;
  seed: number;
  /** Row numbers (in the order given) of the two records every model starts from. */
  priors: number[];
  runs: TeamSimulationRun[];
}

/**
 * Above this many records a simulation retrains in batches: after every
 * decision it would take one fit per record, hours of CPU at 20,000. On the
 * evaluation's fifteen sets batching (the `elas_u4_batched` model) moved mean
 * WSS@95 by under 0.001 on either half (README, "Evaluation protocol").
 */
export const EXACT_RETRAIN_MAX = 3000;

/** The least labelled set a simulation can say anything about: two of each, so something is left to find after the priors. */
export const TEAM_SIMULATION_MINIMUM = { relevant: 2, irrelevant: 2 };

export function checkTeamSimulation(relevant: number, irrelevant: number, models: readonly string[]): void {
  if (models.length < 1 || models.length > 2) throw new ScreeningInputError("choose one model, or two to compare");
  if (new Set(models).size !== models.length) throw new ScreeningInputError("choose two different models to compare");
  for (const m of models) screeningModel(m);
  if (relevant < TEAM_SIMULATION_MINIMUM.relevant || irrelevant < TEAM_SIMULATION_MINIMUM.irrelevant) {
    throw new ScreeningInputError(
      `a simulation needs at least ${TEAM_SIMULATION_MINIMUM.relevant} records included (or maybe) and ${TEAM_SIMULATION_MINIMUM.irrelevant} excluded at title and abstract; the project has ${relevant} and ${irrelevant}`,
    );
  }
}

export function teamSimulation(input: TeamSimulationInput, onProgress?: (p: TeamSimulationProgress) => void): TeamSimulationResult {
  const { texts, labels, models, seed } = input;
  const relevantRows = labels.flatMap((l, i) => (l ? [i] : []));
  const irrelevantRows = labels.flatMap((l, i) => (l ? [] : [i]));
  checkTeamSimulation(relevantRows.length, irrelevantRows.length, models);
  const random = new Random(seed);
  const priors = [relevantRows[random.int(relevantRows.length)], irrelevantRows[random.int(irrelevantRows.length)]];
  const runs: TeamSimulationRun[] = [];
  models.forEach((model, done) => {
    const report = (screened: number) => onProgress?.({ done, models: models.length, screened, records: texts.length });
    report(0);
    const batched = texts.length > EXACT_RETRAIN_MAX && screeningModel(model).retrain.fraction === 0;
    const sim = simulate(texts, labels, priors, { seed, model, onProgress: report, ...(batched ? { schedule: { fraction: 0.02 } } : {}) });
    const curve = [{ screened: 0, found: 0 }];
    let found = 0;
    sim.order.forEach((row, k) => {
      if (labels[row]) curve.push({ screened: k + 1, found: ++found });
    });
    curve.push({ screened: texts.length, found });
    const { wss95, recall10, atd, n95 } = sim.metrics;
    runs.push({ model, label: screeningModel(model).label, wss95, recall10, atd, n95, fits: sim.fits, batched, servedBy: sim.servedBy, curve });
  });
  onProgress?.({ done: models.length, models: models.length, screened: texts.length, records: texts.length });
  return { records: texts.length, relevant: relevantRows.length, seed, priors, runs };
}

/**
 * Runs a team's simulation in a worker thread of its own, one per run: a
 * simulation retrains after every decision, seconds to minutes of CPU that
 * on a server's main thread would stall every request (progress polls
 * included). The thread ends with the run. From TypeScript sources (tests)
 * there is no compiled worker, so the run happens here, after the current task.
 */
export function teamSimulationInWorker(input: TeamSimulationInput, onProgress: (p: TeamSimulationProgress) => void): Promise<TeamSimulationResult> {
  return runInWorker<TeamSimulationInput, TeamSimulationResult, TeamSimulationProgress>({
    file: workerFile(new URL("./simulation-worker.js", import.meta.url), import.meta.url),
    input,
    inline: teamSimulation,
    onProgress,
    name: "simulation",
    inputError: (message, status) => new ScreeningInputError(message, (status ?? 400) as 400 | 404 | 409),
  });
}
