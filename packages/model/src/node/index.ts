/**
 * Node-only helpers (`@homeward/model/node`): never imported by the web
 * bundle, which takes `@homeward/model` alone.
 */
export { KeptWorker, runInWorker, serveWorker, workerFile, type FromWorker, type WorkerRun } from "./worker.js";
