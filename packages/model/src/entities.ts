import { z } from "zod";
import {
  Attributes,
  CodedItem,
  Id,
  IdList,
  IsoDate,
  OptInt,
  OptNumber,
  OptText,
  ScreeningStage,
  StringList,
  Timestamp,
  UserName,
} from "./common.js";
import { InputError } from "./errors.js";
import { Blinding } from "./access.js";
import type { Protocol } from "./protocol.js";

// ---------------------------------------------------------------- projects and people

export const Project = z.object({
  id: Id,
  title: z.string().trim().min(1, "title must not be empty").max(500),
  description: z.string().max(20_000).default(""),
  /** Stages whose blinding an owner has lifted (see `Blinding`); empty while every stage is blind. */
  blinding: Blinding,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Project = z.infer<typeof Project>;

export const User = z.object({
  name: UserName,
  displayName: z.string().default(""),
});
export type User = z.infer<typeof User>;

/**
 * A member's role in a project, from most to least trusted (`ROLE_ORDER`):
 * an owner sets the project up and manages members and blinding; an
 * adjudicator reconciles, runs consensus and checks colleagues' work; a
 * reviewer screens, extracts and appraises; a viewer reads. Each role may do
 * what the roles below it may. Projects written before these four roles
 * existed said "senior_reviewer" (read as adjudicator) and "statistician"
 * (read as reviewer).
 */
export const Role = z.preprocess(
  (v) => (v === "senior_reviewer" ? "adjudicator" : v === "statistician" ? "reviewer" : v),
  z.enum(["owner", "adjudicator", "reviewer", "viewer"]),
);
export type Role = z.infer<typeof Role>;

export const Member = z.object({
  id: Id,
  userName: UserName,
  role: Role,
  addedAt: Timestamp,
});
export type Member = z.infer<typeof Member>;

// ---------------------------------------------------------------- identification

export const SearchKind = z.enum(["database", "website", "organisation", "citation", "register", "other"]);
export type SearchKind = z.infer<typeof SearchKind>;

/** One search as run: where, when, how, and how many results the source reported. */
export const Search = z.object({
  id: Id,
  source: z.string().trim().min(1, "search source must not be empty"),
  kind: SearchKind,
  date: IsoDate.nullable().default(null),
  query: z.string().default(""),
  resultsCount: OptInt,
  url: OptText,
  notes: OptText,
});
export type Search = z.infer<typeof Search>;

export const SkippedEntry = z.object({
  /** 1-based position of the entry in the file. */
  index: z.number().int(),
  reason: z.string(),
  raw: OptText,
});
export type SkippedEntry = z.infer<typeof SkippedEntry>;

/** How many of a batch's problems are kept with it: enough to act on, bounded whatever the file. */
export const IMPORT_PROBLEMS_KEPT = 1000;

/** One problem met reading an imported file: "error" skipped the record (or stopped reading), "warning" kept it with a caveat. */
export const ImportProblem = z.object({
  severity: z.enum(["error", "warning"]),
  /** 1-based line of the decoded text. */
  line: OptInt,
  /** 1-based position of the record in the file, when the problem concerns one. */
  record: OptInt,
  message: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

/** One file imported into the project, tied to the search it came from. */
export const ImportBatch = z.object({
  id: Id,
  searchId: Id.nullable().default(null),
  fileName: z.string(),
  format: z.string(),
  importedBy: UserName,
  importedAt: Timestamp,
  counts: z
    .object({ read: z.number().int(), imported: z.number().int(), skipped: z.number().int() })
    .catchall(z.number().int()),
  skipped: z.array(SkippedEntry).default([]),
  /**
   * What reading the file reported (skipped records and warnings), in file
   * order with their lines, so the batch's history shows what the importer
   * saw. The first IMPORT_PROBLEMS_KEPT only; `counts.errors` and
   * `counts.warnings` count them all.
   */
  problems: z.array(ImportProblem).max(IMPORT_PROBLEMS_KEPT).default([]),
});
export type ImportBatch = z.infer<typeof ImportBatch>;

/** A bibliographic record. `raw` keeps the original entry text, `extra` any field the parser did not map. */
export const BibRecord = z.object({
  id: Id,
  searchId: Id.nullable().default(null),
  importBatchId: Id.nullable().default(null),
  /** Authors as written, "Family, Given" preferred, in order. */
  authors: StringList,
  title: z.string().default(""),
  abstract: OptText,
  journal: OptText,
  year: OptInt,
  volume: OptText,
  issue: OptText,
  pages: OptText,
  doi: OptText,
  pmid: OptText,
  keywords: StringList,
  url: OptText,
  /** Publication type as given by the source (e.g. RIS TY "JOUR"). */
  type: OptText,
  language: OptText,
  raw: OptText,
  extra: Attributes,
  /** Set when the record is in a duplicate group; records are never deleted. */
  duplicateGroupId: Id.nullable().default(null),
  createdAt: Timestamp,
});
export type BibRecord = z.infer<typeof BibRecord>;
export type BibRecordInput = z.input<typeof BibRecord>;

/** Records judged to be the same report; members are records whose duplicateGroupId is this group. */
export const DuplicateGroup = z.object({
  id: Id,
  primaryRecordId: Id,
  method: z.enum(["automatic", "manual", "imported"]),
  createdBy: UserName,
  createdAt: Timestamp,
});
export type DuplicateGroup = z.infer<typeof DuplicateGroup>;

/** An uncertain ("maybe") duplicate pair waiting for, or holding, a reviewer's decision. */
export const DuplicatePair = z.object({
  id: Id,
  recordIdA: Id,
  recordIdB: Id,
  score: OptNumber,
  reasons: StringList,
  status: z.enum(["pending", "duplicate", "not_duplicate"]).default("pending"),
  decidedBy: UserName.nullable().default(null),
  decidedAt: Timestamp.nullable().default(null),
  createdAt: Timestamp,
});
export type DuplicatePair = z.infer<typeof DuplicatePair>;

// ---------------------------------------------------------------- screening

export const Decision = z.enum(["include", "exclude", "maybe"]);
export type Decision = z.infer<typeof Decision>;

/**
 * One reviewer's decision on one record at one stage. Decisions are
 * append-only: a changed mind is a new decision; the current decision of a
 * reviewer is their latest (by `at`, then insertion order).
 */
export const ScreeningDecision = z.object({
  id: Id,
  recordId: Id,
  stage: ScreeningStage,
  reviewer: UserName,
  decision: Decision,
  /** Exclusion reason codes that apply; the recorded one is chosen by protocol rank. */
  reasons: StringList,
  note: OptText,
  labels: StringList,
  at: Timestamp,
});
export type ScreeningDecision = z.infer<typeof ScreeningDecision>;

/**
 * How a stage is screened. "dual_then_single": the first `dualFraction` of
 * records (by screening order) are screened by two reviewers, the rest by one.
 */
export const ScreeningSettings = z.object({
  id: Id,
  stage: ScreeningStage,
  mode: z.enum(["single", "dual", "dual_then_single"]),
  dualFraction: z.number().min(0).max(1).nullable().default(null),
  reviewers: z.array(UserName).default([]),
  /** The prioritisation model that ranks the stage's queue (a name from @homeward/screening's models); null: the default. */
  model: z.string().max(100).nullable().default(null),
  updatedAt: Timestamp,
});
export type ScreeningSettings = z.infer<typeof ScreeningSettings>;

export const ScreeningAssignment = z.object({
  id: Id,
  recordId: Id,
  stage: ScreeningStage,
  reviewer: UserName,
  assignedAt: Timestamp,
});
export type ScreeningAssignment = z.infer<typeof ScreeningAssignment>;

/** Final decision where reviewers disagreed, with who settled it and why. */
export const Reconciliation = z.object({
  id: Id,
  recordId: Id,
  stage: ScreeningStage,
  decision: Decision,
  reasons: StringList,
  resolvedBy: UserName,
  reason: z.string().default(""),
  at: Timestamp,
});
export type Reconciliation = z.infer<typeof Reconciliation>;

/** A quality-assurance sample of screened records to be checked by a second reviewer. */
export const QaSample = z.object({
  id: Id,
  stage: ScreeningStage,
  /** Whose decisions were sampled (null = all reviewers). */
  reviewer: UserName.nullable().default(null),
  decision: Decision.nullable().default(null),
  recordIds: IdList,
  method: z.string().default("random"),
  fraction: z.number().min(0).max(1).nullable().default(null),
  seed: OptInt,
  checker: UserName.nullable().default(null),
  status: z.enum(["open", "complete"]).default("open"),
  createdBy: UserName,
  createdAt: Timestamp,
});
export type QaSample = z.infer<typeof QaSample>;

export const RetrievalStatus = z.enum(["sought", "retrieved", "not_retrieved", "author_contacted"]);
export const FullTextRetrieval = z.object({
  id: Id,
  recordId: Id,
  status: RetrievalStatus,
  /** Attached full-text file, if any; when uploaded, its bytes are stored under `sha256` (the store's files). */
  file: z
    .object({ name: z.string(), mediaType: OptText, size: OptInt, sha256: OptText })
    .nullable()
    .default(null),
  note: OptText,
  updatedBy: UserName,
  updatedAt: Timestamp,
});
export type FullTextRetrieval = z.infer<typeof FullTextRetrieval>;

// ---------------------------------------------------------------- recorded (off-platform) counts

/**
 * Field names of the PRISMA 2020 flow diagram as used by the PRISMA2020 R
 * package / Shiny app (Haddaway et al. 2022, Campbell Systematic Reviews
 * 18:e1230). "dbr_" = via databases and registers, "other_" = via other methods.
 */
export const PrismaField = z.enum([
  "previous_studies",
  "previous_reports",
  "register_results",
  "database_results",
  "website_results",
  "organisation_results",
  "citations_results",
  "duplicates",
  "excluded_automatic",
  "excluded_other",
  "records_screened",
  "records_excluded",
  "dbr_sought_reports",
  "dbr_notretrieved_reports",
  "other_sought_reports",
  "other_notretrieved_reports",
  "dbr_assessed",
  "dbr_excluded",
  "other_assessed",
  "other_excluded",
  "new_studies",
  "new_reports",
  "total_studies",
  "total_reports",
]);
export type PrismaField = z.infer<typeof PrismaField>;

/** A count recorded by the team for a stage run outside Homeward, optionally per source (search id or label). */
export const RecordedCount = z.object({
  id: Id,
  field: PrismaField,
  value: z.number().int().min(0),
  /** Breakdown by exclusion reason code, for dbr_excluded / other_excluded. */
  reasons: z.record(z.string(), z.number().int().min(0)).nullable().default(null),
  source: OptText,
  note: OptText,
  recordedBy: UserName,
  recordedAt: Timestamp,
});
export type RecordedCount = z.infer<typeof RecordedCount>;

// ---------------------------------------------------------------- studies

/**
 * A study's place in each of the protocol's classification schemes, keyed by
 * scheme code: one value code, or a list of them for a scheme that allows
 * several (see `studyClassificationIssues`).
 */
export const StudyClassifications = z
  .record(z.string().trim().min(1, "scheme code must not be empty"), z.union([z.string().trim().min(1, "value code must not be empty"), z.array(z.string().trim().min(1, "value code must not be empty"))]))
  .default({});
export type StudyClassifications = z.infer<typeof StudyClassifications>;

export const Study = z.object({
  id: Id,
  name: z.string().trim().min(1, "study name must not be empty"),
  shortCitation: OptText,
  design: OptText,
  country: OptText,
  /**
   * Arms or populations as reported, e.g. [{label: "Intervention", description: "...", n: 120}].
   * `id` (unique within the study) lets outcome data name its arms; arms transcribed before it have none.
   */
  arms: z
    .array(z.object({ id: z.string().trim().min(1).optional(), label: z.string(), description: OptText, n: OptInt }))
    .default([]),
  /** When outcomes were measured, e.g. [{id: "t1", label: "12 months after reunification"}]. */
  timePoints: z.array(z.object({ id: z.string().trim().min(1), label: z.string().trim().min(1, "a time point needs a label") })).default([]),
  classifications: StudyClassifications,
  attributes: Attributes,
  createdAt: Timestamp,
});
export type Study = z.infer<typeof Study>;

/**
 * What is wrong with a study's classifications under the protocol: a scheme
 * it does not declare, a value not among the scheme's, a list where one value
 * is expected (or the reverse), a value listed twice. A schema cannot say this
 * (the schemes are data), so the project file's checks and the store's write
 * rules call it; an empty list means the study fits the protocol.
 */
export function studyClassificationIssues(
  protocol: Pick<Protocol, "classifications">,
  classifications: StudyClassifications,
): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  for (const [code, value] of Object.entries(classifications)) {
    const scheme = protocol.classifications.find((c) => c.code === code);
    const path = ["classifications", code];
    if (!scheme || scheme.appliesTo !== "study") {
      issues.push({ path, message: `the protocol has no study classification "${code}"` });
      continue;
    }
    if (Array.isArray(value) !== scheme.multiple) {
      issues.push({ path, message: scheme.multiple ? `"${code}" takes a list of value codes` : `"${code}" takes one value code, not a list` });
      continue;
    }
    const known = new Set(scheme.values.map((v) => v.code));
    const seen = new Set<string>();
    for (const v of Array.isArray(value) ? value : [value]) {
      if (!known.has(v)) issues.push({ path, message: `"${v}" is not a value of "${code}" (${[...known].join(", ") || "it has none"})` });
      else if (seen.has(v)) issues.push({ path, message: `"${v}" is listed twice in "${code}"` });
      seen.add(v);
    }
  }
  return issues;
}

/**
 * `studyClassificationIssues` as a collection write rule: throws an
 * InputError naming the first study that does not fit the protocol.
 */
export async function validateStudyClassifications(
  studies: readonly Pick<Study, "id" | "classifications">[],
  ctx: { protocol(): Promise<Pick<Protocol, "classifications">> },
): Promise<void> {
  if (!studies.some((s) => Object.keys(s.classifications).length > 0)) return;
  const protocol = await ctx.protocol();
  for (const s of studies) {
    const [first] = studyClassificationIssues(protocol, s.classifications);
    if (first) throw new InputError(`study "${s.id}": ${first.path.join(".")}: ${first.message}`);
  }
}

/** Link from a study to a report: a record in the project or a free-text citation. One lead per study. */
export const StudyReport = z
  .object({
    id: Id,
    studyId: Id,
    recordId: Id.nullable().default(null),
    citation: OptText,
    role: z.enum(["lead", "linked"]),
  })
  .refine((r) => r.recordId !== null || (r.citation ?? "").trim() !== "", {
    message: "a study report needs a recordId or a citation",
  });
export type StudyReport = z.infer<typeof StudyReport>;

// ---------------------------------------------------------------- extraction

/**
 * yesno: "yes", "no" or "unclear"; grid: rows × columns (e.g. one row per
 * arm), a value is { row code: { column code: text or number or null } };
 * section: a heading that groups the items under it and takes no value.
 */
export const CodebookItemType = z.enum(["text", "number", "integer", "boolean", "single", "multiple", "date", "json", "yesno", "grid", "section"]);
/** An earlier definition of a codebook item, kept so values entered under it stay readable. */
export const CodebookItemVersion = z.object({
  version: z.number().int().min(1),
  label: z.string().default(""),
  type: CodebookItemType,
  options: z.array(CodedItem).default([]),
  unit: OptText,
  min: OptNumber,
  max: OptNumber,
  rows: z.array(CodedItem).nullable().default(null),
  columns: z.array(CodedItem).nullable().default(null),
});
export type CodebookItemVersion = z.infer<typeof CodebookItemVersion>;
export const CodebookItem = z.object({
  id: Id,
  code: z.string().trim().min(1),
  label: z.string().default(""),
  type: CodebookItemType,
  options: z.array(CodedItem).default([]),
  group: OptText,
  description: OptText,
  order: z.number().int().default(0),
  /** The item this one sits under (a heading or a parent question); null at the top. */
  parentId: Id.nullable().default(null),
  /** Help for the extractor, shown beside the input (description holds the definition). */
  help: OptText,
  /** Number items: the unit and the allowed range (inclusive). */
  unit: OptText,
  min: OptNumber,
  max: OptNumber,
  /** Grid items: the rows and columns. */
  rows: z.array(CodedItem).nullable().default(null),
  columns: z.array(CodedItem).nullable().default(null),
  /** Current definition's version (null: 1); earlier definitions in `versions`. */
  version: z.number().int().min(1).nullable().default(null),
  versions: z.array(CodebookItemVersion).nullable().default(null),
  /** A retired item takes no new values; its values stay. */
  retiredAt: Timestamp.nullable().default(null),
  /** "outcome": a value per outcome of the study (outcome description, statistics); null or "study": one per study. */
  scope: z.enum(["study", "outcome"]).nullable().default(null),
});
export type CodebookItem = z.infer<typeof CodebookItem>;

/** Where a value was read: a report of the study, the page, the quoted text. */
export const ValueSource = z.object({
  reportId: Id.nullable().default(null),
  page: z.string().max(50).nullable().default(null),
  quote: z.string().max(5000).nullable().default(null),
});
export type ValueSource = z.infer<typeof ValueSource>;

/** A value extracted for a codebook item (per study, or per outcome when outcomeId is set). */
export const ExtractedValue = z.object({
  id: Id,
  studyId: Id,
  itemId: Id,
  outcomeId: Id.nullable().default(null),
  value: z.unknown(),
  reviewer: UserName,
  note: OptText,
  at: Timestamp,
  /** The codebook item's version the value was entered under (null: 1). */
  itemVersion: z.number().int().min(1).nullable().default(null),
  source: ValueSource.nullable().default(null),
  /** The value this one replaces (the same reviewer's earlier value); the earlier row stays as history. */
  supersedes: Id.nullable().default(null),
  /** A consensus value recorded after comparing extractions (the note says why). */
  consensus: z.boolean().nullable().default(null),
});
export type ExtractedValue = z.infer<typeof ExtractedValue>;

/**
 * One step of checking extracted work, kept as its own row (nothing is
 * overwritten): a checker agrees with a value or outcome datum or proposes a
 * change with a reason; its extractor accepts or disputes the proposal; an
 * adjudicator settles a dispute. "sampled" marks a study drawn for the senior
 * check (`proposed` holds the draw: fraction, seed, studies drawn from).
 */
export const ExtractionCheck = z.object({
  id: Id,
  studyId: Id,
  target: z.enum(["value", "outcomeData", "study"]),
  /** The extracted value checked (the row in force when the step was taken). */
  valueId: Id.nullable().default(null),
  /** The outcome datum checked (an effect size entered as reported). */
  effectSizeId: Id.nullable().default(null),
  action: z.enum(["agree", "propose", "accept", "dispute", "settle", "sampled"]),
  /** The value or outcome-data inputs in force after the step; a later change by other means makes the check stale. */
  basis: z.unknown(),
  /** propose: the change proposed; settle: the value settled on. */
  proposed: z.unknown(),
  reason: OptText,
  /** The proposal an accept, dispute or settle answers. */
  replyTo: Id.nullable().default(null),
  /** Whose work is checked. */
  extractor: UserName.nullable().default(null),
  reviewer: UserName,
  at: Timestamp,
});
export type ExtractionCheck = z.infer<typeof ExtractionCheck>;

export const Outcome = z.object({
  id: Id,
  studyId: Id,
  /** Code from protocol.outcomeDomains. */
  domain: OptText,
  name: z.string().trim().min(1),
  measure: OptText,
  timing: OptText,
  higherIsBetter: z.boolean().nullable().default(null),
  attributes: Attributes,
});
export type Outcome = z.infer<typeof Outcome>;

/** Effect-size data for an outcome: the inputs as extracted and the computed yi (estimate) and vi (sampling variance). */
export const EffectSize = z.object({
  id: Id,
  outcomeId: Id,
  /** e.g. SMD, MD, OR, RR, RD, ZCOR (metafor's escalc measure names). */
  measure: z.string().trim().min(1),
  inputs: Attributes,
  yi: OptNumber,
  vi: OptNumber,
  /** How yi/vi were obtained, e.g. "escalc SMD (Hedges' g)", "reported", "converted from t". */
  method: OptText,
  provenance: OptText,
  createdBy: UserName,
  createdAt: Timestamp,
  /**
   * Outcome data as reported (see `OutcomeData`): `inputs` then holds one input kind
   * ({kind: "means", m1, sd1, n1, …}), group 1 and group 2 are the arms named here
   * (ids within the study), at the study's time point; yi and vi are derived from them.
   */
  timePointId: z.string().nullable().default(null),
  armIds: z.array(z.string()).nullable().default(null),
  /** The formula and references of the conversions, and each step with its inputs and value (meta's `ConversionStep`). */
  formula: OptText,
  reference: OptText,
  chain: z.array(z.record(z.string(), z.unknown())).nullable().default(null),
  /** True when the sign was reversed once because higher is worse on this outcome. */
  recoded: z.boolean().nullable().default(null),
});
export type EffectSize = z.infer<typeof EffectSize>;

// ---------------------------------------------------------------- appraisal

export const AppraisalTool = z.enum(["RoB2", "ROBINS-I", "CASP", "ASSESS", "MMAT", "other"]);
export type AppraisalTool = z.infer<typeof AppraisalTool>;

/** One signalling-question answer: plain, or with its supporting quote and comment. */
export const AppraisalAnswer = z.union([
  z.string(),
  z.object({ answer: z.string(), quote: z.string().default(""), comment: z.string().default("") }).strict(),
]);
export type AppraisalAnswer = z.infer<typeof AppraisalAnswer>;

export const Appraisal = z.object({
  id: Id,
  studyId: Id,
  /** RoB 2 and ROBINS-I judge a result; set the outcome when the appraisal is per outcome. */
  outcomeId: Id.nullable().default(null),
  tool: AppraisalTool,
  toolVersion: OptText,
  /** The tool's variant where it has several (RoB 2 and ROBINS-I: "assignment" or "adhering"); null: the tool's usual one. */
  variant: OptText,
  /** "draft" while its reviewer is still answering; "submitted" or null once recorded (appraisals kept before drafts existed are recorded ones). */
  status: z.enum(["draft", "submitted"]).nullable().default(null),
  domains: z
    .array(
      z.object({
        domain: z.string(),
        judgement: z.string().nullable().default(null),
        /** Why; required where the judgement overrides the tool's proposal. */
        support: z.string().default(""),
        /**
         * Signalling-question answers keyed by question id: the answer alone, or with the
         * supporting quote and the assessor's comment (written so only when one is given).
         */
        answers: z.record(z.string(), AppraisalAnswer).default({}),
        /** What the tool's algorithm proposed from the answers (with the project's departures), when it proposes one. */
        proposed: z.string().nullable().optional(),
      }),
    )
    .default([]),
  overall: OptText,
  overallSupport: OptText,
  reviewer: UserName,
  consensus: z.boolean().default(false),
  at: Timestamp,
});
export type Appraisal = z.infer<typeof Appraisal>;

/** A reviewer's acceptance of a rule-raised flag on an appraisal, with the justification. */
export const AppraisalFlagAcceptance = z.object({
  id: Id,
  appraisalId: Id,
  flag: z.string().trim().min(1),
  justification: z.string().trim().min(1, "a justification is required"),
  acceptedBy: UserName,
  at: Timestamp,
});
export type AppraisalFlagAcceptance = z.infer<typeof AppraisalFlagAcceptance>;

// ---------------------------------------------------------------- synthesis

/** GRADE-CERQual component judgement (Lewin et al. 2018, Implementation Science 13:2). */
export const CerqualConcern = z.enum(["no", "minor", "moderate", "serious"]);
export const CerqualComponent = z.object({
  judgement: CerqualConcern.nullable().default(null),
  explanation: z.string().default(""),
});
export const Confidence = z.enum(["high", "moderate", "low", "very_low"]);
export type Confidence = z.infer<typeof Confidence>;

export const QualitativeFinding = z.object({
  id: Id,
  statement: z.string().trim().min(1),
  components: z
    .object({
      methodologicalLimitations: CerqualComponent.default({ judgement: null, explanation: "" }),
      coherence: CerqualComponent.default({ judgement: null, explanation: "" }),
      adequacy: CerqualComponent.default({ judgement: null, explanation: "" }),
      relevance: CerqualComponent.default({ judgement: null, explanation: "" }),
    })
    .default({
      methodologicalLimitations: { judgement: null, explanation: "" },
      coherence: { judgement: null, explanation: "" },
      adequacy: { judgement: null, explanation: "" },
      relevance: { judgement: null, explanation: "" },
    }),
  confidence: Confidence.nullable().default(null),
  explanation: z.string().default(""),
  studyIds: IdList,
  order: z.number().int().default(0),
  /** The coded excerpts that support it (@homeward/synthesis). */
  excerptIds: IdList,
  /** The codes (themes) it was written under. */
  codeIds: IdList,
  /** What the CERQual assessment was made on (contributing studies and their appraisals), so a change marks it for re-assessment; null when assessed elsewhere. */
  assessedBasis: OptText,
  assessedBy: OptText,
  assessedAt: OptText,
});
export type QualitativeFinding = z.infer<typeof QualitativeFinding>;

/** A result as reported in the review (from a meta-analysis or elsewhere). */
export const ReportedResult = z.object({
  id: Id,
  label: z.string().trim().min(1),
  analysis: z.string().default(""),
  outcomeDomain: OptText,
  measure: OptText,
  estimate: OptNumber,
  ciLower: OptNumber,
  ciUpper: OptNumber,
  kStudies: OptInt,
  kOutcomes: OptInt,
  p: OptNumber,
  /** e.g. {"tau2": 0.04, "I2": 61.2, "Q": 25.1, "df": 9} */
  heterogeneity: z.record(z.string(), z.unknown()).nullable().default(null),
  studyIds: IdList,
  notes: OptText,
});
export type ReportedResult = z.infer<typeof ReportedResult>;

export const Recommendation = z.object({
  id: Id,
  text: z.string().trim().min(1),
  /** Code from protocol.ratingScheme. */
  rating: OptText,
  kind: z.enum(["principle", "recommendation"]),
  findingIds: IdList,
  resultIds: IdList,
  order: z.number().int().default(0),
  /** Rows of the joint display it rests on. */
  rowIds: IdList,
  /** Why it has no rating, when its rating is the scheme's lowest (e.g. "no rating"). */
  ratingReason: OptText,
  /** The pooled SMD its generated statement ("better outcomes than around N%") is read from. */
  effectResultId: Id.nullable().default(null),
  /** Saved analyses (version ids) it rests on, read refitted to today's data. */
  analysisIds: IdList,
  /** A saved analysis whose refitted pooled SMD the generated statement reads (instead of effectResultId). */
  effectAnalysisId: Id.nullable().default(null),
});
export type Recommendation = z.infer<typeof Recommendation>;

// ---------------------------------------------------------------- audit

/** One append-only audit entry: who did what to which entity, with the state before and after. */
export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  actor: UserName,
  /** e.g. "project.create", "studies.update", "records.import". */
  action: z.string(),
  entity: z.string(),
  entityId: Id.nullable().default(null),
  before: z.unknown().default(null),
  after: z.unknown().default(null),
  reason: OptText,
  /** SHA-256 over the previous entry's hash and this entry (see audit-chain.ts); absent in files written before the chain. */
  prevHash: z.string().nullable().optional(),
  hash: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
