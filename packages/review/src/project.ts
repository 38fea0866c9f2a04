import type { Appraisal, CodedItem, ProjectFile, Study } from "@homeward/model";

/**
 * Read helpers over a project (the model's ProjectFile shape, as the store
 * exports it). Everything in this package is a pure function of that value.
 */
export type ReviewProject = Pick<
  ProjectFile,
  | "protocol"
  | "searches"
  | "records"
  | "duplicateGroups"
  | "screeningDecisions"
  | "reconciliations"
  | "fullTextRetrievals"
  | "recordedCounts"
  | "studies"
  | "studyReports"
  | "codebookItems"
  | "extractedValues"
  | "outcomes"
  | "appraisals"
  | "appraisalFlagAcceptances"
  | "qualitativeFindings"
  | "reportedResults"
  | "recommendations"
>;

/** Label of a coded item (falls back to the code itself for codes not in the list). */
export function labelOf(items: readonly CodedItem[], code: string): string {
  const it = items.find((i) => i.code === code);
  return it && it.label.trim() !== "" ? it.label : code;
}

/** How a study is cited in tables: its short citation, else its name. */
export function citationOf(study: Study): string {
  return study.shortCitation?.trim() ? study.shortCitation : study.name;
}

/**
 * A study-level characteristic: the latest value extracted for the codebook
 * item with this code (extraction is where a team's data lives), else the
 * study's own attribute of that name (how transcribed or migrated projects
 * carry it). Undefined when neither exists.
 */
export function studyCharacteristic(p: ReviewProject, study: Study, code: string): unknown {
  const item = p.codebookItems.find((i) => i.code === code);
  if (item) {
    let latest: { at: string; value: unknown } | undefined;
    for (const v of p.extractedValues) {
      if (v.studyId !== study.id || v.itemId !== item.id || v.outcomeId !== null) continue;
      if (!latest || v.at >= latest.at) latest = v;
    }
    if (latest) return latest.value;
  }
  return study.attributes[code];
}

/** A characteristic as a list of strings (a single string becomes a one-element list). */
export function characteristicList(p: ReviewProject, study: Study, code: string): string[] {
  const v = studyCharacteristic(p, study, code);
  if (v == null) return [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string" && x.trim() !== "");
  if (typeof v === "string") return v.trim() === "" ? [] : [v];
  return [];
}

export function isEffectiveness(s: Study): boolean {
  return s.strand === "effectiveness" || s.strand === "both";
}
export function isImplementation(s: Study): boolean {
  return s.strand === "implementation" || s.strand === "both";
}

/** "RCT" / "QED" / null from a free-text design ("RCT with process insights", "Quasi-experimental"). */
export function designClass(design: string | null): "RCT" | "QED" | null {
  if (!design) return null;
  const d = design.toLowerCase();
  if (/\brct\b|randomi[sz]ed/.test(d)) return "RCT";
  if (/\bqed\b|quasi/.test(d)) return "QED";
  return null;
}

/**
 * The appraisal that stands for a study under a tool: study-level (not per
 * outcome) before per outcome, consensus before single-reviewer, then the
 * latest. One per study, so summaries count studies, not assessors.
 */
export function appraisalsByStudy(p: ReviewProject): Map<string, Map<string, Appraisal>> {
  const rank = (a: Appraisal) => [a.outcomeId === null ? 1 : 0, a.consensus ? 1 : 0, a.at] as const;
  const better = (a: Appraisal, b: Appraisal) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! > rb[i]!;
    return false;
  };
  const out = new Map<string, Map<string, Appraisal>>();
  for (const a of p.appraisals) {
    let byStudy = out.get(a.tool);
    if (!byStudy) out.set(a.tool, (byStudy = new Map()));
    const cur = byStudy.get(a.studyId);
    if (!cur || better(a, cur)) byStudy.set(a.studyId, a);
  }
  return out;
}

/** Rounds a percentage to one decimal place, as review tables print them. */
export function percent(n: number, of: number): number {
  return of === 0 ? 0 : Math.round((1000 * n) / of) / 10;
}
