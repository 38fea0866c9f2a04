/**
 * A survey question's answers as grouped horizontal bars (the seed review's
 * Figures 15–17): one bar per answer and respondent column (all
 * respondents, then each group), its length the percentage of the column's
 * respondents, labelled with the count and percentage.
 */
import type { Figure } from "../figure.js";
import { fmt, paragraphs, plural } from "../format.js";
import { palettes } from "../theme.js";
import { topLevel, type ChartOptions } from "./common.js";

export interface SurveyChartInput {
  /** The question as asked. */
  question: string;
  /** Multiple-choice percentages are of respondents and may add up to more than 100. */
  multiple?: boolean;
  /** The respondent columns in order, with their numbers of respondents. */
  columns: { key: string; label: string; n: number }[];
  /** Each answer with its count and percentage per column key. */
  answers: { label: string; counts: Record<string, { n: number; percent: number }> }[];
}

export function surveyChart(input: SurveyChartInput, options: ChartOptions = {}): Figure {
  const { columns, answers } = input;
  if (columns.length === 0) throw new RangeError("a survey chart needs at least one column of respondents");
  if (answers.length === 0) throw new RangeError(`the question "${input.question}" has no answers to draw`);
  const values = answers.flatMap((a, i) =>
    columns.map((c) => {
      const x = a.counts[c.key] ?? { n: 0, percent: 0 };
      return { answer: a.label, order: i, column: `${c.label} (n = ${c.n})`, n: x.n, percent: x.percent, text: `${x.n} (${fmt(x.percent, 1)}%)` };
    }),
  );
  const colourNames = options.palette === "greyscale" ? ["black", "dark grey", "mid grey", "light grey"] : ["blue", "orange", "bluish green", "vermillion", "sky blue", "reddish purple", "yellow"];
  const range = options.palette === "greyscale" ? palettes.greyscale : palettes.okabeIto.slice(0, 7);
  const domain = columns.map((c) => `${c.label} (n = ${c.n})`);
  const max = Math.max(100, ...values.map((v) => v.percent));
  const y = { field: "answer", type: "nominal", sort: { field: "order" }, title: null, axis: { labelLimit: 220 } };
  const x = { field: "percent", type: "quantitative", title: "Percentage of respondents", scale: { domain: [0, Math.ceil(max / 10) * 10] } };
  const yOffset = { field: "column", type: "nominal", sort: domain };
  const layer = [
    {
      mark: { type: "bar" },
      encoding: {
        y, x, yOffset,
        color: { field: "column", type: "nominal", title: null, scale: { domain, range: range.slice(0, domain.length) }, legend: { orient: "bottom", direction: "vertical", labelLimit: 400 } },
      },
    },
    {
      mark: { type: "text", align: "left", dx: 3, fontSize: 10 },
      encoding: { y, x, yOffset, text: { field: "text" } },
    },
  ];
  const title = options.title ?? input.question;
  const band = Math.max(12, 10 * columns.length);
  const leader = answers.map((a) => ({ a, p: a.counts[columns[0]!.key]?.percent ?? 0 })).sort((p, q) => q.p - p.p)[0]!;
  const description = paragraphs(
    `The image is a horizontal bar chart of the answers to the survey question "${input.question}". Each answer has ${columns.length === 1 ? "one bar" : `a group of ${columns.length} bars, one per column of respondents`}; a bar's length is the percentage of that column's respondents who gave the answer, on a scale from 0 to ${Math.ceil(max / 10) * 10}%, and it is labelled with the count and percentage.`,
    columns.length > 1 ? `The columns, from the top of each group: ${columns.map((c, i) => `${c.label} (${plural(c.n, "respondent")}, ${colourNames[i % colourNames.length]})`).join("; ")}.` : `All bars are of ${columns[0]!.label} (${plural(columns[0]!.n, "respondent")}).`,
    answers.map((a) => `${a.label}: ${columns.map((c) => `${c.label} ${a.counts[c.key]?.n ?? 0} (${fmt(a.counts[c.key]?.percent ?? 0, 1)}%)`).join(", ")}.`),
    `The most common answer among ${columns[0]!.label.toLowerCase()} is "${leader.a.label}" (${fmt(leader.p, 1)}%).` +
      (input.multiple ? " Respondents could choose several answers, so the percentages of a column may add up to more than 100." : ""),
  );
  return {
    title,
    alt: `Bar chart of the answers to "${input.question}" by respondent group; the most common answer is "${leader.a.label}" (${fmt(leader.p, 1)}% of ${columns[0]!.label.toLowerCase()}).`,
    description,
    spec: topLevel({ title: { text: title, limit: 520 }, width: options.width ?? 360, height: { step: band }, data: { values }, layer }, options.palette),
  };
}
