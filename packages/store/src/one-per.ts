import { sql, type Kysely } from "kysely";
import { InputError, type CollectionName } from "@homeward/model";
import type { Dialect } from "./migrations.js";

/**
 * "One per" rules held by the database: a unique partial index per rule
 * (migration 0015), identical on SQLite and PostgreSQL, so two writers who
 * both checked and found the place free cannot both take it; the second is
 * refused with a 409 naming what now stands.
 *
 * Rows written before a rule was held by an index (two settings rows of one
 * stage stored by concurrent saves) stay, marked `superseded`: the row the
 * engines already read as current (greatest order field, then id) is the
 * one the index holds. A project file carrying such rows imports the same
 * way, so an export of an older database still round-trips.
 */
export interface OnePerRule {
  collection: CollectionName;
  table: string;
  /** The fields that name the place (one active row per project and these). */
  key: readonly string[];
  /** The key's columns, in `key` order. */
  columns: readonly string[];
  /** Of those, the ones that may be null (the index holds them as ''). */
  nullable?: readonly string[];
  /** Of several rows for one place, the one in force has the greatest (order, id). */
  order: string;
  orderColumn: string;
  /** What a second writer is told. */
  conflict: (e: Record<string, unknown>) => string;
}

const stageName = (s: unknown) => (s === "full_text" ? "full-text" : "title/abstract");

export const ONE_PER_RULES: readonly OnePerRule[] = [
  {
    collection: "reconciliations",
    table: "reconciliations",
    key: ["stage", "recordId"],
    columns: ["stage", "record_id"],
    order: "at",
    orderColumn: "at",
    conflict: (e) => `record "${e.recordId}" has already been reconciled at the ${stageName(e.stage)} stage`,
  },
  {
    collection: "screeningSettings",
    table: "screening_settings",
    key: ["stage"],
    columns: ["stage"],
    order: "updatedAt",
    orderColumn: "updated_at",
    conflict: (e) => `the ${stageName(e.stage)} stage's settings were saved by someone else meanwhile`,
  },
  {
    collection: "fullTextRetrievals",
    table: "full_text_retrievals",
    key: ["recordId"],
    columns: ["record_id"],
    order: "updatedAt",
    orderColumn: "updated_at",
    conflict: (e) => `the full-text retrieval of record "${e.recordId}" was recorded by someone else meanwhile`,
  },
  {
    collection: "members",
    table: "members",
    key: ["userName"],
    columns: ["user_name"],
    order: "addedAt",
    orderColumn: "added_at",
    conflict: (e) => `"${e.userName}" is already a member; change their role instead`,
  },
  {
    collection: "recordedCounts",
    table: "recorded_counts",
    key: ["field", "source"],
    columns: ["field", "source"],
    nullable: ["source"],
    order: "recordedAt",
    orderColumn: "recorded_at",
    conflict: (e) => `a count of ${e.field}${e.source ? ` from ${e.source}` : ""} is already recorded; change that count instead`,
  },
];

export const onePerRule = (c: CollectionName): OnePerRule | undefined => ONE_PER_RULES.find((r) => r.collection === c);

export const onePerIndex = (r: OnePerRule) => `${r.table}_one_per`;

/** A key column as the index holds it (optionally of a table alias). */
export const keyColumn = (r: OnePerRule, col: string, alias?: string): string => {
  const ref = alias ? `${alias}.${col}` : col;
  return r.nullable?.includes(col) ? `COALESCE(${ref}, '')` : ref;
};

const keyOf = (r: OnePerRule, e: Record<string, unknown>) => JSON.stringify(r.key.map((k) => e[k] ?? ""));

const before = (r: OnePerRule, a: Record<string, unknown>, b: Record<string, unknown>) => {
  const x = String(a[r.order] ?? ""), y = String(b[r.order] ?? "");
  return x < y || (x === y && String(a.id) < String(b.id));
};

/**
 * Splits a batch (a project file's rows) into the rows that stand and those
 * that an equal place's later row supersedes, by the engines' reading.
 */
export function splitSuperseded(r: OnePerRule, entities: readonly Record<string, unknown>[]): { active: Record<string, unknown>[]; superseded: Record<string, unknown>[] } {
  const top = new Map<string, Record<string, unknown>>();
  for (const e of entities) {
    const k = keyOf(r, e);
    const cur = top.get(k);
    if (!cur || before(r, cur, e)) top.set(k, e);
  }
  const standing = new Set(top.values());
  return { active: entities.filter((e) => standing.has(e)), superseded: entities.filter((e) => !standing.has(e)) };
}

/** The rows in force at the places `entities` would take (one query per place; batches here are small). */
export async function standingAt(db: Kysely<any>, r: OnePerRule, projectId: string, entities: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const e of entities) {
    const k = keyOf(r, e);
    if (seen.has(k)) continue;
    seen.add(k);
    const conds = r.columns.map((col, i) => sql`${sql.raw(keyColumn(r, col))} = ${String(e[r.key[i]!] ?? "")}`);
    const row = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(r.table)} WHERE project_id = ${projectId} AND superseded = 0 AND ${sql.join(conds, sql` AND `)}`.execute(db);
    if (row.rows[0]) out.push(row.rows[0]);
  }
  return out;
}

/** Is `err` the database refusing a second row at a place a one-per index holds? */
export function onePerViolation(err: unknown, dialect: Dialect): OnePerRule | undefined {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (dialect === "postgres") {
    if (e?.code !== "23505") return undefined;
    return ONE_PER_RULES.find((r) => onePerIndex(r) === e.constraint);
  }
  if (typeof e?.code !== "string" || !e.code.startsWith("SQLITE_CONSTRAINT")) return undefined;
  const m = /UNIQUE constraint failed: (\w+)\./.exec(e.message ?? "") ?? /UNIQUE constraint failed: index '(\w+)'/.exec(e.message ?? "");
  if (!m) return undefined;
  return ONE_PER_RULES.find((r) => r.table === m[1] || onePerIndex(r) === m[1]);
}

/** A 409 that carries what now stands at the place, so the writer can show it or try again on it. */
export class ConflictError extends InputError {
  constructor(
    message: string,
    readonly current: unknown,
  ) {
    super(message, 409);
  }
}

/** Raised inside a write's transaction; the transaction's owner turns it into a ConflictError once rolled back. */
export class OnePerClash extends Error {
  constructor(
    readonly rule: OnePerRule,
    readonly projectId: string,
    readonly entities: readonly Record<string, unknown>[],
  ) {
    super(rule.conflict(entities[0] ?? {}));
  }
}
