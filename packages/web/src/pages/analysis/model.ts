/**
 * The analysis form as data: its state, the meta spec it sends (the keys of
 * `homeward meta`, see @homeward/meta), pasted/uploaded CSV, and number
 * formatting for the result tables.
 */
import { parse } from "csv-parse/browser/esm/sync";
import type { AnalysisCell as Cell } from "@homeward/review";

export const UNI_METHODS = ["REML", "ML", "DL", "PM", "HE", "SJ", "EB", "FE"] as const;
export const MV_METHODS = ["REML", "ML"] as const;
export const METHOD_LABELS: Record<string, string> = {
  REML: "Restricted maximum likelihood (REML)",
  ML: "Maximum likelihood (ML)",
  DL: "DerSimonian–Laird (DL)",
  PM: "Paule–Mandel (PM)",
  HE: "Hedges (HE)",
  SJ: "Sidik–Jonkman (SJ)",
  EB: "Empirical Bayes (EB)",
  FE: "Fixed effect (FE)",
};
export const DIAGNOSTICS = [
  ["leave1out", "Leave-one-out"],
  ["influence", "Influence diagnostics (univariate)"],
  ["egger", "Egger's regression test (univariate)"],
  ["begg", "Begg and Mazumdar's rank correlation"],
  ["trimfill", "Trim-and-fill (univariate)"],
  ["tau2CI", "Confidence interval for τ² (univariate)"],
  ["failsafe", "Fail-safe N"],
  ["subgroups", "Subgroup analysis"],
] as const;
export const FIGURES = [
  ["forest", "Forest plot"],
  ["funnel", "Funnel plot"],
  ["bubble", "Bubble plot (one numeric moderator)"],
  ["influence", "Influence panel (univariate)"],
  ["leave1out", "Leave-one-out plot"],
  ["distribution", "Hypothetical distribution (SMD)"],
] as const;

export interface ModeratorState {
  key: number;
  column: string;
  categorical: boolean;
  /** Comma-separated, reference level first. */
  levels: string;
}

/** The measure filter's value for "every row, whatever its measure" (the server refuses it when they differ). */
export const ALL_MEASURES = "\u0000all";

/** The analysis data's column holding each study's overall risk-of-bias judgement (see @homeward/review). */
export const RISK_OF_BIAS_COLUMN = "riskOfBias";

export interface FormState {
  source: "project" | "csv";
  csvText: string;
  /** Effect measure to pool: "" = the most frequent, ALL_MEASURES = no filter. */
  poolMeasure: string;
  yi: string;
  vi: string;
  measure: string;
  /** Column labelling the forest plot's rows; "" = automatic (a study/trial/label column, or the random-effect grouping). */
  label: string;
  method: string;
  test: "z" | "t";
  /** Random-effects grouping: outer (study) and inner (outcome) columns; "" = none. */
  outer: string;
  inner: string;
  moderators: ModeratorState[];
  intercept: boolean;
  cluster: string;
  diagnostics: string[];
  subgroup: string;
  figures: string[];
  contour: boolean;
  trimfill: boolean;
  /** Show each study's risk of bias beside the forest plot, when the data carry it. */
  riskOfBiasColumn: boolean;
}

export const initialForm: FormState = {
  source: "project",
  csvText: "",
  poolMeasure: "",
  yi: "yi",
  vi: "vi",
  measure: "",
  label: "",
  method: "REML",
  test: "z",
  outer: "",
  inner: "",
  moderators: [],
  intercept: true,
  cluster: "",
  diagnostics: [],
  subgroup: "",
  figures: ["forest", "funnel"],
  contour: false,
  trimfill: false,
  riskOfBiasColumn: true,
};

export interface Table {
  columns: string[];
  rows: Record<string, Cell>[];
}

/** CSV text with a header row (comma, semicolon or tab separated); cells stay text and the server reads numbers. */
export function parseCsv(text: string): Table {
  if (text.trim() === "") return { columns: [], rows: [] };
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].reduce((best, d) => (first.split(d).length > first.split(best).length ? d : best), ",");
  const records = parse(text, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  if (records.length === 0) return { columns: [], rows: [] };
  const columns = records[0]!.map((c, i) => c || `column ${i + 1}`);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new Error(`the CSV header names the column "${dup}" twice`);
  const rows = records.slice(1).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ""])));
  return { columns, rows };
}

/** The column holding each row's effect measure, as the meta spec reads it. */
export const MEASURE_COLUMN = "measure";
const NO_MEASURE = "no measure";
const measureOf = (r: Record<string, Cell>): string => {
  const v = r[MEASURE_COLUMN];
  return v === undefined || v === null || String(v).trim() === "" ? NO_MEASURE : String(v).trim();
};

/** Rows per effect measure, most frequent first, as @homeward/meta's measureCounts (the project's rows come with theirs). */
export function measureCounts(rows: Record<string, Cell>[]): { measure: string; rows: number }[] {
  if (!rows.some((r) => MEASURE_COLUMN in r)) return [];
  const n = new Map<string, number>();
  for (const r of rows) n.set(measureOf(r), (n.get(measureOf(r)) ?? 0) + 1);
  return [...n].map(([measure, rows]) => ({ measure, rows })).sort((a, b) => b.rows - a.rows || (a.measure < b.measure ? -1 : a.measure > b.measure ? 1 : 0));
}

/** The measure the form pools: the chosen one, else the most frequent; undefined for no filter or no measure column. */
export function pooledMeasure(form: Pick<FormState, "poolMeasure">, measures: { measure: string }[]): string | undefined {
  if (measures.length === 0 || form.poolMeasure === ALL_MEASURES) return undefined;
  return measures.some((m) => m.measure === form.poolMeasure) ? form.poolMeasure : measures[0]!.measure;
}

/** The rows a fit with this measure uses (the server filters the same way), so row labels line up with the answer. */
export function rowsOfMeasure<R extends Record<string, Cell>>(rows: R[], measure: string | undefined): R[] {
  return measure === undefined ? rows : rows.filter((r) => measureOf(r) === measure);
}

/** Distinct values of a column, in natural (numeric-aware) order. */
export function distinctValues(rows: Record<string, Cell>[], column: string): string[] {
  const set = new Set<string>();
  for (const r of rows) {
    const v = r[column];
    if (v !== null && v !== undefined && v !== "") set.add(String(v));
  }
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export const splitLevels = (s: string): string[] => s.split(",").map((x) => x.trim()).filter((x) => x !== "");

/** A column that names the rows: "study" (project data), else the first named like one. */
export function guessLabelColumn(columns: string[]): string | undefined {
  return columns.find((c) => c === "study") ?? columns.find((c) => /^(study|trial|author|authors|label|name|citation)$/i.test(c));
}

/**
 * The meta spec the form describes, with the rows to send (or
 * "effectSizes"). `columns` are the data's, used to pick the forest plot's
 * row labels when the form leaves them automatic.
 */
export function buildSpec(form: FormState, csvRows: Record<string, Cell>[] | null, columns: string[] = [], measure?: string): Record<string, unknown> {
  const random = form.outer ? [form.outer, ...(form.inner ? [form.inner] : [])] : [];
  const spec: Record<string, unknown> = {
    data: form.source === "project" ? "effectSizes" : (csvRows ?? []),
    yi: form.yi,
    vi: form.vi,
    method: form.method,
    test: form.test,
  };
  if (measure !== undefined) spec.measure = measure;
  if (random.length) spec.random = random;
  const mods = form.moderators.filter((m) => m.column !== "");
  if (mods.length) spec.moderators = mods.map((m) => (m.categorical ? { name: m.column, levels: splitLevels(m.levels) } : { name: m.column }));
  if (!form.intercept) spec.intercept = false;
  if (form.cluster) spec.robust = { cluster: form.cluster };
  if (form.diagnostics.length) spec.diagnostics = form.diagnostics;
  if (form.diagnostics.includes("subgroups") && form.subgroup) spec.subgroup = form.subgroup;
  if (form.figures.length) spec.figures = form.figures;
  const figureOptions: Record<string, unknown> = {};
  if (form.measure.trim()) figureOptions.measure = form.measure.trim();
  // A multilevel forest plot is grouped by its random-effect columns unless a label column is chosen.
  const label = form.label || (random.length ? undefined : guessLabelColumn(columns));
  if (label) figureOptions.label = label;
  if (form.contour) figureOptions.contour = true;
  if (form.trimfill) figureOptions.trimfill = true;
  if (form.riskOfBiasColumn && form.figures.includes("forest") && columns.includes(RISK_OF_BIAS_COLUMN)) figureOptions.column = RISK_OF_BIAS_COLUMN;
  if (Object.keys(figureOptions).length) spec.figureOptions = figureOptions;
  return spec;
}

/** Fixed decimals with a true minus sign; "—" for missing values. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const s = x.toFixed(digits);
  // -0.0000 reads as a negative value that is not there.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace(/^-/, "−");
}

export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return "—";
  return p < 0.0001 ? "< 0.0001" : p.toFixed(4);
}
