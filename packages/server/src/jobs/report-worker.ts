/** The report job's thread: one file rendered, answered with its bytes or the error. */
import { serveWorker } from "@homeward/model/node";
import { renderReportFile } from "./report.js";

serveWorker(renderReportFile);
