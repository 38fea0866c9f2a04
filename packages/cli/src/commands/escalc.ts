// The engine's own input error (kind "input", as the model's): escalc needs nothing of the model, whose schemas cost start-up time.
import { escalc, isMetaInputError, MEASURE_INPUTS, MetaInputError as InputError, type Measure } from "@homeward/meta";
import { checkKeys, loadRows, numberColumn, readSpec, stringField } from "../meta-spec.js";
import type { Register } from "./index.js";

/**
 * `homeward escalc --spec FILE`: effect sizes with metafor's escalc
 * semantics. Spec: {"data", "measure", "columns": {input: column}}; prints
 * {"yi": [...], "vi": [...]} in row order.
 */
export const register: Register = (program, io) => {
  program
    .command("escalc")
    .requiredOption(
      "--spec <file>",
      `JSON spec: {"data": "file.csv" | [rows], "measure": "SMD", "columns": {"m1i": "col", ...}}; measures: ${Object.keys(MEASURE_INPUTS).join(", ")}`,
    )
    .action((opts: { spec: string }) => {
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      checkKeys(spec, ["data", "measure", "columns"]);
      const measure = stringField(spec, "measure") as Measure;
      const need = MEASURE_INPUTS[measure];
      if (!need) throw new InputError(`unknown measure "${measure}" (use one of ${Object.keys(MEASURE_INPUTS).join(", ")})`);
      const columns = spec.columns;
      if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
        throw new InputError(`spec "columns" must map ${need.join(", ")} to column names`);
      }
      const map = columns as Record<string, unknown>;
      checkKeys(map, need, `"columns" for ${measure}`);
      const rows = loadRows(spec.data, dir);
      const data: Record<string, number[]> = {};
      for (const input of need) {
        const col = map[input];
        if (typeof col !== "string" || col === "") throw new InputError(`spec "columns" must name the column for ${input} (measure ${measure} needs ${need.join(", ")})`);
        data[input] = numberColumn(rows, col);
      }
      let out;
      try {
        out = escalc(measure, data);
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
