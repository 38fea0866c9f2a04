import type { FastifyInstance } from "fastify";
import {
  appraisalRoutes as r,
  type AppraisalAgreementAnswer,
  type AppraisalComparison,
  type AppraisalFlagView,
  type AppraisalForm,
  type AppraisalReport,
  type AppraisalStudyRow,
  type AssessmentView,
  type RobvisRow,
  type SeniorCheckView,
} from "@homeward/api";
import {
  checkAnswers,
  consensus as compare,
  domainAgreement,
  getTool,
  overall as proposeOverall,
  proposeJudgements,
  type Answers,
  type Departure,
  type Tool,
} from "@homeward/appraisal";
import { drawSeniorCheck } from "@homeward/extraction";
import {
  appraisalSetupOf,
  InputError,
  isIncludedStudy,
  schemeWithRole,
  splitAnswers,
  storedAnswer,
  type Appraisal,
  type AppraisalFlagAcceptance,
  type AppraisalSetup,
  type AppraisalTool,
  type Protocol,
  type Study,
} from "@homeward/model";
import { appraisalConflictDetails, citationOf, robvisCsv } from "@homeward/review";
import type { Store } from "@homeward/store";
import { attachment } from "../security.js";
import { blindView } from "../blinding.js";
import { writer, type RequestContext } from "../context.js";
import { serve } from "../contract.js";

/** The model's tool name for a registry id, and the variant the id stands for. */
function modelTool(id: string): { tool: AppraisalTool; variant: string | null } {
  if (id === "rob2") return { tool: "RoB2", variant: "assignment" };
  if (id === "rob2-adhering") return { tool: "RoB2", variant: "adhering" };
  if (id === "robins-i") return { tool: "ROBINS-I", variant: "assignment" };
  if (id === "robins-i-v2") return { tool: "ROBINS-I", variant: "intention-to-treat" };
  if (id === "robins-i-v2-per-protocol") return { tool: "ROBINS-I", variant: "per-protocol" };
  if (id === "robins-i-adhering") return { tool: "ROBINS-I", variant: "adhering" };
  if (id === "casp-qualitative") return { tool: "CASP", variant: null };
  if (id === "mmat") return { tool: "MMAT", variant: null };
  if (id === "assess") return { tool: "ASSESS", variant: null };
  return { tool: "other", variant: null };
}

/** The registry id a stored appraisal was made with (appraisals kept before variants existed read as the usual variant). */
function registryIdOf(a: Pick<Appraisal, "tool" | "variant" | "toolVersion">): string | null {
  switch (a.tool) {
    case "RoB2":
      return a.variant === "adhering" ? "rob2-adhering" : "rob2";
    case "ROBINS-I":
      if (a.toolVersion !== null && getTool("robins-i-v2", a.toolVersion)) return a.variant === "per-protocol" ? "robins-i-v2-per-protocol" : "robins-i-v2";
      return a.variant === "adhering" ? "robins-i-adhering" : "robins-i";
    case "CASP":
      return "casp-qualitative";
    case "MMAT":
      return "mmat";
    case "ASSESS":
      return "assess";
    default:
      return null;
  }
}

/** An assessment without its domains: what the study list reads of every one (the domains only for the pairs it compares). */
const SUMMARY = ["studyId", "outcomeId", "tool", "toolVersion", "variant", "status", "overall", "reviewer", "consensus", "at"] as const;
type AppraisalSummary = Pick<Appraisal, (typeof SUMMARY)[number] | "id">;

const toolOf = (a: Pick<Appraisal, "tool" | "variant" | "toolVersion">): Tool | null => {
  const id = registryIdOf(a);
  if (id === null) return null;
  return (a.toolVersion !== null ? getTool(id, a.toolVersion) : null) ?? getTool(id);
};

const isDraft = (a: Pick<Appraisal, "status">) => a.status === "draft";

/** The study's design class code(s): the protocol's design scheme, else the study's own design field. */
function designsOf(protocol: Protocol, study: Study): string[] {
  const scheme = schemeWithRole(protocol, "design");
  const v = scheme ? study.classifications[scheme.code] : undefined;
  const codes = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return codes.length > 0 ? codes : study.design ? [study.design] : [];
}

function setupTool(setup: AppraisalSetup, designs: string[]): Tool | null {
  for (const d of designs) {
    const choice = setup.tools.find((t) => t.design.toLowerCase() === d.toLowerCase());
    if (choice) return getTool(choice.tool, choice.version ?? undefined);
  }
  return null;
}

function toolChoices(setup: AppraisalSetup): Tool[] {
  const out: Tool[] = [];
  for (const t of [...setup.tools.map((c) => ({ id: c.tool, version: c.version })), ...setup.available.map((id) => ({ id, version: null }))]) {
    const tool = getTool(t.id, t.version ?? undefined);
    if (tool && !out.some((x) => x.id === tool.id)) out.push(tool);
  }
  return out;
}

const departuresFor = (setup: AppraisalSetup, tool: Tool): Departure[] => setup.departures.filter((d) => d.tools.includes(tool.id));

const normed = new Map<string, string>();
/** A name ignoring case and punctuation; memoized, since every stored domain of every assessment is matched on each read. */
const norm = (x: string) => {
  let n = normed.get(x);
  if (n === undefined) {
    n = x.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
    if (normed.size < 10_000) normed.set(x, n);
  }
  return n;
};

/**
 * The tool's domain a stored domain stands for: by id or name (ignoring
 * case and punctuation); else, where the stored list has as many domains as
 * the tool, by position (recorded appraisals, such as the example review's,
 * list the domains in the tool's order under their own short names).
 */
function toolDomainOf(tool: Tool, stored: Appraisal["domains"], i: number) {
  const d = stored[i]!;
  const named = tool.domains.find((x) => x.id === d.domain || x.name === d.domain) ?? tool.domains.find((x) => norm(x.name) === norm(d.domain));
  if (named) return named;
  return stored.length === tool.domains.length ? tool.domains[i] : undefined;
}

/** A recorded judgement on the tool's scale where it is a longer form of a label ("Low risk", "High risk of bias"); otherwise as recorded. */
function onScale(allowed: readonly string[], j: string | null): string | null {
  if (j === null || allowed.includes(j)) return j;
  const lower = j.trim().toLowerCase();
  return allowed.find((l) => lower === l.toLowerCase() || lower.startsWith(`${l.toLowerCase()} `)) ?? j;
}

/**
 * A stored appraisal read back by domain id (stored domains carry the tool's
 * domain names, which robvis shows). Appraisals recorded without signalling
 * answers read with their judgements and no answers; a checklist recorded
 * one question per entry ("Q4. …" with its answer, as the example's CASP
 * appraisals are) reads as the answers to those questions.
 */
function viewOf(a: Appraisal, tool: Tool): AssessmentView {
  const answers: Record<string, string> = {};
  const support: AssessmentView["support"] = {};
  const judgements: AssessmentView["judgements"] = {};
  const questions = new Map(tool.domains.flatMap((d) => d.questions.map((q) => [q.id, q] as const)));
  a.domains.forEach((d, i) => {
    const split = splitAnswers(d.answers);
    // A quote kept without an answer yet is support only; the engine never sees an empty answer.
    for (const [q, v] of Object.entries(split.answers)) if (v !== "") answers[q] = v;
    Object.assign(support, split.support);
    const domain = toolDomainOf(tool, a.domains, i);
    if (domain) {
      judgements[domain.id] = { judgement: onScale(domain.judgements ?? tool.scale.levels.map((l) => l.label), d.judgement), reason: d.support, proposed: d.proposed ?? null };
      return;
    }
    const q = /^(Q\d+)\b/.exec(d.domain)?.[1];
    const question = q ? questions.get(q) : undefined;
    if (question && d.judgement !== null && answers[question.id] === undefined && question.options.includes(d.judgement)) answers[question.id] = d.judgement;
  });
  return {
    appraisalId: a.id,
    outcomeId: a.outcomeId ?? null,
    reviewer: a.reviewer,
    status: isDraft(a) ? "draft" : "submitted",
    consensus: a.consensus,
    at: a.at,
    answers,
    support,
    judgements,
    overall: tool.overall.kind === "none" ? a.overall : onScale(tool.scale.levels.map((l) => l.label), a.overall),
    overallReason: a.overallSupport ?? "",
  };
}

/**
 * The seed of the senior check's draw. Fixed, so that anyone with the
 * project's data draws the same sample (the extraction stage's seeded draw,
 * one implementation for both stages).
 */
export const APPRAISAL_SENIOR_CHECK_SEED = 5;

/** The appraised studies (a submitted assessment or a consensus) a senior checks: the set-up's share, drawn with the fixed seed. */
function seniorSample(appraisedStudyIds: string[], share: number): Set<string> {
  if (share <= 0) return new Set();
  return new Set(drawSeniorCheck(appraisedStudyIds, share, APPRAISAL_SENIOR_CHECK_SEED).studyIds);
}

/**
 * A senior's check is kept as an acceptance of the "senior-check" flag the
 * sample raises on an assessment: append-only, signed by the senior, with the
 * note as its justification (no collection of its own is needed for it).
 */
export const SENIOR_CHECK_FLAG = "senior-check";
const seniorFlag = (verdict: "agree" | "disagree") => `${SENIOR_CHECK_FLAG}: ${verdict}`;

function seniorCheckOf(f: AppraisalFlagAcceptance): SeniorCheckView | null {
  const m = /^senior-check: (agree|disagree)$/.exec(f.flag);
  if (!m) return null;
  return { appraisalId: f.appraisalId, verdict: m[1] as "agree" | "disagree", note: f.justification, by: f.acceptedBy, at: f.at };
}

const agreements = new Map<string, NonNullable<AppraisalStudyRow["agreement"]>>();
/**
 * What a pair's agreement is computed from: the project, the tool, the
 * set-up's departures and both assessments, each named by its id and its
 * time (every write of an assessment, a draft saved, a submission, stamps
 * `at` anew), so a change to either is a new key.
 */
const agreementKey = (projectId: string, tool: Tool, departures: string, a: AppraisalSummary, b: AppraisalSummary) =>
  JSON.stringify([projectId, tool.id, tool.version, departures, a.id, a.at, a.status, a.variant, a.toolVersion, b.id, b.at, b.status, b.variant, b.toolVersion]);

/**
 * How far two assessments agree, as the study list shows it. The comparison
 * runs the tool's algorithms over both assessments (a fraction of a
 * millisecond each, thousands of studies a list, and reading every
 * assessment's domains besides), so results are kept by `agreementKey` and
 * the assessments read in full only for pairs not known yet.
 */
function agreementOf(key: string, tool: Tool, departures: readonly Departure[], read: () => [Appraisal, Appraisal]): NonNullable<AppraisalStudyRow["agreement"]> {
  let found = agreements.get(key);
  if (!found) {
    const [a, b] = read();
    const va = viewOf(a, tool), vb = viewOf(b, tool);
    const j = (v: AssessmentView) => Object.fromEntries(Object.entries(v.judgements).map(([k, x]) => [k, x.judgement]));
    const c = compare(tool, { answers: va.answers, judgements: j(va) }, { answers: vb.answers, judgements: j(vb) }, departures);
    found = { agreed: c.agreedQuestions, compared: c.comparedQuestions, domainsDiffering: c.domains.length };
    // Bounded: past this many, start again rather than grow with every project the server has served.
    if (agreements.size >= 50_000) agreements.clear();
    agreements.set(key, found);
  }
  return { ...found };
}

const newestFirst = <T extends { at: string }>(xs: T[]) => [...xs].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));

type Body = { tool: string; outcomeId?: string | null; answers: Record<string, string>; support: Record<string, { quote: string; comment: string }>; judgements: Record<string, { judgement: string; reason: string }>; overall: string | null; overallReason: string };

/**
 * The domains and overall an assessment records: the tool's proposal unless
 * the assessor gives a judgement (an override needs its reason); when
 * `complete`, every question the tool asks answered as it allows and every
 * judgement present, else a 422 listing what is missing.
 */
function assess(tool: Tool, departures: readonly Departure[], body: Body, complete: boolean) {
  const answers: Answers = Object.fromEntries(Object.entries(body.answers).filter(([, v]) => v !== ""));
  const proposals = proposeJudgements(tool, answers, departures);
  const problems: string[] = complete ? checkAnswers(tool, answers).map((p) => p.message) : [];
  const scaleLabels = tool.scale.levels.map((l) => l.label);
  const domainIds = new Set(tool.domains.map((d) => d.id));
  for (const id of Object.keys(body.judgements)) if (!domainIds.has(id)) throw new InputError(`${tool.name} has no domain ${id}`);
  const judged: Record<string, string | null> = {};
  const domains = tool.domains.map((d, i) => {
    const p = proposals[i]!;
    const given = body.judgements[d.id];
    const allowed = d.judgements ?? scaleLabels;
    if (given && !allowed.includes(given.judgement))
      throw new InputError(`"${given.judgement}" is not a judgement of ${d.id} (${d.name}); allowed: ${allowed.join(", ")}`);
    const judgement = given?.judgement ?? p.proposed;
    const reason = given?.reason ?? "";
    if (complete && p.applies) {
      const needed = p.proposed !== null || d.judgements !== undefined || tool.overall.kind !== "none";
      if (judgement === null && needed) problems.push(`${d.id} (${d.name}) needs a judgement: the tool proposes none${p.missing.length ? ` until ${p.missing.join(", ")} are answered` : ""}`);
      if (given && p.proposed !== null && given.judgement !== p.proposed && reason === "")
        problems.push(`${d.id}: overriding the proposed "${p.proposed}" with "${given.judgement}" needs a reason`);
    }
    judged[d.id] = p.applies ? judgement : null;
    const own = new Set(d.questions.map((q) => q.id));
    return {
      domain: d.name,
      judgement: p.applies ? judgement : null,
      support: reason,
      answers: Object.fromEntries(
        [...new Set([...Object.keys(answers), ...Object.keys(body.support)])]
          .filter((q) => own.has(q))
          .map((q) => [q, storedAnswer(answers[q] ?? "", body.support[q])] as const)
          .filter(([, v]) => v !== ""),
      ),
      proposed: p.proposed,
    };
  });
  const o = proposeOverall(tool, judged);
  let overallJudgement = body.overall ?? o.proposed;
  if (tool.overall.kind === "none") {
    const ratings = tool.overall.ratings;
    if (body.overall !== null && !ratings.includes(body.overall))
      throw new InputError(ratings.length ? `"${body.overall}" is not a rating of ${tool.name}; allowed: ${ratings.join(", ")}` : `${tool.name} has no overall judgement`);
    if (complete && ratings.length > 0 && body.overall === null) problems.push(`the overall rating is needed (${ratings.join(", ")})`);
    overallJudgement = body.overall;
  } else {
    if (body.overall !== null && !scaleLabels.includes(body.overall)) throw new InputError(`"${body.overall}" is not an overall judgement of ${tool.name}; allowed: ${scaleLabels.join(", ")}`);
    if (complete && overallJudgement === null) problems.push("the overall judgement is needed: the tool proposes none from these domain judgements");
    if (complete && body.overall !== null && o.proposed !== null && body.overall !== o.proposed && body.overallReason === "")
      problems.push(`overriding the proposed overall "${o.proposed}" with "${body.overall}" needs a reason`);
  }
  if (problems.length > 0) throw new InputError(`the assessment is not complete: ${problems.join("; ")}`, 422);
  return { domains, overall: overallJudgement, overallSupport: body.overallReason || null };
}

/**
 * The appraisal stage's adaptor: tools and algorithms from
 * @homeward/appraisal, the set-up from the protocol, every write through the
 * store's appraisals collection (its hooks sign each write with the actor),
 * and other reviewers' work shown only as blinding allows. An assessment is
 * of the study as a whole, or, where the tool judges a result (RoB 2,
 * ROBINS-I), of one outcome's result (`outcomeId`).
 */
export async function registerAppraisalRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const studyOf = async (id: string, studyId: string) => {
    const [protocol, study] = await Promise.all([store.getProtocol(id), store.get(id, "studies", studyId)]);
    return { protocol, study, setup: appraisalSetupOf(protocol), designs: designsOf(protocol, study) };
  };

  /** The tool of a request: the one asked for (from the set-up's choices or any tool the study was appraised with), else the study's design's. */
  const chooseTool = (setup: AppraisalSetup, designs: string[], asked: string | undefined, existing: Appraisal[]): Tool => {
    if (asked !== undefined) {
      const used = existing.find((a) => registryIdOf(a) === asked);
      const tool = used ? toolOf(used) : toolChoices(setup).find((t) => t.id === asked) ?? null;
      if (!tool) throw new InputError(`"${asked}" is not an appraisal tool of this project; its tools: ${toolChoices(setup).map((t) => t.id).join(", ")}`);
      return tool;
    }
    const tool = setupTool(setup, designs);
    if (!tool) throw new InputError(`the protocol gives no appraisal tool for this study's design (${designs.join(", ") || "not classified"}); choose one of ${toolChoices(setup).map((t) => t.id).join(", ")}`);
    return tool;
  };

  const outcomesOf = async (id: string, studyId: string) =>
    (await store.list(id, "outcomes", { studyId })).map((o) => ({ id: o.id, name: o.name })).sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));

  /** The outcome a request names, checked: the tool must judge results and the outcome must be the study's. */
  const outcomeOf = async (id: string, studyId: string, tool: Tool, outcomeId: string | null | undefined) => {
    if (outcomeId === null || outcomeId === undefined) return null;
    if (!tool.resultLevel) throw new InputError(`${tool.name} judges a study, not a result: appraise the study as a whole (no outcome)`);
    const o = (await outcomesOf(id, studyId)).find((x) => x.id === outcomeId);
    if (!o) throw new InputError(`outcome "${outcomeId}" is not an outcome of this study`, 404);
    return o;
  };

  /** The study's reports with the file name of each one's stored PDF, read for this study's records only. */
  const reportsOf = async (id: string, studyId: string): Promise<AppraisalReport[]> => {
    const reports = await store.list(id, "studyReports", { studyId });
    const recordIds = [...new Set(reports.flatMap((x) => (x.recordId ? [x.recordId] : [])))];
    const [records, retrievals] = recordIds.length
      ? await Promise.all([store.list(id, "records", { id: recordIds }), store.list(id, "fullTextRetrievals", { recordId: recordIds })])
      : [[], []];
    const byId = new Map(records.map((x) => [x.id, x]));
    // Listed by updatedAt: the last retrieval of a record is its current one.
    const pdf = new Map<string, string | null>();
    for (const f of retrievals) pdf.set(f.recordId, f.file?.sha256 && f.file.mediaType === "application/pdf" ? f.file.name : null);
    return reports
      .map((x) => {
        const rec = x.recordId ? byId.get(x.recordId) : undefined;
        const citation = x.citation?.trim() || (rec ? [rec.authors.slice(0, 3).join(", "), rec.year ? `(${rec.year})` : "", rec.title].filter(Boolean).join(" ") : x.recordId ?? "");
        return { id: x.id, role: x.role, recordId: x.recordId, citation, pdf: x.recordId ? (pdf.get(x.recordId) ?? null) : null };
      })
      .sort((a, b) => (a.role === b.role ? a.citation.localeCompare(b.citation) : a.role === "lead" ? -1 : 1));
  };

  const sameResult = (a: AppraisalSummary, outcomeId: string | null) => (a.outcomeId ?? null) === outcomeId;
  const independent = <A extends AppraisalSummary>(all: A[], tool: Tool, outcomeId: string | null = null) =>
    all.filter((a) => !a.consensus && registryIdOf(a) === tool.id && sameResult(a, outcomeId));
  const agreedOf = <A extends AppraisalSummary>(all: A[], tool: Tool, outcomeId: string | null) => all.find((a) => a.consensus && registryIdOf(a) === tool.id && sameResult(a, outcomeId)) ?? null;

  /** Included studies with a submitted assessment or a consensus: what the senior check draws from. */
  const appraisedIds = (studyIds: Set<string>, appraisals: AppraisalSummary[]) =>
    [...new Set(appraisals.filter((a) => !isDraft(a) && studyIds.has(a.studyId)).map((a) => a.studyId))];

  /** Whether a study is in the senior check's sample (drawn over the project's appraised included studies). */
  const sampledStudy = async (id: string, studyId: string, setup: AppraisalSetup, protocol: Protocol) => {
    if (setup.seniorCheckShare <= 0) return false;
    const appraisals = await store.list(id, "appraisals");
    // Without a strand scheme every study is included, so the studies need not be read (appraisals refer only to existing studies).
    const included = schemeWithRole(protocol, "strand")
      ? new Set((await store.list(id, "studies")).filter((s) => isIncludedStudy(protocol, s)).map((s) => s.id))
      : new Set(appraisals.map((a) => a.studyId));
    return seniorSample(appraisedIds(included, appraisals), setup.seniorCheckShare).has(studyId);
  };

  /** Flags and senior checks on the given recorded assessments of one study. */
  const flagsAndChecks = async (id: string, study: Study, shown: Appraisal[]) => {
    const ids = shown.map((a) => a.id);
    const acceptances = ids.length ? await store.list(id, "appraisalFlagAcceptances", { appraisalId: ids }) : [];
    const byId = new Map(shown.map((a) => [a.id, a]));
    // The review's rule checks read ROBINS-I as the 2016 version; V2 assessments are checked on the form by its own rule (the proposal and its override reason).
    const checked = shown.filter((a) => !registryIdOf(a)?.startsWith("robins-i-v2"));
    const flags: AppraisalFlagView[] = appraisalConflictDetails({ studies: [study], appraisals: checked, appraisalFlagAcceptances: acceptances }).map((c) => ({
      appraisalId: c.appraisalId,
      reviewer: byId.get(c.appraisalId)!.reviewer,
      consensus: byId.get(c.appraisalId)!.consensus,
      recorded: c.recorded,
      implied: c.implied,
      rule: c.rule,
      message: c.flag?.message ?? null,
      source: c.source,
      accepted: c.accepted,
    }));
    const checks = newestFirst(acceptances.flatMap((f) => seniorCheckOf(f) ?? []));
    return { flags, checks };
  };

  async function form(id: string, studyId: string, ctx: RequestContext, toolId: string | undefined, outcomeId: string | null | undefined): Promise<AppraisalForm> {
    const { protocol, study, setup, designs } = await studyOf(id, studyId);
    const all = await store.list(id, "appraisals", { studyId });
    const tool = chooseTool(setup, designs, toolId, all);
    const outcome = await outcomeOf(id, studyId, tool, outcomeId);
    const result = outcome?.id ?? null;
    const departures = departuresFor(setup, tool);
    const mine = independent(all, tool, result).find((a) => a.reviewer === ctx.actor) ?? null;
    const view = await blindView(store, id, ctx);
    const others: AssessmentView[] = [];
    const shown: Appraisal[] = mine && !isDraft(mine) ? [mine] : [];
    let hiddenOthers = 0;
    for (const a of independent(all, tool, result)) {
      if (a.reviewer === ctx.actor || isDraft(a)) continue;
      if (await view.visible("appraisals", a)) {
        others.push(viewOf(a, tool));
        shown.push(a);
      } else hiddenOthers += 1;
    }
    const agreed = agreedOf(all, tool, result);
    const agreedShown = agreed && (await view.visible("appraisals", agreed)) ? agreed : null;
    if (agreedShown) shown.push(agreedShown);
    const mineView = mine ? viewOf(mine, tool) : null;
    const proposals = proposeJudgements(tool, mineView?.answers ?? {}, departures);
    const judged = Object.fromEntries(proposals.map((p) => [p.domain, mineView?.judgements[p.domain]?.judgement ?? p.proposed]));
    const choices = toolChoices(setup);
    if (!choices.some((t) => t.id === tool.id)) choices.push(tool);
    const [reports, outcomes, fc, sampled] = await Promise.all([
      reportsOf(id, studyId),
      tool.resultLevel ? outcomesOf(id, studyId) : Promise.resolve([]),
      flagsAndChecks(id, study, shown),
      sampledStudy(id, studyId, setup, protocol),
    ]);
    return {
      study: { id: study.id, name: study.name, design: designs[0] ?? null },
      tool,
      outcome,
      outcomes,
      reports,
      flags: fc.flags,
      seniorCheck: { sampled, checks: fc.checks },
      choices: choices.map((t) => ({ id: t.id, name: t.name })),
      departures,
      mine: mineView,
      proposals,
      overall: proposeOverall(tool, judged),
      problems: checkAnswers(tool, mineView?.answers ?? {}),
      others,
      hiddenOthers,
      consensus: agreedShown ? viewOf(agreedShown, tool) : null,
    };
  }

  async function comparison(id: string, studyId: string, ctx: RequestContext, toolId: string | undefined, outcomeId: string | null | undefined): Promise<AppraisalComparison> {
    const { study, setup, designs } = await studyOf(id, studyId);
    const all = await store.list(id, "appraisals", { studyId });
    const tool = chooseTool(setup, designs, toolId, all);
    const outcome = await outcomeOf(id, studyId, tool, outcomeId);
    const result = outcome?.id ?? null;
    const departures = departuresFor(setup, tool);
    const submitted = independent(all, tool, result)
      .filter((a) => !isDraft(a))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    if (submitted.length < 2)
      throw new InputError(
        `a comparison needs two submitted independent assessments of this ${outcome ? `result (${outcome.name})` : "study"} with ${tool.name}; ${submitted.length} submitted so far`,
        409,
      );
    // The adjudicator compares both assessments, whether or not they assessed the study themselves: that is the role's work.
    void ctx;
    const views = submitted.slice(0, 2).map((a) => viewOf(a, tool));
    const assessment = (v: AssessmentView) => ({
      answers: v.answers,
      judgements: Object.fromEntries(Object.entries(v.judgements).map(([k, j]) => [k, j.judgement])),
      overall: v.overall,
    });
    const recorded = agreedOf(all, tool, result);
    const [reports, fc] = await Promise.all([reportsOf(id, studyId), flagsAndChecks(id, study, [...submitted.slice(0, 2), ...(recorded ? [recorded] : [])])]);
    return {
      study: { id: study.id, name: study.name, design: designs[0] ?? null },
      tool,
      outcome,
      reports,
      flags: fc.flags,
      departures,
      assessments: views,
      proposals: views.map((v) => proposeJudgements(tool, v.answers, departures)),
      consensus: compare(tool, assessment(views[0]!), assessment(views[1]!), departures),
      recorded: recorded ? viewOf(recorded, tool) : null,
    };
  }

  serve(app, r.studies, async ({ params: { id }, ctx }) => {
    const [protocol, studies, appraisals] = await Promise.all([store.getProtocol(id), store.list(id, "studies"), store.listFields(id, "appraisals", SUMMARY)]);
    const setup = appraisalSetupOf(protocol);
    const included = studies.filter((s) => isIncludedStudy(protocol, s));
    const sample = seniorSample(appraisedIds(new Set(included.map((s) => s.id)), appraisals), setup.seniorCheckShare);
    const view = await blindView(store, id, ctx, { appraisals });
    const byStudy = new Map<string, AppraisalSummary[]>();
    for (const a of appraisals) byStudy.set(a.studyId, [...(byStudy.get(a.studyId) ?? []), a]);
    // Outcome names and senior checks for the studies with per-result or sampled assessments only.
    const resultStudies = [...new Set(appraisals.filter((a) => a.outcomeId !== null).map((a) => a.studyId))];
    const sampledAppraisals = appraisals.filter((a) => sample.has(a.studyId)).map((a) => a.id);
    const [outcomes, checks] = await Promise.all([
      resultStudies.length ? store.list(id, "outcomes", { studyId: resultStudies }) : Promise.resolve([]),
      sampledAppraisals.length ? store.list(id, "appraisalFlagAcceptances", { appraisalId: sampledAppraisals }) : Promise.resolve([]),
    ]);
    const outcomeName = new Map(outcomes.map((o) => [o.id, o.name]));
    const studyOfAppraisal = new Map(appraisals.map((a) => [a.id, a.studyId]));
    const checksByStudy = new Map<string, SeniorCheckView[]>();
    for (const f of checks) {
      const c = seniorCheckOf(f);
      const sid = studyOfAppraisal.get(f.appraisalId);
      if (c && sid) checksByStudy.set(sid, [...(checksByStudy.get(sid) ?? []), c]);
    }
    const rows: AppraisalStudyRow[] = [];
    // Agreement needs both assessments' domains: those not known already are read together after the loop.
    const pairs: { row: AppraisalStudyRow; key: string; tool: Tool; a: AppraisalSummary; b: AppraisalSummary }[] = [];
    const departuresKey = JSON.stringify(setup.departures);
    for (const s of included) {
      const designs = designsOf(protocol, s);
      const own = byStudy.get(s.id) ?? [];
      let tool = setupTool(setup, designs);
      if (!tool && own.length > 0) {
        const counts = new Map<string, number>();
        for (const a of own) counts.set(registryIdOf(a) ?? "", (counts.get(registryIdOf(a) ?? "") ?? 0) + 1);
        const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
        tool = own.map(toolOf).find((t) => t?.id === top) ?? null;
      }
      const ind = tool ? independent(own, tool) : [];
      const done = ind.filter((a) => !isDraft(a));
      const agreed = tool ? agreedOf(own, tool, null) : null;
      let pair: { a: AppraisalSummary; b: AppraisalSummary } | null = null;
      if (tool && done.length >= 2) {
        const [a, b] = [...done].sort((x, y) => (x.at < y.at ? -1 : 1));
        if ((await view.visible("appraisals", a!)) && (await view.visible("appraisals", b!))) pair = { a: a!, b: b! };
      }
      const results: AppraisalStudyRow["results"] = [];
      if (tool) {
        const resultIds = [...new Set(own.filter((a) => a.outcomeId !== null && registryIdOf(a) === tool!.id).map((a) => a.outcomeId!))];
        for (const o of resultIds.sort((x, y) => (outcomeName.get(x) ?? x).localeCompare(outcomeName.get(y) ?? y))) {
          const c = agreedOf(own, tool, o);
          results.push({
            outcomeId: o,
            outcome: outcomeName.get(o) ?? o,
            assessors: independent(own, tool, o).map((a) => ({ reviewer: a.reviewer, submitted: !isDraft(a) })),
            consensus: c ? { by: c.reviewer, overall: (await view.visible("appraisals", c)) ? c.overall : null } : null,
          });
        }
      }
      const mine = ind.find((a) => a.reviewer === ctx.actor);
      rows.push({
        studyId: s.id,
        name: s.name,
        design: designs[0] ?? null,
        tool: tool?.id ?? null,
        toolName: tool?.name ?? null,
        assessors: ind.map((a) => ({ reviewer: a.reviewer, submitted: !isDraft(a) })),
        consensus: agreed ? { by: agreed.reviewer, overall: (await view.visible("appraisals", agreed)) ? agreed.overall : null } : null,
        agreement: null,
        mine: mine ? (isDraft(mine) ? "draft" : "submitted") : "none",
        seniorCheck: sample.has(s.id),
        seniorChecks: newestFirst(checksByStudy.get(s.id) ?? []),
        results,
      });
      if (tool && pair) pairs.push({ row: rows[rows.length - 1]!, key: agreementKey(id, tool, departuresKey, pair.a, pair.b), tool, ...pair });
    }
    const unknown = pairs.filter((x) => !agreements.has(x.key)).flatMap((x) => [x.a.id, x.b.id]);
    const full = new Map((unknown.length ? await store.list(id, "appraisals", { id: unknown }) : []).map((a) => [a.id, a]));
    for (const x of pairs) {
      const a = full.get(x.a.id), b = full.get(x.b.id);
      // An assessment removed between the two reads leaves its study without agreement this time.
      if (agreements.has(x.key) || (a && b)) x.row.agreement = agreementOf(x.key, x.tool, departuresFor(setup, x.tool), () => [a!, b!]);
    }
    return {
      setup,
      tools: toolChoices(setup).map((t) => ({ id: t.id, name: t.name, version: t.version })),
      studies: rows,
    };
  });

  serve(app, r.agreement, async ({ params: { id }, ctx }) => {
    const appraisals = await store.list(id, "appraisals");
    const view = await blindView(store, id, ctx, { appraisals });
    // Per tool id: the first two submitted independent assessments of each study (or result), as the comparison takes them.
    const byTool = new Map<string, Map<string, Appraisal[]>>();
    for (const a of appraisals) {
      const toolId = registryIdOf(a);
      if (a.consensus || isDraft(a) || toolId === null) continue;
      const items = byTool.get(toolId) ?? new Map<string, Appraisal[]>();
      const item = a.outcomeId === null ? a.studyId : `${a.studyId}/${a.outcomeId}`;
      items.set(item, [...(items.get(item) ?? []), a]);
      byTool.set(toolId, items);
    }
    const tools: AppraisalAgreementAnswer["tools"] = [];
    for (const [toolId, items] of [...byTool].sort(([x], [y]) => (x < y ? -1 : 1))) {
      let tool: Tool | null = null;
      let hidden = 0;
      const pairs = [];
      for (const [item, list] of [...items].sort(([x], [y]) => (x < y ? -1 : 1))) {
        if (list.length < 2) continue;
        const [a, b] = [...list].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
        tool ??= toolOf(a!);
        if (!tool) break;
        // Someone still blind to either assessment would learn its judgements from the table.
        if (!((await view.visible("appraisals", a!)) && (await view.visible("appraisals", b!)))) {
          hidden += 1;
          continue;
        }
        const judged = (x: Appraisal) => {
          const v = viewOf(x, tool!);
          return { ...Object.fromEntries(Object.entries(v.judgements).map(([k, j]) => [k, j.judgement])), overall: v.overall };
        };
        pairs.push({ item, a: judged(a!), b: judged(b!) });
      }
      if (!tool || (pairs.length === 0 && hidden === 0)) continue;
      tools.push({ tool: { id: tool.id, name: tool.name, version: tool.version }, studies: pairs.length, hidden, domains: domainAgreement(tool, pairs) });
    }
    return { tools };
  });

  serve(app, r.robvis, async ({ params: { id }, query, ctx, reply }) => {
    if (!query.tool) throw new InputError("the tool query parameter is required (a registry id, e.g. tool=rob2)");
    const tool = getTool(query.tool);
    if (!tool) throw new InputError(`"${query.tool}" is not an appraisal tool (e.g. rob2, robins-i)`);
    // robvis draws tools whose judgements sit on a risk-of-bias scale with an overall; CASP, MMAT and ASSESS have no template there.
    if (tool.overall.kind === "none") throw new InputError(`robvis has no template for ${tool.name}: export it from the appraisal tables instead`);
    // robvis draws risk-of-bias domains; ROBINS-I V2's section B (whether to proceed) is not one.
    const drawn = tool.overall.kind === "most-severe-after-triage" ? tool.domains.filter((d) => d.id !== (tool.overall as { triage: string }).triage) : tool.domains;
    const [studies, appraisals] = await Promise.all([store.list(id, "studies"), store.list(id, "appraisals")]);
    const view = await blindView(store, id, ctx, { appraisals });
    // One assessment per study, and per result where results are assessed, as robvis draws rows: the consensus before one assessor's, then the latest.
    const rank = (a: Appraisal) => [a.consensus ? 1 : 0, a.at] as const;
    const better = (a: Appraisal, b: Appraisal) => {
      const x = rank(a), y = rank(b);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
      return false;
    };
    const chosen = new Map<string, Appraisal>();
    for (const a of appraisals) {
      if (isDraft(a) || registryIdOf(a) !== tool.id) continue;
      const key = `${a.studyId}\u0000${a.outcomeId ?? ""}`;
      const cur = chosen.get(key);
      if (!cur || better(a, cur)) chosen.set(key, a);
    }
    // Senior checks by study and result, whichever of its assessments they checked.
    const keyOf = new Map(appraisals.map((a) => [a.id, `${a.studyId}\u0000${a.outcomeId ?? ""}`]));
    const checksByKey = new Map<string, SeniorCheckView[]>();
    for (const f of await store.list(id, "appraisalFlagAcceptances")) {
      const c = seniorCheckOf(f);
      const key = keyOf.get(f.appraisalId);
      if (c && key) checksByKey.set(key, [...(checksByKey.get(key) ?? []), c]);
    }
    const resultIds = [...new Set([...chosen.values()].flatMap((a) => (a.outcomeId ? [a.outcomeId] : [])))];
    const outcomeName = new Map((resultIds.length ? await store.list(id, "outcomes", { id: resultIds }) : []).map((o) => [o.id, o.name]));
    const byId = new Map(studies.map((s) => [s.id, s]));
    const robvisLabel = (j: string | null) => (j === null ? null : (tool.scale.levels.find((l) => l.label === j)?.robvis ?? j));
    const rows: RobvisRow[] = [];
    let hidden = 0;
    for (const a of chosen.values()) {
      if (!(await view.visible("appraisals", a))) {
        hidden += 1;
        continue;
      }
      const v = viewOf(a, tool);
      const judgements = Object.fromEntries(drawn.map((d) => [d.id, robvisLabel(v.judgements[d.id]?.judgement ?? null)]));
      const overrides: RobvisRow["overrides"] = [];
      for (const d of drawn) {
        const j = v.judgements[d.id];
        if (j && j.proposed !== null && j.judgement !== j.proposed) overrides.push({ domain: d.id, proposed: j.proposed, judgement: j.judgement, reason: j.reason });
      }
      const o = proposeOverall(tool, Object.fromEntries(tool.domains.map((d) => [d.id, v.judgements[d.id]?.judgement ?? null]))).proposed;
      if (o !== null && v.overall !== o) overrides.push({ domain: "overall", proposed: o, judgement: v.overall, reason: v.overallReason });
      const study = byId.get(a.studyId);
      const citation = study ? citationOf(study) : a.studyId;
      rows.push({
        studyId: a.studyId,
        outcomeId: a.outcomeId ?? null,
        // robvis keys its rows by Study: a per-result row names its outcome so each result is a row of its own.
        study: a.outcomeId ? `${citation} — ${outcomeName.get(a.outcomeId) ?? a.outcomeId}` : citation,
        judgements,
        overall: robvisLabel(v.overall),
        // robvis weights the summary bars by this column; studies count equally until a synthesis gives them weights.
        weight: 1,
        consensus: a.consensus,
        reviewer: a.reviewer,
        overrides,
        seniorChecks: newestFirst(checksByKey.get(`${a.studyId}\u0000${a.outcomeId ?? ""}`) ?? []),
      });
    }
    rows.sort((x, y) => x.study.localeCompare(y.study) || (x.studyId < y.studyId ? -1 : 1));
    const columns = ["Study", ...drawn.map((d) => d.id), "Overall", "Weight"];
    if (query.format === "csv") {
      const body = robvisCsv({ domains: drawn, rows });
      return reply.header("content-disposition", attachment(`robvis-${tool.id}.csv`)).type("text/csv; charset=utf-8").send(body);
    }
    return {
      tool: { id: tool.id, name: tool.name, version: tool.version },
      columns,
      domains: drawn.map((d) => ({ id: d.id, name: d.name })),
      rows,
      hidden,
    };
  });

  serve(app, r.form, async ({ params: { id, studyId }, query, ctx }) => form(id, studyId, ctx, query.tool, query.outcome));

  /** Writes the caller's own assessment; a submitted one is changed only by submitting again (a draft never replaces it). */
  const writeOwn = async (id: string, studyId: string, ctx: RequestContext, body: Body, submit: boolean): Promise<AppraisalForm> => {
    const { setup, designs } = await studyOf(id, studyId);
    const all = await store.list(id, "appraisals", { studyId });
    const tool = chooseTool(setup, designs, body.tool, all);
    const outcome = await outcomeOf(id, studyId, tool, body.outcomeId);
    const recorded = assess(tool, departuresFor(setup, tool), body, submit);
    const mine = independent(all, tool, outcome?.id ?? null).find((a) => a.reviewer === ctx.actor);
    if (mine && !isDraft(mine) && !submit)
      throw new InputError("your assessment of this study is submitted; change it by submitting again, complete", 409);
    const { tool: name, variant } = modelTool(tool.id);
    const entity = {
      studyId,
      outcomeId: outcome?.id ?? null,
      tool: name,
      toolVersion: tool.version,
      variant,
      status: submit ? ("submitted" as const) : ("draft" as const),
      ...recorded,
      reviewer: ctx.actor,
      consensus: false,
      at: new Date().toISOString(),
    };
    if (mine) await store.update(id, "appraisals", mine.id, entity, writer(ctx));
    else await store.insert(id, "appraisals", [entity], writer(ctx));
    return form(id, studyId, ctx, tool.id, outcome?.id ?? null);
  };

  serve(app, r.save, async ({ params: { id, studyId }, body, ctx }) => writeOwn(id, studyId, ctx, body, false));
  serve(app, r.submit, async ({ params: { id, studyId }, body, ctx }) => writeOwn(id, studyId, ctx, body, true));

  serve(app, r.comparison, async ({ params: { id, studyId }, query, ctx }) => comparison(id, studyId, ctx, query.tool, query.outcome));

  serve(app, r.consensus, async ({ params: { id, studyId }, body, ctx }) => {
    const before = await comparison(id, studyId, ctx, body.tool, body.outcomeId);
    const { setup } = await studyOf(id, studyId);
    const recorded = assess(before.tool, departuresFor(setup, before.tool), body, true);
    const { tool: name, variant } = modelTool(before.tool.id);
    const entity = {
      studyId,
      outcomeId: before.outcome?.id ?? null,
      tool: name,
      toolVersion: before.tool.version,
      variant,
      status: "submitted" as const,
      ...recorded,
      reviewer: ctx.actor,
      consensus: true,
      at: new Date().toISOString(),
    };
    if (before.recorded) await store.update(id, "appraisals", before.recorded.appraisalId, entity, writer(ctx));
    else await store.insert(id, "appraisals", [entity], writer(ctx));
    return comparison(id, studyId, ctx, before.tool.id, before.outcome?.id ?? null);
  });

  serve(app, r.seniorCheck, async ({ params: { id, studyId }, body, ctx }) => {
    const { protocol, setup } = await studyOf(id, studyId);
    const target = (await store.list(id, "appraisals", { id: [body.appraisalId] }))[0];
    if (!target || target.studyId !== studyId) throw new InputError(`appraisal "${body.appraisalId}" is not an assessment of this study`, 404);
    if (isDraft(target)) throw new InputError("a draft is not checked: the assessor has not submitted it", 409);
    if (target.reviewer === ctx.actor) throw new InputError("a senior checks someone else's assessment, not their own", 409);
    if (!(await sampledStudy(id, studyId, setup, protocol)))
      throw new InputError(`this study is not in the senior check's sample (${Math.round(setup.seniorCheckShare * 1000) / 10}% of the appraised studies)`, 409);
    const [saved] = await store.insert(
      id,
      "appraisalFlagAcceptances",
      [{ appraisalId: target.id, flag: seniorFlag(body.verdict), justification: body.note }],
      writer(ctx, body.note),
    );
    return seniorCheckOf(saved!)!;
  });
}
