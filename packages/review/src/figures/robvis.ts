import { NEUTRAL, ROBVIS_COLOURS } from "@homeward/appraisal";
import { baseConfig, fmt, paragraphs, plural, type Figure } from "@homeward/figures";
import type { Appraisal, Study } from "@homeward/model";
import { scaleJudgement, scaleOf, type JudgementRole, type ScaleLevel, type ToolScale } from "../tool-scales.js";
import { toCsv } from "../csv.js";
import { appraisalsByStudy, citationOf } from "../project.js";

/** What the risk-of-bias views read. */
export interface AppraisalsInput {
  studies: readonly Study[];
  appraisals: readonly Appraisal[];
}

/**
 * Risk-of-bias plots after robvis (McGuinness & Higgins, Research Synthesis
 * Methods 2021;12:55–61): a traffic-light plot (one row per study, one column
 * per domain plus Overall, a coloured disc with a symbol per judgement) and a
 * summary plot (one 100% stacked bar per domain plus Overall, optionally
 * weighted). Colours are robvis's: "cochrane" (its default) and
 * "colourblind"; symbols are robvis's (+ low, − some concerns/moderate,
 * × high/serious, ! critical, ? no information).
 */
export type RobPalette = "cochrane" | "colourblind";

const COLOURS: Record<RobPalette, Record<JudgementRole, string>> = {
  cochrane: { low: ROBVIS_COLOURS.low, concerns: ROBVIS_COLOURS.concerns, high: ROBVIS_COLOURS.high, critical: ROBVIS_COLOURS.critical, ni: ROBVIS_COLOURS.noInformation, neutral: NEUTRAL },
  colourblind: { low: "#FED98E", concerns: "#FE9929", high: "#D95F0E", critical: "#993404", ni: "#FFFFFF", neutral: NEUTRAL },
};
/** Judgements on no known scale: told apart by a neutral palette that implies no order of severity. */
const UNSCALED = ["#CCCCCC", "#A6CEE3", "#B2DF8A", "#FDBF6F", "#CAB2D6", "#FFFF99"];

export interface RobPlotData {
  tool: string;
  domains: string[];
  /** One row per study, in citation order. */
  rows: { studyId: string; study: string; judgements: (string | null)[]; overall: string | null }[];
  /** Judgements met, on the tool's scale order (least concern first), then any not on it. */
  levels: string[];
  /** Whether an Overall column/bar is drawn: the tool has an overall judgement or one is recorded. */
  hasOverall: boolean;
}

/** The judgements behind the plots: one appraisal per study (see appraisalsByStudy), on the tool's own scale. */
export function robPlotData(p: AppraisalsInput, tool: string): RobPlotData {
  const byStudy = appraisalsByStudy(p).get(tool) ?? new Map<string, Appraisal>();
  const scale = scaleOf(tool);
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const domains: string[] = [];
  for (const a of byStudy.values()) for (const d of a.domains) if (!domains.includes(d.domain)) domains.push(d.domain);
  const rows = [...byStudy.values()]
    .map((a) => {
      const s = studies.get(a.studyId);
      return {
        studyId: a.studyId,
        study: s ? citationOf(s) : a.studyId,
        judgements: domains.map((d) => scaleJudgement(tool, a.domains.find((x) => x.domain === d)?.judgement ?? null, "domain")),
        overall: scaleJudgement(tool, a.overall, "overall"),
      };
    })
    .sort((a, b) => a.study.localeCompare(b.study));
  const seen: string[] = [];
  for (const r of rows) for (const j of [...r.judgements, r.overall]) if (j && !seen.includes(j)) seen.push(j);
  const order = scaleLevels(scale).map((l) => l.label);
  const levels = [...order.filter((l) => seen.includes(l)), ...seen.filter((l) => !order.includes(l))];
  const hasOverall = (scale !== null && scale.overall !== null) || rows.some((r) => r.overall !== null);
  return { tool, domains, rows, levels, hasOverall };
}

/** The tool's domain levels in its own order, each overall level after the last domain level of the same meaning. */
function scaleLevels(scale: ToolScale | null): ScaleLevel[] {
  if (!scale) return [];
  const extra = (scale.overall ?? []).filter((o) => !scale.domains.some((d) => d.label === o.label));
  const out: ScaleLevel[] = [];
  scale.domains.forEach((d, i) => {
    out.push(d);
    if (!scale.domains.slice(i + 1).some((x) => x.role === d.role)) out.push(...extra.filter((o) => o.role === d.role));
  });
  return [...out, ...extra.filter((o) => !out.includes(o))];
}

function displayTool(tool: string): string {
  return scaleOf(tool)?.name ?? tool;
}

function scaleFor(data: RobPlotData, palette: RobPalette) {
  const scale = scaleOf(data.tool);
  const levels = scaleLevels(scale);
  let other = 0;
  const styled = data.levels.map((label) => {
    const l = levels.find((x) => x.label === label);
    if (l) return { label, colour: COLOURS[palette][l.role], symbol: l.symbol };
    const i = other++;
    return { label, colour: UNSCALED[i % UNSCALED.length]!, symbol: "" };
  });
  return {
    domain: data.levels,
    range: styled.map((s) => s.colour),
    symbols: Object.fromEntries(styled.map((s) => [s.label, s.symbol])),
    legendTitle: scale?.judgement ?? "Judgement",
    source: scale?.source ?? null,
    /** Overall levels of least concern (e.g. "Low"), for "judged other than low" statements. */
    lowest: new Set((scale?.overall ?? []).filter((l) => l.role === "low").map((l) => l.label)),
  };
}

const short = (i: number) => `D${i + 1}`;

/** Traffic-light plot for one tool. */
export function trafficLightFigure(p: AppraisalsInput, tool: string, palette: RobPalette = "cochrane"): Figure {
  const data = robPlotData(p, tool);
  const { domain, range, symbols, legendTitle, source, lowest } = scaleFor(data, palette);
  const columns = [...data.domains.map((_, i) => short(i)), ...(data.hasOverall ? ["Overall"] : [])];
  const values = data.rows.flatMap((r) =>
    [...r.judgements, ...(data.hasOverall ? [r.overall] : [])].map((j, i) => ({
      study: r.study,
      column: columns[i]!,
      domainName: i < data.domains.length ? data.domains[i]! : "Overall",
      judgement: j ?? "Not recorded",
      symbol: j ? symbols[j] : "",
    })),
  ).filter((v) => v.judgement !== "Not recorded");
  const name = displayTool(tool);
  const cell = 34;
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: { ...baseConfig(), axis: { ...baseConfig().axis, grid: false, ticks: false, domain: false } },
    width: cell * columns.length,
    height: cell * data.rows.length,
    // robvis prints the domain key under the plot.
    title: {
      text: data.domains.map((d, i) => `${short(i)}: ${d}`),
      orient: "bottom",
      anchor: "start",
      fontSize: 10,
      fontWeight: "normal",
      offset: 12,
    },
    data: { values },
    encoding: {
      x: { field: "column", type: "nominal", sort: columns, axis: { orient: "top", title: null, labelAngle: 0 } },
      y: { field: "study", type: "nominal", sort: data.rows.map((r) => r.study), axis: { title: null, labelLimit: 0 } },
    },
    layer: [
      {
        name: "discs",
        mark: { type: "point", filled: true, size: 520, stroke: "#333333", strokeWidth: 0.6, opacity: 1 },
        encoding: {
          color: { field: "judgement", type: "nominal", scale: { domain, range }, legend: { title: legendTitle, orient: "bottom", labelLimit: 0, direction: "vertical" } },
          tooltip: [
            { field: "study", title: "Study" },
            { field: "domainName", title: "Domain" },
            { field: "judgement", title: legendTitle },
          ],
        },
      },
      {
        name: "symbols",
        mark: { type: "text", fontWeight: "bold", fontSize: 13, color: "#111111" },
        encoding: { text: { field: "symbol" } },
      },
    ],
  };
  const total = data.rows.length;
  const overallCounts = domain.map((l) => [l, data.rows.filter((r) => r.overall === l).length] as const).filter(([, n]) => n > 0);
  const beyond = legendTitle === "Risk of bias" ? "at more than low risk of bias" : `other than ${[...lowest].join(" or ").toLowerCase()}`;
  const nonLow = data.rows.filter((r) => r.overall !== null && !lowest.has(r.overall)).length;
  const description = paragraphs(
    `The image is a traffic-light plot of ${name} judgements. Each row is one of ${plural(total, "study", "studies")} and each column a domain (${data.domains.length} domains)${data.hasOverall ? " or the overall judgement" : `; ${name} gives no overall judgement`}. Each cell is a disc coloured by the ${legendTitle.toLowerCase()}, with a symbol: ${domain.map((l) => `${symbols[l] || "no symbol"} ${l.toLowerCase()}`).join(", ")}.${source ? ` Scale: ${source}.` : ""}`,
    "Domain key:",
    data.domains.map((d, i) => `${short(i)}: ${d}`),
    data.hasOverall ? "Judgements by study (domains in order, then overall):" : "Judgements by study (domains in order):",
    data.rows.map((r) => `${r.study}: ${r.judgements.map((j) => j ?? "not recorded").join(", ")}${data.hasOverall ? `; overall ${r.overall ?? "not recorded"}` : ""}`),
    !data.hasOverall
      ? undefined
      : overallCounts.length
        ? `Overall, ${overallCounts.map(([l, n]) => `${n} ${n === 1 ? "study was" : "studies were"} judged ${l.toLowerCase()}`).join(", ")}; ${nonLow} of ${total} ${nonLow === 1 ? "was" : "were"} judged ${beyond}.`
        : "No overall judgements are recorded.",
  );
  return {
    spec: spec as unknown as Figure["spec"],
    title: `${name} traffic-light plot`,
    description,
    alt: `Traffic-light plot of ${name} judgements for ${plural(total, "study", "studies")} across ${data.domains.length} domains${data.hasOverall ? " and overall" : ""}.`,
  };
}

/**
 * Summary (weighted bar) plot: per domain and Overall, the share of studies
 * (or of total weight, when weights are given, e.g. meta-analysis weights as
 * robvis's `weighted = TRUE`) at each judgement.
 */
export function robSummaryFigure(
  p: AppraisalsInput,
  tool: string,
  options: { palette?: RobPalette; weights?: Record<string, number> } = {},
): Figure {
  const data = robPlotData(p, tool);
  const { domain, range, legendTitle, source, lowest } = scaleFor(data, options.palette ?? "cochrane");
  const labels = [...data.domains, ...(data.hasOverall ? ["Overall"] : [])];
  const weight = (studyId: string) => (options.weights ? (options.weights[studyId] ?? 0) : 1);
  const values: { domain: string; judgement: string; share: number; order: number }[] = [];
  const lines: string[] = [];
  labels.forEach((d, i) => {
    const js = data.rows.map((r) => ({ w: weight(r.studyId), j: i < data.domains.length ? r.judgements[i] : r.overall }));
    const tot = js.filter((x) => x.j).reduce((a, x) => a + x.w, 0);
    const shares = domain.map((l) => [l, tot === 0 ? 0 : js.filter((x) => x.j === l).reduce((a, x) => a + x.w, 0) / tot] as const);
    shares.forEach(([l, s]) => values.push({ domain: d, judgement: l, share: s, order: domain.indexOf(l) }));
    lines.push(`${d}: ${tot === 0 ? "no judgement recorded" : shares.map(([l, s]) => `${fmt(100 * s, 1)}% ${l.toLowerCase()}`).join(", ")}`);
  });
  const name = displayTool(tool);
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: baseConfig(),
    width: 480,
    height: 28 * labels.length,
    data: { values },
    mark: { type: "bar", stroke: "#333333", strokeWidth: 0.5, name: "bars" },
    encoding: {
      y: { field: "domain", type: "nominal", sort: labels, axis: { title: null, labelLimit: 0 } },
      x: {
        field: "share",
        type: "quantitative",
        stack: "normalize",
        axis: { title: options.weights ? "Share of total weight" : "Share of studies", format: ".0%" },
      },
      color: { field: "judgement", type: "nominal", scale: { domain, range }, legend: { title: legendTitle, orient: "bottom", labelLimit: 0, direction: "vertical" } },
      order: { field: "order", type: "quantitative" },
      tooltip: [
        { field: "domain", title: "Domain" },
        { field: "judgement", title: legendTitle },
        { field: "share", title: "Share", format: ".1%" },
      ],
    },
  };
  const overall = lines[lines.length - 1]!;
  const beyond = legendTitle === "Risk of bias" ? "at more than low risk of bias" : `other than ${[...lowest].join(" or ").toLowerCase()}`;
  const overallValues = values.filter((v) => v.domain === "Overall");
  const overallLow = overallValues.length ? overallValues.filter((v) => lowest.has(v.judgement)).reduce((a, v) => a + v.share, 0) : undefined;
  const description = paragraphs(
    `The image is a horizontal 100% stacked bar chart summarising ${name} assessments of ${plural(data.rows.length, "study", "studies")}. Each row is a domain${data.hasOverall ? ", with the overall judgement last" : ` (${name} gives no overall judgement)`}; each bar is divided into the ${options.weights ? "shares of total study weight" : "proportions of studies"} at each ${legendTitle.toLowerCase()} (${domain.join(", ").toLowerCase()}).${source ? ` Scale: ${source}.` : ""}`,
    "Domain-level judgements:",
    lines,
    data.hasOverall && overallLow !== undefined && lowest.size > 0
      ? `The overall row shows that ${fmt(100 * (1 - overallLow), 1)}% of ${options.weights ? "the weight" : "assessments"} were judged ${beyond} (${overall.replace(/^Overall: /, "")}).`
      : undefined,
  );
  return {
    spec: spec as unknown as Figure["spec"],
    title: `Summary of ${name} assessments`,
    description,
    alt: `Stacked bar chart of ${name} judgements by domain for ${plural(data.rows.length, "study", "studies")}.`,
  };
}

/** The data behind both plots, one row per study. */
export function robCsv(p: AppraisalsInput, tool: string): string {
  const data = robPlotData(p, tool);
  return toCsv(
    ["study_id", "study", ...data.domains, ...(data.hasOverall ? ["Overall"] : [])],
    data.rows.map((r) => [r.studyId, r.study, ...r.judgements, ...(data.hasOverall ? [r.overall] : [])]),
  );
}
