import { sql, type Kysely } from "kysely";
import { beyond, sortKey, type Direction, type SortColumn } from "./records-paging.js";

/** Most index words a term is spelled out as; a term matching more stays a prefix query. */
const MAX_WORDS = 64;

/** Terms' words at most for a dense search's page read record by record (each word is a lookup per record). */
const DENSE_MAX_WORDS = 8;

/** Records × words a dense search's page may look up before it reads every match instead (≈ 50–80 µs each at 1,000,000 records). */
const DENSE_BUDGET = 1000;

/** Terms remembered between searches, at most; forgotten together when the index changes. */
const MAX_REMEMBERED = 2000;

/**
 * SQLite's search (FTS5) with the same meaning as before — every term
 * matches as a prefix — but asked as whole words. A prefix query (`"trial"*`)
 * makes FTS5 merge the postings of every word with that prefix into one list
 * before it returns a row, and a query with a prefix term asked record by
 * record merges them again for each. So each term is first spelled out as
 * the index's own words that begin with it (`("trial" OR "trials")`), read
 * from the index's vocabulary (fts5vocab) and remembered until the index
 * changes (its structure record, which every write of the index rewrites).
 * A term matching more than MAX_WORDS words stays a prefix query.
 *
 * Whole words stream: counting the first 1,001 matches of "children trial"
 * reads 1,001 postings (0.4 ms at a million records, against 144–438 ms
 * merging). A page of a common search is read the way PostgreSQL's planner
 * does it: along the sort index, each record looked up in the search index,
 * until the page is full (12–25 ms, against 290 ms gathering all 890,000
 * matches first), within a bounded number of lookups, past which it gathers
 * the matches after all.
 */
export class SqliteSearch {
  private structure: Buffer | null = null;
  private readonly words = new Map<string, { words: string[]; docs: number } | null>();
  private vocabulary = false;

  /**
   * The MATCH expression for `terms`, how many words it names (Infinity with
   * a prefix term left) and the fewest records any one term is in (an upper
   * bound of the matches, from the vocabulary's counts); null when a term
   * begins no word.
   */
  async match(db: Kysely<any>, terms: readonly string[]): Promise<{ expr: string; words: number; docs: number } | null> {
    if (!this.vocabulary) {
      await sql`CREATE VIRTUAL TABLE IF NOT EXISTS temp.records_fts_words USING fts5vocab(main, records_fts, row)`.execute(db);
      this.vocabulary = true;
    }
    const { rows } = await sql<{ block: Uint8Array }>`SELECT block FROM records_fts_data WHERE id = 10`.execute(db);
    const structure = rows[0] ? Buffer.from(rows[0].block) : null;
    if (!structure || !this.structure || !structure.equals(this.structure) || this.words.size > MAX_REMEMBERED) {
      this.words.clear();
      this.structure = structure;
    }
    const parts: string[] = [];
    let words = 0;
    let docs = Infinity;
    for (const t of terms) {
      let ws = this.words.get(t);
      if (ws === undefined) {
        // Words beginning with t are those from t up to (not including) t with its last character's successor.
        const cs = Array.from(t);
        const upto = cs.slice(0, -1).join("") + String.fromCodePoint(cs[cs.length - 1]!.codePointAt(0)! + 1);
        const found = (await sql<{ term: string; doc: number }>`SELECT term, doc FROM temp.records_fts_words WHERE term >= ${t} AND term < ${upto} LIMIT ${MAX_WORDS + 1}`.execute(db)).rows.filter((r) =>
          r.term.startsWith(t),
        );
        ws = found.length > MAX_WORDS ? null : { words: found.map((r) => r.term), docs: found.reduce((n, r) => n + Number(r.doc), 0) };
        this.words.set(t, ws);
      }
      if (ws === null) {
        parts.push(`${quote(t)}*`);
        words = Infinity;
      } else if (ws.words.length === 0) return null;
      else {
        parts.push(`(${ws.words.map(quote).join(" OR ")})`);
        words += ws.words.length;
        docs = Math.min(docs, ws.docs);
      }
    }
    return { expr: parts.join(" AND "), words, docs };
  }

  /** The project's matches counted up to `cap` + 1, read from the search index's postings, which stop early when whole words. */
  async count(db: Kysely<any>, projectId: string, expr: string, cap: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (
        SELECT 1 FROM records_fts JOIN records ON records.rid = records_fts.rowid
        WHERE records_fts MATCH ${expr} AND records.project_id = ${projectId} LIMIT ${cap + 1}
      ) m`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * A page of a search with many matches, read along the sort index (from
   * `place`, or skipping `offset` matches) and looked up record by record in
   * the search index; undefined when the bounded lookups did not fill it
   * (the matches are sparser than that), so the caller gathers them instead.
   */
  async densePage(
    db: Kysely<any>,
    projectId: string,
    m: { expr: string; words: number; docs: number },
    col: SortColumn,
    dir: Direction,
    place: { key: unknown; id: string } | undefined,
    offset: number,
    limit: number,
  ): Promise<string[] | undefined> {
    if (m.words > DENSE_MAX_WORDS) return undefined;
    const scan = Math.floor(DENSE_BUDGET / m.words);
    // Not tried when even the rarest term's records (spread evenly over every project's) would not fill the
    // page twice over within the lookups.
    const { rows: all } = await sql<{ n: number | null }>`SELECT sum(n) AS n FROM record_counts`.execute(db);
    if ((m.docs / Math.max(1, Number(all[0]?.n ?? 0))) * scan < 2 * (offset + limit)) return undefined;
    const k = sortKey(col);
    const d = sql.raw(dir);
    const from = place ? sql`AND ${beyond("sqlite", col, dir, place.key, place.id)}` : sql``;
    const { rows } = await sql<{ id: string }>`SELECT id FROM (
        SELECT id, rid, ${k} AS k FROM records WHERE project_id = ${projectId} ${from} ORDER BY ${k} ${d}, id ${d} LIMIT ${scan}
      ) c WHERE EXISTS (SELECT 1 FROM records_fts WHERE records_fts MATCH ${m.expr} AND rowid = c.rid)
      ORDER BY k ${d}, id ${d} LIMIT ${limit} OFFSET ${offset}`.execute(db);
    return rows.length === limit ? rows.map((r) => r.id) : undefined;
  }
}

/** An FTS5 string: the word as it is, quotes doubled. */
function quote(w: string): string {
  return `"${w.replaceAll('"', '""')}"`;
}
