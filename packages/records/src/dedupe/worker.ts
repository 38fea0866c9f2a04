/** Entry of the duplicate detection worker thread (see `dedupeInWorker`): one run, with progress, then the result. */
import { parentPort } from "node:worker_threads";
import type { FromDedupeWorker, ToDedupeWorker } from "./background.js";
import { dedupe } from "./index.js";

if (!parentPort) throw new Error("the duplicate detection worker runs as a worker thread");
const port = parentPort;
port.once("message", (msg: ToDedupeWorker) => {
  const post = (m: FromDedupeWorker) => port.postMessage(m);
  try {
    post({ kind: "done", result: dedupe(msg.inputs, msg.decided, { onProgress: (progress) => post({ kind: "progress", progress }) }) });
  } catch (e) {
    post({ kind: "error", message: e instanceof Error ? e.message : String(e) });
  }
});
