// The engine's own input error (kind "input", as the model's): escalc needs nothing of the model, whose schemas cost start-up time.
import { escalc, isMetaInputError, MEASURE_INPUT_SETS, MEASURE_VTYPES, MetaInputError as InputError, type EscalcOptions, type Measure } from "@homeward/meta";
import { checkKeys, loadRows, numberColumn, readSpec, stringField } from "../meta-spec.js";
import type { Register } from "./index.js";

const TO = ["only0", "all", "if0all", "none"] as const;

/**
 * `homeward escalc --spec FILE`: effect sizes with metafor's escalc
 * semantics. Spec: {"data", "measure", "columns": {input: column}, "add"?,
 * "to"?, "vtype"?} where the inputs are metafor's argument names and any
 * one input set of the measure will do (SMD from means and SDs, or from
 * ti, pi or di with n1i and n2i; 2×2 tables from ai, bi, ci, di or ai, n1i,
 * ci, n2i; …); prints {"yi": [...], "vi": [...]} in row order.
 */
export const register: Register = (program, io) => {
  program
    .command("escalc")
    .requiredOption(
      "--spec <file>",
      `JSON spec: {"data": "file.csv" | [rows], "measure": "SMD", "columns": {"m1i": "col", ...}, "add": 0.5, "to": "only0", "vtype": "LS"}; measures: ${Object.keys(MEASURE_INPUT_SETS).join(", ")}`,
    )
    .action((opts: { spec: string }) => {
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      checkKeys(spec, ["data", "measure", "columns", "add", "to", "vtype"]);
      const measure = stringField(spec, "measure") as Measure;
      const sets = Object.prototype.hasOwnProperty.call(MEASURE_INPUT_SETS, measure) ? MEASURE_INPUT_SETS[measure] : undefined;
      if (!sets) throw new InputError(`unknown measure "${measure}" (use one of ${Object.keys(MEASURE_INPUT_SETS).join(", ")})`);
      const describe = sets.map((s) => s.join(", ")).join("; or ");
      const columns = spec.columns;
      if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
        throw new InputError(`spec "columns" must map ${describe} to column names`);
      }
      const map = columns as Record<string, unknown>;
      checkKeys(map, [...new Set(sets.flat())], `"columns" for ${measure}`);
      // The first set the columns complete; else the one they come closest to names what is missing.
      const need = sets.find((s) => s.every((n) => n in map)) ?? [...sets].sort((a, b) => b.filter((n) => n in map).length - a.filter((n) => n in map).length)[0];
      for (const input of need) {
        const col = map[input];
        if (typeof col !== "string" || col === "") throw new InputError(`spec "columns" must name the column for ${input} (measure ${measure} needs ${describe})`);
      }
      const options = escalcOptions(spec, measure);
      const rows = loadRows(spec.data, dir);
      const data: Record<string, number[]> = {};
      for (const input of need) data[input] = numberColumn(rows, map[input] as string);
      let out;
      try {
        out = escalc(measure, data, options);
      } catch (err) {
        // Name the data column rather than the escalc input it feeds.
        if (isMetaInputError(err)) {
          throw new InputError(err.message.replace(/input "(\w+)"/g, (_, i: string) => `column "${String(map[i])}" (${i})`));
        }
        throw err;
      }
      io.out(JSON.stringify({ yi: out.map((e) => e.yi), vi: out.map((e) => e.vi) }) + "\n");
    });
};

function escalcOptions(spec: Record<string, unknown>, measure: Measure): EscalcOptions {
  const options: EscalcOptions = {};
  if (spec.add !== undefined) {
    if (typeof spec.add !== "number" || !(spec.add >= 0)) throw new InputError(`spec "add" must be a number ≥ 0 (added to zero cells per "to")`);
    options.add = spec.add;
  }
  if (spec.to !== undefined) {
    if (!TO.includes(spec.to as (typeof TO)[number])) throw new InputError(`spec "to" must be one of ${TO.join(", ")}`);
    options.to = spec.to as EscalcOptions["to"];
  }
  if (spec.vtype !== undefined) {
    const allowed = MEASURE_VTYPES[measure];
    if (!allowed.includes(spec.vtype as never)) throw new InputError(`spec "vtype" for ${measure} must be one of ${allowed.join(", ")}`);
    options.vtype = spec.vtype as EscalcOptions["vtype"];
  }
  return options;
}
