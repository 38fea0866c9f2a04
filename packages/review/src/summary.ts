import type { Appraisal, AppraisalFlagAcceptance, Confidence, QualitativeFinding, Study } from "@homeward/model";
import { canonicalJudgement, checkOverall, JUDGEMENT_SCALES, ruleToolOf } from "./appraisal-rules.js";
import { PRISMA_FIELDS, prismaFlow, type PrismaCountField, type PrismaCounts, type FlowInput, type PrismaInput, type PrismaSource } from "./prisma.js";
import { appraisalsByStudy, citationOf, classCounts, classesOf, includedStudies, percent, schemeOf, type StudiesInput } from "./project.js";

export interface StudyCounts {
  /** Included studies (see isIncluded): those in at least one strand, or every study when the protocol has no strands. */
  total: number;
  /** Included studies per strand (value code, protocol order); a study in several strands counts in each. */
  strands: Record<string, number>;
  /** Studies in more than one strand. */
  inSeveralStrands: number;
  /** Included studies per design class (value code, protocol order). */
  designs: Record<string, number>;
}

/** Counts of included studies by the protocol's strand and design-class schemes. */
export function studyCounts(p: StudiesInput): StudyCounts {
  const strand = schemeOf(p, "strand");
  return {
    total: includedStudies(p).length,
    strands: classCounts(p, strand, "code"),
    inSeveralStrands: strand ? p.studies.filter((s) => classesOf(s, strand.code).length > 1).length : 0,
    designs: classCounts(p, schemeOf(p, "design"), "code"),
  };
}

/** Included studies per intervention type (the scheme with role typology), keyed by label, in protocol order. */
export function typology(p: StudiesInput): Record<string, number> {
  return classCounts(p, schemeOf(p, "typology"));
}

/** Included studies per component level (the scheme with role components), keyed by label. */
export function componentLevels(p: StudiesInput): Record<string, number> {
  return classCounts(p, schemeOf(p, "components"));
}

/**
 * Included studies reporting each equity characteristic (the scheme with
 * role equity, e.g. PROGRESS-Plus), keyed by label, in protocol order (0 for
 * characteristics no study reports, e.g. a table's "N/A").
 */
export function equityCounts(p: StudiesInput): Record<string, number> {
  return classCounts(p, schemeOf(p, "equity"));
}

/** Judgement label as shown in summaries: the tool's canonical wording when it has a scale, else as recorded. */
function shownJudgement(tool: string, text: string): string {
  const rt = ruleToolOf(tool);
  return (rt && canonicalJudgement(rt, text)) || text.trim();
}

export interface RobCounts {
  /** Studies appraised with the tool. */
  studies: number;
  /** domain (or "Overall") → judgement → number of studies. */
  counts: Record<string, Record<string, number>>;
}

/**
 * Counts of recorded judgements per tool and domain, one appraisal per study
 * (see appraisalsByStudy); domains in the order first recorded, "Overall" last.
 */
export function robCounts(p: { appraisals: readonly Appraisal[] }): Record<string, RobCounts> {
  const out: Record<string, RobCounts> = {};
  for (const [tool, byStudy] of appraisalsByStudy(p)) {
    const counts: Record<string, Record<string, number>> = {};
    const add = (domain: string, j: string | null) => {
      if (j == null || j.trim() === "") return;
      const row = (counts[domain] ??= {});
      const label = shownJudgement(tool, j);
      row[label] = (row[label] ?? 0) + 1;
    };
    for (const a of byStudy.values()) for (const d of a.domains) add(d.domain, d.judgement);
    for (const a of byStudy.values()) add("Overall", a.overall);
    // Judgements in the tool's order (least severe first) where it has a scale.
    const rt = ruleToolOf(tool);
    if (rt) {
      const scale = JUDGEMENT_SCALES[rt];
      const pos = (j: string) => (scale.includes(j) ? scale.indexOf(j) : scale.length);
      for (const d of Object.keys(counts))
        counts[d] = Object.fromEntries(Object.entries(counts[d]!).sort(([a], [b]) => pos(a) - pos(b)));
    }
    out[tool] = { studies: byStudy.size, counts };
  }
  return out;
}

/**
 * robvis-style summary: per tool, per domain and "Overall", the percentage of
 * studies (with a judgement for that domain) at each judgement, rounded to one
 * decimal place as review figures print them.
 */
export function robSummary(p: { appraisals: readonly Appraisal[] }): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const [tool, { counts }] of Object.entries(robCounts(p))) {
    out[tool] = {};
    for (const [domain, row] of Object.entries(counts)) {
      const n = Object.values(row).reduce((a, b) => a + b, 0);
      out[tool][domain] = Object.fromEntries(Object.entries(row).map(([j, k]) => [j, percent(k, n)]));
    }
  }
  return out;
}

export interface AppraisalConflict {
  /** The study's citation. */
  study: string;
  tool: string;
  recorded: string;
  implied: string | null;
  rule: string;
  /** The engine's flag when the guidance leaves this step to the assessor (accepting it records that judgement). */
  flag: { code: string; message: string } | null;
  /** Where the rule is published. */
  source: string;
}

export interface AppraisalConflictDetail extends AppraisalConflict {
  studyId: string;
  appraisalId: string;
  /** Set when a reviewer accepted the flag: who, when, and why. */
  accepted: { by: string; at: string; justification: string } | null;
}

/**
 * Every appraisal whose recorded overall judgement contradicts its own domain
 * judgements under the tool's rule, or departs from the rule's proposal where
 * the guidance leaves the step to the assessor (see appraisal-rules.ts). Recorded
 * judgements are never changed; a flag accepted by a reviewer (store:
 * appraisalFlagAcceptances, matched on appraisal and rule) stays listed with
 * its acceptance.
 */
export interface ConflictsInput {
  studies: readonly Study[];
  appraisals: readonly Appraisal[];
  appraisalFlagAcceptances: readonly AppraisalFlagAcceptance[];
}

export function appraisalConflictDetails(p: ConflictsInput): AppraisalConflictDetail[] {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const out: AppraisalConflictDetail[] = [];
  for (const a of p.appraisals) {
    if (a.status === "draft") continue;
    const v = checkOverall(
      a.tool,
      a.domains.filter((d) => d.judgement != null).map((d) => d.judgement!),
      a.overall,
    );
    if (!v) continue;
    const s = studies.get(a.studyId);
    const acc = p.appraisalFlagAcceptances
      .filter((f) => f.appraisalId === a.id && f.flag === v.rule)
      .sort((x, y) => (x.at < y.at ? 1 : -1))[0];
    out.push({
      study: s ? citationOf(s) : a.studyId,
      tool: a.tool,
      recorded: v.recorded,
      implied: v.implied,
      rule: v.rule,
      flag: v.flag ? { code: v.flag.code, message: v.flag.message } : null,
      source: v.source,
      studyId: a.studyId,
      appraisalId: a.id,
      accepted: acc ? { by: acc.acceptedBy, at: acc.at, justification: acc.justification } : null,
    });
  }
  return out;
}

export function appraisalConflicts(p: ConflictsInput): AppraisalConflict[] {
  return appraisalConflictDetails(p).map(({ study, tool, recorded, implied, rule, flag, source }) => ({ study, tool, recorded, implied, rule, flag, source }));
}

export const CONFIDENCE_LABELS: Record<Confidence, "High" | "Moderate" | "Low" | "Very low"> = {
  high: "High",
  moderate: "Moderate",
  low: "Low",
  very_low: "Very low",
};

/** Number of CERQual-assessed findings at each level of confidence. */
export function cerqualCounts(p: { qualitativeFindings: readonly QualitativeFinding[] }): { High: number; Moderate: number; Low: number; "Very low": number } {
  const out = { High: 0, Moderate: 0, Low: 0, "Very low": 0 };
  for (const f of p.qualitativeFindings) if (f.confidence) out[CONFIDENCE_LABELS[f.confidence]]++;
  return out;
}

/** What the summary reads: the PRISMA flow's input, appraisals with accepted flags, and CERQual findings. */
export type SummaryInput = (FlowInput | PrismaInput) & ConflictsInput & { qualitativeFindings: readonly QualitativeFinding[] };

/**
 * The machine-readable summary of a review (`homeward summary`): PRISMA
 * counts with their sources, study counts, typology, risk-of-bias summary,
 * appraisal conflicts, CERQual counts and equity characteristics reported.
 */
export function reviewSummary(p: SummaryInput) {
  const flow = prismaFlow(p);
  // Exactly the fields the summary format names (registers and other sources are shown in the diagram and the flow).
  type Named = Exclude<PrismaCountField, "register_results" | "other_results">;
  const fields = PRISMA_FIELDS.filter((f): f is Named => f !== "register_results" && f !== "other_results");
  return {
    prisma: Object.fromEntries(fields.map((f) => [f, flow.prisma[f]])) as Omit<PrismaCounts, "register_results" | "other_results">,
    prismaSource: Object.fromEntries(fields.map((f) => [f, flow.prismaSource[f]])) as Record<Named, PrismaSource>,
    studies: studyCounts(p),
    typology: typology(p),
    robSummary: robSummary(p),
    appraisalConflicts: appraisalConflicts(p),
    cerqual: cerqualCounts(p),
    equity: equityCounts(p),
  };
}
export type ReviewSummary = ReturnType<typeof reviewSummary>;
