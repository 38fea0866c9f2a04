/**
 * Bubble plot for a meta-regression on one continuous moderator: outcomes
 * as circles with area proportional to their model weight, the fitted
 * regression line and its confidence band (as metafor's `regplot`).
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural, pval } from "../format.js";
import { ink } from "../theme.js";
import { checkSeries, extent, topLevel, type ChartOptions } from "./common.js";

export interface BubbleInput {
  /** Moderator value per outcome. */
  x: number[];
  yi: number[];
  /** Model weight per outcome (any scale; bubbles are sized relative to the largest). */
  weights: number[];
  /** Fitted line: moderator grid with the predicted mean and its CI. */
  line: { x: number[]; estimate: number[]; ciLower: number[]; ciUpper: number[] };
  /** The slope and its inference, for the text. */
  slope: { estimate: number; ciLower: number; ciUpper: number; p: number };
  moderator: string;
  measure?: string;
  level?: number;
}

export function bubblePlot(input: BubbleInput, options: ChartOptions = {}): Figure {
  const k = input.yi.length;
  if (k === 0) throw new RangeError("a bubble plot needs at least one outcome");
  checkSeries("x", input.x, k);
  checkSeries("weights", input.weights, k);
  checkSeries("yi", input.yi);
  const n = input.line.x.length;
  if (n < 2) throw new RangeError("the regression line needs at least 2 points");
  for (const key of ["x", "estimate", "ciLower", "ciUpper"] as const) checkSeries(`line.${key}`, input.line[key], n);
  const colours = ink(options.palette);
  const level = Math.round(100 * (input.level ?? 0.95));
  const measure = input.measure ?? "Observed outcome";
  const maxW = Math.max(...input.weights);
  const points = input.yi.map((y, i) => ({ x: input.x[i], yi: y, w: input.weights[i] / maxW }));
  const line = input.line.x.map((x, i) => ({ x, estimate: input.line.estimate[i], lo: input.line.ciLower[i], hi: input.line.ciUpper[i] }));
  const [xlo, xhi] = extent([...input.x, ...input.line.x]);
  const [ylo, yhi] = extent([...input.yi, ...input.line.ciLower, ...input.line.ciUpper]);
  const xpad = (xhi - xlo) * 0.05 || 0.5;
  const ypad = (yhi - ylo) * 0.05 || 0.1;
  const xScale = { domain: [xlo - xpad, xhi + xpad], nice: false, zero: false };
  const yScale = { domain: [ylo - ypad, yhi + ypad], nice: false, zero: false };
  const x = { field: "x", type: "quantitative", scale: xScale, title: input.moderator };
  const layer = [
    {
      name: "band", data: { values: line },
      mark: { type: "area", color: colours.band, opacity: 0.6 },
      encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale, title: measure }, y2: { field: "hi" } },
    },
    ...(["lo", "hi"] as const).map((f) => ({
      name: `band_${f}`, data: { values: line },
      mark: { type: "line", color: colours.reference, strokeDash: [4, 3], strokeWidth: 1 },
      encoding: { x, y: { field: f, type: "quantitative", scale: yScale } },
    })),
    {
      name: "line", data: { values: line },
      mark: { type: "line", color: colours.summary, strokeWidth: 2 },
      encoding: { x, y: { field: "estimate", type: "quantitative", scale: yScale } },
    },
    {
      name: "bubbles", data: { values: points },
      mark: { type: "circle", color: colours.data, opacity: 0.55, stroke: colours.data, strokeWidth: 0.8 },
      encoding: {
        x, y: { field: "yi", type: "quantitative", scale: yScale },
        size: { field: "w", type: "quantitative", scale: { domain: [0, 1], range: [0, 400] }, legend: null },
        tooltip: [{ field: "x", title: input.moderator }, { field: "yi", format: ".3f", title: measure }],
      },
    },
  ];
  const s = input.slope;
  const significant = s.p < 0.05;
  const direction = s.estimate > 0 ? "upward" : s.estimate < 0 ? "downward" : "flat";
  const first = line[0], last = line[n - 1];
  const title = options.title ?? `Bubble plot of ${measure.toLowerCase()} against ${input.moderator}`;
  const description = paragraphs(
    `The image is a bubble plot from a meta-regression. The horizontal axis is ${input.moderator}, covering ${fmt(xlo)} to ${fmt(xhi)}, and the vertical axis is the ${measure.toLowerCase()}. ` +
      `Each of the ${plural(k, "circle")} is one outcome; larger circles carry more weight in the model. ` +
      `A solid line shows the fitted regression and a grey band with dashed boundaries its ${level}% confidence interval.`,
    [
      `The estimated slope is ${fmt(s.estimate, 3)} per unit of ${input.moderator} (${level}% CI ${fmt(s.ciLower, 3)} to ${fmt(s.ciUpper, 3)}, ${pval(s.p)}).`,
      `The fitted ${measure.toLowerCase()} is ${fmt(first.estimate)} at ${input.moderator} = ${fmt(first.x)} and ${fmt(last.estimate)} at ${fmt(last.x)}.`,
      `The band is widest at the ends of the range, from ${fmt(first.lo)} to ${fmt(first.hi)} at the left and ${fmt(last.lo)} to ${fmt(last.hi)} at the right.`,
    ],
    `The line slopes ${direction}, ` +
      (significant
        ? `and the association is statistically significant at the 5% level.`
        : `but the association is not statistically significant (the confidence interval of the slope includes zero).`),
  );
  return {
    title,
    alt: `Bubble plot of ${plural(k, "outcome")} against ${input.moderator} with a ${direction} regression line (slope ${fmt(s.estimate, 3)}, ${pval(s.p)}).`,
    description,
    spec: topLevel({ title: { text: title }, width: options.width ?? 420, height: 300, layer }, options.palette),
  };
}
