import { InputError } from "@homeward/model";
import { predict, rma, rmaMv, robust, type Coefficient, type Method, type Moderator, type RmaFit } from "@homeward/meta";
import { checkKeys, labelColumn, loadRows, numberColumn, readSpec, stringField, type Row } from "../meta-spec.js";
import type { Register } from "./index.js";
import { diagnosticsFromSpec } from "../diagnostics-spec.js";

const UNI_METHODS = ["REML", "ML", "DL", "PM", "HE", "SJ", "EB", "FE"];

function coefJson(c: Coefficient) {
  return { term: c.term, estimate: c.estimate, se: c.se, statistic: c.statistic, df: c.df, p: c.p, ciLower: c.ciLower, ciUpper: c.ciUpper };
}

function moderators(spec: unknown, rows: Row[]): Moderator[] {
  if (spec === undefined) return [];
  if (!Array.isArray(spec)) throw new InputError(`spec "moderators" must be an array of {"name"[, "levels"]}`);
  return spec.map((m, j) => {
    if (typeof m !== "object" || m === null || Array.isArray(m)) throw new InputError(`moderator ${j + 1} must be an object {"name"[, "levels"]}`);
    const mod = m as Record<string, unknown>;
    checkKeys(mod, ["name", "levels"], `moderator ${j + 1}`);
    const name = mod.name;
    if (typeof name !== "string" || name === "") throw new InputError(`moderator ${j + 1} needs a "name" (a data column)`);
    if (mod.levels === undefined) return { name, values: numberColumn(rows, name) };
    if (!Array.isArray(mod.levels) || mod.levels.length < 2 || mod.levels.some((l) => typeof l !== "string" && typeof l !== "number")) {
      throw new InputError(`moderator "${name}": "levels" must list at least two level labels, reference first`);
    }
    const levels = mod.levels.map(String);
    const values = labelColumn(rows, name);
    values.forEach((v, i) => {
      if (!levels.includes(v)) throw new InputError(`row ${i + 1}, column "${name}": value "${v}" is not one of the listed levels (${levels.join(", ")})`);
    });
    return { name, values, levels };
  });
}

/** A meta spec read and fitted: what `meta` prints and what `plot` draws. */
export interface FittedSpec {
  fit: RmaFit;
  rows: Row[];
  mods: Moderator[];
  method: string;
  cluster?: string;
}

/** Validates a meta spec, loads its data and fits the model it describes. */
export function fitSpec(spec: Record<string, unknown>, dir: string): FittedSpec {
  checkKeys(spec, ["data", "yi", "vi", "method", "test", "random", "moderators", "intercept", "robust", "level", "diagnostics", "subgroup"]);
  const method = stringField(spec, "method", "REML");
  const test = stringField(spec, "test", "z");
  if (test !== "z" && test !== "t") throw new InputError(`spec "test" must be "z" or "t"`);
  const random = spec.random ?? [];
  if (!Array.isArray(random) || random.some((r) => typeof r !== "string" || r === "")) {
    throw new InputError(`spec "random" must be an array of grouping columns, outermost first (e.g. ["study", "esid"])`);
  }
  const multilevel = random.length > 0;
  if (multilevel ? method !== "REML" && method !== "ML" : !UNI_METHODS.includes(method)) {
    throw new InputError(`spec "method" must be one of ${(multilevel ? ["REML", "ML"] : UNI_METHODS).join(", ")}${multilevel ? " for a multilevel model" : ""}`);
  }
  const intercept = spec.intercept ?? true;
  if (typeof intercept !== "boolean") throw new InputError(`spec "intercept" must be true or false`);
  const level = spec.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1)) throw new InputError(`spec "level" must be a number between 0 and 1`);
  let cluster: string | undefined;
  if (spec.robust !== undefined) {
    const r = spec.robust;
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new InputError(`spec "robust" must be {"cluster": "column"}`);
    checkKeys(r as Record<string, unknown>, ["cluster"], `"robust"`);
    cluster = stringField(r as Record<string, unknown>, "cluster");
  }
  const rows = loadRows(spec.data, dir);
  if (rows.length === 0) throw new InputError("the data has no rows");
  const yi = numberColumn(rows, stringField(spec, "yi", "yi"));
  const vi = numberColumn(rows, stringField(spec, "vi", "vi"));
  vi.forEach((v, i) => {
    if (v < 0) throw new InputError(`row ${i + 1}, column "${stringField(spec, "vi", "vi")}": sampling variance is negative`);
  });
  const mods = moderators(spec.moderators, rows);
  if (!intercept && mods.length === 0) throw new InputError(`a model without intercept needs at least one moderator`);
  const common = { yi, vi, mods, intercept, test: test as "z" | "t", level };
  const fit: RmaFit = multilevel
    ? rmaMv({ ...common, method: method as "REML" | "ML", random: random.map((name: string) => ({ name, values: labelColumn(rows, name) })) })
    : rma({ ...common, method: method as Method });
  return { fit, rows, mods, method, cluster };
}

/**
 * `homeward meta --spec FILE`: fits a random-effects model, meta-regression
 * or multilevel model (optionally with CR2 robust inference) and prints the
 * results as one JSON object.
 */
export const register: Register = (program, io) => {
  program
    .command("meta")
    .description("fit a meta-analysis / meta-regression / multilevel model from a JSON spec and print the results as JSON")
    .requiredOption("--spec <file>", 'JSON spec: {"data", "yi", "vi", "method", "test", "random", "moderators", "intercept", "robust", "diagnostics", "subgroup"}')
    .action((opts: { spec: string }) => {
      const { spec, dir } = readSpec(opts.spec, io.cwd);
      const { fit, rows, mods, method, cluster } = fitSpec(spec, dir);

      const out: Record<string, unknown> = { k: fit.k, coefficients: fit.coefficients.map(coefJson) };
      if (fit.model === "uni") Object.assign(out, { tau2: fit.tau2, I2: fit.I2, H2: fit.H2 });
      else out.sigma2 = fit.sigma2;
      Object.assign(out, { QE: fit.QE, QEdf: fit.QEdf, QEp: fit.QEp });
      if (mods.length > 0) Object.assign(out, { QM: fit.omnibus.QM, QMdf: fit.omnibus.QMdf, QMp: fit.omnibus.QMp });
      else if (fit.intercept) {
        const pr = predict(fit);
        out.prediction = { lower: pr.lower, upper: pr.upper };
      }
      if (method === "REML" || method === "ML") out.logLik = fit.logLik;
      if (cluster !== undefined) {
        const r = robust(fit, labelColumn(rows, cluster));
        out.robust = { coefficients: r.coefficients.map(coefJson), QM: r.QM, QMdf: r.QMdf, QMp: r.QMp };
      }
      Object.assign(out, diagnosticsFromSpec(fit, spec, rows));
      io.out(JSON.stringify(out, null, 2) + "\n");
    });
};
