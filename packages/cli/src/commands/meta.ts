import { fitMetaSpec, metaSpecResult, parseMetaSpec, type FittedSpec } from "@homeward/meta";
import { loadRows, readSpec } from "../meta-spec.js";
import type { Register } from "./index.js";

export type { FittedSpec } from "@homeward/meta";

/** Validates a meta spec, loads its data (relative paths against `dir`) and fits the model it describes. */
export function fitSpec(spec: Record<string, unknown>, dir: string): FittedSpec {
  // Options are checked before the data are read.
  const parsed = parseMetaSpec(spec);
  return fitMetaSpec(parsed, loadRows(spec.data, dir));
}

/**
 * `homeward meta --spec FILE`: fits a random-effects model, meta-regression
 * or multilevel model (optionally with CR2 robust inference and diagnostics)
 * and prints the results as one JSON object, its warnings also on stderr.
 */
export const register: Register = (program, io) => {
  program
    .command("meta")
    .requiredOption("--spec <file>", 'JSON spec: {"data", "yi", "vi", "method", "test", "random", "moderators", "intercept", "robust", "diagnostics", "subgroup", "measure"}')
    .action((opts: { spec: string }) => {
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      const answer = metaSpecResult(fitSpec(spec, dir));
      io.out(JSON.stringify(answer, null, 2) + "\n");
      // The answer's "warnings" hold them too; stderr is where a person at the terminal looks.
      for (const w of answer.warnings ?? []) io.err(`homeward: warning: ${w.message}\n`);
    });
};
