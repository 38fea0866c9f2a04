import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Dialect } from "./migrations.js";

/** The records table's sort columns (see `queryRecords`). */
export type SortColumn = "sort_title" | "sort_authors" | "sort_journal" | "year" | "created_at";
export type Direction = "asc" | "desc";

/**
 * The year as the table orders it: a missing year counts as smallest. As one
 * never-null value (indexed as this very expression by migration
 * 0032_records_paging, on both engines), a page can start after any record,
 * which `(year, id) > (…)` cannot do across NULLs. An expression index only
 * matches the query's expression as written, so the sentinel is a literal, not
 * a parameter. PostgreSQL's `integer` cannot hold a smaller year.
 */
export const YEAR_KEY = "coalesce(year, -2147483648)";

/** The column's ordering key, as the index has it. */
export function sortKey(col: SortColumn): RawBuilder<unknown> {
  return col === "year" ? sql.raw(YEAR_KEY) : sql.ref(col);
}

/** `q` ordered by the column's key, then id (the index's order, or its reverse). */
export function ordered<Q extends { orderBy: (...a: any[]) => any }>(q: Q, col: SortColumn, dir: Direction): Q {
  return (q as any).orderBy(sortKey(col), dir).orderBy("id", dir);
}

/**
 * Rows past the entry (key, id) in direction `dir` (that entry too when
 * `inclusive`), a range of the (project, key, id) index on both engines.
 * SQLite reads a row value against an expression index as a filter on the
 * whole project, so for the year it gets the equivalent `key ≥ k AND (key > k
 * OR id > i)`, whose first half is the range.
 */
export function beyond(dialect: Dialect, col: SortColumn, dir: Direction, key: unknown, id: unknown, inclusive = false): RawBuilder<boolean> {
  const k = sortKey(col);
  const [op, opEq] = dir === "asc" ? [">", ">="] : ["<", "<="];
  const idOp = sql.raw(inclusive ? opEq : op);
  if (col === "year" && dialect === "sqlite")
    return sql<boolean>`(${k} ${sql.raw(opEq)} ${key} AND (${k} ${sql.raw(op)} ${key} OR id ${idOp} ${id}))`;
  return sql<boolean>`((${k}, id) ${idOp} (${key}, ${id}))`;
}

/** A record's place in the order: its key and id; undefined if the project has no such record. */
export async function placeOf(db: Kysely<any>, projectId: string, col: SortColumn, id: string): Promise<{ key: unknown; id: string } | undefined> {
  const r = await db.selectFrom("records").select([sortKey(col).as("key"), "id"]).where("project_id", "=", projectId).where("id", "=", id).executeTakeFirst();
  return r as { key: unknown; id: string } | undefined;
}

type Mark = { key: unknown; id: string };
type Marks = { list: Mark[]; done: boolean; busy: Promise<unknown> };
type ProjectMarks = { seq: number; hash: string | null; lists: Map<string, Marks> };

/** Spacing of the marks: a jump skips fewer index entries than this (≈ 1–2 ms on either engine). */
export const MARK_SPACING = 4096;

/** Below this many spacings a jump's skip is short enough without marks, and nothing is warmed. */
const WARM_MIN_SPACINGS = 8;

/**
 * Landmarks for jumps into the whole records table (no search): per project,
 * sort column and direction, the (key, id) of every `spacing`-th record in
 * that order. A page at offset n starts from the nearest mark before it and
 * skips fewer than `spacing` index entries, where a plain OFFSET skips n
 * (about half a million at the middle of a million-record table, 120–310 ms).
 *
 * Marks are positions, which any insert, removal or change of a sort key
 * shifts, so they hold only while the project's records are as they were when
 * they were taken. Every write of records appends to the project's audit chain
 * in its transaction (entity "records"), and chain entries become visible in
 * position order (see `Store.appendChained`): marks taken after reading the
 * chain's head (seq and hash) stand while no entry of entity "records" follows
 * that head. Each jump reads the head (one index probe); when it moved, the
 * entries since are looked at once, and either the marks are dropped or the
 * head they stand for moves on (screening decisions leave them standing).
 * The hash also tells a project restored under the same id from the one the
 * marks were taken on.
 *
 * Marks are taken lazily, each from the one before (a jump to the middle
 * costs what the plain OFFSET did, once), from both ends (a page past the
 * middle is counted from the end), and warmed in the background when a large
 * table's first page is asked for, so a jump after it finds them. They are
 * kept in memory, by each server for itself.
 */
export class RecordMarks {
  spacing = MARK_SPACING;
  private readonly projects = new Map<string, ProjectMarks>();
  private warming: Promise<unknown> = Promise.resolve();

  constructor(private readonly dialect: Dialect) {}

  /** Waits for background warming (before the connection closes). */
  async idle(): Promise<void> {
    await this.warming;
  }

  /**
   * The ids of the page at `offset` of the whole table (`total` records) in
   * `col`/`dir` order: read from the end when past the middle, from a mark
   * when deeper than the spacing.
   */
  async page(db: Kysely<any>, projectId: string, col: SortColumn, dir: Direction, offset: number, limit: number, total: number): Promise<string[]> {
    const count = Math.min(limit, total - offset);
    if (count <= 0) return [];
    const fromEnd = offset > total / 2;
    const way: Direction = fromEnd ? (dir === "asc" ? "desc" : "asc") : dir;
    const start = fromEnd ? total - offset - count : offset;
    const ids = await this.read(db, projectId, col, way, start, count);
    return fromEnd ? ids.reverse() : ids;
  }

  /** Starts taking the marks of both directions for a large table (not awaited; a failure only leaves them to be taken later). */
  warm(db: Kysely<any>, projectId: string, col: SortColumn, total: number): void {
    if (total < WARM_MIN_SPACINGS * this.spacing) return;
    const half = Math.ceil(total / 2);
    const warmWay = async (way: Direction) => {
      const marks = await this.marks(db, projectId, col, way);
      await this.reach(db, projectId, col, way, marks, Math.floor(half / this.spacing));
    };
    this.warming = this.warming
      .then(async () => {
        // PostgreSQL walks both halves at once, on two connections: at a million records an order's marks
        // were all in 144–294 ms after its first page, against 198–325 ms one after the other (server
        // README), before a person who has just seen that page could drag the scroll bar. SQLite's walks
        // share the event loop's one thread, so interleaving them would only delay the first half's marks.
        if (this.dialect === "postgres") await Promise.all([warmWay("asc"), warmWay("desc")]);
        else for (const way of ["asc", "desc"] as const) await warmWay(way);
      })
      .catch(() => undefined);
  }

  /** `count` ids from position `start` (0-based) of the `way` order. */
  private async read(db: Kysely<any>, projectId: string, col: SortColumn, way: Direction, start: number, count: number): Promise<string[]> {
    const base = db.selectFrom("records").select("id").where("project_id", "=", projectId);
    const n = Math.floor(start / this.spacing);
    if (n === 0) return (await ordered(base, col, way).offset(start).limit(count).execute()).map((r: any) => r.id as string);
    const marks = await this.marks(db, projectId, col, way);
    await this.reach(db, projectId, col, way, marks, n);
    const have = Math.min(n, marks.list.length);
    const from = have > 0 ? marks.list[have - 1]! : undefined;
    const q = from ? base.where(beyond(this.dialect, col, way, from.key, from.id, true)) : base;
    return (await ordered(q, col, way).offset(start - have * this.spacing).limit(count).execute()).map((r: any) => r.id as string);
  }

  /** Takes marks until there are `n` (or the table ends), one taker at a time. */
  private async reach(db: Kysely<any>, projectId: string, col: SortColumn, way: Direction, marks: Marks, n: number): Promise<void> {
    const take = async () => {
      while (!marks.done && marks.list.length < n) {
        const last = marks.list[marks.list.length - 1];
        const found = this.dialect === "postgres" ? await this.takeMany(db, projectId, col, way, last, n - marks.list.length) : await this.takeOne(db, projectId, col, way, last);
        marks.list.push(...found);
        if (found.length === 0) marks.done = true;
        // SQLite's statements run on the event loop's thread and their awaits settle at once: without a turn
        // of the loop between marks, a walk of hundreds would hold every other request (and its own) back.
        if (this.dialect === "sqlite") await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const turn = marks.busy.then(take);
    marks.busy = turn.catch(() => undefined);
    await turn;
  }

  /**
   * The next mark after `last` (or the first): one spacing's skip. SQLite runs
   * it in-process, so a walk of many is as quick as one long OFFSET (119 vs
   * 175 ms to the middle of a million records), and quicker than numbering
   * the rows with a window function (690 ms).
   */
  private async takeOne(db: Kysely<any>, projectId: string, col: SortColumn, way: Direction, last: Mark | undefined): Promise<Mark[]> {
    let q = db.selectFrom("records").select([sortKey(col).as("key"), "id"]).where("project_id", "=", projectId);
    if (last) q = q.where(beyond(this.dialect, col, way, last.key, last.id));
    const next = (await ordered(q, col, way).offset(last ? this.spacing - 1 : this.spacing).limit(1).executeTakeFirst()) as Mark | undefined;
    return next ? [{ key: next.key, id: next.id }] : [];
  }

  /**
   * The next `count` marks after `last` (or the first ones) in one statement,
   * each a spacing's skip from the one before (a recursive query): on
   * PostgreSQL a statement a mark would pay a round trip and a plan a hundred
   * times on the way to the middle of a million records. To the middle: 52 ms
   * against 70–110 ms for the plain OFFSET, and 180–370 ms numbering the rows
   * with a window function (psql timings at load average 9).
   */
  private async takeMany(db: Kysely<any>, projectId: string, col: SortColumn, way: Direction, last: Mark | undefined, count: number): Promise<Mark[]> {
    const k = sortKey(col);
    const d = sql.raw(way);
    const past = last ? sql`AND ${beyond(this.dialect, col, way, last.key, last.id)}` : sql``;
    const next = beyond(this.dialect, col, way, sql.ref("m.key"), sql.ref("m.id"));
    const { rows } = await sql<Mark>`WITH RECURSIVE m(key, id, i) AS (
        (SELECT ${k}, id, 1 FROM records WHERE project_id = ${projectId} ${past} ORDER BY ${k} ${d}, id ${d} OFFSET ${last ? this.spacing - 1 : this.spacing} LIMIT 1)
        UNION ALL
        SELECT n.key, n.id, m.i + 1 FROM m CROSS JOIN LATERAL (
          SELECT ${k} AS key, id FROM records WHERE project_id = ${projectId} AND ${next} ORDER BY ${k} ${d}, id ${d} OFFSET ${this.spacing - 1} LIMIT 1
        ) n WHERE m.i < ${count}
      ) SELECT key, id FROM m ORDER BY i`.execute(db);
    return rows.map((r) => ({ key: r.key, id: r.id }));
  }

  /** The project's marks for the order, dropped first if a write of records followed the chain head they were taken at. */
  private async marks(db: Kysely<any>, projectId: string, col: SortColumn, way: Direction): Promise<Marks> {
    const head = await chainHead(db, projectId);
    const seen = this.projects.get(projectId);
    let p = seen;
    if (p && (p.seq !== head.seq || p.hash !== head.hash)) {
      const still = await db.selectFrom("audit").select("hash").where("project_id", "=", projectId).where("seq", "=", p.seq).executeTakeFirst();
      const moved =
        p.seq > head.seq ||
        (still?.hash ?? null) !== p.hash ||
        (await db
          .selectFrom("audit")
          .select("seq")
          .where("project_id", "=", projectId)
          .where("seq", ">", p.seq)
          .where("seq", "<=", head.seq)
          .where("entity", "=", "records")
          .limit(1)
          .executeTakeFirst()) !== undefined;
      // Another caller may have settled the question while this one read: start again from what it left.
      if (this.projects.get(projectId) !== seen) return this.marks(db, projectId, col, way);
      if (moved) p = undefined;
      else Object.assign(p, head);
    }
    if (!p) {
      const now = this.projects.get(projectId);
      p = now && now.seq === head.seq && now.hash === head.hash ? now : { ...head, lists: new Map() };
      this.projects.set(projectId, p);
    }
    const name = `${col} ${way}`;
    let m = p.lists.get(name);
    if (!m) p.lists.set(name, (m = { list: [], done: false, busy: Promise.resolve() }));
    return m;
  }
}

/** The project's last audit entry: its position and hash (0 and null for none). */
async function chainHead(db: Kysely<any>, projectId: string): Promise<{ seq: number; hash: string | null }> {
  const r = await db.selectFrom("audit").select(["seq", "hash"]).where("project_id", "=", projectId).orderBy("seq", "desc").limit(1).executeTakeFirst();
  return r ? { seq: Number(r.seq), hash: (r.hash as string | null) ?? null } : { seq: 0, hash: null };
}
