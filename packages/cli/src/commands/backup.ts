import { resolve } from "node:path";
import { backupInstance, openStore, storeOptionsFromEnv } from "@homeward/store";
import { InputError } from "@homeward/model";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR } from "../data.js";
import { progressLine } from "../progress.js";

export const register: Register = (program, io) => {
  program
    .command("backup")
    .requiredOption("--out <file>", "backup file to write (gzip'd JSON lines)")
    .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
    .action(async (o: { out: string; data: string }) => {
      // Opened without loading the example projects: a backup holds what the instance holds.
      const store = await openStore(storeOptionsFromEnv(resolve(io.cwd, o.data)));
      try {
        const out = resolve(io.cwd, o.out);
        // The same use case a backup job of the app runs, with its progress on standard error.
        const line = progressLine(io);
        const r = await backupInstance(store, out, undefined, (p) => line.report(p.total ? p.done / p.total : 1, p.project ? `project ${p.done + 1} of ${p.total}: ${p.project}` : "finishing")).catch((err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT" || err.code === "EACCES" || err.code === "EISDIR") throw new InputError(`cannot write ${o.out}: ${err.code}`);
          throw err;
        }).finally(() => line.done());
        io.out(`backed up ${r.projects} projects and ${r.users} users to ${o.out}\n`);
      } finally {
        await store.close();
      }
    });
};
