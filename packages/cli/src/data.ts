import { resolve } from "node:path";
import { defaultExamplesDir, ensureExamples, openStore, storeOptionsFromEnv, type Store } from "@homeward/store";
import { InputError, roleAllows, type Role } from "@homeward/model";
import type { Io } from "./io.js";

export const DEFAULT_DATA_DIR = "./data";
export const DEFAULT_USER = "local";

/** The acting user of a CLI command: --user, else $HOMEWARD_USER, else "local". */
export const actorOf = (user: string | undefined): string => user ?? process.env.HOMEWARD_USER ?? DEFAULT_USER;

/**
 * The acting user of a command that writes to a project, refused (exit 2)
 * unless they are a member with at least `needed`: the CLI is held to the
 * project's roles as the server is (the same `roleAllows`), since the data
 * folder may be shared by a team on one machine.
 */
export async function memberActor(store: Store, projectId: string, user: string | undefined, needed: Role): Promise<string> {
  const actor = actorOf(user);
  const role = await store.roleOf(projectId, actor);
  if (role === null) {
    await store.getProject(projectId);
    throw new InputError(`${actor} is not a member of project ${projectId} (act as a member with --user or HOMEWARD_USER)`);
  }
  if (!roleAllows(role, needed)) throw new InputError(`this needs the ${needed} role or above in project ${projectId}; ${actor} is a ${role}`);
  return actor;
}

/** Where built-in example bundles are read from: $HOMEWARD_EXAMPLES_DIR ("" = none), else the repository's examples/. */
export function examplesDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env.HOMEWARD_EXAMPLES_DIR;
  if (v === undefined) return defaultExamplesDir();
  return v === "" ? null : v;
}

/**
 * Opens the store of a data folder (PostgreSQL instead when DATABASE_URL is
 * set) and imports any built-in example project it does not hold yet.
 */
export async function openDataStore(dataDir: string, io: Io): Promise<Store> {
  const opts = storeOptionsFromEnv(resolve(io.cwd, dataDir));
  const store = await openStore(opts);
  try {
    const dir = examplesDir();
    const ex = dir === null ? { imported: [], failed: [] } : await ensureExamples(store, dir);
    for (const p of ex.imported) io.err(`homeward: added example project "${p.title}" (${p.id})\n`);
    for (const f of ex.failed) io.err(`homeward: warning: example ${f.dir} not loaded: ${f.error}\n`);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Opens the data store, runs `fn`, and always closes the store. */
export async function withStore<T>(dataDir: string, io: Io, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openDataStore(dataDir, io);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
