import { once } from "node:events";
import { finished } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { sql, type Kysely } from "kysely";
import { InputError, type CollectionName } from "@homeward/model";
import { fieldMaps, storedJson, storedScalar, storedText, tableOf, type FieldKind } from "./mapping.js";
import type { Dialect } from "./migrations.js";

/**
 * Bulk row writing for both engines. Entities arrive parsed and complete; a
 * row is an array of column values in `columnsOf(c, dialect)` order.
 * Both writers must run inside a transaction.
 *
 * Measured on 30,000 synthetic records (CPU time of the writing process, see
 * README): the per-row AFTER INSERT trigger that fed FTS5 cost 6.9 s, rows
 * written by one reused prepared statement plus one `INSERT INTO records_fts
 * … SELECT` per batch 2.3 s; on PostgreSQL `to_tsvector` alone was ~0.4 ms per
 * record, `array_to_tsvector` over words split here ~0.1 ms.
 */

export interface Column {
  name: string;
  /** PostgreSQL element type of the column's array in `unnest(…)`. */
  pgType: "text" | "integer" | "double precision" | "tsvector";
}

const pgTypeOf: Record<FieldKind, Column["pgType"]> = { text: "text", int: "integer", bool: "integer", real: "double precision", json: "text" };

const columnCache = new Map<string, Column[]>();

/** The columns a row of collection `c` fills: project, fields, and the derived record columns. */
export function columnsOf(c: CollectionName, dialect: Dialect): Column[] {
  const key = `${dialect}:${c}`;
  let cols = columnCache.get(key);
  if (!cols) {
    cols = [{ name: "project_id", pgType: "text" }, ...fieldMaps[c].map((f) => ({ name: f.column, pgType: pgTypeOf[f.kind] }))];
    if (c === "records") {
      for (const name of ["sort_title", "sort_authors", "sort_journal"]) cols.push({ name, pgType: "text" });
      if (dialect === "postgres") cols.push({ name: "search", pgType: "tsvector" });
    }
    columnCache.set(key, cols);
  }
  return cols;
}

/** An entity as a row (values in `columnsOf` order); booleans 0/1, objects as JSON text. */
export function rowOf(c: CollectionName, projectId: string, e: Record<string, unknown>, dialect: Dialect): unknown[] {
  const row: unknown[] = [projectId];
  for (const f of fieldMaps[c]) {
    const v = e[f.field];
    if (f.kind === "json") row.push(storedJson(v));
    else if (f.kind === "bool") row.push(v == null ? null : v ? 1 : 0);
    else row.push(storedScalar(v));
  }
  if (c === "records") {
    const x = recordExtras(e, dialect);
    row.push(x.sort_title, x.sort_authors, x.sort_journal);
    if (dialect === "postgres") row.push(x.search);
  }
  return row;
}

/**
 * Derived columns of a records row: lower-cased sort keys and, on
 * PostgreSQL, its search vector (SQLite's FTS5 tokenises and folds the text
 * itself).
 */
export function recordExtras(e: Record<string, unknown>, dialect: Dialect): Record<string, string> {
  const authors = (e.authors as string[] | null) ?? [];
  const extras: Record<string, string> = {
    sort_title: storedText(String(e.title ?? "")).trim().toLowerCase(),
    sort_authors: storedText(authors[0] ?? "").trim().toLowerCase(),
    sort_journal: storedText(String(e.journal ?? "")).trim().toLowerCase(),
  };
  if (dialect === "postgres") {
    const text = [e.title, e.abstract, authors.join(" "), e.journal, ((e.keywords as string[] | null) ?? []).join(" "), e.doi].filter((x) => x).join(" ");
    // Letters, digits and quoted spaces only: nothing for storedText to remove.
    extras.search = searchLiteral(text, String(e.id));
  }
  return extras;
}

/** Words longer than this many UTF-8 bytes are not indexed (as `to_tsvector` does: PostgreSQL's lexeme length limit). */
export const MAX_LEXEME_BYTES = 2046;
/** Total bytes of a tsvector's distinct lexemes (PostgreSQL's MAXSTRPOS). */
const MAX_TSVECTOR_BYTES = 1_048_575;

/**
 * A record's search vector in `tsvector`'s text form: its distinct folded
 * words (as in `searchTerms`: letters and digits, case and diacritics
 * folded), each quoted, without positions (the AND of prefix terms needs
 * none), as `array_to_tsvector` made them before migration 0026; PostgreSQL
 * sorts them on input. The words are letters and digits only, so none holds
 * a quote or a backslash to escape. Duplicates are dropped here, which
 * halves what is sent. PostgreSQL's limits on a lexeme and a vector are
 * enforced here, so that an over-long word is left out (as `to_tsvector`
 * did) rather than refusing the record. One pass over the words, each
 * quoted as it is first met: this runs for every record written on
 * PostgreSQL.
 */
export function searchLiteral(text: string, id: string): string {
  const seen = new Set<string>();
  let out = "";
  let kept = 0;
  for (const w of fold(text).split(" ")) {
    if (!w || seen.has(w)) continue;
    seen.add(w);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only for long words.
    if (w.length * 3 > MAX_LEXEME_BYTES && Buffer.byteLength(w) > MAX_LEXEME_BYTES) continue;
    out += kept++ ? ` '${w}'` : `'${w}'`;
  }
  // The lexemes' bytes: the literal's less two quotes per word and the spaces between them.
  if (out.length * 3 > MAX_TSVECTOR_BYTES && Buffer.byteLength(out) - 3 * kept + 1 > MAX_TSVECTOR_BYTES) {
    throw new InputError(`record "${id}" has more distinct words than a search index entry can hold (1 MB)`);
  }
  return out;
}

/** The lexemes of `searchLiteral`, space-separated (for the stored words of older schemas). */
export function indexWords(text: string, id: string): string {
  const literal = searchLiteral(text, id);
  return literal && literal.slice(1, -1).replaceAll("' '", " ");
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

/** Letters and digits of `q` separated by single spaces, lower case, diacritics removed. */
export function fold(q: string): string {
  // ASCII text has nothing for NFKD or the removal of marks to change, and its letters and digits
  // are [a-z0-9] once lower-cased: the same words without the Unicode property classes' cost.
  if (ASCII.test(q)) return q.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  return q.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** Rows per statement on PostgreSQL, and per event-loop turn on SQLite. */
const BATCH = 2000;

const statements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();
function prepared(db: BetterSqlite3.Database, text: string): BetterSqlite3.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(text);
  if (!s) m.set(text, (s = db.prepare(text)));
  return s;
}

const FTS_COLUMNS = "title, abstract, authors, journal, keywords, doi";

/**
 * SQLite: runs one prepared single-row INSERT per row on better-sqlite3
 * directly. Kysely would compile a fresh multi-row statement per chunk and
 * SQLite would prepare it anew (tens of thousands of parameters each); a
 * reused statement costs a few µs a row. This must only be called inside a
 * Kysely transaction: SQLite has one connection, so these statements run in
 * that transaction, and Kysely's connection lock keeps every other query out
 * until it ends (including while this yields to the event loop between
 * batches, which keeps a large import from stalling the server).
 *
 * Records are then added to the FTS5 index by one statement per batch (see
 * migration 0002 for why not by trigger): their `rid`s are consecutive, as
 * nothing else can write between these synchronous inserts.
 */
export async function insertSqlite(db: BetterSqlite3.Database, c: CollectionName, projectId: string, entities: Record<string, unknown>[]): Promise<void> {
  const cols = columnsOf(c, "sqlite");
  const insert = prepared(db, `INSERT INTO ${tableOf(c)} (${cols.map((x) => `"${x.name}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
  const index = c === "records" ? prepared(db, `INSERT INTO records_fts(rowid, ${FTS_COLUMNS}) SELECT rid, ${FTS_COLUMNS} FROM records WHERE rid BETWEEN ? AND ?`) : null;
  for (let i = 0; i < entities.length; i += BATCH) {
    const end = Math.min(entities.length, i + BATCH);
    let first = 0;
    let last = 0;
    for (let j = i; j < end; j++) {
      last = insert.run(rowOf(c, projectId, entities[j]!, "sqlite")).lastInsertRowid as number;
      if (j === i) first = last;
    }
    index?.run(first, last);
    if (end < entities.length) await nextTurn();
  }
}

/**
 * The pool's connections by server process id, so that a write inside a
 * Kysely transaction can reach the pg client that transaction runs on (Kysely
 * keeps it private): the transaction asks `pg_backend_pid()` and COPY goes
 * through that client, inside the same transaction.
 */
const clientsByPid = new Map<number, pg.PoolClient>();

/** Called once per pool (open.ts): keeps `clientsByPid` in step with its connections. */
export function trackPoolClients(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid != null) clientsByPid.set(pid, client);
    client.on("end", () => clientsByPid.get(pid!) === client && clientsByPid.delete(pid!));
  });
}

async function transactionClient(db: Kysely<any>): Promise<pg.PoolClient | null> {
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
  return clientsByPid.get(Number(rows[0]!.pid)) ?? null;
}

/** A value in COPY's text format: `\N` for NULL; backslash, tab, line feed and carriage return escaped. */
function copyValue(v: unknown): string {
  if (v == null) return "\\N";
  const s = typeof v === "string" ? v : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : s;
}

/** Whether PostgreSQL bulk writes use COPY (the import benchmark turns it off to compare with `unnest`). */
export const bulkWrites = { copy: true };

/** Rows per chunk written to the COPY stream. */
const COPY_CHUNK = 500;

/**
 * PostgreSQL: `COPY … FROM STDIN` (text format) through the transaction's own
 * connection (pg-copy-streams). Measured against the `unnest` arrays below,
 * see README. Falls back to `unnest` when the connection is not one of a
 * tracked pool (a Kysely instance made elsewhere).
 *
 * Each chunk of rows is built as soon as the previous one is handed to the
 * connection, before waiting for it to drain, so this process builds rows
 * while the server parses and indexes the ones before (a pipeline that
 * built a chunk only once the last had drained left the server idle while
 * each was built: the two took turns).
 */
export async function insertPostgres(db: Kysely<any>, c: CollectionName, projectId: string, entities: Record<string, unknown>[]): Promise<void> {
  const client = bulkWrites.copy && entities.length >= COPY_CHUNK ? await transactionClient(db) : null;
  if (!client) return insertUnnest(db, c, projectId, entities);
  const cols = columnsOf(c, "postgres");
  const copy = client.query(copyFrom(`COPY ${tableOf(c)} (${cols.map((x) => `"${x.name}"`).join(", ")}) FROM STDIN`));
  // Settles when the server has taken every row, or at the stream's first error (whenever it comes).
  const done = finished(copy);
  done.catch(() => undefined);
  const chunk = (i: number): string | null => {
    if (i >= entities.length) return null;
    let out = "";
    const end = Math.min(entities.length, i + COPY_CHUNK);
    for (let j = i; j < end; j++) out += rowOf(c, projectId, entities[j]!, "postgres").map(copyValue).join("\t") + "\n";
    return out;
  };
  try {
    let next = chunk(0);
    for (let i = 0; next !== null; i += COPY_CHUNK) {
      const ready = copy.write(next);
      next = chunk(i + COPY_CHUNK);
      if (!ready) await Promise.race([once(copy, "drain"), done]);
    }
  } catch (err) {
    // A row that could not be built: the server is told the COPY failed, so the connection leaves COPY mode.
    copy.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  copy.end();
  await done;
}

/**
 * PostgreSQL: one `INSERT … SELECT * FROM unnest($1::text[], $2::integer[], …)`
 * per batch of rows, one array parameter per column. The statement text and
 * its parameter count stay fixed whatever the batch size, so there is no
 * per-row compile cost and nothing near the 65,535-parameter limit; multi-row
 * VALUES needs a parameter per cell. The next batch's rows are built while
 * the server writes the current one, so the two processes work in parallel.
 */
export async function insertUnnest(db: Kysely<any>, c: CollectionName, projectId: string, entities: Record<string, unknown>[]): Promise<void> {
  const cols = columnsOf(c, "postgres");
  const names = sql.join(cols.map((x) => sql.ref(x.name)));
  let writing: Promise<unknown> | null = null;
  try {
    for (let i = 0; i < entities.length; i += BATCH) {
      const rows = entities.slice(i, i + BATCH).map((e) => rowOf(c, projectId, e, "postgres"));
      const arrays = cols.map((col, k) => sql`${rows.map((r) => r[k])}::${sql.raw(col.pgType)}[]`);
      await writing;
      writing = sql`INSERT INTO ${sql.table(tableOf(c))} (${names}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(db);
    }
    await writing;
  } catch (err) {
    // A batch that failed to build must not leave the previous one's failure unobserved.
    await writing?.catch(() => undefined);
    throw err;
  }
}
