/** Entry of a team simulation's worker thread (see `teamSimulationInWorker`): one run, with progress, then the result. */
import { parentPort } from "node:worker_threads";
import { ScreeningInputError } from "./errors.js";
import { teamSimulation, type FromSimulationWorker, type TeamSimulationInput } from "./team-simulation.js";

if (!parentPort) throw new Error("the simulation worker runs as a worker thread");
const port = parentPort;
port.once("message", (input: TeamSimulationInput) => {
  const post = (m: FromSimulationWorker) => port.postMessage(m);
  let last = 0;
  try {
    const result = teamSimulation(input, (progress) => {
      // A progress message per fit would flood the main thread; a few a second is plenty for a progress bar.
      const now = Date.now();
      if (now - last < 200 && progress.screened !== 0) return;
      last = now;
      post({ kind: "progress", progress });
    });
    post({ kind: "done", result });
  } catch (e) {
    post({ kind: "error", message: e instanceof Error ? e.message : String(e), input: e instanceof ScreeningInputError });
  }
});
