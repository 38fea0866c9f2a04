/**
 * Recall curve of a screening simulation: the share of relevant records
 * found against the share of records screened, one line per model, with
 * random order (the diagonal) for reference and the point where each model
 * reached 95% recall, from which WSS@95 is read (Cohen et al. 2006).
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs } from "../format.js";
import { palettes } from "../theme.js";
import { topLevel, type ChartOptions } from "./common.js";

export interface RecallCurve {
  /** Model label, as the legend shows it. */
  model: string;
  /** Points (records screened, relevant found), ascending, starting at (0, 0) and ending at (records, relevant). */
  points: readonly { screened: number; found: number }[];
  /** Records screened when 95% of the relevant records had been found. */
  n95: number;
  wss95: number;
}

export interface RecallInput {
  records: number;
  relevant: number;
  curves: readonly RecallCurve[];
}

export function recallCurvePlot(input: RecallInput, options: ChartOptions = {}): Figure {
  const { records, relevant, curves } = input;
  if (!(records > 0) || !(relevant > 0)) throw new RangeError("a recall curve needs records and at least one relevant record");
  if (curves.length === 0) throw new RangeError("a recall curve needs at least one model");
  const grey = options.palette === "greyscale";
  const colours = grey ? palettes.greyscale : palettes.okabeIto;
  const dashes = [[1, 0], [6, 4], [2, 2], [8, 2, 2, 2]];
  const values = curves.flatMap((c) => c.points.map((p) => ({ model: c.model, screened: (100 * p.screened) / records, recall: (100 * p.found) / relevant })));
  const names = curves.map((c) => c.model);
  const random = "Random order";
  const x = { field: "screened", type: "quantitative", title: "Records screened (%)", scale: { domain: [0, 100], nice: false } };
  const y = { field: "recall", type: "quantitative", title: "Relevant records found (%)", scale: { domain: [0, 100], nice: false } };
  const layer = [
    {
      name: "random", data: { values: [{ screened: 0, recall: 0, model: random }, { screened: 100, recall: 100, model: random }] },
      mark: { type: "line", color: "#767676", strokeDash: [3, 3], strokeWidth: 1 },
      encoding: { x, y },
    },
    {
      name: "target", data: { values: [{ recall: 95 }] },
      mark: { type: "rule", color: "#767676", strokeWidth: 1 },
      encoding: { y: { field: "recall", type: "quantitative" } },
    },
    {
      name: "curves", data: { values },
      mark: { type: "line", strokeWidth: 2, interpolate: "step-after" },
      encoding: {
        x, y,
        color: { field: "model", type: "nominal", title: null, scale: { domain: names, range: names.map((_, i) => colours[i % colours.length]) }, legend: { orient: "bottom", direction: "vertical", labelLimit: 400, symbolType: "stroke", symbolSize: 400 } },
        strokeDash: { field: "model", type: "nominal", title: null, scale: { domain: names, range: names.map((_, i) => dashes[i % dashes.length]) }, legend: { orient: "bottom", direction: "vertical", labelLimit: 400, symbolType: "stroke", symbolSize: 400 } },
      },
    },
    {
      name: "n95", data: { values: curves.map((c) => ({ model: c.model, screened: (100 * c.n95) / records, recall: (100 * Math.ceil(0.95 * relevant)) / relevant })) },
      mark: { type: "point", filled: true, size: 60 },
      encoding: { x, y, color: { field: "model", type: "nominal", legend: null, scale: { domain: names, range: names.map((_, i) => colours[i % colours.length]) } } },
    },
  ];
  const lineNames = grey ? ["solid", "dashed", "dotted", "dash-dotted"] : ["solid", "dashed", "dotted", "dash-dotted"];
  const title = options.title ?? `Recall curve of a screening simulation on ${fmt(records, 0)} records (${fmt(relevant, 0)} relevant)`;
  const reached = (c: RecallCurve) => `${fmt((100 * c.n95) / records, 1)}% of the records (${fmt(c.n95, 0)})`;
  const best = curves.reduce((a, b) => (b.wss95 > a.wss95 ? b : a));
  const description = paragraphs(
    `The image is a line chart. The horizontal axis is the share of records screened, from 0 to 100%, in the order the model served them; the vertical axis is the share of the ${fmt(relevant, 0)} relevant records found so far, from 0 to 100%. A grey dotted diagonal shows screening in random order, and a grey horizontal line marks 95% recall.`,
    curves.map((c, i) => `The ${lineNames[i % lineNames.length]} line is ${c.model}: it reached 95% recall after ${reached(c)}, a WSS@95 of ${fmt(c.wss95, 3)}; a dot marks that point.`),
    curves.length > 1
      ? `${best.model} reached 95% recall soonest. WSS@95 is the share of records a team would not have needed to screen at 95% recall, less the 5% random order would also have saved.`
      : `WSS@95 is the share of records a team would not have needed to screen at 95% recall, less the 5% random order would also have saved.`,
  );
  return {
    title,
    alt: `Recall against records screened for ${curves.map((c) => `${c.model} (95% recall after ${fmt((100 * c.n95) / records, 1)}% of records)`).join(" and ")}.`,
    description,
    spec: topLevel({ title: { text: title }, width: options.width ?? 420, height: 300, layer }, options.palette),
  };
}
