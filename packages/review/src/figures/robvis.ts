import { baseConfig, fmt, paragraphs, plural, type Figure } from "@homeward/figures";
import type { Appraisal, Study } from "@homeward/model";
import { canonicalJudgement, ruleToolOf, type RuleTool } from "../appraisal-rules.js";
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

const COLOURS: Record<RobPalette, { low: string; concerns: string; high: string; critical: string; ni: string; na: string }> = {
  cochrane: { low: "#02C100", concerns: "#E2DF07", high: "#BF0000", critical: "#820000", ni: "#4EA1F7", na: "#CCCCCC" },
  colourblind: { low: "#FED98E", concerns: "#FE9929", high: "#D95F0E", critical: "#993404", ni: "#FFFFFF", na: "#CCCCCC" },
};

interface Level {
  label: string;
  colour: keyof (typeof COLOURS)["cochrane"];
  symbol: string;
}

/** The judgement scale of a tool, least severe first, with robvis's colour role and symbol. */
function levelsFor(tool: RuleTool | null, seen: string[]): Level[] {
  if (tool === "rob2")
    return [
      { label: "Low", colour: "low", symbol: "+" },
      { label: "Some concerns", colour: "concerns", symbol: "-" },
      { label: "High", colour: "high", symbol: "X" },
    ];
  if (tool === "robins_i")
    return [
      { label: "Low", colour: "low", symbol: "+" },
      { label: "Moderate", colour: "concerns", symbol: "-" },
      { label: "Serious", colour: "high", symbol: "X" },
      { label: "Critical", colour: "critical", symbol: "!" },
      { label: "No information", colour: "ni", symbol: "?" },
    ];
  // Tools without a fixed scale (CASP, ASSESS, ...): judgements in the order met, grey shades.
  return seen.map((label, i) => ({ label, colour: "na", symbol: String(i + 1) }));
}

export interface RobPlotData {
  tool: string;
  domains: string[];
  /** One row per study, in citation order. */
  rows: { studyId: string; study: string; judgements: (string | null)[]; overall: string | null }[];
  levels: string[];
}

/** The judgements behind the plots: one appraisal per study (see appraisalsByStudy), canonical labels. */
export function robPlotData(p: AppraisalsInput, tool: string): RobPlotData {
  const byStudy = appraisalsByStudy(p).get(tool) ?? new Map<string, Appraisal>();
  const rt = ruleToolOf(tool);
  const show = (j: string | null) => (j == null || j.trim() === "" ? null : (rt && canonicalJudgement(rt, j)) || j.trim());
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const domains: string[] = [];
  for (const a of byStudy.values()) for (const d of a.domains) if (!domains.includes(d.domain)) domains.push(d.domain);
  const rows = [...byStudy.values()]
    .map((a) => {
      const s = studies.get(a.studyId);
      return {
        studyId: a.studyId,
        study: s ? citationOf(s) : a.studyId,
        judgements: domains.map((d) => show(a.domains.find((x) => x.domain === d)?.judgement ?? null)),
        overall: show(a.overall),
      };
    })
    .sort((a, b) => a.study.localeCompare(b.study));
  const seen: string[] = [];
  for (const r of rows) for (const j of [...r.judgements, r.overall]) if (j && !seen.includes(j)) seen.push(j);
  const scale = levelsFor(rt, seen).map((l) => l.label);
  const levels = [...scale.filter((l) => seen.includes(l)), ...seen.filter((l) => !scale.includes(l))];
  return { tool, domains, rows, levels };
}

function displayTool(tool: string): string {
  const rt = ruleToolOf(tool);
  return rt === "rob2" ? "RoB 2" : rt === "robins_i" ? "ROBINS-I" : tool;
}

function scaleFor(data: RobPlotData, palette: RobPalette) {
  const rt = ruleToolOf(data.tool);
  const levels = levelsFor(rt, data.levels);
  const greys = ["#F0F0F0", "#BDBDBD", "#969696", "#737373", "#525252", "#252525"];
  const colourOf = (label: string, i: number) => {
    const l = levels.find((x) => x.label === label);
    return l && rt ? COLOURS[palette][l.colour] : greys[i % greys.length]!;
  };
  const symbolOf = (label: string, i: number) => levels.find((x) => x.label === label)?.symbol ?? String(i + 1);
  return {
    domain: data.levels,
    range: data.levels.map(colourOf),
    symbols: Object.fromEntries(data.levels.map((l, i) => [l, symbolOf(l, i)])),
  };
}

const short = (i: number) => `D${i + 1}`;

/** Traffic-light plot for one tool. */
export function trafficLightFigure(p: AppraisalsInput, tool: string, palette: RobPalette = "cochrane"): Figure {
  const data = robPlotData(p, tool);
  const { domain, range, symbols } = scaleFor(data, palette);
  const columns = [...data.domains.map((_, i) => short(i)), "Overall"];
  const values = data.rows.flatMap((r) =>
    [...r.judgements, r.overall].map((j, i) => ({
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
          color: { field: "judgement", type: "nominal", scale: { domain, range }, legend: { title: "Judgement", orient: "bottom" } },
          tooltip: [
            { field: "study", title: "Study" },
            { field: "domainName", title: "Domain" },
            { field: "judgement", title: "Judgement" },
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
  const nonLow = data.rows.filter((r) => r.overall !== null && r.overall !== "Low").length;
  const description = paragraphs(
    `The image is a traffic-light plot of ${name} risk-of-bias judgements. Each row is one of ${plural(total, "study", "studies")} and each column a domain (${data.domains.length} domains) or the overall judgement. Each cell is a disc coloured by the judgement, with a symbol: ${domain.map((l) => `${symbols[l]} ${l.toLowerCase()}`).join(", ")}.`,
    "Domain key:",
    data.domains.map((d, i) => `${short(i)}: ${d}`),
    "Judgements by study (domains in order, then overall):",
    data.rows.map((r) => `${r.study}: ${r.judgements.map((j) => j ?? "not recorded").join(", ")}; overall ${r.overall ?? "not recorded"}`),
    overallCounts.length
      ? `Overall, ${overallCounts.map(([l, n]) => `${n} ${n === 1 ? "study was" : "studies were"} judged ${l.toLowerCase()}`).join(", ")}; ${nonLow} of ${total} ${nonLow === 1 ? "was" : "were"} judged at more than low risk of bias.`
      : "No overall judgements are recorded.",
  );
  return {
    spec: spec as unknown as Figure["spec"],
    title: `${name} traffic-light plot`,
    description,
    alt: `Traffic-light plot of ${name} judgements for ${plural(total, "study", "studies")} across ${data.domains.length} domains and overall.`,
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
  const { domain, range } = scaleFor(data, options.palette ?? "cochrane");
  const labels = [...data.domains, "Overall"];
  const weight = (studyId: string) => (options.weights ? (options.weights[studyId] ?? 0) : 1);
  const values: { domain: string; judgement: string; share: number; order: number }[] = [];
  const lines: string[] = [];
  labels.forEach((d, i) => {
    const js = data.rows.map((r) => ({ w: weight(r.studyId), j: i < data.domains.length ? r.judgements[i] : r.overall }));
    const tot = js.filter((x) => x.j).reduce((a, x) => a + x.w, 0);
    const shares = domain.map((l) => [l, tot === 0 ? 0 : js.filter((x) => x.j === l).reduce((a, x) => a + x.w, 0) / tot] as const);
    shares.forEach(([l, s]) => values.push({ domain: d, judgement: l, share: s, order: domain.indexOf(l) }));
    lines.push(`${d}: ${shares.map(([l, s]) => `${fmt(100 * s, 1)}% ${l.toLowerCase()}`).join(", ")}`);
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
      color: { field: "judgement", type: "nominal", scale: { domain, range }, legend: { title: "Judgement", orient: "bottom" } },
      order: { field: "order", type: "quantitative" },
      tooltip: [
        { field: "domain", title: "Domain" },
        { field: "judgement", title: "Judgement" },
        { field: "share", title: "Share", format: ".1%" },
      ],
    },
  };
  const overall = lines[lines.length - 1]!;
  const overallLow = values.find((v) => v.domain === "Overall" && v.judgement === "Low")?.share;
  const description = paragraphs(
    `The image is a horizontal 100% stacked bar chart summarising ${name} assessments of ${plural(data.rows.length, "study", "studies")}. Each row is a risk-of-bias domain, with the overall judgement last; each bar is divided into the ${options.weights ? "shares of total study weight" : "proportions of studies"} at each judgement (${domain.join(", ").toLowerCase()}).`,
    "Domain-level judgements:",
    lines,
    overallLow !== undefined
      ? `The overall row shows that ${fmt(100 * (1 - overallLow), 1)}% of ${options.weights ? "the weight" : "assessments"} were at more than low risk of bias (${overall.replace(/^Overall: /, "")}).`
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
    ["study_id", "study", ...data.domains, "Overall"],
    data.rows.map((r) => [r.studyId, r.study, ...r.judgements, r.overall]),
  );
}
