import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { InputError } from "@homeward/model";
import { DEFAULT_SCREENING_MODEL, SCREENING_MODEL_NAMES, SCREENING_MODELS, simulate } from "@homeward/screening";
import type { Register } from "./index.js";

/**
 * `homeward simulate --input FILE.csv --priors I,J [--seed N] [--model NAME]`:
 * replays prioritised screening on a labelled set (title, abstract and a
 * `label_included` or `label` column of 0/1) with a named model and prints
 * {"order", "priors", "seed", "model", "fits", "servedBy", "metrics": {"wss95", "recall10", "atd", ...}}.
 */
export const register: Register = (program, io) => {
  program
    .command("simulate")
    .requiredOption("--input <file>", "CSV with title, abstract and label_included (or label) columns, 0/1")
    .requiredOption("--priors <rows>", "0-based rows labelled first: at least one relevant and one irrelevant, e.g. 12,40")
    .option("--seed <n>", "random seed", "0")
    .option(
      "--model <name>",
      `prioritisation model: ${SCREENING_MODELS.map((m) => `${m.name} (${m.label})`).join(", ")}`,
      DEFAULT_SCREENING_MODEL,
    )
    .action((opts: { input: string; priors: string; seed: string; model: string }) => {
      if (!SCREENING_MODEL_NAMES.includes(opts.model)) throw new InputError(`unknown --model "${opts.model}"; the models are ${SCREENING_MODEL_NAMES.join(", ")}`);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new InputError(`--seed must be an integer, got "${opts.seed}"`);
      const priors = opts.priors.split(",").map((s) => {
        const v = Number(s.trim());
        if (s.trim() === "" || !Number.isInteger(v)) throw new InputError(`--priors must be comma-separated row numbers, got "${opts.priors}"`);
        return v;
      });
      const { texts, labels } = readLabelled(resolve(io.cwd, opts.input));
      const { order, metrics, model, fits, servedBy } = simulate(texts, labels, priors, { seed, model: opts.model });
      io.out(JSON.stringify({ order, priors, seed, model, fits, servedBy, metrics }) + "\n");
    });
};

function readLabelled(file: string): { texts: string[]; labels: number[] } {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    throw new InputError(`cannot read ${file}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(raw, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (err) {
    throw new InputError(`${file} is not valid CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (rows.length === 0) throw new InputError(`${file} has no rows`);
  const cols = Object.keys(rows[0]);
  const labelCol = cols.includes("label_included") ? "label_included" : cols.includes("label") ? "label" : null;
  if (!labelCol) throw new InputError(`${file} needs a label_included or label column`);
  if (!cols.includes("title") && !cols.includes("abstract")) throw new InputError(`${file} needs a title or abstract column`);
  const labels = rows.map((r, i) => {
    const v = (r[labelCol] ?? "").trim();
    if (v !== "0" && v !== "1") throw new InputError(`row ${i} (line ${i + 2}): ${labelCol} is "${v}", expected 0 or 1`);
    return Number(v);
  });
  const texts = rows.map((r) => `${r.title ?? ""} ${r.abstract ?? ""}`);
  return { texts, labels };
}
