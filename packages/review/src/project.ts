import type { Appraisal, ClassificationRole, ClassificationScheme, CodebookItem, CodedItem, ExtractedValue, ProjectFile, Protocol, Study } from "@homeward/model";
import { isIncludedStudy, schemeWithRole } from "@homeward/model";

/**
 * A whole project (the model's ProjectFile shape, as the store exports it).
 * Every function here is pure and takes only the parts it reads (a `Pick`
 * of this, or a narrower shape such as the PRISMA flow's records), so a view
 * can load just those parts (see source.ts); a whole project fits them all.
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

/** The protocol and the studies: what the study counts, typology and equity tables read. */
export interface StudiesInput {
  protocol: Pick<Protocol, "classifications">;
  studies: readonly Study[];
}

/** The codebook and the values extracted for it. */
export interface Extraction {
  codebookItems: readonly CodebookItem[];
  extractedValues: readonly ExtractedValue[];
}

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
export function studyCharacteristic(p: Extraction, study: Study, code: string): unknown {
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
export function characteristicList(p: Extraction, study: Study, code: string): string[] {
  const v = studyCharacteristic(p, study, code);
  if (v == null) return [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string" && x.trim() !== "");
  if (typeof v === "string") return v.trim() === "" ? [] : [v];
  return [];
}

/** A study's value codes in a scheme, as a list whether the scheme takes one value or several. */
export function classesOf(study: Study, scheme: string): string[] {
  const v = study.classifications[scheme];
  return v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v];
}

/** The scheme of a role, if the protocol declares one. */
export const schemeOf = (p: { protocol: Pick<Protocol, "classifications"> }, role: ClassificationRole): ClassificationScheme | undefined =>
  schemeWithRole(p.protocol, role);

/**
 * Whether a study is among the review's included studies: when the protocol
 * declares synthesis strands, a study in at least one of them; otherwise
 * every study. (A study outside every strand is one the team keeps for
 * another reason, e.g. cited by a finding.)
 */
export function isIncluded(p: StudiesInput, study: Study): boolean {
  // The model's rule, which the store's project counts also use.
  return isIncludedStudy(p.protocol, study);
}

export function includedStudies(p: StudiesInput): Study[] {
  return p.studies.filter((s) => isIncluded(p, s));
}

/**
 * Included studies per value of a scheme, keyed by the value's label, in the
 * scheme's order (every value appears, 0 when no study has it); a study with
 * several values counts under each, once. Values a study has that the scheme
 * lacks count under their code.
 */
export function classCounts(p: StudiesInput, scheme: ClassificationScheme | undefined, key: "label" | "code" = "label"): Record<string, number> {
  const out: Record<string, number> = {};
  if (!scheme) return out;
  const name = (code: string) => (key === "code" ? code : labelOf(scheme.values, code));
  for (const v of scheme.values) out[name(v.code)] = 0;
  for (const s of includedStudies(p)) {
    for (const code of classesOf(s, scheme.code)) out[name(code)] = (out[name(code)] ?? 0) + 1;
  }
  return out;
}

/**
 * The appraisal that stands for a study under a tool: study-level (not per
 * outcome) before per outcome, consensus before single-reviewer, then the
 * latest. One per study, so summaries count studies, not assessors. A
 * draft (its reviewer still answering) stands for nothing.
 */
export function appraisalsByStudy(p: { appraisals: readonly Appraisal[] }): Map<string, Map<string, Appraisal>> {
  const rank = (a: Appraisal) => [a.outcomeId === null ? 1 : 0, a.consensus ? 1 : 0, a.at] as const;
  const better = (a: Appraisal, b: Appraisal) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! > rb[i]!;
    return false;
  };
  const out = new Map<string, Map<string, Appraisal>>();
  for (const a of p.appraisals) {
    if (a.status === "draft") continue;
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
