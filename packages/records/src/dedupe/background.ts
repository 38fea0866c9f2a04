import { Worker } from "node:worker_threads";
import { InputError } from "@homeward/model";
import { workerFile } from "@homeward/model/node";
import { Detector, type DedupeInput, type DedupeProgress, type DedupeResult } from "./index.js";
import type { DedupeDecided, DedupeRunner, DedupeSession } from "./project.js";

/** What the detection worker (worker.ts) is sent: pages of records, then the reviewers' decisions to finish with. */
export type ToDedupeWorker = { kind: "page"; records: DedupeInput[] } | { kind: "finish"; decided: DedupeDecided };
/** What it answers: each page taken (`taken`), progress while comparing, then the result or the error. */
export type FromDedupeWorker =
  | { kind: "taken" }
  | { kind: "progress"; progress: DedupeProgress }
  | { kind: "done"; result: DedupeResult }
  | { kind: "error"; message: string; input: boolean; status?: number };

/**
 * Runs the detector in a worker thread of its own, one per run: comparing
 * 100,000 records takes seconds of CPU, which on a server's main thread would
 * stall every request (progress polls included) for as long. The thread ends
 * with the run (or when `signal` aborts: a cancelled job's thread is ended,
 * not left to finish). Running from TypeScript sources (tests), there is no
 * compiled worker, so the detector runs here.
 *
 * Records go over a page at a time as they are read, and the thread reads
 * each into the forms the rules compare as it arrives: the main thread holds
 * a page or two, never the project, and the thread holds each record once, as
 * the rules read it. A page is posted once the one before it is taken, so a
 * slow thread holds back the reading rather than letting pages pile up in its
 * queue. The thread answers only groups of two or more records and the
 * "maybe" pairs (no links, no groups of one), which is all that
 * `dedupeProject` reads.
 */
export const dedupeInWorker: DedupeRunner = (onProgress, options = {}) => {
  const file = workerFile(new URL("./worker.js", import.meta.url), import.meta.url);
  return file ? workerSession(file, onProgress, options.signal) : inlineSession(onProgress, options.signal);
};

function inlineSession(onProgress: (p: DedupeProgress) => void, signal?: AbortSignal): DedupeSession {
  const detector = new Detector();
  const check = () => {
    if (signal?.aborted) throw signal.reason;
  };
  return {
    add: async (records) => {
      check();
      detector.add(records);
    },
    finish: async (decided) => {
      check();
      // After the current task, as a worker's answer would come.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return detector.finish(decided, { onProgress, multiOnly: true });
    },
    cancel: () => undefined,
  };
}

function workerSession(file: URL, onProgress: (p: DedupeProgress) => void, signal?: AbortSignal): DedupeSession {
  const worker = new Worker(file);
  let failed: unknown = null;
  /** Waiting for the thread's next answer (a page taken, or the result). */
  const waiting: { resolve: (v: FromDedupeWorker) => void; reject: (e: unknown) => void }[] = [];
  let inFlight: Promise<FromDedupeWorker> | null = null;
  const fail = (e: unknown) => {
    if (failed) return;
    failed = e;
    for (const w of waiting.splice(0)) w.reject(e);
    signal?.removeEventListener("abort", onAbort);
    void worker.terminate();
  };
  const onAbort = () => fail(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  worker.on("message", (m: FromDedupeWorker) => {
    if (m.kind === "progress") {
      if (!failed) onProgress(m.progress);
    } else if (m.kind === "error") fail(m.input ? new InputError(m.message, m.status) : new Error(m.message));
    else waiting.shift()?.resolve(m);
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the duplicate detection worker exited with code ${code}`)));
  const next = () =>
    failed
      ? Promise.reject(failed)
      : new Promise<FromDedupeWorker>((resolve, reject) => {
          waiting.push({ resolve, reject });
        });
  return {
    add: async (records) => {
      // One page in the thread's hands at a time beyond the one it is reading.
      if (inFlight) await inFlight;
      if (failed) throw failed;
      const msg: ToDedupeWorker = { kind: "page", records };
      worker.postMessage(msg);
      inFlight = next();
      // Not left unhandled while the next page is read: the next call (or finish) sees the failure.
      inFlight.catch(() => undefined);
    },
    finish: async (decided) => {
      if (inFlight) await inFlight;
      if (failed) throw failed;
      const msg: ToDedupeWorker = { kind: "finish", decided };
      worker.postMessage(msg);
      const m = await next();
      if (m.kind !== "done") throw new Error("the duplicate detection worker answered out of turn");
      signal?.removeEventListener("abort", onAbort);
      failed = new Error("the duplicate detection run has finished");
      void worker.terminate();
      return m.result;
    },
    cancel: () => fail(new Error("the duplicate detection run was cancelled")),
  };
}
