/**
 * Influence panel (as metafor's `plot(influence(fit))`): eight small plots of
 * case-deletion diagnostics against the outcome index — studentised deleted
 * residuals, DFFITS, Cook's distance, covariance ratio, τ² and Q_E after
 * deletion, hat values and weights — with reference lines for the rules in
 * use and flagged outcomes highlighted.
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural } from "../format.js";
import { ink } from "../theme.js";
import { topLevel, type ChartOptions } from "./common.js";

export interface InfluenceInput {
  rstudent: number[];
  dffits: number[];
  cookD: number[];
  covRatio: number[];
  tau2Del: number[];
  QEDel: number[];
  hat: number[];
  /** Weight in percent. */
  weight: number[];
  /** Full-model τ² and Q_E (drawn as references). */
  tau2?: number;
  QE?: number;
  /** Number of coefficients (1 for a model without moderators). */
  p?: number;
  /** Review rules, as computed by the engine. */
  flags?: {
    outlierThreshold: number;
    outliers: number[];
    cookThreshold: number;
    /** Describes the Cook's threshold, e.g. "median + 6 × IQR" or "4/k". */
    cookRule: string;
    influential: number[];
  };
  /** Name of the unit, default "outcome". */
  unit?: string;
}

type Key = "rstudent" | "dffits" | "cookD" | "covRatio" | "tau2Del" | "QEDel" | "hat" | "weight";

const PANELS: { key: Key; title: string }[] = [
  { key: "rstudent", title: "Studentised residual (rstudent)" },
  { key: "dffits", title: "DFFITS" },
  { key: "cookD", title: "Cook's distance" },
  { key: "covRatio", title: "Covariance ratio" },
  { key: "tau2Del", title: "τ² after deletion" },
  { key: "QEDel", title: "QE after deletion" },
  { key: "hat", title: "Hat value (leverage)" },
  { key: "weight", title: "Weight (%)" },
];

export function influencePlot(input: InfluenceInput, options: ChartOptions = {}): Figure {
  const k = input.rstudent.length;
  if (k === 0) throw new RangeError("influence diagnostics are empty");
  for (const { key } of PANELS) {
    if (input[key].length !== k) throw new RangeError(`${key} has ${input[key].length} values, expected ${k}`);
  }
  const colours = ink(options.palette);
  const p = input.p ?? 1;
  const unit = input.unit ?? "outcome";
  const flagged = new Set([...(input.flags?.outliers ?? []), ...(input.flags?.influential ?? [])]);
  const refs: Record<Key, number[]> = {
    rstudent: input.flags ? [-input.flags.outlierThreshold, 0, input.flags.outlierThreshold] : [0],
    dffits: [3 * Math.sqrt(p / (k - p))],
    cookD: input.flags ? [input.flags.cookThreshold] : [],
    covRatio: [1],
    tau2Del: input.tau2 !== undefined ? [input.tau2] : [],
    QEDel: input.QE !== undefined ? [input.QE] : [],
    hat: [p / k, (3 * p) / k],
    weight: [100 / k],
  };
  const panelWidth = options.width ?? 300;
  const panel = (key: Key, title: string) => {
    const values = input[key].map((v, i) => ({ index: i + 1, value: Number.isFinite(v) ? v : null, flagged: flagged.has(i) }));
    return {
      width: panelWidth,
      height: 110,
      title: { text: title, fontSize: 11, fontWeight: "normal" },
      layer: [
        {
          name: `${key}_ref`, data: { values: refs[key].filter(Number.isFinite).map((y) => ({ y })) },
          mark: { type: "rule", color: colours.reference, strokeDash: [2, 2] },
          encoding: { y: { field: "y", type: "quantitative" } },
        },
        {
          name: `${key}_line`, data: { values },
          mark: { type: "line", color: "#9A9A9A", strokeWidth: 1 },
          encoding: {
            x: { field: "index", type: "quantitative", title: `${cap(unit)} index`, scale: { domain: [0.5, k + 0.5], nice: false, zero: false }, axis: { tickMinStep: 1, format: "d" } },
            y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
          },
        },
        {
          name: `${key}_points`, data: { values },
          mark: { type: "point", filled: true, size: 18 },
          encoding: {
            x: { field: "index", type: "quantitative" },
            y: { field: "value", type: "quantitative" },
            color: { condition: { test: "datum.flagged", value: colours.highlight }, value: "#7A7A7A" },
            tooltip: [{ field: "index", title: cap(unit) }, { field: "value", format: ".4f", title }],
          },
        },
      ],
    };
  };
  const rows = [];
  for (let r = 0; r < 4; r++) rows.push({ hconcat: [panel(PANELS[2 * r].key, PANELS[2 * r].title), panel(PANELS[2 * r + 1].key, PANELS[2 * r + 1].title)] });

  const argmax = (xs: number[]) => xs.reduce((best, v, i) => (Number.isFinite(v) && (best < 0 || v > xs[best]) ? i : best), -1);
  const maxAbsR = argmax(input.rstudent.map(Math.abs));
  const maxCook = argmax(input.cookD);
  const maxHat = argmax(input.hat);
  const f = input.flags;
  const title = options.title ?? `Influence diagnostics for ${plural(k, unit)}`;
  const description = paragraphs(
    `The image contains eight small diagnostic plots arranged in four rows and two columns. The horizontal axis in each panel is the ${unit} index (1 to ${k}). ` +
      `The panels show studentised deleted residuals (rstudent), DFFITS, Cook's distance, the covariance ratio, the between-${unit} variance τ² when the ${unit} is deleted, the heterogeneity statistic QE when the ${unit} is deleted, leverage (hat values) and model weight.`,
    [
      `Grey points joined by lines show the diagnostic value for each ${unit}.`,
      `Dotted horizontal lines show reference values: ${f ? `±${fmt(f.outlierThreshold, 3)} for the residuals, ${fmt(f.cookThreshold, 3)} (${f.cookRule}) for Cook's distance, ` : ""}3√(p/(k−p)) for DFFITS, 1 for the covariance ratio, the full-model values for τ² and QE, p/k and 3p/k for leverage and 100/k for weights.`,
      ...(f ? [`Flagged ${unit}s are drawn in a highlight colour.`] : []),
    ],
    [
      maxAbsR >= 0 ? `The largest absolute studentised residual is ${fmt(input.rstudent[maxAbsR], 3)} (${unit} ${maxAbsR + 1}).` : "",
      maxCook >= 0 ? `The largest Cook's distance is ${fmt(input.cookD[maxCook], 3)} (${unit} ${maxCook + 1}).` : "",
      maxHat >= 0 ? `The largest hat value is ${fmt(input.hat[maxHat], 3)} (${unit} ${maxHat + 1}), against an average of ${fmt(p / k, 3)}.` : "",
    ].filter(Boolean),
    f
      ? (f.outliers.length
          ? `${plural(f.outliers.length, unit)} (${list(f.outliers)}) had a studentised residual beyond ±${fmt(f.outlierThreshold, 3)} and ${f.outliers.length === 1 ? "may be an outlier" : "may be outliers"}. `
          : `No ${unit} had a studentised residual larger than ±${fmt(f.outlierThreshold, 3)}, so there was no indication of outliers. `) +
          (f.influential.length
            ? `${plural(f.influential.length, unit)} (${list(f.influential)}) exceeded the Cook's distance threshold of ${fmt(f.cookThreshold, 3)} (${f.cookRule}) and may be influential.`
            : `The Cook's distance threshold was ${fmt(f.cookThreshold, 3)} (${f.cookRule}) and no ${unit} was identified as potentially influential.`)
      : undefined,
    `The figure labels ${unit}s by index only; the index is the row order of the analysis data.`,
  );
  return {
    title,
    alt: `Eight influence-diagnostic panels for ${plural(k, unit)}${f ? `; ${f.outliers.length} outliers and ${f.influential.length} influential ${unit}s flagged` : ""}.`,
    description,
    spec: topLevel({ title: { text: title }, vconcat: rows, spacing: 14 }, options.palette),
  };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function list(rows: number[]): string {
  const labels = rows.map((i) => String(i + 1));
  return labels.length > 8 ? `${labels.slice(0, 8).join(", ")}, …` : labels.join(", ");
}
