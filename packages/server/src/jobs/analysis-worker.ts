/** The analysis job's thread: one fit, answered with the result or the error. */
import { serveWorker } from "@homeward/model/node";
import { fitAnalysis } from "./analysis.js";

serveWorker(fitAnalysis);
