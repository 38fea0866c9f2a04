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
 * Error with its message. Work asked for again and again keeps its thread
 * (`KeptWorker`).
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

/** Runs `input` through a thread of its own from `file` (or inline), ended with the run, answering its result. */
export function runInWorker<I, R, P = never>(run: WorkerRun<I, R, P>): Promise<R> {
  const { signal } = run;
  if (!run.file) return runInline(run.input, run.inline, run.onProgress ?? (() => undefined), signal);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const file = run.file;
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(file);
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    attach(worker, run, settle, resolve, reject, () => settled);
    worker.postMessage(run.input);
  });
}

/** The run's thread settles it: progress passed on, then its result, its error, or its death. */
function attach<I, R, P>(worker: Worker, run: Omit<WorkerRun<I, R, P>, "file" | "inline">, settle: (f: () => void) => void, resolve: (r: R) => void, reject: (e: unknown) => void, isSettled: () => boolean): () => void {
  const onProgress = run.onProgress ?? (() => undefined);
  const raise = (m: { message: string; input: boolean; status?: number }) =>
    m.input ? (run.inputError ?? ((msg: string, status?: number) => new InputError(msg, status)))(m.message, m.status) : new Error(m.message);
  const onMessage = (m: FromWorker<R, P>) => {
    if (m.kind === "progress") {
      if (!isSettled()) onProgress(m.progress);
    } else if (m.kind === "done") settle(() => resolve(m.result));
    else settle(() => reject(raise(m)));
  };
  const onError = (e: Error) => settle(() => reject(e));
  const onExit = (code: number) => settle(() => reject(new Error(`the ${run.name} worker exited with code ${code}`)));
  worker.on("message", onMessage);
  worker.on("error", onError);
  worker.on("exit", onExit);
  return () => {
    worker.off("message", onMessage);
    worker.off("error", onError);
    worker.off("exit", onExit);
  };
}

/** `run.inline` on this thread after the current task (no compiled worker: tests on TypeScript sources). */
function runInline<I, R, P>(input: I, inline: WorkerRun<I, R, P>["inline"], onProgress: (p: P) => void, signal?: AbortSignal): Promise<R> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    setImmediate(() => {
      Promise.resolve()
        .then(() => inline(input, onProgress))
        .then(resolve, reject)
        .finally(() => signal?.removeEventListener("abort", onAbort));
    });
  });
}

/**
 * A worker thread kept between runs, for work asked for again and again (a
 * report's files): starting a thread and loading its modules takes about 2 s
 * of CPU on a busy 2-core machine, more than rendering a report's HTML. The
 * thread is started at the first run, runs one input at a time (a run asked
 * for meanwhile waits its turn), and is replaced when it dies: the run it was
 * doing fails with the reason (a job's retry then runs on the new thread). A
 * cancelled run ends the thread, which is the only way to stop synchronous
 * work; the next run starts another. Idle, the thread does not keep the
 * process alive; `close` ends it.
 */
export class KeptWorker<I, R, P = never> {
  private thread: Worker | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Threads started so far (one unless a thread died or a run was cancelled). */
  started = 0;

  constructor(private readonly opts: Pick<WorkerRun<I, R, P>, "file" | "inline" | "name" | "inputError">) {}

  /** The thread now, if one is running (tests end it to show it is replaced). */
  get current(): Worker | null {
    return this.thread;
  }

  run(input: I, opts: { onProgress?: (p: P) => void; signal?: AbortSignal } = {}): Promise<R> {
    const mine = this.turn.then(() => this.runNow(input, opts));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    const worker = new Worker(this.opts.file!);
    this.started++;
    worker.unref();
    // A thread that dies between runs is dropped here; the next run starts another.
    worker.on("exit", () => {
      if (this.thread === worker) this.thread = null;
    });
    worker.on("error", () => undefined);
    this.thread = worker;
    return worker;
  }

  private runNow(input: I, { onProgress, signal }: { onProgress?: (p: P) => void; signal?: AbortSignal }): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`the ${this.opts.name} worker is closed`));
    if (!this.opts.file) return runInline(input, this.opts.inline, onProgress ?? (() => undefined), signal);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const worker = this.ensureThread();
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        detach();
        worker.unref();
        f();
      };
      const onAbort = () =>
        settle(() => {
          if (this.thread === worker) this.thread = null;
          void worker.terminate();
          reject(signal!.reason);
        });
      const detach = attach<I, R, P>(worker, { input, name: this.opts.name, onProgress, inputError: this.opts.inputError }, settle, resolve, reject, () => settled);
      signal?.addEventListener("abort", onAbort, { once: true });
      worker.ref();
      worker.postMessage(input);
    });
  }

  /** Ends the thread (a run going on fails); later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const t = this.thread;
    this.thread = null;
    if (t) await t.terminate();
  }
}

/**
 * The worker thread's side: takes each input in turn (one for `runInWorker`,
 * any number for a `KeptWorker`), runs `work` with a progress callback,
 * posts the result (or the error). `isInput` tells an input error (default:
 * the model's `isInputError`).
 */
export function serveWorker<I, R, P = never>(work: (input: I, onProgress: (p: P) => void) => R | Promise<R>, isInput: (e: unknown) => boolean = isInputError): void {
  if (!parentPort) throw new Error("this module runs as a worker thread");
  const port = parentPort;
  port.on("message", (input: I) => {
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
