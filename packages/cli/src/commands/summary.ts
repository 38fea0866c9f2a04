import { resolve } from "node:path";
import { InputError } from "@homeward/model";
import { reviewSummary } from "@homeward/review";
import { ensureExamples, openStore, storeOptionsFromEnv } from "@homeward/store";
import type { Register } from "./index.js";

/** Data folder when --data is not given: $HOMEWARD_DATA, else ./homeward-data. */
function dataDir(flag: string | undefined, cwd: string): string {
  return resolve(cwd, flag ?? process.env.HOMEWARD_DATA ?? "homeward-data");
}

export const register: Register = (program, io) => {
  program
    .command("summary")
    .description("print a review's machine-readable summary (PRISMA counts and sources, studies, typology, risk of bias, appraisal conflicts, CERQual, PROGRESS-Plus) as JSON")
    .requiredOption("--project <id>", "project id, e.g. reunification")
    .option("--data <dir>", "data folder (default $HOMEWARD_DATA or ./homeward-data); DATABASE_URL selects PostgreSQL instead")
    .action(async (opts: { project: string; data?: string }) => {
      const store = await openStore(storeOptionsFromEnv(dataDir(opts.data, io.cwd)));
      try {
        // The built-in projects are present in every data folder, as when the app starts.
        await ensureExamples(store);
        if (!(await store.hasProject(opts.project))) throw new InputError(`no project "${opts.project}" in the data folder`, 404);
        const project = await store.exportProject(opts.project);
        io.out(JSON.stringify(reviewSummary(project), null, 2) + "\n");
      } finally {
        await store.close();
      }
    });
};
