/** Entry of the duplicate detection worker thread (see `dedupeInWorker`): one run, with progress, then the result. */
import { serveWorker } from "@homeward/model/node";
import type { ToDedupeWorker } from "./background.js";
import { dedupe, type DedupeProgress, type DedupeResult } from "./index.js";

serveWorker<ToDedupeWorker, DedupeResult, DedupeProgress>((msg, onProgress) => {
  const inputs = msg.inputs;
  msg.inputs = [];
  const { groups, maybe } = dedupe(inputs, msg.decided, { onProgress });
  // Only what dedupeProject reads goes back (see dedupeInWorker).
  return { groups: groups.filter((g) => g.length > 1), maybe, links: [] };
});
