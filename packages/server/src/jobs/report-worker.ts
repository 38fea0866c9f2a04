/** The report's kept thread (see `reportWorker`): each file rendered in turn, answered with its bytes or the error. */
import { serveWorker } from "@homeward/model/node";
import { renderReportFile } from "./report.js";

serveWorker(renderReportFile);
