/**
 * Hypothetical outcome distributions for a standardised mean difference:
 * two unit-variance normal curves, the comparison group centred at 0 and
 * the intervention group at d, with Cohen's U3 = Φ(d) (the share of the
 * comparison group below the intervention group's mean; Cohen 1988).
 */
import normal from "@stdlib/stats-base-dists-normal";
import type { Figure } from "../figure.js";
import { fmt, paragraphs } from "../format.js";
import { palettes } from "../theme.js";
import { topLevel, type ChartOptions } from "./common.js";

export interface DistributionInput {
  /** Standardised mean difference. */
  d: number;
  /** Name of the intervention group, e.g. "reunification intervention". */
  intervention?: string;
  /** Name of the comparison group, e.g. "no reunification intervention". */
  comparison?: string;
  /** Who the outcome belongs to, for the text, e.g. "children and families". */
  population?: string;
}

export function distributionPlot(input: DistributionInput, options: ChartOptions = {}): Figure {
  const { d } = input;
  if (!Number.isFinite(d) || Math.abs(d) > 5) throw new RangeError(`the effect size must be a finite SMD within ±5, got ${d}`);
  const intervention = input.intervention ?? "intervention";
  const comparison = input.comparison ?? "no intervention";
  const lo = Math.min(-4, d - 4), hi = Math.max(4, d + 4);
  const values: { x: number; density: number; group: string }[] = [];
  const steps = 160;
  for (let i = 0; i <= steps; i++) {
    const x = lo + ((hi - lo) * i) / steps;
    values.push({ x, density: normal.pdf(x, 0, 1), group: comparison });
    values.push({ x, density: normal.pdf(x, d, 1), group: intervention });
  }
  const p = palettes[options.palette === "greyscale" ? "greyscale" : "okabeIto"];
  const colourComparison = options.palette === "greyscale" ? p[0] : palettes.okabeIto[1];
  const colourIntervention = options.palette === "greyscale" ? p[1] : palettes.okabeIto[2];
  const [nameComparison, nameIntervention] = options.palette === "greyscale" ? ["solid black", "dashed grey"] : ["solid orange", "dashed green"];
  const u3 = normal.cdf(d, 0, 1);
  const pct = Math.round(100 * u3);
  const shaded = values.filter((v) => v.group === comparison && v.x <= d);
  const xScale = { domain: [lo, hi], nice: false, zero: false };
  const layer = [
    {
      name: "u3_area", data: { values: shaded },
      mark: { type: "area", color: colourComparison, opacity: 0.15 },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale }, y: { field: "density", type: "quantitative" } },
    },
    {
      name: "curves", data: { values },
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "x", type: "quantitative", scale: xScale, title: "Standardised outcome" },
        y: { field: "density", type: "quantitative", title: "Probability density", scale: { domain: [0, 0.42], nice: false } },
        color: {
          field: "group", type: "nominal", title: null,
          scale: { domain: [comparison, intervention], range: [colourComparison, colourIntervention] },
          legend: { orient: "bottom", direction: "vertical", labelLimit: 400, symbolType: "stroke", symbolSize: 400, symbolStrokeWidth: 2 },
        },
        strokeDash: {
          field: "group", type: "nominal", title: null,
          scale: { domain: [comparison, intervention], range: [[1, 0], [6, 4]] },
          legend: { orient: "bottom", direction: "vertical", labelLimit: 400, symbolType: "stroke", symbolSize: 400, symbolStrokeWidth: 2 },
        },
      },
    },
    {
      name: "means", data: { values: [{ x: 0 }, { x: d }] },
      mark: { type: "rule", color: "#666666", strokeDash: [2, 2] },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale } },
    },
  ];
  const population = input.population ?? "people";
  const title = options.title ?? `Hypothetical outcome distributions for an effect size of ${fmt(d)}`;
  const description = paragraphs(
    `The image shows two overlapping bell-shaped probability distributions. The horizontal axis is the standardised outcome measure, running from ${fmt(lo, 0)} to +${fmt(hi, 0)}, and the vertical axis is probability density, running from 0 to about 0.40.`,
    [
      `The ${nameComparison} curve represents ${comparison} and has a mean of 0 and a standard deviation of 1.`,
      `The ${nameIntervention} curve represents ${intervention} and has a mean of ${fmt(d)} and a standard deviation of 1.`,
      `The shaded area under the ${comparison} curve, left of ${fmt(d)}, is ${fmt(100 * u3, 1)}% of that group (Cohen's U3).`,
    ],
    `The ${intervention} curve is shifted ${fmt(Math.abs(d))} standard deviations to the ${d >= 0 ? "right" : "left"}. ` +
      `An effect size of ${fmt(d)} means that, on average, ${population} receiving the ${intervention} score better than about ${pct}% of those with ${comparison}.`,
  );
  return {
    title,
    alt: `Two normal curves shifted by ${fmt(d)} standard deviations; the average ${intervention} outcome exceeds ${pct}% of ${comparison} outcomes.`,
    description,
    spec: topLevel({ title: { text: title }, width: options.width ?? 420, height: 260, layer }, options.palette),
  };
}
