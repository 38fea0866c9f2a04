/** Entry of a project export's worker thread (see `exportProjectJson`): one export, answered as JSON text. */
import { serveWorker } from "@homeward/model/node";
import { exportJsonFromFile } from "./snapshot.js";

serveWorker(exportJsonFromFile);
