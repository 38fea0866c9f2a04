/**
 * Reading the JSON specs of `homeward escalc` and `homeward meta`: the spec
 * file, its data (a CSV path relative to the spec, or inline rows) and
 * typed column access whose errors name the row and column.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { InputError } from "@homeward/model";

export type Row = Record<string, unknown>;

export interface LoadedSpec {
  spec: Record<string, unknown>;
  /** Directory that relative paths in the spec resolve against. */
  dir: string;
}

export function readSpec(file: string, cwd: string): LoadedSpec {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(`cannot read spec ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new InputError(`spec ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new InputError(`spec ${file} must be a JSON object`);
  return { spec: spec as Record<string, unknown>, dir: dirname(path) };
}

/** Rejects keys the spec format does not know, so typos do not pass silently. */
export function checkKeys(spec: Record<string, unknown>, allowed: readonly string[], where = "spec"): void {
  for (const key of Object.keys(spec)) {
    if (!allowed.includes(key)) throw new InputError(`${where}: unknown key "${key}" (allowed: ${allowed.join(", ")})`);
  }
}

/** The spec's `data`: a CSV file path relative to the spec, or an inline array of row objects. */
export function loadRows(data: unknown, dir: string): Row[] {
  if (typeof data === "string") {
    const path = resolve(dir, data);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new InputError(`cannot read data file ${data}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      return parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Row[];
    } catch (err) {
      throw new InputError(`data file ${data} is not valid CSV: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(data)) {
    data.forEach((r, i) => {
      if (typeof r !== "object" || r === null || Array.isArray(r)) throw new InputError(`data row ${i + 1} is not an object`);
    });
    return data as Row[];
  }
  throw new InputError(`spec "data" must be a CSV path (relative to the spec) or an array of row objects`);
}

function requireColumn(rows: Row[], column: string): void {
  if (rows.length > 0 && !rows.some((r) => column in r)) throw new InputError(`column "${column}" not found in the data`);
}

/** A numeric column; empty, missing or non-numeric cells are errors naming row and column. */
export function numberColumn(rows: Row[], column: string): number[] {
  requireColumn(rows, column);
  return rows.map((r, i) => {
    const v = r[column];
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      throw new InputError(`row ${i + 1}, column "${column}": ${v === undefined || v === null || v === "" ? "missing value" : `not a number (${JSON.stringify(v)})`}`);
    }
    return n;
  });
}

/** A label column (grouping variables, categorical moderators); missing cells are errors. */
export function labelColumn(rows: Row[], column: string): string[] {
  requireColumn(rows, column);
  return rows.map((r, i) => {
    const v = r[column];
    if (v === undefined || v === null || v === "") throw new InputError(`row ${i + 1}, column "${column}": missing value`);
    if (typeof v === "object") throw new InputError(`row ${i + 1}, column "${column}": not a label`);
    return String(v);
  });
}

export function stringField(spec: Record<string, unknown>, key: string, fallback?: string): string {
  const v = spec[key] ?? fallback;
  if (typeof v !== "string" || v === "") throw new InputError(`spec "${key}" must be a non-empty string`);
  return v;
}
