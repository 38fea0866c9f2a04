import type { AnswerCode, Answers, Condition, Departure, Domain, Question, Tool, Tree } from "./types.js";

export const NOT_ASKED: AnswerCode = "NA";

// ---------------------------------------------------------------- conditions

/** Question ids a condition reads. */
export function conditionQuestions(c: Condition): string[] {
  if ("q" in c) return [c.q];
  const parts = "all" in c ? c.all : c.any;
  return [...new Set(parts.flatMap(conditionQuestions))];
}

/** Evaluates a condition; `read` gives the answer a question reads as (undefined when unanswered). */
export function holds(c: Condition, read: (q: string) => AnswerCode | undefined): boolean {
  if ("q" in c) {
    const a = read(c.q);
    return a !== undefined && c.in.includes(a);
  }
  if ("all" in c) return c.all.every((p) => holds(p, read));
  return c.any.some((p) => holds(p, read));
}

/** The condition in the guidance's notation: "2.1 ∈ {Y, PY, NI}". */
export function describeCondition(c: Condition): string {
  if ("q" in c) return `${c.q} ∈ {${c.in.join(", ")}}`;
  const parts = ("all" in c ? c.all : c.any).map((p) => ("q" in p ? describeCondition(p) : `(${describeCondition(p)})`));
  return parts.join("all" in c ? " and " : " or ");
}

// ---------------------------------------------------------------- asking

export interface AskState {
  asked: string[];
  skipped: string[];
  /** The answer each question reads as: the given answer when asked, "NA" when skipped. */
  read: (q: string) => AnswerCode | undefined;
}

/**
 * Which questions of a domain are asked, given the answers. Questions are
 * taken in order, and a condition reads only earlier questions (checked by
 * the tests for every tool), so one pass settles it.
 */
export function askState(domain: Domain, answers: Answers, context?: Answers): AskState {
  const asked: string[] = [];
  const skipped: string[] = [];
  const reads = new Map<string, AnswerCode | undefined>();
  const read = (q: string) => (reads.has(q) ? reads.get(q) : (context?.[q] ?? answers[q]));
  for (const q of domain.questions) {
    if (q.askedWhen === undefined || holds(q.askedWhen, read)) {
      asked.push(q.id);
      reads.set(q.id, answers[q.id]);
    } else {
      skipped.push(q.id);
      reads.set(q.id, NOT_ASKED);
    }
  }
  return { asked, skipped, read };
}

// ---------------------------------------------------------------- proposals

export interface Reason {
  /** The flowchart step: the condition that held, in the guidance's notation. */
  rule: string;
  /** The answers it read. */
  answers: Record<string, AnswerCode>;
  /** For multi-part algorithms, the part. */
  part?: string;
}

export interface AppliedDeparture {
  id: string;
  text: string;
  overrides: { question: string; from: AnswerCode | null; to: AnswerCode }[];
  /** What the algorithm proposes without the departure. */
  without: string | null;
}

export interface DomainProposal {
  domain: string;
  name: string;
  /** The algorithm's proposal; null when the tool proposes none or answers are missing. */
  proposed: string | null;
  reasons: Reason[];
  asked: string[];
  skipped: string[];
  /** Asked, required and unanswered questions that stop the algorithm. */
  missing: string[];
  /** Departures that changed this domain's proposal, with what it would be without them. */
  departures: AppliedDeparture[];
  /** Departures that substituted an answer in this domain without changing the proposal. */
  departuresWithoutEffect: string[];
  /** ASSESS-style summed score. */
  score?: { value: number; max: number; scored: number };
  /** Why nothing is proposed, when that is the tool's design. */
  note?: string;
  /** False when the domain does not apply (MMAT category not chosen). */
  applies: boolean;
}

type TreeResult = { judgement: string | null; reasons: Reason[]; missing: string[]; open?: string };

function walk(tree: Tree, read: (q: string) => AnswerCode | undefined, part?: string): TreeResult {
  const reasons: Reason[] = [];
  let node = tree;
  for (;;) {
    if ("judgement" in node) {
      if (node.judgement === null) return { judgement: null, reasons, missing: [], open: node.open };
      return { judgement: node.judgement, reasons, missing: [] };
    }
    const qs = [...new Set(node.branches.flatMap((b) => conditionQuestions(b.when)))];
    const missing = qs.filter((q) => read(q) === undefined);
    if (missing.length > 0) return { judgement: null, reasons, missing };
    const taken = node.branches.find((b) => holds(b.when, read));
    if (!taken) {
      // Answers outside the flowchart's options (checkAnswers reports them): no proposal.
      return { judgement: null, reasons, missing: [] };
    }
    const read1: Record<string, AnswerCode> = {};
    for (const q of conditionQuestions(taken.when)) read1[q] = read(q)!;
    reasons.push({ rule: describeCondition(taken.when), answers: read1, ...(part ? { part } : {}) });
    node = taken.then;
  }
}

function severityOf(tool: Tool, label: string): number | null {
  return tool.scale.levels.find((l) => l.label === label)?.severity ?? null;
}

function applyDepartures(tool: Tool, answers: Answers, departures: readonly Departure[]): Answers {
  const out: Record<string, AnswerCode> = { ...answers };
  for (const d of departures) if (d.tools.includes(tool.id)) for (const o of d.overrides) out[o.question] = o.answer;
  return out;
}

function proposeRaw(tool: Tool, domain: Domain, answers: Answers): Omit<DomainProposal, "departures" | "departuresWithoutEffect"> {
  const base = { domain: domain.id, name: domain.name };
  if (domain.appliesWhen && !holds(domain.appliesWhen, (q) => answers[q])) {
    return { ...base, proposed: null, reasons: [], asked: [], skipped: domain.questions.map((q) => q.id), missing: [], applies: false };
  }
  const st = askState(domain, answers);
  const required = domain.questions.filter((q) => st.asked.includes(q.id) && !q.optional && q.options.length > 0);
  const unanswered = required.filter((q) => answers[q.id] === undefined || answers[q.id] === "").map((q) => q.id);
  const common = { ...base, asked: st.asked, skipped: st.skipped, applies: true };
  const alg = domain.algorithm;
  switch (alg.kind) {
    case "none":
      return { ...common, proposed: null, reasons: [], missing: unanswered, note: alg.reason };
    case "tree": {
      const r = walk(alg.tree, st.read);
      return { ...common, proposed: r.judgement, reasons: r.reasons, missing: r.missing.length ? r.missing : [], ...(r.open ? { note: r.open } : {}) };
    }
    case "parts": {
      const rs = alg.parts.map((p) => ({ p, r: walk(p.tree, st.read, p.name) }));
      const reasons = rs.flatMap(({ p, r }) => [
        ...r.reasons,
        ...(r.judgement ? [{ rule: `${p.name}: ${r.judgement}`, answers: {}, part: p.name }] : []),
      ]);
      const missing = rs.flatMap(({ r }) => r.missing);
      if (rs.some(({ r }) => r.judgement === null)) return { ...common, proposed: null, reasons, missing };
      const js = rs.map(({ r }) => r.judgement!);
      const worst = js.reduce((w, j) => ((severityOf(tool, j) ?? -1) > (severityOf(tool, w) ?? -1) ? j : w));
      return { ...common, proposed: worst, reasons: [...reasons, { rule: "the most severe of the parts", answers: {} }], missing };
    }
    case "score": {
      let value = 0;
      let scored = 0;
      const read: Record<string, AnswerCode> = {};
      for (const q of domain.questions) {
        if (!st.asked.includes(q.id)) continue;
        const a = answers[q.id];
        if (a === undefined) continue;
        read[q.id] = a;
        const s = alg.scores[a];
        if (typeof s === "number") {
          value += s;
          scored += 1;
        }
      }
      const maxPer = Math.max(...Object.values(alg.scores).filter((s): s is number => typeof s === "number"));
      const score = { value, max: maxPer * scored, scored };
      if (scored === 0 && unanswered.length === 0 && alg.whenNothingScored !== undefined)
        return {
          ...common,
          proposed: alg.whenNothingScored,
          reasons: [{ rule: "no criterion scored", answers: read }],
          missing: [],
          score,
        };
      return {
        ...common,
        proposed: null,
        reasons: scored > 0 ? [{ rule: `criteria scored ${value} of ${score.max}`, answers: read }] : [],
        missing: unanswered,
        score,
        note: "the summary rating is the assessor's; the tool sums the criteria but sets no threshold",
      };
    }
  }
}

/** One domain's proposal, without departures (the exhaustive tests call this per combination). */
export function proposeDomain(tool: Tool, domainId: string, answers: Answers): DomainProposal {
  const domain = tool.domains.find((d) => d.id === domainId);
  if (!domain) throw new Error(`${tool.id} has no domain ${domainId}`);
  return { ...proposeRaw(tool, domain, answers), departures: [], departuresWithoutEffect: [] };
}

/**
 * Proposes each domain's judgement from signalling-question answers, with
 * the reasons (each flowchart step taken and the answers it read), the
 * questions asked and skipped, and the effect of any departures.
 */
export function proposeJudgements(tool: Tool, answers: Answers, departures: readonly Departure[] = []): DomainProposal[] {
  const relevant = departures.filter((d) => d.tools.includes(tool.id));
  const effective = applyDepartures(tool, answers, relevant);
  return tool.domains.map((domain) => {
    const raw = proposeRaw(tool, domain, answers);
    const p = proposeRaw(tool, domain, effective);
    const inDomain = new Set(domain.questions.map((q) => q.id));
    const touching = relevant.filter((d) => d.overrides.some((o) => inDomain.has(o.question) && answers[o.question] !== o.answer));
    const changed = raw.proposed !== p.proposed;
    const applied: AppliedDeparture[] = changed
      ? touching.map((d) => ({
          id: d.id,
          text: d.text,
          overrides: d.overrides.filter((o) => inDomain.has(o.question)).map((o) => ({ question: o.question, from: answers[o.question] ?? null, to: o.answer })),
          without: raw.proposed,
        }))
      : [];
    return { ...p, departures: applied, departuresWithoutEffect: changed ? [] : touching.map((d) => d.id) };
  });
}

// ---------------------------------------------------------------- checks

export type ProblemKind = "not-allowed" | "answered-skipped" | "missing" | "unknown-question";

export interface Problem {
  kind: ProblemKind;
  domain: string | null;
  question: string;
  answer?: AnswerCode;
  message: string;
}

function questionIndex(tool: Tool): Map<string, { domain: Domain; question: Question }> {
  const m = new Map<string, { domain: Domain; question: Question }>();
  for (const d of tool.domains) for (const q of d.questions) m.set(q.id, { domain: d, question: q });
  return m;
}

/**
 * Problems with a set of answers: an answer outside the question's options,
 * an answer (other than NA) to a question the skip logic does not ask, a
 * required question left unanswered, an answer to a question the tool does
 * not have.
 */
export function checkAnswers(tool: Tool, answers: Answers): Problem[] {
  const problems: Problem[] = [];
  const index = questionIndex(tool);
  for (const [q, a] of Object.entries(answers)) {
    if (!index.has(q)) problems.push({ kind: "unknown-question", domain: null, question: q, answer: a, message: `${tool.name} has no question ${q}` });
  }
  for (const domain of tool.domains) {
    const applies = !domain.appliesWhen || holds(domain.appliesWhen, (q) => answers[q]);
    const st = askState(domain, answers);
    for (const q of domain.questions) {
      const a = answers[q.id];
      const asked = applies && st.asked.includes(q.id);
      if (!asked) {
        if (a !== undefined && a !== NOT_ASKED && a !== "")
          problems.push({
            kind: "answered-skipped",
            domain: domain.id,
            question: q.id,
            answer: a,
            message: applies
              ? `${q.id} is not asked here${q.askedWhenText ? ` (asked only ${q.askedWhenText})` : ""}, but was answered ${a}`
              : `${q.id} belongs to ${domain.name}, which does not apply, but was answered ${a}`,
          });
        continue;
      }
      if (a === undefined || a === "") {
        if (!q.optional && q.options.length > 0)
          problems.push({ kind: "missing", domain: domain.id, question: q.id, message: `${q.id} (${q.label}) is asked and has no answer` });
        continue;
      }
      if (q.options.length > 0 && !q.options.includes(a))
        problems.push({
          kind: "not-allowed",
          domain: domain.id,
          question: q.id,
          answer: a,
          message: `${a} is not an allowed answer to ${q.id}; allowed: ${q.options.join(", ")}`,
        });
    }
  }
  return problems;
}

// ---------------------------------------------------------------- overall

export interface OverallFlag {
  code: string;
  message: string;
  source: string;
}

export interface OverallProposal {
  proposed: string | null;
  flags: OverallFlag[];
  rule: string;
  /** Domains without a judgement (the overall waits for them). */
  missing: string[];
  /** Domain judgements not on the tool's scale. */
  unknown: string[];
}

/**
 * Proposes the overall judgement from domain judgements by the tool's
 * rule; where the guidance leaves the step to the assessor, proposes the
 * least severe judgement the rule allows and raises a flag.
 */
export function overall(tool: Tool, domainJudgements: Readonly<Record<string, string | null | undefined>>, options: { someConcernsFlagAt?: number } = {}): OverallProposal {
  const rule = tool.overall;
  if (rule.kind === "none") return { proposed: null, flags: [], rule: rule.reason, missing: [], unknown: [] };
  const labels = new Set(tool.scale.levels.map((l) => l.label));
  if (rule.kind === "most-severe-after-triage") return overallAfterTriage(tool, rule, domainJudgements);
  const applicable = tool.domains.filter((d) => !d.appliesWhen);
  const missing = applicable.filter((d) => domainJudgements[d.id] == null).map((d) => d.id);
  const given = applicable.map((d) => domainJudgements[d.id]).filter((j): j is string => j != null);
  const unknown = given.filter((j) => !labels.has(j));
  const base = { missing, unknown, flags: [] as OverallFlag[] };
  if (rule.kind === "rob2") {
    const text = "Low if every domain is Low; High if any domain is High; otherwise Some concerns, or High when Some concerns in multiple domains substantially lower confidence";
    if (unknown.length > 0) return { ...base, proposed: null, rule: text };
    const highs = given.filter((j) => j === "High").length;
    const concerns = given.filter((j) => j === "Some concerns").length;
    if (highs > 0) return { ...base, proposed: "High", rule: text };
    if (missing.length > 0) return { ...base, proposed: null, rule: text };
    // RoB 2's algorithms never yield "No information", but robvis draws it; the rule cannot place it, so nothing is proposed.
    const ungraded = given.filter((j) => severityOf(tool, j) === null);
    if (ungraded.length > 0)
      return {
        ...base,
        proposed: null,
        rule: text,
        flags: [
          {
            code: "rob2-ungraded-domain",
            message: `${ungraded.length} domain judgement(s) are "${ungraded[0]}", which the RoB 2 overall rule does not grade; judge the overall directly`,
            source: rule.source,
          },
        ],
      };
    if (concerns === 0) return { ...base, proposed: "Low", rule: text };
    const at = options.someConcernsFlagAt ?? rule.someConcernsFlagAt;
    const flags =
      concerns >= at
        ? [
            {
              code: "rob2-multiple-some-concerns",
              message: `Some concerns in ${concerns} domains: the guidance allows High when concerns in multiple domains substantially lower confidence in the result; that is the assessor's judgement`,
              source: rule.source,
            },
          ]
        : [];
    return { ...base, flags, proposed: "Some concerns", rule: text };
  }
  // ROBINS-I
  const text = "the most severe domain judgement; No information when information is lacking in a key domain and no domain is Serious or Critical";
  if (unknown.length > 0) return { ...base, proposed: null, rule: text };
  const graded = given.filter((j) => j !== rule.noInformation);
  const sev = (j: string) => severityOf(tool, j) ?? -1;
  const worst = graded.reduce<string | null>((w, j) => (w === null || sev(j) > sev(w) ? j : w), null);
  const serious = worst !== null && sev(worst) >= (severityOf(tool, "Serious") ?? Infinity);
  if (serious) return { ...base, proposed: worst, rule: text };
  if (missing.length > 0) return { ...base, proposed: null, rule: text };
  const ni = given.filter((j) => j === rule.noInformation).length;
  if (ni > 0)
    return {
      ...base,
      proposed: rule.noInformation,
      rule: text,
      flags: [
        {
          code: "robins-no-information-key-domain",
          message: `${ni} domain(s) have No information: the overall is No information only if a key domain lacks information; otherwise it is the most severe informed judgement (${worst ?? "none"}). Which domains are key is the assessor's judgement`,
          source: rule.source,
        },
      ],
    };
  return { ...base, proposed: worst, rule: text };
}

function overallAfterTriage(
  tool: Tool,
  rule: Extract<Tool["overall"], { kind: "most-severe-after-triage" }>,
  domainJudgements: Readonly<Record<string, string | null | undefined>>,
): OverallProposal {
  const text = `${rule.stop} when the triage (${rule.triage}) says so; otherwise the most severe domain judgement (${rule.allLowest} when every domain is at the lowest level), or one level more severe where the problems of several domains at that level compound`;
  const triage = domainJudgements[rule.triage];
  if (triage == null) return { proposed: null, flags: [], rule: text, missing: [rule.triage], unknown: [] };
  if (triage === rule.stop) return { proposed: rule.stop, flags: [], rule: text, missing: [], unknown: [] };
  const rest = tool.domains.filter((d) => d.id !== rule.triage);
  const missing = rest.filter((d) => domainJudgements[d.id] == null).map((d) => d.id);
  const given = rest.map((d) => domainJudgements[d.id]).filter((j): j is string => j != null);
  const unknown = given.filter((j) => severityOf(tool, j) === null);
  const base = { missing, unknown, flags: [] as OverallFlag[], rule: text };
  if (unknown.length > 0 || missing.length > 0) return { ...base, proposed: null };
  const sev = (j: string) => severityOf(tool, j)!;
  const top = Math.max(...given.map(sev));
  if (top === 0) return { ...base, proposed: rule.allLowest };
  const worst = given.find((j) => sev(j) === top)!;
  const atWorst = given.filter((j) => sev(j) === top).length;
  const next = tool.scale.levels.find((l) => l.severity === top + 1)?.label;
  const flags: OverallFlag[] =
    atWorst >= 2 && next
      ? [
          {
            code: "robins-i-v2-several-at-worst",
            message: `${atWorst} domains are ${worst}: the guidance allows ${next} overall where their problems compound; that is the assessor's judgement`,
            source: rule.source,
          },
        ]
      : [];
  return { ...base, flags, proposed: worst };
}

// ---------------------------------------------------------------- consensus

export interface Assessment {
  answers: Answers;
  /** Recorded domain judgements; where absent the proposal stands for the assessor's. */
  judgements?: Readonly<Record<string, string | null | undefined>>;
  overall?: string | null;
}

export interface QuestionDisagreement {
  domain: string;
  question: string;
  a: AnswerCode | null;
  b: AnswerCode | null;
  /** "minor": same side (Y vs PY, N vs PN); "major": otherwise, or one side unanswered. */
  kind: "minor" | "major";
}

export interface DomainDisagreement {
  domain: string;
  a: string | null;
  b: string | null;
  proposedA: string | null;
  proposedB: string | null;
}

export interface Consensus {
  questions: QuestionDisagreement[];
  domains: DomainDisagreement[];
  overall: { a: string | null; b: string | null } | null;
  agreedQuestions: number;
  comparedQuestions: number;
}

const SIDES: Record<string, string> = { Y: "yes", PY: "yes", N: "no", PN: "no", SY: "yes", WY: "yes", SN: "no", WN: "no" };

/**
 * Where two independent assessments with the same tool disagree: each
 * question asked in at least one of them and answered differently (a
 * question neither asks is not compared), and each domain judgement.
 */
export function consensus(a: ToolAssessment, b: ToolAssessment, departures?: readonly Departure[]): Consensus;
export function consensus(tool: Tool, a: Assessment, b: Assessment, departures?: readonly Departure[]): Consensus;
export function consensus(
  first: Tool | ToolAssessment,
  second: Assessment | ToolAssessment,
  third?: Assessment | readonly Departure[],
  fourth?: readonly Departure[],
): Consensus {
  if ("tool" in first) {
    const b = second as ToolAssessment;
    if (b.tool.id !== first.tool.id || b.tool.version !== first.tool.version)
      throw new Error(`cannot compare ${first.tool.id} ${first.tool.version} with ${b.tool.id} ${b.tool.version}`);
    return compareAssessments(first.tool, first, b, (third as readonly Departure[] | undefined) ?? []);
  }
  return compareAssessments(first, second, third as Assessment, fourth ?? []);
}

/** An assessment that names its tool. */
export interface ToolAssessment extends Assessment {
  tool: Tool;
}

function compareAssessments(tool: Tool, a: Assessment, b: Assessment, departures: readonly Departure[]): Consensus {
  const pa = proposeJudgements(tool, a.answers, departures);
  const pb = proposeJudgements(tool, b.answers, departures);
  const questions: QuestionDisagreement[] = [];
  const domains: DomainDisagreement[] = [];
  let compared = 0;
  tool.domains.forEach((d, i) => {
    const askedA = new Set(pa[i].asked);
    const askedB = new Set(pb[i].asked);
    for (const q of d.questions) {
      if (!askedA.has(q.id) && !askedB.has(q.id)) continue;
      compared += 1;
      const x = askedA.has(q.id) ? (a.answers[q.id] ?? null) : NOT_ASKED;
      const y = askedB.has(q.id) ? (b.answers[q.id] ?? null) : NOT_ASKED;
      if (x === y) continue;
      const minor = x !== null && y !== null && SIDES[x] !== undefined && SIDES[x] === SIDES[y];
      questions.push({ domain: d.id, question: q.id, a: x, b: y, kind: minor ? "minor" : "major" });
    }
    const ja = a.judgements?.[d.id] ?? pa[i].proposed;
    const jb = b.judgements?.[d.id] ?? pb[i].proposed;
    if (ja !== jb) domains.push({ domain: d.id, a: ja ?? null, b: jb ?? null, proposedA: pa[i].proposed, proposedB: pb[i].proposed });
  });
  const oa = a.overall ?? null;
  const ob = b.overall ?? null;
  return {
    questions,
    domains,
    overall: oa !== ob ? { a: oa, b: ob } : null,
    agreedQuestions: compared - questions.length,
    comparedQuestions: compared,
  };
}
