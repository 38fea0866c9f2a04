/**
 * The meta spec: one JSON object describing a model (which columns hold
 * yi/vi, estimator, test, nested random effects, moderators, robust
 * clustering, diagnostics) and the JSON answer it produces. Front ends (the
 * `homeward meta` command, the HTTP analysis route) read their data rows
 * their own way and share everything from here on, so a spec gives the same
 * numbers and the same one-line refusals everywhere.
 *
 * Spec keys: `data` (read by the front end), `yi`, `vi`, `method`, `test`
 * ("z" | "t"), `random` (grouping columns, outermost first), `moderators`
 * ([{name}] numeric, [{name, levels}] categorical with the first level as
 * reference), `intercept`, `level`, `robust` ({cluster}), `diagnostics`
 * (names from DIAGNOSTICS), `subgroup` (column for "subgroups"), `measure`
 * (the effect measure to pool, selecting rows by their "measure" column).
 *
 * One measure per model: when the rows have a "measure" column, a selection
 * that still mixes measures (SMDs with log odds ratios, say) is refused
 * with the measures named, since pooling them silently gives a number with
 * no scale.
 */
import { MetaInputError } from "./errors.js";
import type { Moderator } from "./design.js";
import type { Coefficient, Method, RmaFit } from "./types.js";
import { rma } from "./rma.js";
import { rmaMv } from "./rmamv.js";
import { robust } from "./robust.js";
import { predict } from "./predict.js";
import { DIAGNOSTICS, runDiagnostics, type DiagnosticsResult } from "./diagnostics/run.js";
import { robustWarnings, subgroupWarnings, type MetaWarning } from "./warnings.js";

/** A data row: column name → cell (numbers, or text as read from CSV). */
export type Row = Record<string, unknown>;

export const META_SPEC_KEYS = [
  "data", "yi", "vi", "method", "test", "random", "moderators", "intercept", "robust", "level", "diagnostics", "subgroup", "measure",
] as const;

/** The data column holding each row's effect measure (as the project's analysis rows name it). */
export const MEASURE_COLUMN = "measure";

const UNI_METHODS: readonly Method[] = ["REML", "ML", "DL", "PM", "HE", "SJ", "EB", "FE"];

/** A spec whose options are checked; the data are not part of it. */
export interface MetaSpec {
  yi: string;
  vi: string;
  method: Method;
  test: "z" | "t";
  /** Grouping columns of a multilevel model, outermost first; empty for a univariate model. */
  random: string[];
  moderators: { name: string; levels?: string[] }[];
  intercept: boolean;
  level: number;
  /** Cluster column for CR2 robust inference. */
  cluster?: string;
  diagnostics?: string[];
  subgroup?: string;
  /** The effect measure to pool: rows whose "measure" column holds another are left out. */
  measure?: string;
}

/** A spec fitted to its rows: what `meta` reports and what the figures draw. */
export interface FittedSpec {
  spec: MetaSpec;
  fit: RmaFit;
  /** The rows fitted (those of the selected measure). */
  rows: Row[];
  mods: Moderator[];
  /** The measure pooled and how many rows of other measures were left out; absent when the data have no measure column. */
  measure?: MeasureSelection;
}

export interface MeasureSelection {
  measure: string;
  rows: number;
  otherRows: number;
}

/** The answer of `homeward meta` (see the CLI contract in the package README). */
export interface MetaSpecResult extends DiagnosticsResult {
  k: number;
  coefficients: Coefficient[];
  tau2?: number;
  I2?: number;
  H2?: number;
  sigma2?: number[];
  QE: number;
  QEdf: number;
  QEp: number;
  QM?: number;
  QMdf?: number[];
  QMp?: number;
  prediction?: { lower: number | null; upper: number | null };
  logLik?: number;
  robust?: { coefficients: Coefficient[]; QM: number; QMdf: number[]; QMp: number };
  /** With a "measure" column in the data: the one measure pooled. */
  measure?: MeasureSelection;
  /** Results that should not be read plainly, each naming what it qualifies. */
  warnings?: MetaWarning[];
}

/** Rejects keys the spec format does not know, so typos do not pass silently. */
export function checkKeys(spec: Record<string, unknown>, allowed: readonly string[], where = "spec"): void {
  for (const key of Object.keys(spec)) {
    if (!allowed.includes(key)) throw new MetaInputError(`${where}: unknown key "${key}" (allowed: ${allowed.join(", ")})`);
  }
}

export function stringField(spec: Record<string, unknown>, key: string, fallback?: string): string {
  const v = spec[key] ?? fallback;
  if (typeof v !== "string" || v === "") throw new MetaInputError(`spec "${key}" must be a non-empty string`);
  return v;
}

function requireColumn(rows: Row[], column: string): void {
  if (rows.length > 0 && !rows.some((r) => column in r)) throw new MetaInputError(`column "${column}" not found in the data`);
}

/** A numeric column; empty, missing or non-numeric cells are errors naming row and column. */
export function numberColumn(rows: Row[], column: string): number[] {
  requireColumn(rows, column);
  return rows.map((r, i) => {
    const v = r[column];
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      throw new MetaInputError(`row ${i + 1}, column "${column}": ${v === undefined || v === null || v === "" ? "missing value" : `not a number (${JSON.stringify(v)})`}`);
    }
    return n;
  });
}

/** A label column (grouping variables, categorical moderators); missing cells are errors. */
export function labelColumn(rows: Row[], column: string): string[] {
  requireColumn(rows, column);
  return rows.map((r, i) => {
    const v = r[column];
    if (v === undefined || v === null || v === "") throw new MetaInputError(`row ${i + 1}, column "${column}": missing value`);
    if (typeof v === "object") throw new MetaInputError(`row ${i + 1}, column "${column}": not a label`);
    return String(v);
  });
}

/** Inline `data`: an array of row objects. */
export function inlineRows(data: unknown[]): Row[] {
  data.forEach((r, i) => {
    if (!isObject(r)) throw new MetaInputError(`data row ${i + 1} is not an object`);
  });
  return data as Row[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks a spec's options (everything but its data). `extraKeys` are keys a
 * front end reads itself (e.g. figure requests) and are let through.
 */
export function parseMetaSpec(value: unknown, extraKeys: readonly string[] = []): MetaSpec {
  if (!isObject(value)) throw new MetaInputError("the spec must be a JSON object");
  const spec = value;
  checkKeys(spec, [...META_SPEC_KEYS, ...extraKeys]);
  const method = stringField(spec, "method", "REML");
  const test = stringField(spec, "test", "z");
  if (test !== "z" && test !== "t") throw new MetaInputError(`spec "test" must be "z" or "t"`);
  const random = spec.random ?? [];
  if (!Array.isArray(random) || random.some((r) => typeof r !== "string" || r === "")) {
    throw new MetaInputError(`spec "random" must be an array of grouping columns, outermost first (e.g. ["study", "esid"])`);
  }
  const multilevel = random.length > 0;
  if (multilevel ? method !== "REML" && method !== "ML" : !(UNI_METHODS as readonly string[]).includes(method)) {
    throw new MetaInputError(`spec "method" must be one of ${(multilevel ? ["REML", "ML"] : UNI_METHODS).join(", ")}${multilevel ? " for a multilevel model" : ""}`);
  }
  const intercept = spec.intercept ?? true;
  if (typeof intercept !== "boolean") throw new MetaInputError(`spec "intercept" must be true or false`);
  const level = spec.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1)) throw new MetaInputError(`spec "level" must be a number between 0 and 1`);
  let cluster: string | undefined;
  if (spec.robust !== undefined) {
    const r = spec.robust;
    if (!isObject(r)) throw new MetaInputError(`spec "robust" must be {"cluster": "column"}`);
    checkKeys(r, ["cluster"], `"robust"`);
    cluster = stringField(r, "cluster");
  }
  const moderators = parseModerators(spec.moderators);
  if (!intercept && moderators.length === 0) throw new MetaInputError(`a model without intercept needs at least one moderator`);
  let diagnostics: string[] | undefined;
  if (spec.diagnostics !== undefined) {
    const names = spec.diagnostics;
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
      throw new MetaInputError(`spec "diagnostics" must be an array of names: ${DIAGNOSTICS.join(", ")}`);
    }
    diagnostics = names as string[];
  }
  let subgroup: string | undefined;
  if (spec.subgroup !== undefined) {
    if (diagnostics === undefined) throw new MetaInputError(`spec "subgroup" is only used with "diagnostics": ["subgroups"]`);
    if (typeof spec.subgroup !== "string" || spec.subgroup === "") throw new MetaInputError(`spec "subgroup" must name a data column`);
    subgroup = spec.subgroup;
  }
  let measure: string | undefined;
  if (spec.measure !== undefined) {
    if (typeof spec.measure !== "string" || spec.measure.trim() === "") throw new MetaInputError(`spec "measure" must name one effect measure (e.g. "SMD")`);
    measure = spec.measure.trim();
  }
  return {
    yi: stringField(spec, "yi", "yi"),
    vi: stringField(spec, "vi", "vi"),
    method: method as Method,
    test,
    random: random as string[],
    moderators,
    intercept,
    level,
    cluster,
    diagnostics,
    subgroup,
    measure,
  };
}

const NO_MEASURE = "no measure";

const measureOf = (r: Row): string => {
  const v = r[MEASURE_COLUMN];
  return v === undefined || v === null || String(v).trim() === "" ? NO_MEASURE : String(v).trim();
};

/**
 * Rows per effect measure, most frequent first (ties by name); empty when
 * no row has a "measure" column. Rows without a value count as "no measure".
 */
export function measureCounts(rows: readonly Row[]): { measure: string; rows: number }[] {
  if (!rows.some((r) => MEASURE_COLUMN in r)) return [];
  const n = new Map<string, number>();
  for (const r of rows) n.set(measureOf(r), (n.get(measureOf(r)) ?? 0) + 1);
  return [...n].map(([measure, rows]) => ({ measure, rows })).sort((a, b) => b.rows - a.rows || (a.measure < b.measure ? -1 : a.measure > b.measure ? 1 : 0));
}

const listMeasures = (counts: { measure: string; rows: number }[]) =>
  counts.map((c) => `${c.measure} (${c.rows} ${c.rows === 1 ? "row" : "rows"})`).join(", ");

/**
 * The rows of one effect measure. With `measure` given, the rows holding it;
 * without, all rows, provided they share one measure. Refusals name the
 * measures found, so the one-line error says what to choose.
 */
export function selectMeasure(rows: Row[], measure?: string): { rows: Row[]; selection?: MeasureSelection } {
  const counts = measureCounts(rows);
  if (counts.length === 0) {
    if (measure !== undefined) throw new MetaInputError(`spec "measure" selects rows by their "${MEASURE_COLUMN}" column, which the data do not have`);
    return { rows };
  }
  if (measure === undefined) {
    if (counts.length > 1) {
      throw new MetaInputError(`the rows mix effect measures: ${listMeasures(counts)}; pool one measure at a time (spec "measure", e.g. "measure": "${counts[0].measure}")`);
    }
    return { rows, selection: { measure: counts[0].measure, rows: rows.length, otherRows: 0 } };
  }
  const kept = rows.filter((r) => measureOf(r) === measure);
  if (kept.length === 0) throw new MetaInputError(`no rows have the measure "${measure}" (the data have ${listMeasures(counts)})`);
  return { rows: kept, selection: { measure, rows: kept.length, otherRows: rows.length - kept.length } };
}

function parseModerators(spec: unknown): MetaSpec["moderators"] {
  if (spec === undefined) return [];
  if (!Array.isArray(spec)) throw new MetaInputError(`spec "moderators" must be an array of {"name"[, "levels"]}`);
  return spec.map((m, j) => {
    if (!isObject(m)) throw new MetaInputError(`moderator ${j + 1} must be an object {"name"[, "levels"]}`);
    checkKeys(m, ["name", "levels"], `moderator ${j + 1}`);
    const name = m.name;
    if (typeof name !== "string" || name === "") throw new MetaInputError(`moderator ${j + 1} needs a "name" (a data column)`);
    if (m.levels === undefined) return { name };
    if (!Array.isArray(m.levels) || m.levels.length < 2 || m.levels.some((l) => typeof l !== "string" && typeof l !== "number")) {
      throw new MetaInputError(`moderator "${name}": "levels" must list at least two level labels, reference first`);
    }
    return { name, levels: m.levels.map(String) };
  });
}

/** Reads the spec's columns from the rows and fits the model it describes. */
export function fitMetaSpec(spec: MetaSpec, allRows: Row[]): FittedSpec {
  if (allRows.length === 0) throw new MetaInputError("the data has no rows");
  const { rows, selection } = selectMeasure(allRows, spec.measure);
  const yi = numberColumn(rows, spec.yi);
  const vi = numberColumn(rows, spec.vi);
  vi.forEach((v, i) => {
    if (v < 0) throw new MetaInputError(`row ${i + 1}, column "${spec.vi}": sampling variance is negative`);
  });
  const mods: Moderator[] = spec.moderators.map(({ name, levels }) => {
    if (!levels) return { name, values: numberColumn(rows, name) };
    const values = labelColumn(rows, name);
    values.forEach((v, i) => {
      if (!levels.includes(v)) throw new MetaInputError(`row ${i + 1}, column "${name}": value "${v}" is not one of the listed levels (${levels.join(", ")})`);
    });
    return { name, values, levels };
  });
  const common = { yi, vi, mods, intercept: spec.intercept, test: spec.test, level: spec.level };
  const fit: RmaFit = spec.random.length > 0
    ? rmaMv({ ...common, method: spec.method as "REML" | "ML", random: spec.random.map((name) => ({ name, values: labelColumn(rows, name) })) })
    : rma({ ...common, method: spec.method });
  return { spec, fit, rows, mods, ...(selection ? { measure: selection } : {}) };
}

const coefJson = (c: Coefficient): Coefficient => ({
  term: c.term, estimate: c.estimate, se: c.se, statistic: c.statistic, df: c.df, p: c.p, ciLower: c.ciLower, ciUpper: c.ciUpper,
});

/** The requested diagnostics of a fitted spec (empty when it asks for none). */
export function specDiagnostics({ spec, fit, rows }: FittedSpec): DiagnosticsResult {
  if (spec.diagnostics === undefined) return {};
  return runDiagnostics(fit, {
    diagnostics: spec.diagnostics,
    subgroup: spec.subgroup === undefined ? undefined : labelColumn(rows, spec.subgroup),
    studyLabels: spec.random.length > 0 ? labelColumn(rows, spec.random[0]) : undefined,
  });
}

/**
 * Everything a spec asks for, as plain JSON: coefficients, heterogeneity,
 * tests, the prediction interval (intercept-only models), the log-likelihood
 * (REML/ML), CR2 robust results and the diagnostics.
 */
export function metaSpecResult(fitted: FittedSpec): MetaSpecResult {
  const { spec, fit, rows, mods } = fitted;
  // Keys are assigned in the documented output order.
  const ordered: Record<string, unknown> = { k: fit.k, coefficients: fit.coefficients.map(coefJson) };
  if (fit.model === "uni") Object.assign(ordered, { tau2: fit.tau2, I2: fit.I2, H2: fit.H2 });
  else ordered.sigma2 = fit.sigma2;
  Object.assign(ordered, { QE: fit.QE, QEdf: fit.QEdf, QEp: fit.QEp });
  if (mods.length > 0) Object.assign(ordered, { QM: fit.omnibus.QM, QMdf: fit.omnibus.QMdf, QMp: fit.omnibus.QMp });
  else if (fit.intercept) {
    const pr = predict(fit);
    ordered.prediction = { lower: pr.lower, upper: pr.upper };
  }
  if (spec.method === "REML" || spec.method === "ML") ordered.logLik = fit.logLik;
  const warnings: MetaWarning[] = [];
  if (spec.cluster !== undefined) {
    const r = robust(fit, labelColumn(rows, spec.cluster));
    ordered.robust = { coefficients: r.coefficients.map(coefJson), QM: r.QM, QMdf: r.QMdf, QMp: r.QMp };
    warnings.push(...robustWarnings(r));
  }
  const diagnostics = specDiagnostics(fitted);
  Object.assign(ordered, diagnostics);
  if (diagnostics.subgroups) warnings.push(...subgroupWarnings(diagnostics.subgroups));
  if (fitted.measure) ordered.measure = fitted.measure;
  if (warnings.length > 0) ordered.warnings = warnings;
  return ordered as unknown as MetaSpecResult;
}
