import { parentPort } from "node:worker_threads";
import { rankingHandler, type ToWorker } from "@homeward/screening";

/** The retrain job's thread: the ranking model's messages in order; a finished ranking's order is transferred, not copied. */
const handle = rankingHandler();
parentPort!.on("message", (msg: ToWorker) => {
  const reply = handle(msg);
  if (reply) parentPort!.postMessage(reply, reply.kind === "ranking" ? [reply.ranking.order.buffer as ArrayBuffer] : []);
});
