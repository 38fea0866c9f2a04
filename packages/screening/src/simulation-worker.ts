/** Entry of a team simulation's worker thread (see `teamSimulationInWorker`): one run, with progress, then the result. */
import { serveWorker } from "@homeward/model/node";
import { ScreeningInputError } from "./errors.js";
import { teamSimulation, type TeamSimulationInput, type TeamSimulationProgress, type TeamSimulationResult } from "./team-simulation.js";

serveWorker<TeamSimulationInput, TeamSimulationResult, TeamSimulationProgress>((input, post) => {
  let last = 0;
  return teamSimulation(input, (progress) => {
    // A progress message per fit would flood the main thread; a few a second is plenty for a progress bar.
    const now = Date.now();
    if (now - last < 200 && progress.screened !== 0) return;
    last = now;
    post(progress);
  });
}, (e) => e instanceof ScreeningInputError);
