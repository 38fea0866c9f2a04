import { sql, type Kysely } from "kysely";
import pg from "pg";
import type { Store } from "../store.js";
import { flowCandidates, refreshFlow } from "../flow.js";

const T0 = "2024-01-01T00:00:00.000Z";

/**
 * A project for benchmarks of counts at scale (up to millions of records),
 * written by SQL straight into the tables: the counting routes read records'
 * keys only, so records carry a title and no abstract, and writing a million
 * through the audited store would take many minutes. Three searches (two
 * databases, websites for every 50th record), 5% duplicates (every 20th
 * record grouped with the one before, which is the group's primary), 1% of
 * records decided at title/abstract by two reviewers (who disagree on every
 * 300th record), every 1000th record decided at full text. Not audited: a
 * benchmark fixture, not review data. Returns the project's id.
 */
export async function countsProject(store: Store, n: number): Promise<string> {
  const p = (await store.createProject({ title: `Counts benchmark, ${n.toLocaleString("en")} records` }, { actor: "bench" })).id;
  await store.insert(
    p,
    "searches",
    [
      { id: "s-db1", source: "MEDLINE", kind: "database" },
      { id: "s-db2", source: "PsycINFO", kind: "database" },
      { id: "s-web", source: "Websites", kind: "website" },
    ],
    { actor: "bench" },
  );
  const db = (store as unknown as { db: Kysely<any> }).db;
  const pg = store.dialect === "postgres";
  const series = pg ? sql`SELECT generate_series(0, ${n - 1}) AS i` : sql`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1}) SELECT i FROM s`;
  const id = (prefix: string, expr: string) => sql.raw(pg ? `'${prefix}' || lpad((${expr})::text, 7, '0')` : `'${prefix}' || printf('%07d', ${expr})`);
  await sql`INSERT INTO records (project_id, id, search_id, title, authors, keywords, extra, duplicate_group_id, created_at, sort_title, sort_authors, sort_journal)
    SELECT ${p}, ${id("r", "i")}, CASE WHEN i % 50 = 0 THEN 's-web' WHEN i % 2 = 1 THEN 's-db1' ELSE 's-db2' END,
      'Record ' || i, '[]', '[]', '{}',
      CASE WHEN i % 20 = 19 THEN ${id("g", "i")} WHEN i % 20 = 18 THEN ${id("g", "i + 1")} ELSE NULL END,
      ${T0}, 'record ' || i, '', ''
    FROM (${series}) AS s`.execute(db);
  await sql`INSERT INTO duplicate_groups (project_id, id, primary_record_id, method, created_by, created_at)
    SELECT ${p}, ${id("g", "i")}, ${id("r", "i - 1")}, 'automatic', 'bench', ${T0} FROM (${series}) AS s WHERE i % 20 = 19`.execute(db);
  for (const [reviewer, decision] of [["ana", "include"], ["ben", "CASE WHEN i % 300 = 0 THEN 'exclude' ELSE 'include' END"]] as const) {
    const verdict = decision.startsWith("CASE") ? sql.raw(decision) : sql`${decision}`;
    await sql`INSERT INTO screening_decisions (project_id, id, record_id, stage, reviewer, decision, reasons, note, labels, at)
      SELECT ${p}, ${id(`d-${reviewer}-`, "i")}, ${id("r", "i")}, 'title_abstract', ${reviewer}, ${verdict}, '[]', NULL, '[]', ${T0} FROM (${series}) AS s WHERE i % 100 = 0`.execute(db);
  }
  await sql`INSERT INTO screening_decisions (project_id, id, record_id, stage, reviewer, decision, reasons, note, labels, at)
    SELECT ${p}, ${id("d-ft-", "i")}, ${id("r", "i")}, 'full_text', 'ana', CASE WHEN i % 2000 = 0 THEN 'include' ELSE 'exclude' END, '[]', NULL, '[]', ${T0}
    FROM (${series}) AS s WHERE i % 1000 = 0`.execute(db);
  // The counts the store keeps in step with its own writes (migration 0016), made here for these rows.
  await sql`INSERT INTO record_counts (project_id, search_id, n) SELECT project_id, COALESCE(search_id, ''), COUNT(*) FROM records WHERE project_id = ${p} GROUP BY project_id, COALESCE(search_id, '')`.execute(db);
  // And the PRISMA flow's places (migration 0025), by the function the store's writes use.
  await db.transaction().execute(async (tx) => refreshFlow(tx, store.dialect, p, await flowCandidates(tx, p)));
  if (pg) await sql`VACUUM (ANALYZE) records`.execute(db);
  else await sql`ANALYZE`.execute(db);
  return p;
}


/** Empties a PostgreSQL database's public schema (a benchmark's own database). */
export async function emptyPostgresSchema(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  } finally {
    await c.end();
  }
}
