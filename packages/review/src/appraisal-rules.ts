/**
 * The tools' own rules for reaching an overall risk-of-bias judgement from
 * domain judgements, used to check (never to overwrite) what a reviewer
 * recorded.
 *
 * RoB 2 (Sterne et al., BMJ 2019;366:l4898; Higgins et al., RoB 2 guidance
 * 2019, "Reaching an overall risk-of-bias judgement for a result"):
 *   Low           – low risk of bias in every domain;
 *   Some concerns – some concerns in at least one domain, high in none;
 *   High          – high in at least one domain, OR some concerns in multiple
 *                   domains "in a way that substantially lowers confidence".
 * The second High route is a reviewer's judgement, so with several "some
 * concerns" domains both Some concerns and High are acceptable; only what the
 * algorithm definitely implies is flagged: Low with any non-low domain, Some
 * concerns with a high domain or with every domain low, High with no high
 * domain and at most one "some concerns".
 *
 * ROBINS-I (Sterne et al., BMJ 2016;355:i4919, Table 2 / guidance §"Overall
 * risk of bias"): the overall judgement is the most severe domain judgement
 * (Low < Moderate < Serious < Critical). "No information" overall is meant for
 * studies with no clear indication of serious or critical bias but missing
 * information in key domains. When some domains are "No information" the
 * overall cannot be pinned down, so only what is definite is flagged: an
 * overall less severe than the worst informed domain, or an overall of
 * "No information" when a domain is already Serious or Critical.
 *
 * CASP, ASSESS and MMAT define no overall algorithm; nothing is checked.
 */

export type RuleTool = "rob2" | "robins_i";

/** Which rule set a tool name refers to, or null for tools without an overall algorithm. */
export function ruleToolOf(tool: string): RuleTool | null {
  const key = tool.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (key === "rob2" || key === "riskofbias2" || key === "cochranerob2") return "rob2";
  if (key === "robinsi" || key === "robins") return "robins_i";
  return null;
}

const ROB2_LEVELS = ["Low", "Some concerns", "High"] as const;
const ROBINS_LEVELS = ["Low", "Moderate", "Serious", "Critical"] as const;
const NO_INFO = "No information";

/** Display names of each tool's judgement scale, least severe first (ROBINS-I's "No information" last). */
export const JUDGEMENT_SCALES: Record<RuleTool, readonly string[]> = {
  rob2: ROB2_LEVELS,
  robins_i: [...ROBINS_LEVELS, NO_INFO],
};

/**
 * Canonical judgement label for a tool, tolerant of the wordings teams use
 * ("Low risk", "some concerns", "Serious risk of bias", "NI"); null if the
 * text is not on the tool's scale.
 */
export function canonicalJudgement(tool: RuleTool, text: string): string | null {
  const t = text
    .toLowerCase()
    .replace(/risk of bias/g, "")
    .replace(/\brisk\b/g, "")
    .replace(/[^a-z ]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (tool === "rob2") {
    if (t === "low") return "Low";
    if (t === "some concerns" || t === "some concern") return "Some concerns";
    if (t === "high") return "High";
    return null;
  }
  if (t === "low") return "Low";
  if (t === "moderate") return "Moderate";
  if (t === "serious") return "Serious";
  if (t === "critical") return "Critical";
  if (t === "no information" || t === "ni" || t === "no info") return NO_INFO;
  return null;
}

/** Severity index of a canonical judgement (higher = more severe); "No information" is -1. */
function severity(tool: RuleTool, label: string): number {
  if (label === NO_INFO) return -1;
  return (tool === "rob2" ? (ROB2_LEVELS as readonly string[]) : (ROBINS_LEVELS as readonly string[])).indexOf(label);
}

export interface OverallCheck {
  /** Overall judgements the tool's rules allow for these domains (canonical labels). */
  allowed: string[];
  /** What the rule implies when one answer is definite; otherwise the least severe allowed judgement. */
  implied: string;
  /** The rule, stated in words, that the allowed set comes from. */
  rule: string;
}

/**
 * The overall judgements a tool's algorithm allows for the given domain
 * judgements. Throws nothing: unrecognised domain judgements make the result
 * null, and `checkOverall` reports them.
 */
export function allowedOverall(tool: RuleTool, domains: readonly string[]): OverallCheck | null {
  const labels = domains.map((d) => canonicalJudgement(tool, d));
  if (labels.length === 0 || labels.some((l) => l === null)) return null;
  const ls = labels as string[];
  if (tool === "rob2") {
    const highs = ls.filter((l) => l === "High").length;
    const concerns = ls.filter((l) => l === "Some concerns").length;
    if (highs > 0) return { allowed: ["High"], implied: "High", rule: "RoB 2: overall is High when any domain is High" };
    if (concerns === 0) return { allowed: ["Low"], implied: "Low", rule: "RoB 2: overall is Low when every domain is Low" };
    if (concerns === 1)
      return {
        allowed: ["Some concerns"],
        implied: "Some concerns",
        rule: "RoB 2: with no High domain and a single Some concerns domain, overall is Some concerns (not Low, and not High)",
      };
    return {
      allowed: ["Some concerns", "High"],
      implied: "Some concerns",
      rule: "RoB 2: with Some concerns in several domains and none High, overall is Some concerns, or High if they substantially lower confidence; never Low",
    };
  }
  const informed = ls.filter((l) => l !== NO_INFO);
  const worst = informed.reduce((w, l) => (severity(tool, l) > severity(tool, w) ? l : w), "Low");
  if (informed.length === ls.length)
    return { allowed: [worst], implied: worst, rule: "ROBINS-I: overall equals the most severe domain judgement" };
  // Some domains lack information: the overall is at least the worst informed domain.
  const atLeast = ROBINS_LEVELS.filter((l) => severity(tool, l) >= severity(tool, worst));
  const allowed = severity(tool, worst) <= severity(tool, "Moderate") ? [...atLeast, NO_INFO] : [...atLeast];
  return {
    allowed,
    implied: worst,
    rule:
      severity(tool, worst) <= severity(tool, "Moderate")
        ? `ROBINS-I: with domains lacking information, overall is No information or at least as severe as the worst informed domain (${worst})`
        : `ROBINS-I: overall is at least as severe as the worst domain (${worst}); No information applies only without serious or critical domains`,
  };
}

export interface OverallViolation {
  recorded: string;
  implied: string | null;
  rule: string;
}

/**
 * Checks a recorded overall judgement against the tool's rule. Returns null
 * when it is consistent (or the tool has no rule), otherwise what the rule
 * implies and the rule broken. Recorded text is compared after
 * canonicalisation, so "Low risk" and "Low" agree.
 */
export function checkOverall(tool: string, domains: readonly string[], recorded: string | null | undefined): OverallViolation | null {
  const rt = ruleToolOf(tool);
  if (rt === null || recorded == null || recorded.trim() === "") return null;
  const unknown = domains.filter((d) => canonicalJudgement(rt, d) === null);
  const scale = JUDGEMENT_SCALES[rt].join(", ");
  const name = rt === "rob2" ? "RoB 2" : "ROBINS-I";
  if (unknown.length > 0)
    return { recorded, implied: null, rule: `${name}: domain judgement "${unknown[0]}" is not on the tool's scale (${scale})` };
  if (domains.length === 0) return null;
  const rec = canonicalJudgement(rt, recorded);
  if (rec === null) return { recorded, implied: null, rule: `${name}: overall judgement is not on the tool's scale (${scale})` };
  const check = allowedOverall(rt, domains)!;
  if (check.allowed.includes(rec)) return null;
  return { recorded, implied: check.implied, rule: check.rule };
}
