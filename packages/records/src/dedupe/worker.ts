/** Entry of the duplicate detection worker thread (see `dedupeInWorker`): one run, with progress, then the result. */
import { serveWorker } from "@homeward/model/node";
import type { ToDedupeWorker } from "./background.js";
import { dedupe, type DedupeProgress, type DedupeResult } from "./index.js";

serveWorker<ToDedupeWorker, DedupeResult, DedupeProgress>((msg, onProgress) => dedupe(msg.inputs, msg.decided, { onProgress }));
