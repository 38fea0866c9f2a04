import type { GradeAssessment, ReportedResult } from "@homeward/model";

export type GradeDomainKey = "riskOfBias" | "inconsistency" | "indirectness" | "imprecision" | "publicationBias";
export const GRADE_DOMAINS: readonly GradeDomainKey[] = ["riskOfBias", "inconsistency", "indirectness", "imprecision", "publicationBias"];
export const GRADE_DOMAIN_LABELS: Record<GradeDomainKey, string> = {
  riskOfBias: "Risk of bias",
  inconsistency: "Inconsistency",
  indirectness: "Indirectness",
  imprecision: "Imprecision",
  publicationBias: "Publication bias",
};
export const CERTAINTY_LABELS = { high: "High", moderate: "Moderate", low: "Low", very_low: "Very low" } as const;
export type GradeConcernLevel = "not_serious" | "serious" | "very_serious";
export const GRADE_CONCERN_LABELS: Record<GradeConcernLevel, string> = { not_serious: "Not serious", serious: "Serious", very_serious: "Very serious" };

/** What an assessment grades: a reported result's id or a saved analysis version's. */
export const gradedId = (g: Pick<GradeAssessment, "resultId" | "analysisId">): string | null => g.analysisId ?? g.resultId;

/** The certainty a result's (or a saved analysis's) latest GRADE assessment gives. */
export function certaintyOf(resultId: string, grades: readonly GradeAssessment[]): string | null {
  const g = grades.filter((x) => gradedId(x) === resultId).sort((a, b) => b.at.localeCompare(a.at))[0];
  return g?.certainty ? CERTAINTY_LABELS[g.certainty] : null;
}

export interface DomainSuggestion {
  value: GradeConcernLevel | null;
  basis: string;
}

/** What the suggestions read beside the result itself. */
export interface GradeData {
  /** Each study's weight in the model (any scale) and whether its risk of bias is high (RoB 2 "High", ROBINS-I "Serious"/"Critical"). */
  weights?: readonly { studyId: string; weight: number; highRisk: boolean | null }[];
  /** How the weights were had, said in the suggestion's basis. */
  weighting?: string;
  /** Egger's regression test p-value, when the analysis has one. */
  eggerP?: number | null;
  /** Where the Egger p came from (or why there is none), said in the suggestion's basis. */
  eggerBasis?: string;
  /** The team's smallest important effect on the result's scale. */
  threshold?: number | null;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Suggestions for the five GRADE domains computed from the data, shown as
 * suggestions (the team judges): risk of bias from the share of weight from
 * studies at high risk (over a half → very serious, over a quarter →
 * serious); inconsistency from I² (75%+ → serious, and very serious when the
 * prediction interval also crosses zero) ; imprecision from the confidence
 * interval against zero and the team's threshold (crossing both → very
 * serious, one → serious); publication bias from Egger's test (p < 0.10 →
 * serious). Indirectness is left to the team: nothing in the data tells it.
 */
export function suggestGrade(r: ReportedResult, data: GradeData = {}): Record<GradeDomainKey, DomainSuggestion> {
  const out = {} as Record<GradeDomainKey, DomainSuggestion>;
  const w = (data.weights ?? []).filter((x) => x.highRisk !== null && x.weight > 0);
  if (w.length === 0) out.riskOfBias = { value: null, basis: "No study weights with a risk-of-bias rating to read." };
  else {
    const total = w.reduce((s, x) => s + x.weight, 0);
    const high = w.filter((x) => x.highRisk).reduce((s, x) => s + x.weight, 0) / total;
    out.riskOfBias = {
      value: high > 0.5 ? "very_serious" : high > 0.25 ? "serious" : "not_serious",
      basis: `${pct(high)} of the weight is from studies at high risk of bias (${w.length} of ${(data.weights ?? []).length} studies with a rating; weights: ${data.weighting ?? "as given"}; over 25% → serious, over 50% → very serious).`,
    };
  }
  const h = (r.heterogeneity ?? {}) as Record<string, unknown>;
  const i2 = typeof h.I2 === "number" ? h.I2 : null;
  const pi = Array.isArray(h.predictionInterval) && h.predictionInterval.length === 2 ? (h.predictionInterval as number[]) : null;
  if (i2 === null) out.inconsistency = { value: null, basis: "The result carries no I²." };
  else {
    const piCrosses = pi ? pi[0]! < 0 && pi[1]! > 0 : false;
    out.inconsistency = {
      value: i2 >= 75 ? (piCrosses ? "very_serious" : "serious") : i2 >= 50 && piCrosses ? "serious" : "not_serious",
      basis: `I² = ${i2}%${pi ? `; 95% prediction interval ${pi[0]} to ${pi[1]}${piCrosses ? ", which crosses no effect" : ""}` : ""} (I² 75%+ → serious; very serious when the prediction interval also crosses no effect).`,
    };
  }
  out.indirectness = { value: null, basis: "Judged by the team against the review question (population, intervention, comparator, outcome)." };
  const t = data.threshold ?? null;
  if (r.ciLower === null || r.ciUpper === null) out.imprecision = { value: null, basis: "The result has no confidence interval." };
  else {
    const crossesZero = r.ciLower < 0 && r.ciUpper > 0;
    const crossesT = t !== null && r.ciLower < t && r.ciUpper > t;
    out.imprecision = {
      value: crossesZero && crossesT ? "very_serious" : crossesZero || crossesT ? "serious" : "not_serious",
      basis: `95% CI ${r.ciLower} to ${r.ciUpper}: ${crossesZero ? "crosses" : "does not cross"} no effect${t === null ? " (no decision threshold set)" : `, ${crossesT ? "crosses" : "does not cross"} the threshold ${t}`}.`,
    };
  }
  const e = data.eggerP ?? null;
  out.publicationBias =
    e === null
      ? { value: null, basis: `No Egger's test for this result${data.eggerBasis ? ` (${data.eggerBasis})` : ""}.` }
      : { value: e < 0.1 ? "serious" : "not_serious", basis: `Egger's regression test p = ${Math.round(e * 1000) / 1000}${data.eggerBasis ? `, ${data.eggerBasis}` : ""} (p < 0.10 → serious).` };
  return out;
}

/** Certainty from the domain judgements: from high, one level down per serious concern, two per very serious. */
export function certaintyFrom(domains: GradeAssessment["domains"]): GradeAssessment["certainty"] {
  const js = GRADE_DOMAINS.map((k) => domains[k].judgement);
  if (js.some((j) => j === null)) return null;
  const down = Math.min(3, js.reduce((n, j) => n + (j === "serious" ? 1 : j === "very_serious" ? 2 : 0), 0));
  return (["high", "moderate", "low", "very_low"] as const)[down]!;
}

export interface SofRow {
  resultId: string;
  outcome: string;
  studies: number | null;
  effect: string;
  certainty: string | null;
  domains: { key: GradeDomainKey; label: string; judgement: string | null; reason: string }[];
  comments: string;
}

/**
 * The summary-of-findings table as GRADEpro draws it: per result, the
 * number of studies, the effect with its interval, the certainty and the
 * reasons for downgrading. Pure: a report renders it.
 */
export function summaryOfFindings(results: readonly ReportedResult[], grades: readonly GradeAssessment[]): SofRow[] {
  return results
    .filter((r) => grades.some((g) => gradedId(g) === r.id))
    .map((r) => {
      const g = grades.filter((x) => gradedId(x) === r.id).sort((a, b) => b.at.localeCompare(a.at))[0]!;
      const domains = GRADE_DOMAINS.map((k) => ({
        key: k,
        label: GRADE_DOMAIN_LABELS[k],
        judgement: g.domains[k].judgement ? GRADE_CONCERN_LABELS[g.domains[k].judgement!] : null,
        reason: g.domains[k].reason,
      }));
      return {
        resultId: r.id,
        outcome: r.label,
        studies: r.kStudies,
        effect: r.estimate === null ? "—" : `${r.measure ?? ""} ${r.estimate}${r.ciLower !== null && r.ciUpper !== null ? ` (${r.ciLower} to ${r.ciUpper})` : ""}`.trim(),
        certainty: g.certainty ? CERTAINTY_LABELS[g.certainty] : null,
        domains,
        comments: domains.filter((d) => d.judgement && d.judgement !== "Not serious").map((d) => `${d.label}: ${d.reason || d.judgement}`).join("; ") || g.explanation,
      };
    });
}
