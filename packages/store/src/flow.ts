import { sql, type Kysely } from "kysely";
import { flowKey, recordFlow, type FlowCount, type FlowDecisionOf, type FlowReconciliationOf, type FlowRetrievalOf } from "@homeward/model";
import { among } from "./among.js";
import type { Dialect } from "./migrations.js";

/**
 * Each record's place in the PRISMA flow (`recordFlow` in @homeward/model),
 * and the number of records per search and place, kept in step with the
 * writes that move a record (migration 0025). `record_flow` holds the place
 * of every record that is not simply "identified, not yet screened" (its
 * key `''`); `flow_counts` the number of records per (search, place) over
 * those rows. A write calls `refreshFlow` with the records it may have moved,
 * in its own transaction: their places are worked out again from their own
 * rows (a handful each, by index), and the counts change by the difference.
 * So the counts cannot drift from the rows, whichever writer wrote them.
 */

/** Records per query: their ids go as one array parameter (JSON on SQLite). */
const CHUNK = 2000;

type Row = Record<string, unknown>;

function groupBy<T extends Row>(rows: T[], key: string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = r[key] as string;
    const l = m.get(k);
    if (l) l.push(r);
    else m.set(k, [r]);
  }
  return m;
}

const parseList = (v: unknown): string[] => (v === "[]" || v == null ? [] : (JSON.parse(v as string) as string[]));

/**
 * Works out the places of `recordIds` again and moves the counts by the
 * difference. Call inside the write's transaction, after its rows are
 * written; on PostgreSQL the caller must hold the project (`lockProject`),
 * so that two writers moving one record cannot both read it before either
 * has written (the second then reads what the first committed).
 */
export async function refreshFlow(db: Kysely<any>, d: Dialect, projectId: string, recordIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(recordIds)];
  if (ids.length === 0) return;
  const deltas = new Map<string, FlowCount>();
  const move = (searchId: string, key: string, n: number) => {
    if (key === "") return;
    const k = `${searchId}\n${key}`;
    const c = deltas.get(k);
    if (c) c.n += n;
    else deltas.set(k, { searchId, key, n });
  };
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // One round trip for everything the places are worked out from (each part by its index):
    // the records with their groups' primaries, their decisions, reconciliations (superseded rows
    // too: the flow reads every one, the latest standing) and retrievals, and their places now.
    const rows = (
      await sql<Row>`SELECT 'r' AS t, r.id, r.search_id AS a, r.duplicate_group_id AS b,
          (SELECT g.primary_record_id FROM duplicate_groups g WHERE g.project_id = r.project_id AND g.id = r.duplicate_group_id) AS c,
          NULL AS d, NULL AS e, NULL AS f
        FROM records r WHERE r.project_id = ${projectId} AND ${among(d, "r.id", chunk)}
      UNION ALL SELECT 'd', id, record_id, stage, reviewer, decision, reasons, at
        FROM screening_decisions WHERE project_id = ${projectId} AND ${among(d, "record_id", chunk)}
      UNION ALL SELECT 'c', id, record_id, stage, NULL, decision, reasons, at
        FROM reconciliations WHERE project_id = ${projectId} AND ${among(d, "record_id", chunk)}
      UNION ALL SELECT 't', id, record_id, NULL, NULL, status, NULL, updated_at
        FROM full_text_retrievals WHERE project_id = ${projectId} AND ${among(d, "record_id", chunk)}
      UNION ALL SELECT 'f', record_id, search_id, state, NULL, NULL, NULL, NULL
        FROM record_flow WHERE project_id = ${projectId} AND ${among(d, "record_id", chunk)}`.execute(db)
    ).rows;
    const of = (t: string) => rows.filter((r) => r.t === t);
    const records = of("r");
    const primaryOf = new Map(records.filter((r) => r.b != null && r.c != null).map((r) => [r.b as string, r.c as string]));
    const decisions = groupBy(of("d"), "a");
    const reconciliations = groupBy(of("c"), "a");
    const retrievals = groupBy(of("t"), "a");
    const was = new Map(of("f").map((r) => [r.id as string, { searchId: r.a as string, key: r.b as string }]));
    const put: [string, string, string][] = [];
    const drop: string[] = [];
    for (const r of records) {
      const id = r.id as string;
      const searchId = (r.a as string | null) ?? "";
      const group = r.b as string | null;
      const key = flowKey(
        recordFlow({
          duplicate: group !== null && primaryOf.get(group) !== id,
          decisions: (decisions.get(id) ?? []).map(
            (x): FlowDecisionOf => ({ id: x.id as string, stage: x.b as FlowDecisionOf["stage"], reviewer: x.c as string, decision: x.d as FlowDecisionOf["decision"], reasons: parseList(x.e), at: x.f as string }),
          ),
          reconciliations: (reconciliations.get(id) ?? []).map(
            (x): FlowReconciliationOf => ({ id: x.id as string, stage: x.b as FlowReconciliationOf["stage"], decision: x.d as FlowReconciliationOf["decision"], reasons: parseList(x.e), at: x.f as string }),
          ),
          retrievals: (retrievals.get(id) ?? []).map((x): FlowRetrievalOf => ({ id: x.id as string, status: x.d as FlowRetrievalOf["status"], updatedAt: x.f as string })),
        }),
      );
      const before = was.get(id) ?? { searchId, key: "" };
      if (before.key === key && before.searchId === searchId) continue;
      move(before.searchId, before.key, -1);
      move(searchId, key, 1);
      if (key === "") drop.push(id);
      else put.push([id, searchId, key]);
    }
    if (drop.length) await sql`DELETE FROM record_flow WHERE project_id = ${projectId} AND ${among(d, "record_id", drop)}`.execute(db);
    if (put.length) {
      const rows = JSON.stringify(put);
      const source =
        d === "sqlite"
          ? sql`SELECT ${projectId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(${rows}) WHERE true`
          : sql`SELECT ${projectId}, x->>0, x->>1, x->>2 FROM json_array_elements(${rows}::json) AS x`;
      await sql`INSERT INTO record_flow (project_id, record_id, search_id, state) ${source}
        ON CONFLICT (project_id, record_id) DO UPDATE SET search_id = excluded.search_id, state = excluded.state`.execute(db);
    }
  }
  for (const { searchId, key, n } of deltas.values()) {
    if (n === 0) continue;
    await sql`INSERT INTO flow_counts (project_id, search_id, state, n) VALUES (${projectId}, ${searchId}, ${key}, ${n})
      ON CONFLICT (project_id, search_id, state) DO UPDATE SET n = flow_counts.n + excluded.n`.execute(db);
  }
}

/** The records of a project whose place may be other than "not yet screened": in a duplicate group, or with a decision, reconciliation or retrieval. */
export async function flowCandidates(db: Kysely<any>, projectId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`SELECT id FROM records WHERE project_id = ${projectId} AND duplicate_group_id IS NOT NULL
    UNION SELECT record_id FROM screening_decisions WHERE project_id = ${projectId}
    UNION SELECT record_id FROM reconciliations WHERE project_id = ${projectId}
    UNION SELECT record_id FROM full_text_retrievals WHERE project_id = ${projectId}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Per search, the records at each place but "not yet screened" (`FlowCount`). */
export async function readFlowCounts(db: Kysely<any>, projectId: string): Promise<FlowCount[]> {
  const rows = await sql<{ search_id: string; state: string; n: number | string }>`SELECT search_id, state, n FROM flow_counts WHERE project_id = ${projectId} AND n <> 0`.execute(db);
  return rows.rows
    .map((r) => ({ searchId: r.search_id, key: r.state, n: Number(r.n) }))
    .sort((a, b) => (a.searchId < b.searchId ? -1 : a.searchId > b.searchId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The number of records in a project, from the counts per search every write
 * keeps (`record_counts`, migration 0016): a few rows, never a count of the
 * records table.
 */
export async function projectRecordCount(db: Kysely<any>, projectId: string): Promise<number> {
  const r = await sql<{ n: number | string | null }>`SELECT SUM(n) AS n FROM record_counts WHERE project_id = ${projectId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
