/**
 * Leave-one-out plot: the pooled estimate (with its CI) or I² recomputed
 * with each outcome — or each study, for multilevel models — omitted, against
 * the index of the omitted unit, with the full-data value as a dashed line.
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural } from "../format.js";
import { ink } from "../theme.js";
import { checkSeries, extent, topLevel, type ChartOptions } from "./common.js";

export interface LeaveOneOutInput {
  /** What is omitted in each refit. */
  unit: "outcome" | "study";
  /** Label of each omitted unit. */
  omitted: string[];
  estimate: number[];
  ciLower?: number[];
  ciUpper?: number[];
  I2: number[];
  /** Full-data values. */
  full: { estimate: number; I2?: number; ciLower?: number; ciUpper?: number };
  /** Value of no effect (for the reading of the CIs). */
  nullValue?: number;
  measure?: string;
}

export interface LeaveOneOutOptions extends ChartOptions {
  /** "estimate" (default; the seed's Figure 8) or "I2" (Figure 9). */
  metric?: "estimate" | "I2";
}

export function leaveOneOutPlot(input: LeaveOneOutInput, options: LeaveOneOutOptions = {}): Figure {
  const n = input.estimate.length;
  if (n === 0) throw new RangeError("leave-one-out results are empty");
  if (input.omitted.length !== n) throw new RangeError(`omitted has ${input.omitted.length} labels, expected ${n}`);
  const metric = options.metric ?? "estimate";
  const values = metric === "estimate" ? input.estimate : input.I2;
  checkSeries(metric, values, n);
  const hasCi = metric === "estimate" && input.ciLower !== undefined && input.ciUpper !== undefined;
  if (hasCi) {
    checkSeries("ciLower", input.ciLower!, n);
    checkSeries("ciUpper", input.ciUpper!, n);
  }
  const fullValue = metric === "estimate" ? input.full.estimate : input.full.I2;
  const colours = ink(options.palette);
  const unit = input.unit;
  const measure = metric === "estimate" ? (input.measure ?? "Pooled estimate") : "I² (%)";
  const data = values.map((v, i) => ({
    index: i + 1, label: input.omitted[i], value: v,
    lo: hasCi ? input.ciLower![i] : null, hi: hasCi ? input.ciUpper![i] : null,
  }));
  const [lo, hi] = extent([...values, ...(hasCi ? [...input.ciLower!, ...input.ciUpper!] : []), ...(fullValue !== undefined ? [fullValue] : [])]);
  const pad = (hi - lo) * 0.08 || Math.max(Math.abs(hi) * 0.01, 0.01);
  const yScale = { domain: [lo - pad, hi + pad], nice: false, zero: false };
  const x = { field: "index", type: "quantitative", title: `Index of the omitted ${unit}`, scale: { domain: [0.5, n + 0.5], nice: false, zero: false }, axis: { tickMinStep: 1, format: "d" } };
  const layer = [
    ...(fullValue !== undefined
      ? [{
          name: "full", data: { values: [{ y: fullValue }] },
          mark: { type: "rule", color: colours.highlight, strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: { y: { field: "y", type: "quantitative", scale: yScale } },
        }]
      : []),
    ...(hasCi
      ? [{
          name: "ci", data: { values: data },
          mark: { type: "rule", color: "#9A9A9A", strokeWidth: 1 },
          encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale, title: measure }, y2: { field: "hi" } },
        }]
      : []),
    {
      name: "points", data: { values: data },
      mark: { type: "point", filled: true, size: 24, color: colours.data, opacity: 1 },
      encoding: {
        x, y: { field: "value", type: "quantitative", scale: yScale, title: measure },
        tooltip: [{ field: "label", title: `Omitted ${unit}` }, { field: "value", format: ".4f", title: measure }],
      },
    },
  ];
  const [vlo, vhi] = extent(values);
  const diffs = fullValue !== undefined ? values.map((v) => Math.abs(v - fullValue)) : [];
  const maxIdx = diffs.reduce((b, d, i) => (b < 0 || d > diffs[b] ? i : b), -1);
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const nullValue = input.nullValue ?? 0;
  const title = options.title ?? (metric === "estimate" ? "Leave-one-out sensitivity analysis" : "I² from the leave-one-out sensitivity analysis");
  const signs = new Set(values.map((v) => Math.sign(v - nullValue)));
  const fullCi = input.full.ciLower !== undefined && input.full.ciUpper !== undefined;
  const fullCrosses = fullCi && input.full.ciLower! <= nullValue && input.full.ciUpper! >= nullValue;
  const changesSignificance = hasCi && fullCi
    ? data.filter((d) => (d.lo! <= nullValue && d.hi! >= nullValue) !== fullCrosses).length
    : 0;
  const description = metric === "estimate"
    ? paragraphs(
        `The image is a scatter plot. The horizontal axis is the index of the ${unit} omitted in each re-analysis (1 to ${n}), and the vertical axis is the recalculated pooled estimate${hasCi ? ", with a grey vertical line for its confidence interval" : ""}. ` +
          (fullValue !== undefined ? `A dashed horizontal line marks the original pooled estimate, ${fmt(fullValue, 3)}.` : ""),
        [
          `The recalculated estimates range from ${fmt(vlo, 3)} to ${fmt(vhi, 3)}.`,
          ...(maxIdx >= 0 ? [`The largest change after omitting one ${unit} is ${fmt(diffs[maxIdx], 3)} (${unit} ${input.omitted[maxIdx]}).`] : []),
          ...(hasCi && fullCi ? [`Omitting a single ${unit} changes whether the confidence interval includes ${fmt(nullValue)} in ${plural(changesSignificance, "case")}.`] : []),
        ],
        signs.size === 1
          ? `All recalculated estimates have the same sign${changesSignificance === 0 && hasCi && fullCi ? " and the same statistical significance" : ""}: no single ${unit} materially changes the direction of the result.`
          : `Some omissions change the sign of the pooled estimate, so the result depends on individual ${unit}s.`,
      )
    : paragraphs(
        `The image is a scatter plot. The horizontal axis is the index of the ${unit} omitted in each re-analysis (1 to ${n}), and the vertical axis is the I² measure of heterogeneity, in percent. ` +
          (fullValue !== undefined ? `A dashed horizontal line marks the original I² of ${fmt(fullValue)}%.` : ""),
        [
          `Across the leave-one-out models, I² ranged from ${fmt(vlo)}% to ${fmt(vhi)}%.`,
          `The mean I² value was ${fmt(mean)}%.`,
          ...(maxIdx >= 0 ? [`The largest change is ${fmt(diffs[maxIdx])} percentage points, when ${unit} ${input.omitted[maxIdx]} is omitted.`] : []),
        ],
        vlo > 75
          ? `Heterogeneity remained high regardless of which single ${unit} was removed.`
          : `Heterogeneity depends on which ${unit} is removed; inspect the ${unit}s whose omission lowers I² most.`,
      );
  return {
    title,
    alt: metric === "estimate"
      ? `Leave-one-out estimates for ${plural(n, unit)}, ranging ${fmt(vlo, 3)} to ${fmt(vhi, 3)}.`
      : `Leave-one-out I² for ${plural(n, unit)}, ranging ${fmt(vlo)}% to ${fmt(vhi)}%.`,
    description,
    spec: topLevel({ title: { text: title }, width: options.width ?? Math.min(720, Math.max(300, 8 * n)), height: 260, layer }, options.palette),
  };
}
