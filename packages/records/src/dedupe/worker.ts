/** Entry of the duplicate detection worker thread (see `dedupeInWorker`): pages of records, then one run with progress and its result. */
import { parentPort } from "node:worker_threads";
import { isInputError } from "@homeward/model";
import type { FromDedupeWorker, ToDedupeWorker } from "./background.js";
import { Detector } from "./index.js";

if (!parentPort) throw new Error("this module runs as a worker thread");
const port = parentPort;
const post = (m: FromDedupeWorker) => port.postMessage(m);
const detector = new Detector();
port.on("message", (m: ToDedupeWorker) => {
  try {
    if (m.kind === "page") {
      // Read into the rules' forms at once; the page itself goes with this message.
      detector.add(m.records);
      post({ kind: "taken" });
      return;
    }
    // Only what dedupeProject reads goes back (see dedupeInWorker).
    const { groups, maybe } = detector.finish(m.decided, { onProgress: (progress) => post({ kind: "progress", progress }), multiOnly: true });
    post({ kind: "done", result: { groups, maybe, links: [] } });
  } catch (e) {
    const status = (e as { status?: unknown }).status;
    post({ kind: "error", message: e instanceof Error ? e.message : String(e), input: isInputError(e), ...(typeof status === "number" ? { status } : {}) });
  }
});
