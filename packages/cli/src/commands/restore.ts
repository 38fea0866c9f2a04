import { resolve } from "node:path";
import { openStore, restoreInstance, storeOptionsFromEnv } from "@homeward/store";
import type { Register } from "./index.js";
import { actorOf, DEFAULT_DATA_DIR } from "../data.js";

export const register: Register = (program, io) => {
  program
    .command("restore")
    .requiredOption("--file <file>", "backup file written by homeward backup")
    .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
    .option("--user <name>", "acting user recorded for each project's import (default $HOMEWARD_USER or local)")
    .action(async (o: { file: string; data: string; user?: string }) => {
      // Opened without loading the example projects, which would make the instance non-empty.
      const store = await openStore(storeOptionsFromEnv(resolve(io.cwd, o.data)));
      try {
        const r = await restoreInstance(store, resolve(io.cwd, o.file), { actor: actorOf(o.user) });
        io.out(`restored ${r.projects} projects and ${r.users} users from ${o.file}\n`);
      } finally {
        await store.close();
      }
    });
};
