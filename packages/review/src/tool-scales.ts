import { getTool, NEUTRAL, ROBVIS_COLOURS, toolIdOf, type Tool } from "@homeward/appraisal";

/**
 * Each appraisal tool's judgement scale as @homeward/appraisal declares it
 * (labels, their order and robvis's colours; see that package's tools and
 * scales.ts for the sources), so plots, counts and checks read one
 * declaration. What is kept here is only how a review shows and reads it:
 * robvis's symbols (McGuinness & Higgins, Res Syn Meth 2021;12:55–61), the
 * wordings teams record for a level, and which levels are domain answers and
 * which overall ratings.
 *
 * The engine's CASP overall ratings are the reunification review's (seed
 * 000, Methods and Appendix G), since CASP defines none; ASSESS's criterion
 * scores ("2 – High", "1 – Moderate", "0 – Low"; Ryan et al., Implementation
 * Science Communications 2022;3:34) are its answer labels, drawn beside the
 * per-outcome ratings (Appendix H).
 */
export type ScaleTool = "rob2" | "robins_i" | "casp" | "assess" | "mmat";
/** robvis's colour roles, plus "neutral" for levels robvis does not draw (the engine's grey). */
export type JudgementRole = "low" | "concerns" | "high" | "critical" | "ni" | "neutral";

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

/** The engine declaration behind each scale. */
const ENGINE_IDS: Record<ScaleTool, string> = { rob2: "rob2", robins_i: "robins-i", casp: "casp-qualitative", assess: "assess", mmat: "mmat" };

const NAMES: Record<ScaleTool, { name: string; judgement: string }> = {
  rob2: { name: "RoB 2", judgement: "Risk of bias" },
  robins_i: { name: "ROBINS-I", judgement: "Risk of bias" },
  casp: { name: "CASP", judgement: "Answer" },
  assess: { name: "ASSESS", judgement: "Rating" },
  mmat: { name: "MMAT", judgement: "Answer" },
};

const ROLE_OF_COLOUR: Record<string, JudgementRole> = {
  [ROBVIS_COLOURS.low]: "low",
  [ROBVIS_COLOURS.concerns]: "concerns",
  [ROBVIS_COLOURS.high]: "high",
  [ROBVIS_COLOURS.critical]: "critical",
  [ROBVIS_COLOURS.noInformation]: "ni",
  [NEUTRAL]: "neutral",
};
const SYMBOL: Record<JudgementRole, string> = { low: "+", concerns: "-", high: "X", critical: "!", ni: "?", neutral: "?" };

/** Wordings seen in teams' records and robvis files, by the engine's label. */
const ALIASES: Record<string, readonly string[]> = {
  "Some concerns": ["some concern"],
  "No information": ["ni", "no info"],
  Yes: ["y"],
  "Can't tell": ["cant tell", "cannot tell", "can not tell", "unclear"],
  No: ["n"],
  "Positive/methodologically sound": ["positive", "methodologically sound"],
  "Negative/relatively poor methodology": ["negative", "relatively poor methodology"],
  "Lower bias": ["lower"],
  "Higher bias": ["higher"],
  Unclear: ["cant tell", "can't tell", "no information"],
};
const NOT_APPLICABLE = ["n/a", "na", "not applicable"];
// ASSESS criterion scores carry no colour in the engine; the score's own meaning (2 fully addressed … 0 poorly) gives it.
const SCORE_ROLE: Record<string, JudgementRole> = { "2": "low", "1": "concerns", "0": "high" };
/** Least concern first (an object's integer-like keys would iterate 0, 1, 2). */
const SCORES = ["2", "1", "0"] as const;

const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9/ ]/g, " ").replace(/\s+/g, " ").trim();

function level(label: string, colour: string): ScaleLevel {
  const role = ROLE_OF_COLOUR[colour] ?? "neutral";
  return { label, role, symbol: SYMBOL[role], ...(ALIASES[label] ? { aliases: ALIASES[label] } : {}) };
}

function scaleFromEngine(tool: ScaleTool, t: Tool): ToolScale {
  const notApplicable = new Set(NOT_APPLICABLE.map(key));
  const levels = t.scale.levels.filter((l) => !notApplicable.has(key(l.label))).map((l) => level(l.label, l.colour));
  const ratings = t.overall.kind === "none" ? t.overall.ratings : null;
  const scores = SCORES
    .filter((code) => t.answerLabels[code] !== undefined)
    .map((code) => [code, t.answerLabels[code]!] as const)
    .map(([code, label]): ScaleLevel => ({ label, role: SCORE_ROLE[code]!, symbol: code, aliases: [code, key(label), key(label).replace(/^\d+ /, "")] }));
  const domains = [...scores, ...levels.filter((l) => !(ratings ?? []).includes(l.label))];
  const overall = ratings === null ? levels : ratings.length > 0 ? levels.filter((l) => ratings.includes(l.label)) : null;
  return {
    tool,
    ...NAMES[tool],
    domains,
    overall,
    notApplicable: tool === "rob2" || tool === "robins_i" ? [] : NOT_APPLICABLE,
    source: t.scale.source,
  };
}

export const TOOL_SCALES: Record<ScaleTool, ToolScale> = Object.fromEntries(
  (Object.keys(ENGINE_IDS) as ScaleTool[]).map((s) => [s, scaleFromEngine(s, getTool(ENGINE_IDS[s])!)]),
) as Record<ScaleTool, ToolScale>;

/** Which tool's scale a tool name refers to (the engine's reading of tool names), or null for a tool without a known scale. */
export function scaleToolOf(tool: string): ScaleTool | null {
  const id = toolIdOf(tool);
  if (id === null) return null;
  if (id.startsWith("rob2")) return "rob2";
  if (id.startsWith("robins-i")) return "robins_i";
  if (id === "casp-qualitative") return "casp";
  return id === "assess" || id === "mmat" ? id : null;
}

export function scaleOf(tool: string): ToolScale | null {
  const t = scaleToolOf(tool);
  return t ? TOOL_SCALES[t] : null;
}

/**
 * A recorded judgement on the tool's scale: the level's label; null for
 * blank or "not applicable" (nothing to draw); the trimmed text itself when
 * it is on no level (shown as recorded, never guessed). Risk-of-bias
 * wordings ("Low risk", "Serious risk of bias") read as their level.
 */
export function scaleJudgement(tool: string, text: string | null | undefined, part: "domain" | "overall"): string | null {
  if (text == null || text.trim() === "") return null;
  const scale = scaleOf(tool);
  if (!scale) return text.trim();
  const k = key(scale.judgement === "Risk of bias" ? text.replace(/risk of bias|\brisk\b/gi, "") : text);
  if (scale.notApplicable.some((n) => key(n) === k)) return null;
  const levels = (part === "overall" ? scale.overall : scale.domains) ?? [];
  const found = levels.find((l) => key(l.label) === k || (l.aliases ?? []).some((a) => key(a) === k));
  return found ? found.label : text.trim();
}

/**
 * The tool a risk-of-bias page opens on: the one with most appraised
 * studies (the tool most of the review's studies were judged with); ties
 * go to RoB 2, then ROBINS-I, then by name.
 */
export function orderRobTools<T extends { tool: string; studies: number }>(tools: readonly T[]): T[] {
  const rank = (t: string) => {
    const s = scaleToolOf(t);
    return s === "rob2" ? 0 : s === "robins_i" ? 1 : 2;
  };
  return [...tools].sort((a, b) => b.studies - a.studies || rank(a.tool) - rank(b.tool) || a.tool.localeCompare(b.tool));
}
