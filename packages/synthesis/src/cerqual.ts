import { InputError, type Appraisal, type CodedExcerpt, type Confidence, type QualitativeFinding, type Study, type SynthesisCode } from "@homeward/model";

export type Concern = "no" | "minor" | "moderate" | "serious";
export type ComponentKey = "methodologicalLimitations" | "coherence" | "adequacy" | "relevance";
export const COMPONENTS: readonly ComponentKey[] = ["methodologicalLimitations", "coherence", "adequacy", "relevance"];
export const COMPONENT_LABELS: Record<ComponentKey, string> = {
  methodologicalLimitations: "Methodological limitations",
  coherence: "Coherence",
  adequacy: "Adequacy",
  relevance: "Relevance",
};
/** Concern levels as iSoQ and Lewin et al. (2018) word them. */
export const CONCERN_LABELS: Record<Concern, string> = {
  no: "No or very minor concerns",
  minor: "Minor concerns",
  moderate: "Moderate concerns",
  serious: "Serious concerns",
};
export const CONFIDENCE_LABELS: Record<Confidence, string> = { high: "High", moderate: "Moderate", low: "Low", very_low: "Very low" };
export const CONCERNS: readonly Concern[] = ["no", "minor", "moderate", "serious"];
export const CONFIDENCES: readonly Confidence[] = ["high", "moderate", "low", "very_low"];

/** A suggestion the team may take or not: the level, and how it was reached. */
export interface Suggestion<T> {
  value: T | null;
  basis: string;
}

/** CASP overall ratings counted as a concern (the seed review's two-level rating, seed 000 Methods). */
const CASP_CONCERN = /negative|poor|low quality|serious|major/i;
/** ASSESS ratings counted as a concern ("Higher bias"). */
const ASSESS_CONCERN = /higher|high bias|serious/i;

/** The appraisal that stands for a study and tool: the consensus one, else the latest submitted one. */
function standing(appraisals: readonly Appraisal[], studyId: string, tool: "CASP" | "ASSESS"): Appraisal | null {
  const of = appraisals.filter((a) => a.studyId === studyId && a.tool === tool && a.status !== "draft");
  return of.find((a) => a.consensus) ?? [...of].sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z]/g, "");

/**
 * Methodological limitations suggested from the contributing studies' CASP
 * and ASSESS appraisals: the share of appraised studies whose appraisal
 * raises a concern (a negative CASP rating; an ASSESS "higher bias" rating
 * of the implementation outcome the finding is coded with, or of any
 * outcome when it is coded with none of them). Bands: none → no or very
 * minor concerns, up to a quarter → minor, up to a half → moderate, more →
 * serious. The bands are a starting point stated with the suggestion, not
 * a rule of CERQual's: Lewin et al. leave the judgement to the team.
 */
export function suggestMethodologicalLimitations(
  studyIds: readonly string[],
  appraisals: readonly Appraisal[],
  codes: readonly Pick<SynthesisCode, "label">[] = [],
): Suggestion<Concern> & { appraised: number; concerns: string[] } {
  const outcomeNames = new Set(codes.map((c) => norm(c.label)));
  // One pass over the project's appraisals; then each study reads only its own.
  const ids = new Set(studyIds);
  const byStudy = new Map<string, Appraisal[]>();
  for (const a of appraisals) if (ids.has(a.studyId)) (byStudy.get(a.studyId) ?? byStudy.set(a.studyId, []).get(a.studyId)!).push(a);
  const concerns: string[] = [];
  let appraised = 0;
  for (const id of studyIds) {
    const own = byStudy.get(id) ?? [];
    const casp = standing(own, id, "CASP");
    const assess = standing(own, id, "ASSESS");
    if (!casp && !assess) continue;
    appraised++;
    let concern = false;
    if (casp && casp.overall && CASP_CONCERN.test(casp.overall)) concern = true;
    if (assess) {
      const domains = assess.domains.filter((d) => d.judgement);
      const relevant = domains.filter((d) => outcomeNames.has(norm(d.domain)));
      if ((relevant.length ? relevant : domains).some((d) => ASSESS_CONCERN.test(d.judgement!))) concern = true;
    }
    if (concern) concerns.push(id);
  }
  if (appraised === 0) return { value: null, basis: "None of the contributing studies has a CASP or ASSESS appraisal.", appraised, concerns };
  const share = concerns.length / appraised;
  const value: Concern = share === 0 ? "no" : share <= 0.25 ? "minor" : share <= 0.5 ? "moderate" : "serious";
  const basis = `${concerns.length} of ${appraised} appraised contributing ${appraised === 1 ? "study raises" : "studies raise"} a concern in their CASP or ASSESS appraisal (${Math.round(share * 100)}%; bands: none → no or very minor, up to 25% → minor, up to 50% → moderate, more → serious)${studyIds.length > appraised ? `; ${studyIds.length - appraised} not appraised` : ""}.`;
  return { value, basis, appraised, concerns };
}

/**
 * Adequacy suggested from how much data supports the finding: the number of
 * contributing studies and of supporting excerpts. Bands (a starting point,
 * stated with the suggestion): 6 or more studies → no or very minor
 * concerns, 4–5 → minor, 2–3 → moderate, 1 → serious; one level more where
 * fewer excerpts than studies support it (some studies give it no quoted
 * data; a finding with no coded excerpt at all is read by its studies
 * alone).
 */
export function suggestAdequacy(studies: number, excerpts: number): Suggestion<Concern> {
  if (studies === 0) return { value: null, basis: "No contributing study." };
  let i = studies >= 6 ? 0 : studies >= 4 ? 1 : studies >= 2 ? 2 : 3;
  // No excerpt at all: the finding was not coded here (a published table), so only the studies are read.
  const thin = excerpts > 0 && excerpts < studies;
  if (thin) i = Math.min(3, i + 1);
  const value = CONCERNS[i]!;
  return {
    value,
    basis: `${studies} contributing ${studies === 1 ? "study" : "studies"} and ${excerpts} supporting ${excerpts === 1 ? "excerpt" : "excerpts"}${excerpts === 0 ? " coded here" : ""} (bands: 6+ studies → no or very minor, 4–5 → minor, 2–3 → moderate, 1 → serious${thin ? "; one level more because fewer excerpts than studies support it" : ""}).`,
  };
}

/**
 * The overall confidence suggested from the four components: starting from
 * high (the CERQual starting assumption that each finding is a reasonable
 * representation of the phenomenon), each serious concern lowers it by two
 * levels, each moderate by one, and two or more minor concerns by one.
 */
export function suggestConfidence(components: Partial<Record<ComponentKey, Concern | null>>): Suggestion<Confidence> {
  const levels = COMPONENTS.map((k) => components[k] ?? null);
  if (levels.some((l) => l === null)) return { value: null, basis: "Judge every component first." };
  const serious = levels.filter((l) => l === "serious").length;
  const moderate = levels.filter((l) => l === "moderate").length;
  const minor = levels.filter((l) => l === "minor").length;
  const down = Math.min(3, serious * 2 + moderate + (minor >= 2 ? 1 : 0));
  return { value: CONFIDENCES[down]!, basis: `from high: ${serious} serious (two levels each), ${moderate} moderate (one each), ${minor} minor (one for two or more)` };
}

/** The iSoQ-style explanation of the overall confidence, from the component judgements. */
export function explainConfidence(confidence: Confidence, components: Record<ComponentKey, Concern | null>): string {
  const by = (level: Concern) => COMPONENTS.filter((k) => components[k] === level).map((k) => COMPONENT_LABELS[k].toLowerCase());
  const list = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
  const parts = (["serious", "moderate", "minor"] as Concern[]).filter((l) => by(l).length).map((l) => `${l} concerns about ${list(by(l))}`);
  const lead = `This finding was graded as ${CONFIDENCE_LABELS[confidence].toLowerCase()} confidence`;
  if (parts.length === 0) return `${lead} because of no or very minor concerns about ${list(COMPONENTS.map((k) => COMPONENT_LABELS[k].toLowerCase()))}.`;
  const none = by("no");
  return `${lead} because of ${list(parts)}${none.length ? `, and no or very minor concerns about ${list(none)}` : ""}.`;
}

/**
 * What a CERQual assessment is made on: the contributing studies and their
 * CASP/ASSESS appraisals (id and time). Stored with the assessment; when it
 * differs from what the project holds now, the finding needs re-assessing.
 */
export function assessmentBasis(f: Pick<QualitativeFinding, "studyIds" | "excerptIds">, appraisals: readonly Appraisal[]): string {
  const ids = [...new Set(f.studyIds)].sort();
  const apps = appraisals
    .filter((a) => ids.includes(a.studyId) && (a.tool === "CASP" || a.tool === "ASSESS") && a.status !== "draft")
    .map((a) => `${a.studyId}/${a.id}@${a.at}:${a.overall ?? ""}`)
    .sort();
  return JSON.stringify({ studies: ids, excerpts: [...new Set(f.excerptIds)].sort(), appraisals: apps });
}

export interface Reassessment {
  needed: boolean;
  reasons: string[];
}

/** Whether a finding assessed in Homeward needs re-assessing, and why (a finding assessed elsewhere has no basis to compare). */
export function reassessment(f: QualitativeFinding, appraisals: readonly Appraisal[]): Reassessment {
  if (!f.assessedBasis) return { needed: false, reasons: [] };
  let then: { studies: string[]; excerpts: string[]; appraisals: string[] };
  try {
    then = JSON.parse(f.assessedBasis);
  } catch {
    return { needed: true, reasons: ["the record of what it was assessed on cannot be read"] };
  }
  const now = JSON.parse(assessmentBasis(f, appraisals)) as typeof then;
  const reasons: string[] = [];
  const diff = (a: string[], b: string[]) => [a.filter((x) => !b.includes(x)), b.filter((x) => !a.includes(x))];
  const [addedS, removedS] = diff(now.studies, then.studies ?? []);
  if (addedS!.length) reasons.push(`contributing ${addedS!.length === 1 ? "study" : "studies"} added: ${addedS!.join(", ")}`);
  if (removedS!.length) reasons.push(`contributing ${removedS!.length === 1 ? "study" : "studies"} removed: ${removedS!.join(", ")}`);
  const [addedE, removedE] = diff(now.excerpts, then.excerpts ?? []);
  if (addedE!.length || removedE!.length) reasons.push(`supporting excerpts changed (${addedE!.length} added, ${removedE!.length} removed)`);
  // Appraisals of studies added since are told by the added study, not again here.
  const kept = (xs: string[]) => xs.filter((a) => (then.studies ?? []).includes(a.slice(0, a.indexOf("/"))));
  if (JSON.stringify(kept(now.appraisals)) !== JSON.stringify(kept(then.appraisals ?? []))) reasons.push("an appraisal of a contributing study changed");
  return { needed: reasons.length > 0, reasons };
}

/** The body of a CERQual assessment as the team gives it. */
export interface CerqualInput {
  components: Record<ComponentKey, { judgement: Concern | null; explanation: string }>;
  confidence: Confidence | null;
  explanation: string;
}

/** Checks an assessment against the scales (clear messages; nothing is changed on a bad one). */
export function checkCerqual(input: unknown): CerqualInput {
  if (typeof input !== "object" || input === null) throw new InputError("a CERQual assessment is an object with components, confidence and explanation");
  const body = input as Record<string, unknown>;
  const comps = (body.components ?? {}) as Record<string, unknown>;
  const out = {} as CerqualInput["components"];
  for (const k of COMPONENTS) {
    const c = (comps[k] ?? {}) as Record<string, unknown>;
    const j = c.judgement ?? null;
    if (j !== null && !CONCERNS.includes(j as Concern))
      throw new InputError(`${COMPONENT_LABELS[k]}: "${String(j)}" is not a level of concern (use ${CONCERNS.join(", ")})`);
    out[k] = { judgement: j as Concern | null, explanation: typeof c.explanation === "string" ? c.explanation : "" };
  }
  const conf = body.confidence ?? null;
  if (conf !== null && !CONFIDENCES.includes(conf as Confidence))
    throw new InputError(`"${String(conf)}" is not a level of confidence (use ${CONFIDENCES.join(", ")})`);
  if (conf !== null && COMPONENTS.some((k) => out[k].judgement === null)) throw new InputError("judge all four components before the overall confidence");
  return { components: out, confidence: conf as Confidence | null, explanation: typeof body.explanation === "string" ? body.explanation : "" };
}

export interface SoqfRow {
  id: string;
  order: number;
  statement: string;
  confidence: string | null;
  explanation: string;
  studies: { id: string; citation: string }[];
  reassess: Reassessment;
}

const citation = (s: Pick<Study, "id" | "name" | "shortCitation">) => s.shortCitation ?? s.name;

/** Inputs of the iSoQ tables. */
export interface FindingTablesInput {
  qualitativeFindings: readonly QualitativeFinding[];
  studies: readonly Pick<Study, "id" | "name" | "shortCitation">[];
  appraisals: readonly Appraisal[];
}

const ordered = (fs: readonly QualitativeFinding[]) => [...fs].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));

/**
 * The Summary of Qualitative Findings table (iSoQ; Lewin et al. 2018, Table
 * 3): each finding with its overall confidence, the explanation, and the
 * studies contributing to it. Pure: a report renders it as it stands.
 */
export function summaryOfQualitativeFindings(p: FindingTablesInput): SoqfRow[] {
  const studies = new Map(p.studies.map((s) => [s.id, s]));
  return ordered(p.qualitativeFindings).map((f) => ({
    id: f.id,
    order: f.order,
    statement: f.statement,
    confidence: f.confidence ? CONFIDENCE_LABELS[f.confidence] : null,
    explanation: f.explanation || (f.confidence && COMPONENTS.every((k) => f.components[k].judgement) ? explainConfidence(f.confidence, judgements(f)) : ""),
    studies: f.studyIds.map((id) => ({ id, citation: studies.get(id) ? citation(studies.get(id)!) : id })),
    reassess: reassessment(f, p.appraisals),
  }));
}

const judgements = (f: QualitativeFinding) => Object.fromEntries(COMPONENTS.map((k) => [k, f.components[k].judgement])) as Record<ComponentKey, Concern | null>;

export interface EvidenceProfileRow extends SoqfRow {
  components: { key: ComponentKey; label: string; judgement: string | null; explanation: string }[];
  excerpts: number;
}

/**
 * The Evidence Profile (iSoQ): each finding with every component's level of
 * concern and its explanation, then the overall confidence with its
 * explanation (generated from the components where the team wrote none).
 */
export function evidenceProfile(p: FindingTablesInput): EvidenceProfileRow[] {
  const soqf = new Map(summaryOfQualitativeFindings(p).map((r) => [r.id, r]));
  return ordered(p.qualitativeFindings).map((f) => ({
    ...soqf.get(f.id)!,
    excerpts: f.excerptIds.length,
    components: COMPONENTS.map((k) => ({
      key: k,
      label: COMPONENT_LABELS[k],
      judgement: f.components[k].judgement ? CONCERN_LABELS[f.components[k].judgement!] : null,
      explanation: f.components[k].explanation,
    })),
  }));
}

/** Every suggestion for one finding, with whether it needs re-assessing. */
export interface FindingSuggestions {
  methodologicalLimitations: Suggestion<Concern> & { appraised: number; concerns: string[] };
  adequacy: Suggestion<Concern>;
  confidence: Suggestion<Confidence>;
  explanation: string | null;
  reassess: Reassessment;
}

export function findingSuggestions(
  f: QualitativeFinding,
  appraisals: readonly Appraisal[],
  codes: readonly SynthesisCode[],
  /** The project's excerpts (or their ids, so that many findings share one index). */
  excerpts: readonly Pick<CodedExcerpt, "id">[] | ReadonlySet<string>,
): FindingSuggestions {
  const own = codes.filter((c) => f.codeIds.includes(c.id));
  const ml = suggestMethodologicalLimitations(f.studyIds, appraisals, own);
  const held: ReadonlySet<string> = "has" in excerpts ? excerpts : new Set(excerpts.map((e) => e.id));
  const ad = suggestAdequacy(f.studyIds.length, f.excerptIds.filter((id) => held.has(id)).length);
  const current = judgements(f);
  const conf = suggestConfidence(current);
  return {
    methodologicalLimitations: ml,
    adequacy: ad,
    confidence: conf,
    explanation: f.confidence && COMPONENTS.every((k) => current[k]) ? explainConfidence(f.confidence, current) : conf.value ? explainConfidence(conf.value, current) : null,
    reassess: reassessment(f, appraisals),
  };
}
