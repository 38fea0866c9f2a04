import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { runInWorker, workerFile } from "@homeward/model/node";
import type { Store } from "./store.js";

/**
 * A read-only connection to the same SQLite file as `native`, for a long
 * read (a project export, a backup) that must see one snapshot. The store
 * has one connection, and a read transaction on it would hold every other
 * request (a write included) until it ends: about 6 s for an export of
 * 100,000 records. In WAL mode a second connection's read transaction sees
 * the database as of its first read while the store's connection goes on
 * writing, so the snapshot is read there. Null (read on the store's own
 * connection, as before) for an in-memory database, which no other
 * connection can open, and for a file not in WAL mode, where a reader would
 * block writers.
 */
export function readOnlyTwin(native: Database.Database | null): Database.Database | null {
  const file = snapshotFile(native);
  if (!file) return null;
  const twin = new Database(file, { readonly: true, fileMustExist: true });
  twin.pragma("busy_timeout = 5000");
  // As the store's own connection: a whole-project read touches many pages.
  twin.pragma("cache_size = -65536");
  return twin;
}

/** Runs `fn` in one read transaction on `twin`, then closes it. */
export async function readSnapshot<T>(twin: Database.Database, fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: twin }) });
  try {
    return await db.transaction().execute((trx) => fn(trx));
  } finally {
    await db.destroy();
  }
}

/** The SQLite file of `native` when a snapshot can be read from it by another connection (see `readOnlyTwin`). */
export function snapshotFile(native: Database.Database | null): string | null {
  if (!native || native.memory || !native.name || native.name === ":memory:") return null;
  return String(native.pragma("journal_mode", { simple: true })).toLowerCase() === "wal" ? native.name : null;
}

export interface ExportJob {
  file: string;
  projectId: string;
}

/** A project's file as JSON text, read in one read transaction on a read-only connection to `file`. */
export async function exportJsonFromFile({ file, projectId }: ExportJob): Promise<string> {
  // Imported here: store.ts imports this module.
  const { Store } = await import("./store.js");
  const twin = new Database(file, { readonly: true, fileMustExist: true });
  twin.pragma("busy_timeout = 5000");
  twin.pragma("cache_size = -65536");
  return readSnapshot(twin, async (db) => JSON.stringify(await new Store(db, "sqlite", true, null).exportProject(projectId)));
}

/**
 * The project file as JSON text (what a download or a backup writes). On a
 * SQLite file the whole read, and the text, are made in a worker thread on a
 * read-only connection of its own: better-sqlite3 reads synchronously, so
 * even on a second connection an export of 100,000 records read on the main
 * thread would hold the event loop, and with it every request, for seconds.
 * Elsewhere (PostgreSQL, whose reads do not block the loop; an in-memory
 * database, which no other connection can open; inside a transaction) it is
 * the store's export.
 */
export async function exportProjectJson(store: Store, projectId: string, signal?: AbortSignal): Promise<string> {
  const inner = store as unknown as { native: Database.Database | null; inTransaction: boolean };
  // Inside a transaction the export must see its writes, which only its own connection can.
  const file = store.dialect === "sqlite" && !inner.inTransaction ? snapshotFile(inner.native) : null;
  if (!file) return JSON.stringify(await store.exportProject(projectId));
  return runInWorker<ExportJob, string>({
    file: workerFile(new URL("./export-worker.js", import.meta.url), import.meta.url, new URL("../dist/export-worker.js", import.meta.url)),
    input: { file, projectId },
    inline: exportJsonFromFile,
    signal,
    name: "project export",
  });
}
