import { InputError } from "@homeward/model";
import { loadSummary, reviewSummary } from "@homeward/review";
import { storeReviewSource } from "@homeward/server/load";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, withStore } from "../data.js";

export const register: Register = (program, io) => {
  program
    .command("summary")
    .requiredOption("--project <id>", "project id, e.g. reunification (the built-in project)")
    .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
    .action(async (opts: { project: string; data: string }) => {
      // Opening the data folder adds the built-in projects, as when the app starts.
      const summary = await withStore(opts.data, io, async (store) => {
        if (!(await store.hasProject(opts.project))) throw new InputError(`no project "${opts.project}" in the data folder`, 404);
        return reviewSummary(await loadSummary(storeReviewSource(store, opts.project)));
      });
      io.out(JSON.stringify(summary, null, 2) + "\n");
    });
};
