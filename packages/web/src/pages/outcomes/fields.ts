import type { OutcomeDataInput, OutcomeDataKind } from "@homeward/model";

/** What the user typed, per field key. */
export type Raw = Record<string, string>;

export interface FieldDef {
  key: string;
  label: string;
  optional?: boolean;
  hint?: string;
  /** A choice rather than a number: [value, label] pairs. */
  choices?: [string, string][];
}

const g = (k: 1 | 2, what: string, key: string): FieldDef => ({ key: `${key}${k}`, label: `Group ${k} ${what}` });
const both = (what: string, key: string) => [g(1, what, key), g(2, what, key)];
const ns: FieldDef[] = [g(1, "n", "n"), g(2, "n", "n")];
const direction: FieldDef = { key: "direction", label: "Which group scored higher", choices: [["1", "Group 1 higher"], ["-1", "Group 1 lower"]] };
const level: FieldDef = { key: "level", label: "Confidence level", optional: true, hint: "0.95 unless the report says otherwise" };

/** The fields of each kind of outcome data, in the order a report usually gives them. */
export const FIELDS: Record<OutcomeDataKind, FieldDef[]> = {
  means: [g(1, "mean", "m"), g(1, "SD", "sd"), g(1, "n", "n"), g(2, "mean", "m"), g(2, "SD", "sd"), g(2, "n", "n")],
  md: [
    { key: "md", label: "Mean difference (group 1 − group 2)" },
    { key: "se", label: "Standard error", optional: true, hint: "or give the CI" },
    { key: "lower", label: "CI lower limit", optional: true },
    { key: "upper", label: "CI upper limit", optional: true },
    level, ...ns,
  ],
  counts: [g(1, "events", "events"), g(1, "n", "n"), g(2, "events", "events"), g(2, "n", "n")],
  percentages: [g(1, "percentage with the event", "percent"), g(1, "n", "n"), g(2, "percentage with the event", "percent"), g(2, "n", "n")],
  or: [{ key: "or", label: "Odds ratio" }, { key: "lower", label: "CI lower limit" }, { key: "upper", label: "CI upper limit" }, level],
  rr: [
    { key: "rr", label: "Risk ratio" }, { key: "lower", label: "CI lower limit" }, { key: "upper", label: "CI upper limit" }, level,
    { key: "baselineRisk", label: "Baseline risk (group 2)", hint: "a proportion between 0 and 1" },
  ],
  t: [{ key: "t", label: "t statistic" }, ...ns],
  f: [{ key: "f", label: "F statistic", hint: "one numerator df" }, direction, ...ns],
  p: [{ key: "p", label: "Two-sided p" }, direction, ...ns],
  r: [{ key: "r", label: "Correlation r" }, { key: "n", label: "Sample size n" }],
  beta: [{ key: "beta", label: "Standardised coefficient β", hint: "|β| < 0.5 (Peterson & Brown 2005)" }, { key: "n", label: "Sample size n" }],
  b: [{ key: "b", label: "Unstandardised coefficient b" }, { key: "sdY", label: "Outcome SD" }, ...ns],
  medians: [
    { key: "spread", label: "Spread reported", choices: [["iqr", "Interquartile range"], ["range", "Range (minimum–maximum)"]] },
    g(1, "median", "median"), g(1, "lower quartile or minimum", "low"), g(1, "upper quartile or maximum", "high"), g(1, "n", "n"),
    g(2, "median", "median"), g(2, "lower quartile or minimum", "low"), g(2, "upper quartile or maximum", "high"), g(2, "n", "n"),
  ],
  prepost: [
    ...both("pre mean", "pre"), ...both("post mean", "post"), ...both("pre SD", "sdPre"), ...both("post SD", "sdPost"), ...ns,
    { key: "r", label: "Assumed pre–post correlation r", hint: "e.g. 0.5 when the report gives none" },
  ],
};

/**
 * The inputs of a kind from what was typed: numbers parsed, empty optional
 * fields left out, the F's df1 fixed at 1. Only missing or non-numeric
 * entries are caught here; whether the statistics make sense is the server's
 * to say (naming study, outcome and field).
 */
export function fieldsOf(kind: OutcomeDataKind, raw: Raw): { inputs: OutcomeDataInput } | { error: string } {
  const inputs: Record<string, unknown> = { kind };
  for (const f of FIELDS[kind]) {
    const v = (raw[f.key] ?? "").trim();
    if (v === "") {
      if (f.optional) continue;
      return { error: `${f.label}: give a value.` };
    }
    if (f.key === "spread") inputs[f.key] = v;
    else {
      const x = Number(v.replace(/\u2212/g, "-"));
      if (!Number.isFinite(x)) return { error: `${f.label}: "${v}" is not a number.` };
      inputs[f.key] = x;
    }
  }
  if (kind === "f") inputs.df1 = 1;
  // The server checks the shape; the fields above are exactly the kind's.
  return { inputs: inputs as OutcomeDataInput };
}

/** What to show in the fields for stored inputs. */
export function rawOfInputs(inputs: Record<string, unknown>): Raw {
  const raw: Raw = {};
  for (const [k, v] of Object.entries(inputs)) if (k !== "kind" && (typeof v === "number" || typeof v === "string")) raw[k] = String(v);
  return raw;
}
