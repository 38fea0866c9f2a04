/**
 * Funnel plot: outcomes against their standard error (most precise at the
 * top), the pooled estimate as a vertical line and the pseudo-confidence
 * region θ̂ ± z_{1−α/2}·SE (Sterne & Egger 2001). The contour-enhanced
 * variant (Peters et al. 2008) instead shades the regions where a single
 * study's two-sided p-value, testing against the null value, falls in
 * 0.10–0.05, 0.05–0.01 and below 0.01. Imputed outcomes (trim-and-fill) are
 * drawn as open circles.
 */
import normal from "@stdlib/stats-base-dists-normal";
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural, pval } from "../format.js";
import { ink } from "../theme.js";
import { checkSeries, extent, topLevel, type ChartOptions } from "./common.js";

export interface FunnelInput {
  yi: number[];
  vi: number[];
  /** Pooled estimate drawn as the vertical line and the funnel's centre. */
  estimate: number;
  /** Level of the pseudo-confidence region (default 0.95). */
  level?: number;
  /** Contour-enhanced: shade significance regions around `nullValue` instead of the funnel. */
  contour?: boolean;
  nullValue?: number;
  /** Imputed outcomes from trim-and-fill. */
  filled?: { yi: number[]; vi: number[] };
  /** Asymmetry tests to quote in the description. */
  tests?: { egger?: { p: number }; begg?: { p: number } };
  measure?: string;
}

const CONTOURS = [
  { p: 0.01, fill: "#A6A6A6", label: "p < 0.01" },
  { p: 0.05, fill: "#C8C8C8", label: "0.01 < p < 0.05" },
  { p: 0.1, fill: "#E6E6E6", label: "0.05 < p < 0.10" },
];

export function funnelPlot(input: FunnelInput, options: ChartOptions = {}): Figure {
  const { yi, vi, estimate } = input;
  checkSeries("yi", yi);
  checkSeries("vi", vi, yi.length);
  if (yi.length === 0) throw new RangeError("a funnel plot needs at least one outcome");
  if (vi.some((v) => v <= 0)) throw new RangeError("a funnel plot needs positive sampling variances");
  const colours = ink(options.palette);
  const level = input.level ?? 0.95;
  const z = normal.quantile(1 - (1 - level) / 2, 0, 1);
  const nullValue = input.nullValue ?? 0;
  const filled = input.filled ?? { yi: [], vi: [] };
  const se = vi.map(Math.sqrt);
  const seFilled = filled.vi.map(Math.sqrt);
  const seMax = Math.max(...se, ...seFilled) * 1.05;
  const zOuter = input.contour ? normal.quantile(1 - 0.01 / 2, 0, 1) : z;
  const centre = input.contour ? nullValue : estimate;
  const [xlo, xhi] = extent([...yi, ...filled.yi, centre - zOuter * seMax, centre + zOuter * seMax, estimate]);
  const pad = (xhi - xlo) * 0.03;
  const xScale = { domain: [xlo - pad, xhi + pad], nice: false, zero: false };
  const yScale = { domain: [0, seMax], reverse: true, nice: false, zero: true };
  const xTitle = input.measure ?? "Observed outcome";
  const band = (c: number, zz: number) => [
    { se: 0, lo: c, hi: c },
    { se: seMax, lo: c - zz * seMax, hi: c + zz * seMax },
  ];
  const area = (name: string, values: object[], fill: string) => ({
    name,
    data: { values },
    mark: { type: "area", orient: "horizontal", color: fill, opacity: 1 },
    encoding: {
      y: { field: "se", type: "quantitative", scale: yScale, title: "Standard error" },
      x: { field: "lo", type: "quantitative", scale: xScale, title: xTitle },
      x2: { field: "hi" },
    },
  });
  const background = {
    name: "background",
    data: { values: [{ se: 0, lo: xScale.domain[0], hi: xScale.domain[1] }, { se: seMax, lo: xScale.domain[0], hi: xScale.domain[1] }] },
    mark: { type: "area", orient: "horizontal", color: input.contour ? CONTOURS[0].fill : "#D9D9D9", opacity: 1 },
    encoding: {
      y: { field: "se", type: "quantitative", scale: yScale, title: "Standard error" },
      x: { field: "lo", type: "quantitative", scale: xScale, title: xTitle },
      x2: { field: "hi" },
    },
  };
  const regions = input.contour
    ? [
        area("contour_05", band(nullValue, normal.quantile(1 - 0.01 / 2, 0, 1)), CONTOURS[1].fill),
        area("contour_10", band(nullValue, normal.quantile(1 - 0.05 / 2, 0, 1)), CONTOURS[2].fill),
        area("contour_inner", band(nullValue, normal.quantile(1 - 0.1 / 2, 0, 1)), "white"),
      ]
    : [area("funnel", band(estimate, z), "white")];
  const funnelLines = input.contour
    ? []
    : [-1, 1].map((s) => ({
        name: s < 0 ? "funnel_left" : "funnel_right",
        data: { values: [{ se: 0, x: estimate }, { se: seMax, x: estimate + s * z * seMax }] },
        mark: { type: "line", color: colours.reference, strokeDash: [2, 2], strokeWidth: 1 },
        encoding: { y: { field: "se", type: "quantitative", scale: yScale }, x: { field: "x", type: "quantitative", scale: xScale } },
      }));
  const points = yi.map((y, i) => ({ yi: y, se: se[i], kind: "observed" }));
  const imputed = filled.yi.map((y, i) => ({ yi: y, se: seFilled[i], kind: "imputed" }));
  const pointLayer = (name: string, values: object[], filledMark: boolean) => ({
    name,
    data: { values },
    mark: { type: "point", shape: "circle", filled: filledMark, color: colours.data, size: 30, opacity: 1, strokeWidth: 1 },
    encoding: {
      y: { field: "se", type: "quantitative", scale: yScale },
      x: { field: "yi", type: "quantitative", scale: xScale },
      tooltip: [{ field: "yi", format: ".3f", title: xTitle }, { field: "se", format: ".3f", title: "SE" }, { field: "kind" }],
    },
  });
  const width = options.width ?? 420;
  // Key for the contour shading, drawn in the top-left corner in pixel coordinates.
  const key = input.contour
    ? [
        { label: "p > 0.10", fill: "white" },
        { label: "0.05 < p < 0.10", fill: CONTOURS[2].fill },
        { label: "0.01 < p < 0.05", fill: CONTOURS[1].fill },
        { label: "p < 0.01", fill: CONTOURS[0].fill },
      ].map((e, i) => ({ ...e, y: 10 + 15 * i }))
    : [];
  const keyLayers = key.length
    ? [
        {
          name: "key_swatches", data: { values: key },
          mark: { type: "square", size: 90, stroke: "#555555", strokeWidth: 0.6, opacity: 1 },
          encoding: { x: { value: 12 }, y: { field: "y", type: "quantitative", scale: null }, fill: { field: "fill", type: "nominal", scale: null } },
        },
        {
          name: "key_labels", data: { values: key },
          mark: { type: "text", align: "left", baseline: "middle", fontSize: 10, dx: 0 },
          encoding: { x: { value: 22 }, y: { field: "y", type: "quantitative", scale: null }, text: { field: "label" } },
        },
      ]
    : [];
  const layer = [
    background,
    ...regions,
    ...funnelLines,
    {
      name: "pooled",
      data: { values: [{ x: estimate }] },
      mark: { type: "rule", color: colours.data, strokeDash: [2, 2], strokeWidth: 1 },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale } },
    },
    pointLayer("points", points, true),
    ...(imputed.length ? [pointLayer("imputed", imputed, false)] : []),
    ...keyLayers,
  ];

  const k = yi.length;
  const [ylo, yhi] = extent(yi);
  const sorted = [...se].sort((a, b) => a - b);
  const preciseHalf = yi.filter((_, i) => se[i] <= sorted[Math.floor((k - 1) / 2)]);
  const title = options.title ?? `${input.contour ? "Contour-enhanced funnel plot" : "Funnel plot"} of ${plural(k, "outcome")}`;
  const testLines: string[] = [];
  if (input.tests?.begg) testLines.push(`rank correlation test ${pval(input.tests.begg.p)}`);
  if (input.tests?.egger) testLines.push(`regression test ${pval(input.tests.egger.p)}`);
  const anySignificant = [input.tests?.begg?.p, input.tests?.egger?.p].some((p) => p !== undefined && p < 0.05);
  const description = paragraphs(
    `The image is a ${input.contour ? "contour-enhanced funnel plot" : "funnel plot"} used to examine possible publication bias. ` +
      `The horizontal axis is the ${xTitle.toLowerCase()} and the vertical axis is its standard error, with more precise estimates at the top. ` +
      `Each filled dot is one of the ${plural(k, "outcome")}. A vertical dotted line marks the pooled estimate of ${fmt(estimate)}. ` +
      (input.contour
        ? `Shaded bands centred on ${fmt(nullValue)} show where a single outcome would be statistically significant: white for p > 0.10, then progressively darker grey for 0.05 < p < 0.10, 0.01 < p < 0.05 and p < 0.01, as the key in the top-left corner shows.`
        : `Diagonal dotted lines form the expected ${Math.round(100 * level)}% funnel around it; the area inside the funnel is white and the area outside is grey.`) +
      (imputed.length ? ` Open circles are the ${plural(imputed.length, "outcome")} imputed by trim-and-fill.` : ""),
    [
      `The observed outcomes range from ${fmt(ylo)} to ${fmt(yhi)}; standard errors range from ${fmt(sorted[0], 3)} to ${fmt(sorted[k - 1], 3)}.`,
      `${yi.filter((y) => y > estimate).length} outcomes lie to the right of the pooled estimate and ${yi.filter((y) => y < estimate).length} to the left; among the more precise half, ${preciseHalf.filter((y) => y > estimate).length} lie to the right.`,
      ...(input.contour ? [] : [`${yi.filter((y, i) => Math.abs(y - estimate) > z * se[i]).length} outcomes fall outside the funnel.`]),
    ],
    testLines.length
      ? `Tests for funnel-plot asymmetry: ${testLines.join("; ")}. ` +
          (anySignificant ? "At least one test indicates asymmetry, which can reflect publication bias or small-study effects." : "Neither indicates funnel-plot asymmetry, so the analysis did not identify evidence of publication bias.")
      : undefined,
  );
  return {
    title,
    alt: `${input.contour ? "Contour-enhanced funnel" : "Funnel"} plot of ${plural(k, "outcome")} around a pooled estimate of ${fmt(estimate)}.`,
    description,
    spec: topLevel({ title: { text: title }, width, height: 320, layer }, options.palette),
  };
}
