import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { fitMetaSpec, metaSpecResult, parseMetaSpec, type Row } from "@homeward/meta";
import type { AnalysisAnswer } from "@homeward/api";
import { InputError } from "@homeward/model";

/** What an analysis job fits: the spec (without its data) and the rows, read when the job was started. */
export interface AnalysisJobInput {
  spec: Record<string, unknown>;
  rows: Row[];
  skipped?: AnalysisAnswer["skipped"];
}

/** Keys of the analysis request besides the meta spec's own (as `routes/analysis.ts`). */
const EXTRA_KEYS = ["figures", "figureOptions", "data"] as const;

/** The fit itself: the same spec rules and answer as `POST /analysis`, without figures. */
export function fitAnalysis(input: AnalysisJobInput): AnalysisAnswer {
  const spec = parseMetaSpec(input.spec, EXTRA_KEYS);
  const answer: AnalysisAnswer = metaSpecResult(fitMetaSpec(spec, input.rows));
  if (input.skipped) answer.skipped = input.skipped;
  return answer;
}

/**
 * The compiled worker. Tests run the TypeScript sources, which a worker
 * thread cannot load; they use the build's worker when there is one (so a
 * test can show the event loop stays free) and fit in this thread otherwise.
 */
function workerFile(): URL | null {
  const own = new URL("./analysis-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts")) return own;
  const built = new URL("../../dist/jobs/analysis-worker.js", import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : null;
}

/**
 * Fits in a worker thread of its own: a multilevel model on 20,000 rows
 * takes seconds of CPU, which on the main thread would stall every request.
 * The thread is ended when `signal` aborts (a cancelled job).
 */
export function fitAnalysisInWorker(input: AnalysisJobInput, signal: AbortSignal): Promise<AnalysisAnswer> {
  const file = workerFile();
  if (!file) return new Promise((resolve, reject) => setImmediate(() => { try { resolve(fitAnalysis(input)); } catch (e) { reject(e); } }));
  return new Promise((resolve, reject) => {
    const worker = new Worker(file);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort);
    worker.on("message", (m: { ok: true; result: AnalysisAnswer } | { ok: false; message: string; input: boolean }) =>
      finish(() => (m.ok ? resolve(m.result) : reject(m.input ? new InputError(m.message) : new Error(m.message)))),
    );
    worker.on("error", (e) => finish(() => reject(e)));
    worker.on("exit", (code) => finish(() => reject(new Error(`the analysis worker exited with code ${code}`))));
    worker.postMessage(input);
  });
}
