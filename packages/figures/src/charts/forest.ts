/**
 * Forest plot: one row per outcome with its estimate (square sized by model
 * weight) and confidence interval, grouped under study headings when
 * outcomes are nested in studies, and the pooled estimate as a diamond with
 * its prediction interval.
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural } from "../format.js";
import { ink } from "../theme.js";
import { checkSeries, extent, topLevel, type ChartOptions } from "./common.js";

export interface ForestRow {
  /** Study label (author, year): the heading of grouped rows. */
  study: string;
  /**
   * What identifies the study, when labels may not (two studies named
   * alike); rows are grouped, and studies counted, by it. Default: `study`.
   */
  studyId?: string;
  /** Outcome label within the study (optional for one-outcome studies). */
  outcome?: string;
  estimate: number;
  ciLower: number;
  ciUpper: number;
  /** Model weight in percent. */
  weight?: number;
  /** The row's entry in the text column (`ForestInput.textColumn`), e.g. the study's risk of bias. */
  text?: string | null;
}

export interface ForestSummary {
  label?: string;
  estimate: number;
  ciLower: number;
  ciUpper: number;
  /** Prediction interval for a true outcome. */
  piLower?: number;
  piUpper?: number;
}

export interface ForestInput {
  rows: ForestRow[];
  summary: ForestSummary;
  /** Axis title, e.g. "Standardised mean difference". */
  measure?: string;
  /** Value of no effect (0 for differences, 0 on the log scale for ratios). */
  nullValue?: number;
  /** Labels for the two sides: [left of null, right of null]. */
  favours?: [string, string];
  /**
   * Group rows under study headings (multilevel models); default: when some
   * study has several outcomes. False when the rows' `study` is only a row
   * label: the text then claims no study count.
   */
  groupByStudy?: boolean;
  /** Confidence level of the intervals, for the text. */
  level?: number;
  /** Title of a text column beside the plot holding each row's `text` (e.g. "Risk of bias"); no column without it. */
  textColumn?: string;
}

const ROW = 18;

export function forestPlot(input: ForestInput, options: ChartOptions = {}): Figure {
  const { rows, summary } = input;
  if (rows.length === 0) throw new RangeError("a forest plot needs at least one row");
  checkSeries("estimate", rows.map((r) => r.estimate));
  checkSeries("ciLower", rows.map((r) => r.ciLower));
  checkSeries("ciUpper", rows.map((r) => r.ciUpper));
  const colours = ink(options.palette);
  const nullValue = input.nullValue ?? 0;
  const level = Math.round(100 * (input.level ?? 0.95));
  const measure = input.measure ?? "Estimate";
  // Studies are counted by what identifies them, never by the labels drawn.
  const studyOf = (r: ForestRow) => r.studyId ?? r.study;
  const studies = [...new Set(rows.map(studyOf))];
  const grouped = input.groupByStudy ?? studies.length < rows.length;

  // Row positions: 1, 2, … from the top; study headings take a row when grouped.
  type Line = { pos: number; text: string; bold: boolean; indent: boolean };
  const lines: Line[] = [];
  const points: Record<string, unknown>[] = [];
  let pos = 0;
  const ordered = grouped ? studies.flatMap((s) => rows.filter((r) => studyOf(r) === s)) : rows;
  let current: string | null = null;
  for (const r of ordered) {
    if (grouped && studyOf(r) !== current) {
      current = studyOf(r);
      lines.push({ pos: ++pos, text: r.study, bold: true, indent: false });
    }
    const label = grouped ? r.outcome ?? r.study : r.outcome ? `${r.study}, ${r.outcome}` : r.study;
    pos++;
    lines.push({ pos, text: label, bold: false, indent: grouped });
    points.push({
      pos, label, study: r.study, estimate: r.estimate, ciLower: r.ciLower, ciUpper: r.ciUpper,
      weight: r.weight ?? null,
      right: `${fmt(r.estimate)} [${fmt(r.ciLower)}, ${fmt(r.ciUpper)}]`,
      weightText: r.weight === undefined ? "" : `${fmt(r.weight, 1)}%`,
      text: r.text ?? "",
    });
  }
  const summaryPos = pos + 2;
  const summaryLabel = summary.label ?? "Random-effects model";
  lines.push({ pos: summaryPos, text: summaryLabel, bold: true, indent: false });
  const half = 0.4;
  const diamond = [
    { x: summary.ciLower, y: summaryPos, y2: summaryPos },
    { x: summary.estimate, y: summaryPos - half, y2: summaryPos + half },
    { x: summary.ciUpper, y: summaryPos, y2: summaryPos },
  ];
  const hasPi = summary.piLower !== undefined && summary.piUpper !== undefined;
  const piPos = summaryPos + 1;
  if (hasPi) lines.push({ pos: piPos, text: "Prediction interval", bold: false, indent: true });
  const lastPos = hasPi ? piPos : summaryPos;
  const [lo, hi] = extent([
    ...rows.flatMap((r) => [r.ciLower, r.ciUpper]), summary.ciLower, summary.ciUpper, nullValue,
    ...(hasPi ? [summary.piLower!, summary.piUpper!] : []),
  ]);
  const pad = (hi - lo) * 0.04 || 0.1;
  const xDomain = [lo - pad, hi + pad];
  const height = ROW * (lastPos + 1);
  const yScale = { domain: [0, lastPos + 1], reverse: true, nice: false, zero: false };
  const y = { field: "pos", type: "quantitative", scale: yScale, axis: null };
  const width = options.width ?? 320;
  const maxWeight = Math.max(...rows.map((r) => r.weight ?? 1));

  const rightText = [
    ...points.map((p) => ({ pos: p.pos, text: p.right, weightText: p.weightText })),
    {
      pos: summaryPos, text: `${fmt(summary.estimate)} [${fmt(summary.ciLower)}, ${fmt(summary.ciUpper)}]`,
      weightText: rows.some((r) => r.weight !== undefined) ? "100%" : "",
    },
    ...(hasPi ? [{ pos: piPos, text: `[${fmt(summary.piLower!)}, ${fmt(summary.piUpper!)}]`, weightText: "" }] : []),
  ];

  const plot = {
    width,
    height,
    layer: [
      {
        name: "null",
        data: { values: [{ x: nullValue }] },
        mark: { type: "rule", color: colours.reference, strokeWidth: 1 },
        encoding: { x: { field: "x", type: "quantitative" } },
      },
      {
        name: "pooled",
        data: { values: [{ x: summary.estimate, y: 0.5, y2: summaryPos }] },
        mark: { type: "rule", color: colours.summary, strokeDash: [3, 3], strokeWidth: 1 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative", scale: yScale, axis: null }, y2: { field: "y2" } },
      },
      {
        name: "ci",
        data: { values: points },
        mark: { type: "rule", color: colours.data, strokeWidth: 1.2 },
        encoding: {
          y,
          x: {
            field: "ciLower", type: "quantitative", scale: { domain: xDomain, nice: false, zero: false },
            title: input.favours ? `${measure}  (← ${input.favours[0]} | ${input.favours[1]} →)` : measure,
          },
          x2: { field: "ciUpper" },
        },
      },
      {
        name: "estimates",
        data: { values: points },
        mark: { type: "square", color: colours.data, opacity: 1 },
        encoding: {
          y,
          x: { field: "estimate", type: "quantitative" },
          size: { field: "weight", type: "quantitative", scale: { domain: [0, maxWeight], range: [12, 120] }, legend: null },
          tooltip: [
            { field: "label", title: "Outcome" },
            { field: "right", title: `Estimate [${level}% CI]` },
            { field: "weightText", title: "Weight" },
          ],
        },
      },
      {
        name: "diamond",
        data: { values: diamond },
        mark: { type: "area", orient: "vertical", color: colours.summary, opacity: 1 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative", scale: yScale, axis: null }, y2: { field: "y2" } },
      },
      ...(hasPi
        ? [{
            name: "pi",
            data: { values: [{ lo: summary.piLower, hi: summary.piUpper, pos: piPos }] },
            mark: { type: "rule", color: colours.summary, strokeWidth: 2, strokeDash: [4, 2] },
            encoding: { y, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
          }]
        : []),
    ],
  };

  const labelValues = lines.map((l) => ({ ...l, text: truncate(l.text, 40) }));
  const labelWidth = Math.min(260, Math.max(80, 6.2 * Math.max(...labelValues.map((l) => l.text.length + (l.indent ? 2 : 0))) + 12));
  const labelLayer = (bold: boolean, indent: boolean) => ({
    transform: [{ filter: `${bold ? "" : "!"}datum.bold && ${indent ? "" : "!"}datum.indent` }],
    mark: { type: "text", align: "left", baseline: "middle", fontSize: 11, fontWeight: bold ? "bold" : "normal" },
    encoding: { y, x: { value: indent ? 12 : 0 }, text: { field: "text" } },
  });
  const labelColumn = {
    width: labelWidth,
    height,
    data: { values: labelValues },
    layer: [labelLayer(true, false), labelLayer(false, false), labelLayer(false, true)],
  };
  const rightColumn = {
    width: 170,
    height,
    data: { values: rightText },
    layer: [
      { mark: { type: "text", align: "left", baseline: "middle", fontSize: 11 }, encoding: { y, x: { value: 4 }, text: { field: "text" } } },
      { mark: { type: "text", align: "right", baseline: "middle", fontSize: 11 }, encoding: { y, x: { value: 166 }, text: { field: "weightText" } } },
    ],
  };

  // Each row's entry beside the interval, so a reader sees it against the estimate it qualifies.
  const textTitle = input.textColumn;
  const textEntries = points.map((p) => ({ pos: p.pos, text: truncate(String(p.text), 24) }));
  const textColumnView = textTitle === undefined ? [] : [{
    title: { text: truncate(textTitle, 24), fontSize: 11, fontWeight: "bold", anchor: "start" },
    width: Math.max(70, 6.2 * Math.max(textTitle.length, ...textEntries.map((t) => t.text.length)) + 8),
    height,
    data: { values: textEntries },
    mark: { type: "text", align: "left", baseline: "middle", fontSize: 11 },
    encoding: { y, x: { value: 4 }, text: { field: "text" } },
  }];
  const textCounts = new Map<string, number>();
  for (const r of rows) {
    const t = r.text ?? "";
    textCounts.set(t, (textCounts.get(t) ?? 0) + 1);
  }
  const textSentence = textTitle === undefined ? "" :
    ` A further column headed "${textTitle}" gives each outcome's entry: ` +
      [...textCounts].map(([t, n]) => `${t === "" ? "none" : t} for ${n}`).join(", ") + ".";

  const crossNull = rows.filter((r) => r.ciLower <= nullValue && r.ciUpper >= nullValue).length;
  const above = rows.filter((r) => r.estimate > nullValue).length;
  const [elo, ehi] = extent(rows.map((r) => r.estimate));
  const pooledCrosses = summary.ciLower <= nullValue && summary.ciUpper >= nullValue;
  const title = options.title ?? `Forest plot of ${plural(rows.length, "outcome")}${grouped ? ` from ${plural(studies.length, "study", "studies")}` : ""}`;
  const description = paragraphs(
    `The image is a forest plot containing ${plural(rows.length, "outcome")}${grouped ? ` from ${plural(studies.length, "study", "studies")}, grouped under study headings` : ""}. ` +
      `The left column names each ${grouped ? "study and outcome" : "outcome"}; the right columns give the estimate with its ${level}% confidence interval${rows.some((r) => r.weight !== undefined) ? " and the model weight" : ""}.` +
      textSentence +
      ` The graph shows a square for each estimate (larger squares carry more weight) and a horizontal line for its ${level}% confidence interval. ` +
      `A vertical line at ${fmt(nullValue)} marks no effect` +
      (input.favours ? `; estimates to the left favour ${input.favours[0]} and estimates to the right favour ${input.favours[1]}.` : "."),
    [
      `Individual estimates range from ${fmt(elo)} to ${fmt(ehi)}; ${above} of ${rows.length} lie above ${fmt(nullValue)}.`,
      `${crossNull} of ${rows.length} individual confidence intervals cross ${fmt(nullValue)}.`,
      `The summary diamond at the bottom (${summaryLabel.toLowerCase()}) is ${fmt(summary.estimate)}, with a ${level}% confidence interval from ${fmt(summary.ciLower)} to ${fmt(summary.ciUpper)}.`,
      ...(hasPi ? [`The ${level}% prediction interval for the true effect in a new setting runs from ${fmt(summary.piLower!)} to ${fmt(summary.piUpper!)}.`] : []),
    ],
    pooledCrosses
      ? `The pooled confidence interval crosses ${fmt(nullValue)}, so the average effect is not statistically distinguishable from no effect.`
      : `The pooled confidence interval does not cross ${fmt(nullValue)}, indicating an average effect ${summary.estimate > nullValue ? "above" : "below"} ${fmt(nullValue)}.` +
          (hasPi && summary.piLower! < nullValue && summary.piUpper! > nullValue
            ? " The prediction interval does cross it: in some settings the true effect may be in the opposite direction."
            : ""),
  );
  return {
    title,
    alt: `Forest plot of ${plural(rows.length, "outcome")}; pooled estimate ${fmt(summary.estimate)} (${level}% CI ${fmt(summary.ciLower)} to ${fmt(summary.ciUpper)}).`,
    description,
    spec: topLevel(
      {
        title: { text: title },
        hconcat: [labelColumn, plot, rightColumn, ...textColumnView],
        spacing: 4,
        resolve: { scale: { y: "shared" } },
      },
      options.palette,
    ),
  };
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
