import { z } from "zod";
import { CodedItem, OptText, ScreeningStage } from "./common.js";

/** PICOT(S) text of the review question. */
export const Picot = z.object({
  population: z.string().default(""),
  intervention: z.string().default(""),
  comparison: z.string().default(""),
  outcomes: z.string().default(""),
  timing: z.string().default(""),
  setting: z.string().default(""),
});
export type Picot = z.infer<typeof Picot>;

/** One row of the inclusion or exclusion table; `category` groups rows (e.g. "Population", "Design"). */
export const Criterion = CodedItem.extend({ category: OptText });
export type Criterion = z.infer<typeof Criterion>;

/**
 * Exclusion reason. When a record meets several reasons, the one with the
 * lowest `rank` is the recorded (reported) reason; the others are kept on the
 * decision. `stage` restricts where the reason may be used ("any" = both).
 */
export const ExclusionReason = CodedItem.extend({
  rank: z.number().int().min(0),
  stage: z.union([ScreeningStage, z.literal("any")]).default("any"),
});
export type ExclusionReason = z.infer<typeof ExclusionReason>;

/** A level of a rating scheme (e.g. for recommendations); higher `rank` = stronger. */
export const RatingLevel = CodedItem.extend({ rank: z.number().int().default(0) });
export type RatingLevel = z.infer<typeof RatingLevel>;

const list = <T extends z.ZodTypeAny>(item: T) => z.array(item).default([]);

/**
 * The part a classification scheme plays in the review's outputs; each role
 * is played by at most one scheme.
 * - `strand`: the synthesis strands (e.g. effectiveness and implementation).
 *   A study in at least one strand is an included study (the PRISMA flow's
 *   included box, the summary's total); with no strand scheme every study is.
 * - `design`: design classes counted in the summary (e.g. RCT, QED).
 * - `typology`: intervention types: counted in the summary, rows of the
 *   evidence gap map.
 * - `components`: component levels of the interventions.
 * - `equity`: equity characteristics a study reports (e.g. PROGRESS-Plus).
 */
export const ClassificationRole = z.enum(["strand", "design", "typology", "components", "equity"]);
export type ClassificationRole = z.infer<typeof ClassificationRole>;

/**
 * A way the review classifies its studies, with the values a study may take
 * (`study.classifications[code]`: one value code, or a list of them when
 * `multiple`). Codes are the keys studies use; labels are what outputs show.
 */
export const ClassificationScheme = CodedItem.extend({
  /** What the scheme classifies; studies are the only kind so far. */
  appliesTo: z.literal("study").default("study"),
  multiple: z.boolean().default(false),
  values: list(CodedItem),
  role: ClassificationRole.nullable().default(null),
});
export type ClassificationScheme = z.infer<typeof ClassificationScheme>;

/**
 * A project's documented departure from an appraisal tool's guidance, as
 * data: answers it substitutes for given questions whatever the assessor
 * answered. The shape of @homeward/appraisal's `Departure`, which applies it
 * and reports it next to every domain judgement it changed.
 */
export const AppraisalDeparture = z.object({
  id: z.string().trim().min(1),
  /** Registry ids of the tools it applies to ("rob2", "rob2-adhering"). */
  tools: z.array(z.string().min(1)).min(1),
  text: z.string().trim().min(1),
  source: z.string().optional(),
  overrides: z.array(z.object({ question: z.string().min(1), answer: z.string().min(1) })).min(1),
});
export type AppraisalDeparture = z.infer<typeof AppraisalDeparture>;

/** The tool a design class is appraised with: a registry id of @homeward/appraisal and a version (null: the latest declared). */
export const AppraisalToolChoice = z.object({
  /** A value code of the scheme with role "design" (e.g. "RCT"), or a class no scheme carries ("qualitative"). */
  design: z.string().trim().min(1),
  tool: z.string().trim().min(1),
  version: z.string().nullable().default(null),
});
export type AppraisalToolChoice = z.infer<typeof AppraisalToolChoice>;

/** How the team appraises: the tool per design class, tools offered for any study, its departures, and the share of studies a senior checks. */
export const AppraisalSetup = z.object({
  tools: list(AppraisalToolChoice),
  /** Tools a reviewer may also choose for any study (e.g. MMAT). */
  available: z.array(z.string().min(1)).default([]),
  departures: list(AppraisalDeparture),
  seniorCheckShare: z.number().min(0).max(1).default(0.05),
});
export type AppraisalSetup = z.infer<typeof AppraisalSetup>;

/**
 * The reunification review's set-up (seed 000, Methods, "Quality
 * appraisal"): RoB 2 for RCTs, ROBINS-I for QEDs, CASP for qualitative
 * studies, ASSESS for process evaluations, MMAT offered; non-blinding of
 * participants not counted as a concern (the same departure as
 * @homeward/appraisal's NON_BLINDING_NOT_A_CONCERN, which the model cannot
 * import); a senior checks 5% of studies.
 */
export const DEFAULT_APPRAISAL_SETUP: AppraisalSetup = AppraisalSetup.parse({
  tools: [
    { design: "RCT", tool: "rob2" },
    { design: "QED", tool: "robins-i" },
    { design: "qualitative", tool: "casp-qualitative" },
    { design: "process_evaluation", tool: "assess" },
  ],
  available: ["mmat"],
  departures: [
    {
      id: "non-blinding-not-a-concern",
      tools: ["rob2", "rob2-adhering"],
      text: "Non-blinding of participants is not counted as a cause for concern: families always know whether they receive a reunification service, unlike participants in trials where blinding is possible.",
      source: "Review protocol and report, Methods, Quality appraisal (RoB-2 and ROBINS-I)",
      overrides: [{ question: "2.1", answer: "PN" }],
    },
  ],
  seniorCheckShare: 0.05,
});

/**
 * How values are extracted and checked: "single" (one reviewer per study),
 * "single_checked" (one reviewer, and a second checks every outcome datum:
 * the seed review's rule) or "dual" (two reviewers blind to each other, then
 * compared). A senior checks `seniorCheckShare` of the studies in full.
 */
export const ExtractionMode = z.enum(["single", "single_checked", "dual"]);
export type ExtractionMode = z.infer<typeof ExtractionMode>;
export const ExtractionSetup = z.object({
  mode: ExtractionMode.default("dual"),
  seniorCheckShare: z.number().gt(0, "the senior check's share must be above 0").max(1, "the senior check's share must be at most 1").default(0.05),
});
export type ExtractionSetup = z.infer<typeof ExtractionSetup>;
/** Dual and blind, as extraction worked before modes existed; a 5% senior check as the seed review. */
export const DEFAULT_EXTRACTION_SETUP: ExtractionSetup = ExtractionSetup.parse({});

/**
 * The protocol's fields without the rules across them. Only for reading a
 * protocol stored before a rule existed (so the editor can show it and the
 * team can mend it); every write is checked against `Protocol`.
 */
export const ProtocolFields = z.object({
  question: z.string().default(""),
  picot: Picot.default(Picot.parse({})),
  eligibility: z
    .object({ inclusion: list(Criterion), exclusion: list(Criterion) })
    .default({ inclusion: [], exclusion: [] }),
  exclusionReasons: list(ExclusionReason),
  outcomeDomains: list(CodedItem),
  /** How studies are classified: strands, design classes, typologies, component levels, equity characteristics, or any scheme of the team's own. */
  classifications: list(ClassificationScheme),
  ratingScheme: list(RatingLevel),
  /** Further named lists the team defines, e.g. {"settings": [...]} */
  lists: z.record(z.string(), z.array(CodedItem)).default({}),
  /** How studies are appraised; absent in protocols written before it, read as DEFAULT_APPRAISAL_SETUP (see appraisalSetupOf). */
  appraisal: AppraisalSetup.optional(),
  /** How values are extracted and checked; absent in protocols written before it, read as DEFAULT_EXTRACTION_SETUP. */
  extraction: ExtractionSetup.optional(),
});

export const Protocol = ProtocolFields.superRefine((p, ctx) => {
  const dupes = (items: { code: string }[], path: (string | number)[]) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.code)) ctx.addIssue({ code: "custom", path: [...path, i, "code"], message: `duplicate code "${it.code}"` });
      seen.add(it.code);
    });
  };
  dupes(p.eligibility.inclusion, ["eligibility", "inclusion"]);
  dupes(p.eligibility.exclusion, ["eligibility", "exclusion"]);
  dupes(p.exclusionReasons, ["exclusionReasons"]);
  // The reported reason of an exclusion is the lowest-ranked one given, so two reasons of one rank leave it undecided.
  const ranks = new Map<number, string>();
  p.exclusionReasons.forEach((r, i) => {
    const other = ranks.get(r.rank);
    if (other !== undefined)
      ctx.addIssue({ code: "custom", path: ["exclusionReasons", i, "rank"], message: `exclusion reasons "${other}" and "${r.code}" both have rank ${r.rank} (each reason needs its own rank)` });
    else ranks.set(r.rank, r.code);
  });
  dupes(p.outcomeDomains, ["outcomeDomains"]);
  dupes(p.classifications, ["classifications"]);
  p.classifications.forEach((c, i) => dupes(c.values, ["classifications", i, "values"]));
  const roles = new Map<string, string>();
  p.classifications.forEach((c, i) => {
    if (c.role === null) return;
    const other = roles.get(c.role);
    if (other !== undefined)
      ctx.addIssue({ code: "custom", path: ["classifications", i, "role"], message: `schemes "${other}" and "${c.code}" both have the role "${c.role}" (one scheme per role)` });
    else roles.set(c.role, c.code);
  });
  dupes(p.ratingScheme, ["ratingScheme"]);
  for (const [name, items] of Object.entries(p.lists)) dupes(items, ["lists", name]);
});
export type Protocol = z.infer<typeof Protocol>;

/** The parts of the protocol that are edited and saved one at a time. */
export const ProtocolSection = z.enum(["question", "picot", "eligibility", "exclusionReasons", "outcomeDomains", "classifications", "ratingScheme", "lists", "appraisal", "extraction"]);
export type ProtocolSection = z.infer<typeof ProtocolSection>;
export type ProtocolInput = z.input<typeof Protocol>;

/** The scheme the protocol gives `role`, if any. */
export function schemeWithRole(protocol: Pick<Protocol, "classifications">, role: ClassificationRole): ClassificationScheme | undefined {
  return protocol.classifications.find((c) => c.role === role);
}

/**
 * Whether a study is one of the review's included studies: with a scheme of
 * role strand, a study in at least one strand; otherwise every study. The
 * one rule behind the PRISMA flow's included box, the review's study counts
 * and the project's count of studies.
 */
export function isIncludedStudy(protocol: Pick<Protocol, "classifications">, study: { classifications: Record<string, string | string[]> }): boolean {
  const strand = schemeWithRole(protocol, "strand");
  if (strand === undefined) return true;
  const v = study.classifications[strand.code];
  return v !== undefined && (Array.isArray(v) ? v.length > 0 : true);
}

/** The protocol's appraisal set-up, or the default one when the protocol has none. */
export function appraisalSetupOf(protocol: { appraisal?: AppraisalSetup }): AppraisalSetup {
  return protocol.appraisal ?? DEFAULT_APPRAISAL_SETUP;
}

/** The protocol's extraction set-up, or the default one when the protocol has none. */
export function extractionSetupOf(protocol: { extraction?: ExtractionSetup }): ExtractionSetup {
  return protocol.extraction ?? DEFAULT_EXTRACTION_SETUP;
}

export const emptyProtocol = (): Protocol => Protocol.parse({});
