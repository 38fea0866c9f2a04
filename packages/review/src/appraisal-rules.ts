import { getTool, overall, type OverallFlag, type Tool } from "@homeward/appraisal";
import { scaleJudgement, scaleToolOf, TOOL_SCALES } from "./tool-scales.js";

/**
 * Checks a recorded overall judgement against the tool's own overall rule,
 * as @homeward/appraisal states and applies it (`overall`), never
 * overwriting what a reviewer recorded. Where the guidance leaves the step
 * to the assessor, the engine proposes the least severe judgement the rule
 * allows and raises a flag; an overall other than the proposal is then
 * listed with that flag, to be accepted with a justification:
 *
 * - RoB 2 (Higgins et al., RoB 2 guidance of 22 August 2019, "Reaching an
 *   overall risk-of-bias judgement"; Sterne et al., BMJ 2019;366:l4898,
 *   Table 2): Low if every domain is Low, High if any is High, otherwise
 *   Some concerns — or High when Some concerns in multiple domains
 *   substantially lower confidence in the result, which is the assessor's
 *   call (flagged).
 * - ROBINS-I (Sterne et al., BMJ 2016;355:i4919): the most severe domain;
 *   No information when information is lacking in a key domain and no
 *   domain is Serious or Critical (which domains are key is the assessor's
 *   call, flagged).
 *
 * CASP, ASSESS and MMAT define no overall algorithm; nothing is checked.
 */
export type RuleTool = "rob2" | "robins_i";

/** The engine declaration a tool name's rule comes from, or null for tools without an overall algorithm. */
function ruleDeclaration(tool: string): { rt: RuleTool; tool: Tool } | null {
  const rt = ruleToolOf(tool);
  if (rt === null) return null;
  const t = getTool(rt === "rob2" ? "rob2" : "robins-i");
  return t && t.overall.kind !== "none" ? { rt, tool: t } : null;
}

/** Which rule set a tool name refers to, or null for tools without an overall algorithm. */
export function ruleToolOf(tool: string): RuleTool | null {
  const s = scaleToolOf(tool);
  return s === "rob2" || s === "robins_i" ? s : null;
}

/** Labels of each tool's judgement scale, in the engine's order (least severe first; "No information" last). */
export const JUDGEMENT_SCALES: Record<RuleTool, readonly string[]> = {
  rob2: TOOL_SCALES.rob2.domains.map((l) => l.label),
  robins_i: TOOL_SCALES.robins_i.domains.map((l) => l.label),
};

/**
 * Canonical judgement label for a tool, tolerant of the wordings teams use
 * ("Low risk", "some concerns", "Serious risk of bias", "NI"); null if the
 * text is not on the tool's scale.
 */
export function canonicalJudgement(tool: RuleTool, text: string): string | null {
  const j = scaleJudgement(tool === "rob2" ? "RoB2" : "ROBINS-I", text, "domain");
  return j !== null && JUDGEMENT_SCALES[tool].includes(j) ? j : null;
}

export interface OverallViolation {
  recorded: string;
  /** The engine's proposal; null when the recorded text cannot be read on the scale. */
  implied: string | null;
  /** The rule, in words, with the proposal it gives here (also the key a flag is accepted under). */
  rule: string;
  /** Set when the guidance leaves this step to the assessor: the engine's flag. */
  flag: OverallFlag | null;
  /** Where the rule is published. */
  source: string;
}

/**
 * The overall judgements besides the proposal that an engine flag leaves to
 * the assessor: RoB 2's High for concerns in several domains; ROBINS-I's most
 * severe informed judgement when the missing information is in no key domain.
 */
function leftOpen(flag: OverallFlag, labels: readonly (string | null)[]): string[] {
  if (flag.code === "rob2-multiple-some-concerns") return ["High"];
  if (flag.code === "robins-no-information-key-domain") {
    const order = JUDGEMENT_SCALES.robins_i;
    const informed = labels.filter((l): l is string => l !== null && l !== "No information");
    return informed.length ? [informed.reduce((w, l) => (order.indexOf(l) > order.indexOf(w) ? l : w))] : [];
  }
  return [];
}

const NAME: Record<RuleTool, string> = { rob2: "RoB 2", robins_i: "ROBINS-I" };

/**
 * Checks a recorded overall judgement against the tool's rule. Returns null
 * when it is the engine's proposal (or the tool has no rule, or the rule
 * proposes nothing here), otherwise the proposal and the rule. Recorded text
 * is compared after canonicalisation, so "Low risk" and "Low" agree.
 */
export function checkOverall(tool: string, domains: readonly string[], recorded: string | null | undefined): OverallViolation | null {
  const decl = ruleDeclaration(tool);
  if (decl === null || recorded == null || recorded.trim() === "") return null;
  const { rt } = decl;
  const rule = decl.tool.overall as Exclude<Tool["overall"], { kind: "none" }>;
  const name = NAME[rt];
  const scale = JUDGEMENT_SCALES[rt].join(", ");
  const labels = domains.map((d) => canonicalJudgement(rt, d));
  const unknown = domains.find((_, i) => labels[i] === null);
  if (unknown !== undefined)
    return { recorded, implied: null, rule: `${name}: domain judgement "${unknown}" is not on the tool's scale (${scale})`, flag: null, source: rule.source };
  if (domains.length === 0) return null;
  const rec = canonicalJudgement(rt, recorded);
  if (rec === null) return { recorded, implied: null, rule: `${name}: overall judgement is not on the tool's scale (${scale})`, flag: null, source: rule.source };
  // Appraisals name their domains as recorded (seed tables, robvis files), so the rule is applied to those domains, each judged.
  const asRecorded: Tool = {
    ...decl.tool,
    domains: labels.map((_, i) => ({ id: `d${i}`, name: domains[i]!, questions: [], algorithm: { kind: "none", reason: "" } })),
  };
  const o = overall(asRecorded, Object.fromEntries(labels.map((l, i) => [`d${i}`, l])));
  if (o.proposed === null || o.proposed === rec) return null;
  const flag = o.flags.find((f) => leftOpen(f, labels).includes(rec)) ?? null;
  return {
    recorded,
    implied: o.proposed,
    rule: `${name}: these domains give ${o.proposed} (${o.rule})${flag ? `; ${flag.message}` : ""}`,
    flag,
    source: rule.source,
  };
}
