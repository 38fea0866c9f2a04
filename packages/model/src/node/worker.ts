import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parentPort, Worker } from "node:worker_threads";
import { InputError, isInputError } from "../errors.js";

/**
 * One run of CPU-heavy or blocking work in a worker thread of its own
 * (duplicate detection, a team's screening simulation, a model fit, a
 * project export's snapshot read): seconds of work that on a server's main
 * thread would stall every request, progress polls included. The thread ends
 * with the run; progress comes back as messages; an input error thrown in the
 * thread is an input error here (as `toInputError` makes it), anything else an
 * Error with its message.
 */

/** What a worker thread posts: progress as it goes, then its result or its error. */
export type FromWorker<R, P> = { kind: "progress"; progress: P } | { kind: "done"; result: R } | { kind: "error"; message: string; input: boolean; status?: number };

export interface WorkerRun<I, R, P> {
  /** The compiled worker (see `workerFile`), or null to run `inline` on this thread. */
  file: URL | null;
  input: I;
  /** The same work on this thread, after the current task: for tests running TypeScript sources, which a worker cannot load. */
  inline: (input: I, onProgress: (p: P) => void) => R | Promise<R>;
  onProgress?: (p: P) => void;
  /** Ends the thread and rejects with the signal's reason (a cancelled job). */
  signal?: AbortSignal;
  /** Named in the error when the thread dies ("the duplicate detection worker exited with code 1"). */
  name: string;
  /** How an input error from the thread is raised here (default `InputError`). */
  inputError?: (message: string, status?: number) => Error;
}

/**
 * The compiled worker `own` (a URL next to the calling module). From
 * TypeScript sources (tests), the build's copy `built` when there is one (so
 * a test can show the event loop stays free), else null: run inline.
 */
export function workerFile(own: URL, callerUrl: string, built?: URL): URL | null {
  if (!callerUrl.endsWith(".ts")) return own;
  return built && existsSync(fileURLToPath(built)) ? built : null;
}

/** Runs `input` through the worker `file` (or inline), answering its result. */
export function runInWorker<I, R, P = never>(run: WorkerRun<I, R, P>): Promise<R> {
  const { signal } = run;
  const onProgress = run.onProgress ?? (() => undefined);
  const raise = (m: { message: string; input: boolean; status?: number }) =>
    m.input ? (run.inputError ?? ((msg: string, status?: number) => new InputError(msg, status)))(m.message, m.status) : new Error(m.message);
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!run.file) {
    return new Promise<R>((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      setImmediate(() => {
        Promise.resolve()
          .then(() => run.inline(run.input, onProgress))
          .then(resolve, reject)
          .finally(() => signal?.removeEventListener("abort", onAbort));
      });
    });
  }
  const file = run.file;
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(file);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: FromWorker<R, P>) => {
      if (m.kind === "progress") {
        if (!settled) onProgress(m.progress);
      } else if (m.kind === "done") finish(() => resolve(m.result));
      else finish(() => reject(raise(m)));
    });
    worker.on("error", (e) => finish(() => reject(e)));
    worker.on("exit", (code) => finish(() => reject(new Error(`the ${run.name} worker exited with code ${code}`))));
    worker.postMessage(run.input);
  });
}

/**
 * The worker thread's side: takes one input, runs `work` with a progress
 * callback, posts the result (or the error). `isInput` tells an input error
 * (default: the model's `isInputError`).
 */
export function serveWorker<I, R, P = never>(work: (input: I, onProgress: (p: P) => void) => R | Promise<R>, isInput: (e: unknown) => boolean = isInputError): void {
  if (!parentPort) throw new Error("this module runs as a worker thread");
  const port = parentPort;
  port.once("message", (input: I) => {
    const post = (m: FromWorker<R, P>) => port.postMessage(m);
    Promise.resolve()
      .then(() => work(input, (progress) => post({ kind: "progress", progress })))
      .then(
        (result) => post({ kind: "done", result }),
        (e: unknown) => {
          const status = (e as { status?: unknown }).status;
          post({ kind: "error", message: e instanceof Error ? e.message : String(e), input: isInput(e), ...(typeof status === "number" ? { status } : {}) });
        },
      );
  });
}
