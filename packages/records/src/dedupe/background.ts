import { Worker } from "node:worker_threads";
import { dedupe, type DedupeInput, type DedupeProgress, type DedupeResult } from "./index.js";
import type { DedupeRunner } from "./project.js";

/** Messages of the detection worker (see worker.ts). */
export type ToDedupeWorker = { inputs: DedupeInput[]; decided: { together: string[][]; separate: [string, string][] } };
export type FromDedupeWorker = { kind: "progress"; progress: DedupeProgress } | { kind: "done"; result: DedupeResult } | { kind: "error"; message: string };

/**
 * Runs the detector in a worker thread of its own, one per run: comparing
 * 100,000 records takes seconds of CPU, which on a server's main thread would
 * stall every request (progress polls included) for as long. The thread ends
 * with the run. Running from TypeScript sources (tests), there is no compiled
 * worker, so the run happens here, after the current task.
 */
export const dedupeInWorker: DedupeRunner = (inputs, decided, onProgress) => {
  if (import.meta.url.endsWith(".ts")) {
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(dedupe(inputs, decided, { onProgress }));
        } catch (e) {
          reject(e);
        }
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url));
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on("message", (m: FromDedupeWorker) => {
      if (m.kind === "progress") onProgress(m.progress);
      else if (m.kind === "done") finish(() => resolve(m.result));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on("error", (e) => finish(() => reject(e)));
    worker.on("exit", (code) => finish(() => reject(new Error(`the duplicate detection worker exited with code ${code}`))));
    worker.postMessage({ inputs, decided } satisfies ToDedupeWorker);
  });
};
