import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  checkAnswers,
  getTool,
  listTools,
  NON_BLINDING_NOT_A_CONCERN,
  overall,
  proposeJudgements,
  toolIdOf,
  type Departure,
  type Tool,
} from "@homeward/appraisal";
import type { Register } from "./index.js";

/**
 * An input error by the CLI's rule (kind "input", exit 2), defined here so
 * the command does not load the model's schemas for its one error class.
 */
class AppraiseInputError extends Error {
  readonly kind = "input" as const;
}
function bad(message: string): never {
  throw new AppraiseInputError(message);
}

/** Departures a file may name by id instead of spelling them out. */
const KNOWN_DEPARTURES: readonly Departure[] = [NON_BLINDING_NOT_A_CONCERN];

/** Tools with variants, and the registry id of each variant. */
const VARIANTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  rob2: { assignment: "rob2", adhering: "rob2-adhering" },
  "rob2-adhering": { assignment: "rob2", adhering: "rob2-adhering" },
  "robins-i": { assignment: "robins-i", adhering: "robins-i-adhering" },
  "robins-i-adhering": { assignment: "robins-i", adhering: "robins-i-adhering" },
  // ROBINS-I V2's domain 1 variants, chosen by the tool's question C4.
  "robins-i-v2": { "intention-to-treat": "robins-i-v2", "per-protocol": "robins-i-v2-per-protocol" },
  "robins-i-v2-per-protocol": { "intention-to-treat": "robins-i-v2", "per-protocol": "robins-i-v2-per-protocol" },
};

/** The variant name a registry id stands for. */
function variantOf(id: string): string | null {
  const entry = VARIANTS[id];
  if (!entry) return null;
  return Object.entries(entry).find(([, v]) => v === id)?.[0] ?? null;
}

export interface TraceEntry {
  /** A domain id, or "overall". */
  domain: string;
  name: string;
  judgement: string | null;
  /** The rule that decided the judgement (the last flowchart step taken), or why there is none. */
  rule: string | null;
  /** Every flowchart step taken, with the answers it read. */
  steps: { rule: string; answers: Record<string, string>; part?: string }[];
  departures?: { id: string; overrides: { question: string; from: string | null; to: string }[]; without: string | null }[];
  score?: { value: number; max: number; scored: number };
  flags?: { code: string; message: string }[];
  applies?: boolean;
}

export interface AppraiseResult {
  tool: { id: string; name: string; version: string };
  variant: string | null;
  domains: Record<string, string | null>;
  overall: string | null;
  trace: TraceEntry[];
  /** Present when the tool proposes no domain judgement, saying why. */
  note?: string;
}

function resolveTool(asked: string, variant: string | null, version: string | undefined): Tool {
  const ids = listTools().map((t) => t.id);
  const direct = getTool(asked) ? asked : toolIdOf(asked);
  if (direct === null || !getTool(direct)) bad(`unknown tool "${asked}" (use one of ${[...new Set(ids)].join(", ")}; casp for casp-qualitative)`);
  let id = direct!;
  if (variant !== null) {
    const variants = VARIANTS[id];
    if (!variants) return bad(`${id} has no variants; leave "variant" out`);
    const chosen = variants[variant];
    if (!chosen) return bad(`"variant" for ${id} must be one of ${Object.keys(variants).join(", ")}`);
    if ((id.endsWith("-adhering") || id.endsWith("-per-protocol")) && chosen !== id) bad(`--tool ${id} is the ${id.endsWith("-adhering") ? "effect of adhering" : "per-protocol variant"}; variant "${variant}" disagrees`);
    id = chosen;
  }
  const tool = getTool(id, version);
  if (!tool) bad(`${id} has no version "${version}" (declared: ${listTools().filter((t) => t.id === id).map((t) => t.version).join(", ")})`);
  return tool!;
}

function readDepartures(raw: unknown, tool: Tool): Departure[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(`"departures" must be a list of departure ids (${KNOWN_DEPARTURES.map((d) => d.id).join(", ")}) or objects {id, text, overrides: [{question, answer}]}`);
  const questions = new Map(tool.domains.flatMap((d) => d.questions.map((q) => [q.id, q] as const)));
  return (raw as unknown[]).map((d, i): Departure => {
    if (typeof d === "string") {
      const known = KNOWN_DEPARTURES.find((k) => k.id === d);
      if (!known) bad(`departure ${i + 1}: unknown id "${d}" (known: ${KNOWN_DEPARTURES.map((k) => k.id).join(", ")})`);
      return known!;
    }
    if (typeof d !== "object" || d === null || Array.isArray(d)) return bad(`departure ${i + 1} must be an id or an object`);
    const o = d as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!["id", "text", "tools", "source", "overrides"].includes(k)) bad(`departure ${i + 1}: unknown key "${k}"`);
    if (typeof o.id !== "string" || o.id === "") bad(`departure ${i + 1} needs an "id"`);
    if (typeof o.text !== "string" || o.text.trim() === "") bad(`departure ${o.id}: say what it departs from in "text"`);
    const tools = o.tools === undefined ? [tool.id] : o.tools;
    if (!Array.isArray(tools) || !tools.every((t) => typeof t === "string")) bad(`departure ${o.id}: "tools" must be a list of tool ids`);
    if (!Array.isArray(o.overrides) || o.overrides.length === 0) bad(`departure ${o.id}: "overrides" must list {question, answer}`);
    const overrides = (o.overrides as unknown[]).map((x) => {
      const ov = (typeof x === "object" && x !== null ? x : {}) as Record<string, unknown>;
      const q = typeof ov.question === "string" ? questions.get(ov.question) : undefined;
      if (!q) bad(`departure ${o.id}: ${tool.name} has no question ${String(ov.question)}`);
      if (typeof ov.answer !== "string" || !q!.options.includes(ov.answer)) bad(`departure ${o.id}: ${String(ov.answer)} is not an allowed answer to ${q!.id}; allowed: ${q!.options.join(", ")}`);
      return { question: q!.id, answer: ov.answer as string };
    });
    return { id: o.id as string, text: o.text as string, tools: tools as string[], overrides, ...(typeof o.source === "string" ? { source: o.source } : {}) };
  });
}

/**
 * The engine's proposals for one set of answers: each domain's judgement
 * with the flowchart steps that decided it, and the overall by the tool's
 * rule. Refuses (input error) answers outside a question's options, answers
 * to questions the tool does not have or does not ask, and answers the
 * algorithm needs but does not have, naming the question.
 */
export function appraise(input: unknown, toolId: string, version?: string): AppraiseResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return bad(`the answers file must be a JSON object {"variant", "answers", "departures"}`);
  const file = input as Record<string, unknown>;
  for (const k of Object.keys(file)) if (!["variant", "answers", "departures"].includes(k)) bad(`unknown key "${k}" (use variant, answers, departures)`);
  const variant = file.variant === undefined || file.variant === null ? null : typeof file.variant === "string" ? file.variant : bad(`"variant" must be a string`);
  const tool = resolveTool(toolId, variant, version);
  const rawAnswers = file.answers ?? {};
  if (typeof rawAnswers !== "object" || rawAnswers === null || Array.isArray(rawAnswers)) bad(`"answers" must map question ids to answers, e.g. {"1.1": "Y"}`);
  const answers: Record<string, string> = {};
  for (const [q, a] of Object.entries(rawAnswers as Record<string, unknown>)) {
    // ASSESS scores read naturally as numbers; the tool's options are their text.
    if (typeof a === "number") answers[q] = String(a);
    else if (typeof a === "string") answers[q] = a;
    else bad(`answer to ${q} must be a string (one of the question's options)`);
  }
  const departures = readDepartures(file.departures, tool);

  const problems = checkAnswers(tool, answers);
  for (const kind of ["unknown-question", "not-allowed", "answered-skipped"] as const) {
    const p = problems.filter((x) => x.kind === kind);
    if (p.length > 0) bad(p.map((x) => x.message).join("; "));
  }
  const proposals = proposeJudgements(tool, answers, departures);
  // Tools that propose nothing need no answers for it; their unanswered questions are the assessor's business.
  const algorithmic = new Set(tool.domains.filter((d) => d.algorithm.kind !== "none").map((d) => d.id));
  const needed = proposals.filter((p) => p.applies && algorithmic.has(p.domain) && p.missing.length > 0);
  if (needed.length > 0)
    bad(`the algorithm needs answers to ${needed.map((p) => `${p.missing.join(", ")} (${p.domain})`).join("; ")}`);

  const domains: Record<string, string | null> = {};
  const trace: TraceEntry[] = proposals.map((p, i) => {
    domains[p.domain] = p.applies ? p.proposed : null;
    // A multi-part domain is decided by each part's result and their combination, not by its last step alone.
    const last =
      tool.domains[i]!.algorithm.kind === "parts"
        ? p.reasons.filter((r) => Object.keys(r.answers).length === 0).map((r) => r.rule).join("; ")
        : (p.reasons.at(-1)?.rule ?? null);
    return {
      domain: p.domain,
      name: p.name,
      judgement: p.applies ? p.proposed : null,
      rule: !p.applies ? "the domain does not apply" : p.proposed === null ? (p.note ?? "no proposal") : last,
      steps: p.reasons.map((r) => ({ rule: r.rule, answers: { ...r.answers }, ...(r.part ? { part: r.part } : {}) })),
      ...(p.departures.length ? { departures: p.departures.map((d) => ({ id: d.id, overrides: d.overrides, without: d.without })) } : {}),
      ...(p.score ? { score: p.score } : {}),
      ...(p.applies ? {} : { applies: false }),
    };
  });
  const o = overall(tool, domains);
  trace.push({
    domain: "overall",
    name: "Overall",
    judgement: o.proposed,
    rule: o.rule,
    steps: [],
    ...(o.flags.length ? { flags: o.flags.map((f) => ({ code: f.code, message: f.message })) } : {}),
  });
  const proposing = tool.domains.filter((d) => d.algorithm.kind !== "none");
  const reasons = [...new Set(tool.domains.flatMap((d) => (d.algorithm.kind === "none" ? [d.algorithm.reason] : [])))];
  const note =
    tool.domains.length === 0
      ? `${tool.name}: ${tool.notCovered?.join("; ") || "no domains are declared"}; nothing is proposed`
      : proposing.length === 0
        ? `${tool.name} proposes no domain judgement (${reasons.join("; ")}): the assessor judges each domain`
        : undefined;
  return {
    tool: { id: tool.id, name: tool.name, version: tool.version },
    variant: variantOf(tool.id),
    domains,
    overall: o.proposed,
    trace,
    ...(note ? { note } : {}),
  };
}

/**
 * `homeward appraise --tool rob2 --answers FILE.json`: the appraisal
 * engine's proposals for one study's answers, for scripts and tests. The
 * file is {"variant": "assignment" | "adhering", "answers": {"1.1": "Y", …},
 * "departures": [id | {id, text, overrides}]}; prints {"tool", "variant",
 * "domains", "overall", "trace"} as one JSON object.
 */
export const register: Register = (program, io) => {
  program
    .command("appraise")
    .requiredOption("--tool <id>", `appraisal tool: ${[...new Set(listTools().map((t) => t.id))].join(", ")} (casp for casp-qualitative)`)
    .requiredOption("--answers <file>", `JSON: {"variant": "assignment", "answers": {"1.1": "Y", "1.2": "PY", ...}, "departures": ["non-blinding-not-a-concern"]} (robins-i-v2: variant "intention-to-treat" or "per-protocol")`)
    .option("--tool-version <version>", "a declared version of the tool (default: the latest)")
    .action((opts: { tool: string; answers: string; toolVersion?: string }) => {
      let text: string;
      try {
        text = readFileSync(resolve(io.cwd, opts.answers), "utf8");
      } catch (err) {
        return bad(`cannot read answers ${opts.answers}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (err) {
        return bad(`answers ${opts.answers} is not valid JSON: ${(err as Error).message}`);
      }
      io.out(JSON.stringify(appraise(input, opts.tool, opts.toolVersion), null, 2) + "\n");
    });
};
