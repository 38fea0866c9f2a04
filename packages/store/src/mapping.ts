import { collectionInfo, collectionNames, UserName, type CollectionName } from "@homeward/model";

/**
 * Entities map to rows field by field: a field `fooBar` is column `foo_bar`;
 * scalars keep their SQL type, booleans are 0/1 integers (SQLite has no
 * boolean), and objects, arrays and open values are JSON text. Text rather
 * than jsonb keeps key order, so an exported project re-exports identically.
 */
export type FieldKind = "text" | "int" | "real" | "bool" | "json";

export interface FieldMap {
  field: string;
  column: string;
  kind: FieldKind;
  /** The field holds a user name (or a list of them): such users travel with an export. */
  user: "one" | "many" | null;
}

export const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

interface ZodLike {
  _zod: { def: { type: string; innerType?: ZodLike; element?: ZodLike } };
  format?: string | null;
}

function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  while (["default", "nullable", "optional", "prefault", "catch", "readonly"].includes(cur._zod.def.type)) {
    cur = cur._zod.def.innerType!;
  }
  return cur;
}

function kindOf(s: ZodLike): FieldKind {
  const base = unwrap(s);
  switch (base._zod.def.type) {
    case "string":
    case "enum":
    case "literal":
      return "text";
    case "number":
      return base.format === "safeint" || base.format === "int32" ? "int" : "real";
    case "boolean":
      return "bool";
    default:
      return "json";
  }
}

function userOf(s: ZodLike): FieldMap["user"] {
  const base = unwrap(s);
  if (base === (UserName as unknown)) return "one";
  if (base._zod.def.type === "array" && unwrap(base._zod.def.element!) === (UserName as unknown)) return "many";
  return null;
}

export const tableOf = (c: CollectionName): string => snake(c);

export const fieldMaps: Record<CollectionName, FieldMap[]> = Object.fromEntries(
  collectionNames.map((c) => {
    const shape = collectionInfo(c).schema.shape as Record<string, ZodLike>;
    return [
      c,
      Object.entries(shape).map(([field, s]) => ({ field, column: snake(field), kind: kindOf(s), user: userOf(s) })),
    ];
  }),
) as Record<CollectionName, FieldMap[]>;

/**
 * Text as stored: without U+0000 and the other C0 control characters but tab,
 * line feed and carriage return. PostgreSQL refuses U+0000 in text that
 * SQLite stores, so without this a project holding one (from a records file,
 * a project file) would be written on one engine and fail on the other; the
 * rest have no use in review text and are dropped alike.
 */
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
export const storedText = (s: string): string => (HAS_CONTROL.test(s) ? s.replace(CONTROL, "") : s);

/**
 * The same for JSON text, on its escapes: JSON.stringify writes those
 * characters as \u00XX, \b or \f; an escaped backslash before one is text.
 */
const JSON_CONTROL = /(?<!\\)((?:\\\\)*)\\(?:u00(?:0[0-8bcef]|1[0-9a-f])|b|f)/g;
export const storedJson = (v: unknown): string => {
  const s = JSON.stringify(v ?? null);
  return s.includes("\\") ? s.replace(JSON_CONTROL, "$1") : s;
};

/** A scalar column's value as stored. */
export const storedScalar = (v: unknown): unknown => (typeof v === "string" ? storedText(v) : (v ?? null));

export function toRow(c: CollectionName, projectId: string, entity: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { project_id: projectId };
  for (const f of fieldMaps[c]) {
    const v = entity[f.field];
    if (f.kind === "json") row[f.column] = storedJson(v);
    else if (f.kind === "bool") row[f.column] = v == null ? null : v ? 1 : 0;
    else row[f.column] = storedScalar(v);
  }
  return row;
}

export function fromRow(c: CollectionName, row: Record<string, unknown>): Record<string, unknown> {
  return fromColumns(fieldMaps[c], row);
}

/** `fromRow` for a row read with only some columns: `maps`, those columns' entries of `fieldMaps`. */
export function fromColumns(maps: readonly (typeof fieldMaps)[CollectionName][number][], row: Record<string, unknown>): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  for (const f of maps) {
    const v = row[f.column];
    if (f.kind === "json") e[f.field] = v == null ? null : JSON.parse(v as string);
    else if (v == null) e[f.field] = null;
    else if (f.kind === "bool") e[f.field] = Boolean(Number(v));
    else if (f.kind === "int" || f.kind === "real") e[f.field] = Number(v);
    else e[f.field] = v;
  }
  return e;
}
