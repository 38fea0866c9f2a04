import { canonicalJudgement, ruleToolOf } from "./appraisal-rules.js";

/**
 * Each appraisal tool's own judgement scale, so that a plot colours, labels
 * and explains a judgement by what it means in that tool rather than by the
 * order it was met. Colour roles are robvis's (McGuinness & Higgins, Res Syn
 * Meth 2021;12:55–61): "low" the least concern, "concerns", "high", "critical",
 * "ni" (no information / cannot tell).
 *
 * Sources of the categories and their wording:
 * - RoB 2: Higgins JPT, Savović J, Page MJ, Sterne JAC (eds), "Revised
 *   Cochrane risk-of-bias tool for randomized trials (RoB 2)", guidance of
 *   22 August 2019 — "Low risk of bias", "Some concerns", "High risk of bias"
 *   for each domain and overall (Sterne et al., BMJ 2019;366:l4898).
 * - ROBINS-I: Sterne JAC et al., BMJ 2016;355:i4919, Table 2 — "Low",
 *   "Moderate", "Serious", "Critical" risk of bias, and "No information".
 * - CASP: Critical Appraisal Skills Programme, CASP Qualitative Checklist
 *   (2018) — each question answered "Yes", "Can't tell" or "No". CASP
 *   defines no overall rating; reviews add their own, and the one kept here
 *   is the wording of the reunification review (seed 000, Methods: "Positive/
 *   methodologically sound", "Negative/relatively poor methodology",
 *   "Unknown"; Appendix G).
 * - ASSESS: Ryan N et al., Implementation Science Communications 2022;3:34 —
 *   each criterion scored "2 – High" (fully addressed), "1 – Moderate"
 *   (partially addressed) or "0 – Low" (poorly addressed), summed to a rating
 *   per implementation domain, which reviews report as lower or higher bias
 *   (seed 000, Methods and Appendix H: "Lower bias", "Higher bias",
 *   "Unclear", "N/A"). ASSESS gives no overall judgement.
 * - MMAT: Hong QN et al., Mixed Methods Appraisal Tool version 2018, user
 *   guide — each criterion "Yes", "No" or "Can't tell"; the guide discourages
 *   an overall score, so there is none.
 */
export type ScaleTool = "rob2" | "robins_i" | "casp" | "assess" | "mmat";
export type JudgementRole = "low" | "concerns" | "high" | "critical" | "ni";

export interface ScaleLevel {
  label: string;
  role: JudgementRole;
  /** Drawn on the disc, robvis-style; never the only cue (colour and legend label too). */
  symbol: string;
  /** Other wordings teams record for this level, compared in lower case without punctuation. */
  aliases?: readonly string[];
}

export interface ToolScale {
  tool: ScaleTool;
  name: string;
  /** What the tool calls one of its judgements (the legend's title). */
  judgement: string;
  /** Levels of a domain (question, criterion), least concern first. */
  domains: readonly ScaleLevel[];
  /** Levels of the overall judgement; null when the tool gives none (no Overall column or bar is drawn then). */
  overall: readonly ScaleLevel[] | null;
  /** Wordings meaning "does not apply": no judgement to draw. */
  notApplicable: readonly string[];
  source: string;
}

const ROB2: readonly ScaleLevel[] = [
  { label: "Low", role: "low", symbol: "+" },
  { label: "Some concerns", role: "concerns", symbol: "-" },
  { label: "High", role: "high", symbol: "X" },
];
const ROBINS_I: readonly ScaleLevel[] = [
  { label: "Low", role: "low", symbol: "+" },
  { label: "Moderate", role: "concerns", symbol: "-" },
  { label: "Serious", role: "high", symbol: "X" },
  { label: "Critical", role: "critical", symbol: "!" },
  { label: "No information", role: "ni", symbol: "?" },
];
const YES_CANT_TELL_NO: readonly ScaleLevel[] = [
  { label: "Yes", role: "low", symbol: "+", aliases: ["y"] },
  { label: "Can't tell", role: "ni", symbol: "?", aliases: ["cant tell", "cannot tell", "can not tell", "unclear"] },
  { label: "No", role: "high", symbol: "X", aliases: ["n"] },
];

export const TOOL_SCALES: Record<ScaleTool, ToolScale> = {
  rob2: {
    tool: "rob2",
    name: "RoB 2",
    judgement: "Risk of bias",
    domains: ROB2,
    overall: ROB2,
    notApplicable: [],
    source: "Higgins et al., RoB 2 guidance (2019); Sterne et al., BMJ 2019;366:l4898",
  },
  robins_i: {
    tool: "robins_i",
    name: "ROBINS-I",
    judgement: "Risk of bias",
    domains: ROBINS_I,
    overall: ROBINS_I,
    notApplicable: [],
    source: "Sterne et al., BMJ 2016;355:i4919",
  },
  casp: {
    tool: "casp",
    name: "CASP",
    judgement: "Answer",
    domains: YES_CANT_TELL_NO,
    overall: [
      { label: "Positive/methodologically sound", role: "low", symbol: "+", aliases: ["positive", "methodologically sound"] },
      { label: "Unknown", role: "ni", symbol: "?" },
      { label: "Negative/relatively poor methodology", role: "high", symbol: "X", aliases: ["negative", "relatively poor methodology"] },
    ],
    notApplicable: ["n/a", "na", "not applicable"],
    source: "CASP Qualitative Checklist (2018); overall rating as reported in the review (no CASP overall)",
  },
  assess: {
    tool: "assess",
    name: "ASSESS",
    judgement: "Rating",
    domains: [
      { label: "2 – High", role: "low", symbol: "2", aliases: ["2", "2 high", "high"] },
      { label: "Lower bias", role: "low", symbol: "+", aliases: ["lower"] },
      { label: "1 – Moderate", role: "concerns", symbol: "1", aliases: ["1", "1 moderate", "moderate"] },
      { label: "0 – Low", role: "high", symbol: "0", aliases: ["0", "0 low", "low"] },
      { label: "Higher bias", role: "high", symbol: "X", aliases: ["higher"] },
      { label: "Unclear", role: "ni", symbol: "?", aliases: ["cant tell", "can't tell", "no information"] },
    ],
    overall: null,
    notApplicable: ["n/a", "na", "not applicable"],
    source: "Ryan et al., Implementation Science Communications 2022;3:34",
  },
  mmat: {
    tool: "mmat",
    name: "MMAT",
    judgement: "Answer",
    domains: YES_CANT_TELL_NO,
    overall: null,
    notApplicable: ["n/a", "na", "not applicable"],
    source: "Hong et al., MMAT version 2018 user guide",
  },
};

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9/ ]/g, " ").replace(/\s+/g, " ").trim();

/** Which tool's scale a tool name refers to, or null for a tool without a known scale. */
export function scaleToolOf(tool: string): ScaleTool | null {
  const rule = ruleToolOf(tool);
  if (rule) return rule;
  const k = tool.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (k.startsWith("casp")) return "casp";
  if (k === "assess" || k.startsWith("assesstool")) return "assess";
  if (k.startsWith("mmat") || k === "mixedmethodsappraisaltool") return "mmat";
  return null;
}

export function scaleOf(tool: string): ToolScale | null {
  const t = scaleToolOf(tool);
  return t ? TOOL_SCALES[t] : null;
}

/**
 * A recorded judgement on the tool's scale: the level's label; null for
 * blank or "not applicable" (nothing to draw); the trimmed text itself when
 * it is on no level (shown as recorded, never guessed).
 */
export function scaleJudgement(tool: string, text: string | null | undefined, part: "domain" | "overall"): string | null {
  if (text == null || text.trim() === "") return null;
  const scale = scaleOf(tool);
  if (!scale) return text.trim();
  if (scale.tool === "rob2" || scale.tool === "robins_i") return canonicalJudgement(scale.tool, text) ?? text.trim();
  const k = key(text);
  if (scale.notApplicable.some((n) => key(n) === k)) return null;
  const levels = (part === "overall" ? scale.overall : scale.domains) ?? [];
  const level = levels.find((l) => key(l.label) === k || (l.aliases ?? []).some((a) => key(a) === k));
  return level ? level.label : text.trim();
}

/**
 * The tool a risk-of-bias page opens on: the one with most appraised
 * studies (the tool most of the review's studies were judged with); ties
 * go to RoB 2, then ROBINS-I, then by name.
 */
export function orderRobTools<T extends { tool: string; studies: number }>(tools: readonly T[]): T[] {
  const rank = (t: string) => {
    const s = ruleToolOf(t);
    return s === "rob2" ? 0 : s === "robins_i" ? 1 : 2;
  };
  return [...tools].sort((a, b) => b.studies - a.studies || rank(a.tool) - rank(b.tool) || a.tool.localeCompare(b.tool));
}
