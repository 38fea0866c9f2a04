import { parentPort } from "node:worker_threads";
import { isInputError } from "@homeward/model";
import { fitAnalysis, type AnalysisJobInput } from "./analysis.js";

/** The analysis job's thread: one fit per message, answered with the result or the error's message. */
parentPort!.on("message", (input: AnalysisJobInput) => {
  try {
    parentPort!.postMessage({ ok: true, result: fitAnalysis(input) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e), input: isInputError(e) });
  }
});
