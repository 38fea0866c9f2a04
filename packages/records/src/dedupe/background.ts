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
 */
export const dedupeInWorker: DedupeRunner = (inputs, decided, onProgress) =>
  runInWorker<ToDedupeWorker, DedupeResult, DedupeProgress>({
    file: workerFile(new URL("./worker.js", import.meta.url), import.meta.url),
    input: { inputs, decided },
    inline: (i, progress) => dedupe(i.inputs, i.decided, { onProgress: progress }),
    onProgress,
    name: "duplicate detection",
  });
