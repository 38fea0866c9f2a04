import { setImmediate as nextTurn } from "node:timers/promises";
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

/** The longest a piece of a long export's work holds the event loop before giving it a turn. */
const TURN_MS = 8;

/**
 * A pause to call between small pieces of a long piece of work: it gives the
 * event loop a turn once `TURN_MS` have passed since the last (timed, not
 * counted: a request waits for several turns, each the length of a slice),
 * and stops the work when `signal` aborts.
 */
export function turns(signal?: AbortSignal): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since <= TURN_MS) return;
    await nextTurn();
    signal?.throwIfAborted();
    since = performance.now();
  };
}

/** Items of a long array written as text at once (about 100 KB of records); the event loop is given a turn every `TURN_MS`. */
const ITEMS_PER_TURN = 250;

/**
 * `JSON.stringify(value)` for an object whose long arrays (a project file's
 * records, its audit log) are written `ITEMS_PER_TURN` items at a time, the
 * event loop given a turn every `TURN_MS`: the whole text of 100,000 records made at
 * once held every other request of a PostgreSQL server for about 650 ms.
 * The same text as `JSON.stringify` (no indentation; keys whose value is
 * undefined left out).
 */
export async function jsonInTurns(value: object, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  const parts: string[] = [];
  let sep = "{";
  for (const [key, v] of Object.entries(value)) {
    const whole = Array.isArray(v) && v.length > ITEMS_PER_TURN ? null : JSON.stringify(v);
    if (whole === undefined) continue;
    parts.push(`${sep}${JSON.stringify(key)}:`);
    sep = ",";
    if (whole !== null) {
      parts.push(whole);
      continue;
    }
    const items = v as unknown[];
    parts.push("[");
    const pause = turns(signal);
    for (let at = 0; at < items.length; at += ITEMS_PER_TURN) {
      const text = JSON.stringify(items.slice(at, at + ITEMS_PER_TURN));
      parts.push(at === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`);
      await pause();
    }
    parts.push("]");
  }
  parts.push(sep === "{" ? "{}" : "}");
  return parts.join("");
}

/**
 * The project file as JSON text (what a download or a backup writes). On a
 * SQLite file the whole read, and the text, are made in a worker thread on a
 * read-only connection of its own: better-sqlite3 reads synchronously, so
 * even on a second connection an export of 100,000 records read on the main
 * thread would hold the event loop, and with it every request, for seconds.
 * Elsewhere (PostgreSQL, whose reads do not block the loop; an in-memory
 * database, which no other connection can open; inside a transaction) it is
 * the store's export, its rows turned into the file's entities and the text
 * written a piece at a time with turns of the event loop between.
 */
export async function exportProjectJson(store: Store, projectId: string, signal?: AbortSignal): Promise<string> {
  const inner = store as unknown as { native: Database.Database | null; inTransaction: boolean };
  // Inside a transaction the export must see its writes, which only its own connection can.
  const file = store.dialect === "sqlite" && !inner.inTransaction ? snapshotFile(inner.native) : null;
  if (!file) return jsonInTurns(await store.exportProject(projectId), signal);
  return runInWorker<ExportJob, string>({
    file: workerFile(new URL("./export-worker.js", import.meta.url), import.meta.url, new URL("../dist/export-worker.js", import.meta.url)),
    input: { file, projectId },
    inline: exportJsonFromFile,
    signal,
    name: "project export",
  });
}
