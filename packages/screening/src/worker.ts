/**
 * Entry of the ranking worker thread (see `RankingService`): applies the
 * messages in order and posts each finished ranking back, transferring its
 * order array instead of copying it.
 */
import { parentPort } from "node:worker_threads";
import { rankingHandler, type ToWorker } from "./background.js";

if (!parentPort) throw new Error("the ranking worker runs as a worker thread");
const port = parentPort;
const handle = rankingHandler();
port.on("message", (msg: ToWorker) => {
  const reply = handle(msg);
  if (reply) port.postMessage(reply, reply.kind === "ranking" ? [reply.ranking.order.buffer as ArrayBuffer] : []);
});
