import { sql } from "kysely";
import type { Dialect } from "./migrations.js";

/**
 * `column` is one of `values`, as one parameter whatever their number: a
 * text array on PostgreSQL, a JSON array on SQLite (which has no arrays),
 * so a query never outgrows either engine's limit on parameters.
 */
export function among(d: Dialect, column: string, values: readonly string[]) {
  return d === "sqlite"
    ? sql<boolean>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`
    : sql<boolean>`${sql.ref(column)} = ANY(${values as string[]}::text[])`;
}
