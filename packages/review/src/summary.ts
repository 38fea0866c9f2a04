import type { Confidence } from "@homeward/model";
import { canonicalJudgement, checkOverall, JUDGEMENT_SCALES, ruleToolOf } from "./appraisal-rules.js";
import { PRISMA_FIELDS, prismaFlow, type PrismaCountField, type PrismaCounts, type PrismaSource } from "./prisma.js";
import {
  appraisalsByStudy,
  characteristicList,
  citationOf,
  designClass,
  isEffectiveness,
  isImplementation,
  labelOf,
  percent,
  type ReviewProject,
} from "./project.js";

/**
 * Study-level codes this package reads (from extraction, else study
 * attributes): the intervention type (a protocol.interventionTypology code),
 * the component levels (protocol.componentLevels codes) and the PROGRESS-Plus
 * characteristics a study reports (protocol.equityCharacteristics codes).
 */
export const CHARACTERISTICS = {
  interventionType: "interventionType",
  componentLevels: "componentLevels",
  progressPlus: "progressPlus",
} as const;

export interface StudyCounts {
  /** Included studies: effectiveness + implementation − both. */
  total: number;
  /** Studies contributing to effectiveness questions (including those in both strands). */
  effectiveness: number;
  /** Studies contributing to implementation questions (including those in both strands). */
  implementation: number;
  both: number;
  /** Designs of the effectiveness studies. */
  designs: { RCT: number; QED: number };
}

export function studyCounts(p: ReviewProject): StudyCounts {
  const eff = p.studies.filter(isEffectiveness);
  return {
    total: p.studies.filter((s) => isEffectiveness(s) || isImplementation(s)).length,
    effectiveness: eff.length,
    implementation: p.studies.filter(isImplementation).length,
    both: p.studies.filter((s) => s.strand === "both").length,
    designs: {
      RCT: eff.filter((s) => designClass(s.design) === "RCT").length,
      QED: eff.filter((s) => designClass(s.design) === "QED").length,
    },
  };
}

/**
 * Effectiveness studies per intervention type, keyed by the type's label, in
 * protocol order; every type of the typology appears (0 when no study has it).
 */
export function typology(p: ReviewProject): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of p.protocol.interventionTypology) out[labelOf(p.protocol.interventionTypology, t.code)] = 0;
  for (const s of p.studies.filter(isEffectiveness)) {
    for (const code of characteristicList(p, s, CHARACTERISTICS.interventionType)) {
      const label = labelOf(p.protocol.interventionTypology, code);
      out[label] = (out[label] ?? 0) + 1;
    }
  }
  return out;
}

/** Effectiveness studies per component level (parent, child, family, service), keyed by label. */
export function componentLevels(p: ReviewProject): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of p.protocol.componentLevels) out[labelOf(p.protocol.componentLevels, t.code)] = 0;
  for (const s of p.studies.filter(isEffectiveness)) {
    for (const code of new Set(characteristicList(p, s, CHARACTERISTICS.componentLevels))) {
      const label = labelOf(p.protocol.componentLevels, code);
      out[label] = (out[label] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * Number of studies reporting each PROGRESS-Plus characteristic, keyed by the
 * characteristic's label, in protocol order (0 for characteristics no study
 * reports, e.g. a table's "N/A").
 */
export function progressPlus(p: ReviewProject): Record<string, number> {
  const out: Record<string, number> = {};
  const items = p.protocol.equityCharacteristics;
  for (const c of items) out[labelOf(items, c.code)] = 0;
  for (const s of p.studies) {
    for (const code of new Set(characteristicList(p, s, CHARACTERISTICS.progressPlus))) {
      const label = labelOf(items, code);
      out[label] = (out[label] ?? 0) + 1;
    }
  }
  return out;
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
export function robCounts(p: ReviewProject): Record<string, RobCounts> {
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
export function robSummary(p: ReviewProject): Record<string, Record<string, Record<string, number>>> {
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
}

export interface AppraisalConflictDetail extends AppraisalConflict {
  studyId: string;
  appraisalId: string;
  /** Set when a reviewer accepted the flag: who, when, and why. */
  accepted: { by: string; at: string; justification: string } | null;
}

/**
 * Every appraisal whose recorded overall judgement contradicts its own domain
 * judgements under the tool's rule (see appraisal-rules.ts). Recorded
 * judgements are never changed; a flag accepted by a reviewer (store:
 * appraisalFlagAcceptances, matched on appraisal and rule) stays listed with
 * its acceptance.
 */
export function appraisalConflictDetails(p: ReviewProject): AppraisalConflictDetail[] {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  const out: AppraisalConflictDetail[] = [];
  for (const a of p.appraisals) {
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
      studyId: a.studyId,
      appraisalId: a.id,
      accepted: acc ? { by: acc.acceptedBy, at: acc.at, justification: acc.justification } : null,
    });
  }
  return out;
}

export function appraisalConflicts(p: ReviewProject): AppraisalConflict[] {
  return appraisalConflictDetails(p).map(({ study, tool, recorded, implied, rule }) => ({ study, tool, recorded, implied, rule }));
}

export const CONFIDENCE_LABELS: Record<Confidence, "High" | "Moderate" | "Low" | "Very low"> = {
  high: "High",
  moderate: "Moderate",
  low: "Low",
  very_low: "Very low",
};

/** Number of CERQual-assessed findings at each level of confidence. */
export function cerqualCounts(p: ReviewProject): { High: number; Moderate: number; Low: number; "Very low": number } {
  const out = { High: 0, Moderate: 0, Low: 0, "Very low": 0 };
  for (const f of p.qualitativeFindings) if (f.confidence) out[CONFIDENCE_LABELS[f.confidence]]++;
  return out;
}

/**
 * The machine-readable summary of a review (`homeward summary`): PRISMA
 * counts with their sources, study counts, typology, risk-of-bias summary,
 * appraisal conflicts, CERQual counts and PROGRESS-Plus reporting.
 */
export function reviewSummary(p: ReviewProject) {
  const flow = prismaFlow(p);
  // Exactly the fields the summary format names (registers are shown in the diagram and the flow).
  const fields = PRISMA_FIELDS.filter((f) => f !== "register_results");
  return {
    prisma: Object.fromEntries(fields.map((f) => [f, flow.prisma[f]])) as Omit<PrismaCounts, "register_results">,
    prismaSource: Object.fromEntries(fields.map((f) => [f, flow.prismaSource[f]])) as Record<Exclude<PrismaCountField, "register_results">, PrismaSource>,
    studies: studyCounts(p),
    typology: typology(p),
    robSummary: robSummary(p),
    appraisalConflicts: appraisalConflicts(p),
    cerqual: cerqualCounts(p),
    progressPlus: progressPlus(p),
  };
}
export type ReviewSummary = ReturnType<typeof reviewSummary>;
