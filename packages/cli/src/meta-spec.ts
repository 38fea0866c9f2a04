/**
 * Reading the JSON specs of `homeward escalc` and `homeward meta`: the spec
 * file and its data (a CSV path relative to the spec, or inline rows).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "csv-parse/sync";
// The engine's own input error (kind "input", as the model's): the spec commands need nothing of the model, whose schemas cost start-up time.
import { inlineRows, MetaInputError as InputError, type Row } from "@homeward/meta";

// Column access and key checks are shared with every front end of a meta spec.
export { checkKeys, labelColumn, numberColumn, stringField, type Row } from "@homeward/meta";

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
  if (Array.isArray(data)) return inlineRows(data);
  throw new InputError(`spec "data" must be a CSV path (relative to the spec) or an array of row objects`);
}
