import { runInWorker, workerFile } from "@homeward/model/node";
import { fitMetaSpec, metaSpecResult, parseMetaSpec, type Row } from "@homeward/meta";
import type { AnalysisAnswer } from "@homeward/api";

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
 * Fits in a worker thread of its own: a multilevel model on 20,000 rows
 * takes seconds of CPU, which on the main thread would stall every request.
 * The thread is ended when `signal` aborts (a cancelled job). Tests run the
 * TypeScript sources, which a worker thread cannot load: they use the build's
 * worker when there is one (so a test can show the event loop stays free) and
 * fit in this thread otherwise.
 */
export function fitAnalysisInWorker(input: AnalysisJobInput, signal: AbortSignal): Promise<AnalysisAnswer> {
  return runInWorker<AnalysisJobInput, AnalysisAnswer>({
    file: workerFile(new URL("./analysis-worker.js", import.meta.url), import.meta.url, new URL("../../dist/jobs/analysis-worker.js", import.meta.url)),
    input,
    inline: fitAnalysis,
    signal,
    name: "analysis",
  });
}
