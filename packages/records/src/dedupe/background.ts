import { runInWorker, workerFile } from "@homeward/model/node";
import { dedupe, type DedupeInput, type DedupeProgress, type DedupeResult } from "./index.js";
import type { DedupeRunner } from "./project.js";

/** What the detection worker (worker.ts) is given. */
export type ToDedupeWorker = { inputs: DedupeInput[]; decided: { together: string[][]; separate: [string, string][] } };

/**
 * Runs the detector in a worker thread of its own, one per run: comparing
 * 100,000 records takes seconds of CPU, which on a server's main thread would
 * stall every request (progress polls included) for as long. The thread ends
 * with the run. Running from TypeScript sources (tests), there is no compiled
 * worker, so the run happens here, after the current task.
 *
 * Once the inputs are posted (copied into the message), `inputs` is emptied:
 * the worker's copy is the only one, so a million records are not held on
 * both threads. The worker answers only groups of two or more records and
 * the "maybe" pairs (no links, no groups of one), which is all that
 * `dedupeProject` reads: a million one-record groups would be copied back
 * for nothing.
 */
export const dedupeInWorker: DedupeRunner = (inputs, decided, onProgress) => {
  const file = workerFile(new URL("./worker.js", import.meta.url), import.meta.url);
  const result = runInWorker<ToDedupeWorker, DedupeResult, DedupeProgress>({
    file,
    input: { inputs, decided },
    inline: (i, progress) => dedupe(i.inputs, i.decided, { onProgress: progress }),
    onProgress,
    name: "duplicate detection",
  });
  // runInWorker posts the message before it returns.
  if (file) inputs.length = 0;
  return result;
};
