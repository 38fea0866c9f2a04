import { z } from "zod";
import { ExtractionMode, ValueSource, type CodebookItem, type EffectSize, type ExtractedValue, type ExtractionCheck, type ExtractionSetup } from "@homeward/model";
import type { CheckStatus, CodebookFile, EppiCodeSets, ItemAgreement, SeniorCheckSample, StudyComparison } from "@homeward/extraction";
import { IdParams } from "./core.js";
import { checkedBody, route } from "./route.js";

export type { CheckStatus, CodebookFile, EppiCodeSets, ExtractionCheck, ExtractionSetup, ItemAgreement, SeniorCheckSample, StudyComparison };

export const ExtractionStudyParams = z.object({ id: z.string().min(1), studyId: z.string().min(1) });
export const CodebookItemParams = z.object({ id: z.string().min(1), itemId: z.string().min(1) });

const Option = z.object({ code: z.string().trim().min(1, "an option needs a code").max(100), label: z.string().max(500).default(""), description: z.string().nullable().default(null) });
const itemFields = {
  label: z.string().trim().min(1, "an item needs a label").max(500),
  type: z.enum(["text", "number", "integer", "boolean", "single", "multiple", "date", "json", "yesno", "grid", "section"], {
    error: "type must be one of section, text, number, integer, single, multiple, date, yesno, grid",
  }),
  options: z.array(Option).max(500).optional(),
  group: z.string().max(200).nullable().optional(),
  description: z.string().max(10_000).nullable().optional(),
  help: z.string().max(10_000).nullable().optional(),
  parentId: z.string().min(1).nullable().optional(),
  unit: z.string().max(100).nullable().optional(),
  min: z.number().finite().nullable().optional(),
  max: z.number().finite().nullable().optional(),
  rows: z.array(Option).max(200).nullable().optional(),
  columns: z.array(Option).max(50).nullable().optional(),
};
export const NewItemBody = z
  .object({ code: z.string().trim().min(1, "an item needs a code").max(100), scope: z.enum(["study", "outcome"]).nullable().optional(), ...itemFields })
  .strict();
export const ItemPatchBody = z.object(itemFields).partial().strict();
export const OrderBody = z.object({ parentId: z.string().min(1).nullable().default(null), ids: z.array(z.string().min(1)).min(1, "list the items in their new order") }).strict();
export const RetireBody = z.object({ retired: z.boolean() }).strict();

/** A value as the extractor gives it; who and when come from the session. */
export const ValueInput = z
  .object({
    itemId: z.string().min(1, "name the codebook item"),
    outcomeId: z.string().min(1).nullable().default(null),
    value: z.unknown(),
    note: z.string().max(10_000).nullable().default(null),
    source: ValueSource.nullable().default(null),
  })
  .strict();
export const SaveValuesBody = z.object({ values: z.array(ValueInput).min(1, "give at least one value").max(2000) }).strict();
export const ConsensusBody = z
  .object({
    itemId: z.string().min(1, "name the codebook item"),
    outcomeId: z.string().min(1).nullable().default(null),
    value: z.unknown(),
    note: z.string({ error: "say how the consensus was reached" }).trim().min(1, "say how the consensus was reached").max(10_000),
  })
  .strict();
export const ComparisonQuery = z.object({ first: z.string().min(1).optional(), second: z.string().min(1).optional() });
export const SeniorCheckQuery = z.object({
  fraction: z.coerce.number().gt(0, "the share must be above 0").max(1, "the share must be at most 1").default(0.05),
  seed: z.coerce.number().int("the seed must be a whole number").default(1),
});

export const ExtractionCheckParams = z.object({ id: z.string().min(1), studyId: z.string().min(1), checkId: z.string().min(1) });
export const ExtractionSetupBody = z
  .object({
    mode: ExtractionMode,
    seniorCheckShare: z.number().gt(0, "the senior check's share must be above 0").max(1, "the senior check's share must be at most 1").optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict();
/** A checker's step on a value (its row in force) or an outcome datum (its effect size). */
export const CheckBody = z
  .object({
    target: z.enum(["value", "outcomeData"]),
    id: z.string().min(1, "name the value or outcome datum checked"),
    action: z.enum(["agree", "propose"]),
    /** propose: the value, or the outcome data's inputs, proposed instead. */
    value: z.unknown().optional(),
    reason: z.string().trim().max(10_000).optional(),
  })
  .strict()
  .refine((b) => b.action !== "propose" || (b.reason ?? "") !== "", { message: "say why you propose the change", path: ["reason"] });
export const CheckAnswerBody = z
  .object({ action: z.enum(["accept", "dispute"]), reason: z.string().trim().max(10_000).optional() })
  .strict()
  .refine((b) => b.action !== "dispute" || (b.reason ?? "") !== "", { message: "say why you dispute the change", path: ["reason"] });
export const SettleBody = z
  .object({
    keep: z.enum(["original", "proposed"], { error: "keep the original or the proposed value" }),
    reason: z.string({ error: "say how the dispute was settled" }).trim().min(1, "say how the dispute was settled").max(10_000),
  })
  .strict();
export const SeniorSampleBody = z.object({ seed: z.number().int("the seed must be a whole number").optional() }).strict();

/** Where the check of one value or outcome datum stands, with its steps. */
export interface CheckView {
  status: CheckStatus;
  /** Whose work it is. */
  extractor: string;
  checkedBy: string | null;
  /** The proposal awaiting its extractor (proposed) or an adjudicator (disputed). */
  open: ExtractionCheck | null;
  history: ExtractionCheck[];
}

export interface CheckedValue extends CheckView {
  value: ExtractedValue;
  /** The extractor's earlier rows of the slot, oldest first. */
  replaced: ExtractedValue[];
}

export interface CheckedOutcomeDatum extends CheckView {
  outcome: { id: string; name: string };
  data: EffectSize;
}

export interface ExtractionChecksAnswer {
  study: { id: string; name: string };
  setup: ExtractionSetup;
  items: CodebookRow[];
  outcomes: ExtractionOutcome[];
  arms: { id: string; label: string }[];
  timePoints: { id: string; label: string }[];
  /** Every extractor's values in force the caller may see, in codebook order. */
  values: CheckedValue[];
  /** Extractors whose values stay hidden by blinding (dual mode). */
  hiddenExtractors: number;
  outcomeData: CheckedOutcomeDatum[];
  /** Outcome data no second reviewer has checked yet (agreed, accepted or settled). */
  uncheckedOutcomeData: number;
  /** Whether the study is in the senior check's sample. */
  sampled: boolean;
}

export interface SeniorSampleStudy {
  id: string;
  name: string;
  /** Values in force, and of those checked by someone other than their extractor. */
  values: number;
  checked: number;
  status: "not_started" | "in_progress" | "checked";
}

export interface SeniorSampleAnswer {
  /** null until an owner draws it. */
  sample: (SeniorCheckSample & { drawnBy: string; drawnAt: string }) | null;
  studies: SeniorSampleStudy[];
  setup: ExtractionSetup;
}

/** A codebook item with its place in the tree. */
export type CodebookRow = CodebookItem & { depth: number; number: string };
export interface CodebookAnswer {
  items: CodebookRow[];
}

export interface ExtractionReport {
  id: string;
  role: "lead" | "linked";
  recordId: string | null;
  citation: string;
}

export interface ExtractionStudySummary {
  id: string;
  name: string;
  reports: ExtractionReport[];
  /** Who has entered values for the study (names only; their values follow blinding). */
  extractors: string[];
  /** Values the caller has in force for the study. */
  mine: number;
  consensus: number;
  /** Outcome data entered for the study, and how many no second reviewer has checked. */
  outcomeData: number;
  uncheckedOutcomeData: number;
  /** In the senior check's sample. */
  sampled: boolean;
  /** Changes proposed to the caller's values and outcome data that await the caller's answer. */
  proposedToYou: number;
}

export interface ExtractionStudiesAnswer {
  studies: ExtractionStudySummary[];
  /** Live items that take values. */
  items: number;
  setup: ExtractionSetup;
  /** Across the studies: outcome data no second reviewer has checked. */
  uncheckedOutcomeData: number;
}

/** An outcome of the study, for items asked per outcome. */
export interface ExtractionOutcome {
  id: string;
  name: string;
  timing: string | null;
}

export interface ExtractionForm {
  study: { id: string; name: string };
  reports: ExtractionReport[];
  outcomes: ExtractionOutcome[];
  items: CodebookRow[];
  /** The caller's values in force. */
  mine: ExtractedValue[];
  /** The caller's earlier values, since replaced (kept, never overwritten), oldest first. */
  replaced: ExtractedValue[];
  /** Other extractors' values in force, where blinding lets the caller see them. */
  others: { reviewer: string; values: ExtractedValue[] }[];
  /** Other extractors whose values stay hidden until the caller has extracted the study (or blinding is lifted). */
  hiddenOthers: number;
  consensus: ExtractedValue[];
}

export type ExtractionComparison = StudyComparison & { study: { id: string; name: string }; extractors: string[]; outcomes: ExtractionOutcome[] };

/**
 * The extraction stage: the codebook (owners edit it), one form per study
 * (reviewers fill it; every change is a new row that names the one it
 * replaces), the comparison of two extractions and consensus values
 * (adjudicators). Who acts and when come from the session.
 */
export const extractionRoutes = {
  codebook: route<CodebookAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/codebook",
    params: IdParams,
    summary: "the codebook in reading order, each item with its depth and number; retired items included (marked)",
  }),
  addItem: route<CodebookItem>()({
    method: "POST", access: "owner",
    path: "/api/projects/:id/extraction/codebook",
    params: IdParams,
    body: NewItemBody,
    bodyName: "codebook item",
    status: 201,
    summary: "add an item, last under its parent",
  }),
  editItem: route<CodebookItem>()({
    method: "PATCH", access: "owner",
    path: "/api/projects/:id/extraction/codebook/:itemId",
    params: CodebookItemParams,
    body: ItemPatchBody,
    bodyName: "codebook item change",
    summary: "change an item; a change to what values must fit makes a new version, the former kept",
  }),
  reorder: route<CodebookAnswer>()({
    method: "PUT", access: "owner",
    path: "/api/projects/:id/extraction/codebook/order",
    params: IdParams,
    body: OrderBody,
    bodyName: "codebook order",
    summary: "put the items under one parent in the order given",
  }),
  retire: route<CodebookItem>()({
    method: "PUT", access: "owner",
    path: "/api/projects/:id/extraction/codebook/:itemId/retired",
    params: CodebookItemParams,
    body: RetireBody,
    bodyName: "retirement",
    summary: "retire an item (no new values; its values stay) or restore it",
  }),
  importCodebook: route<CodebookAnswer>()({
    method: "POST", access: "owner",
    path: "/api/projects/:id/extraction/codebook/import",
    params: IdParams,
    body: checkedBody<CodebookFile | EppiCodeSets>(),
    bodyName: "codebook file",
    status: 201,
    summary: "add a codebook file's or an EPPI-Reviewer code set export's items after the codebook's (all or none; told apart by shape)",
  }),
  template: route<CodebookAnswer>()({
    method: "POST", access: "owner",
    path: "/api/projects/:id/extraction/codebook/template",
    params: IdParams,
    status: 201,
    summary: "add the seed review's data items to the codebook",
  }),
  exportCodebook: route<CodebookFile>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/codebook/export",
    params: IdParams,
    summary: "the live codebook as a codebook file",
  }),
  studies: route<ExtractionStudiesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/studies",
    params: IdParams,
    summary: "the studies with their reports, extractors and the caller's progress",
  }),
  form: route<ExtractionForm>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/studies/:studyId",
    params: ExtractionStudyParams,
    summary: "a study's form: its reports, the codebook, the caller's values, others' where blinding allows, consensus values",
  }),
  save: route<ExtractionForm>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/extraction/studies/:studyId/values",
    params: ExtractionStudyParams,
    body: SaveValuesBody,
    bodyName: "values",
    summary: "save the caller's values (each checked against its item; all or none); a changed value is a new row naming the one it replaces",
  }),
  comparison: route<ExtractionComparison>()({
    method: "GET", access: "adjudicator",
    path: "/api/projects/:id/extraction/studies/:studyId/comparison",
    params: ExtractionStudyParams,
    query: ComparisonQuery,
    summary: "two extractions of the study value by value (default: its first two extractors), with consensus values",
  }),
  consensus: route<ExtractionComparison>()({
    method: "PUT", access: "adjudicator",
    path: "/api/projects/:id/extraction/studies/:studyId/consensus",
    params: ExtractionStudyParams,
    body: ConsensusBody,
    bodyName: "consensus value",
    summary: "record the consensus value of one item with its note",
  }),
  agreement: route<ItemAgreement[]>()({
    method: "GET", access: "adjudicator",
    path: "/api/projects/:id/extraction/agreement",
    params: IdParams,
    summary: "agreement per item between the first two extractors of each study (percentage; Cohen's kappa for categorical items)",
  }),
  seniorCheck: route<SeniorCheckSample>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/senior-check",
    params: IdParams,
    query: SeniorCheckQuery,
    summary: "the seeded sample of studies a senior reviewer checks in full (default 5%)",
  }),
  setup: route<ExtractionSetup>()({
    method: "PUT", access: "owner",
    path: "/api/projects/:id/extraction/setup",
    params: IdParams,
    body: ExtractionSetupBody,
    bodyName: "extraction set-up",
    summary: "set the extraction mode (single, single with outcome data checked, dual and blind) and the senior check's share: the protocol's extraction section, saved as a version",
  }),
  checks: route<ExtractionChecksAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/studies/:studyId/checks",
    params: ExtractionStudyParams,
    summary: "a checker's view of a study: each value and outcome datum with who entered it, its check status and history, and the count of unchecked outcome data",
  }),
  check: route<ExtractionChecksAnswer>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/extraction/studies/:studyId/checks",
    params: ExtractionStudyParams,
    body: CheckBody,
    bodyName: "check",
    status: 201,
    summary: "agree with a value or outcome datum, or propose a change with a reason (not on one's own extraction); a proposed value is checked as a new one would be",
  }),
  answerCheck: route<ExtractionChecksAnswer>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/extraction/studies/:studyId/checks/:checkId/answer",
    params: ExtractionCheckParams,
    body: CheckAnswerBody,
    bodyName: "answer",
    status: 201,
    summary: "the extractor accepts a proposed change (a new value row, or the outcome data changed and its effect size recomputed) or disputes it with a reason",
  }),
  settleCheck: route<ExtractionChecksAnswer>()({
    method: "POST", access: "adjudicator",
    path: "/api/projects/:id/extraction/studies/:studyId/checks/:checkId/settlement",
    params: ExtractionCheckParams,
    body: SettleBody,
    bodyName: "settlement",
    status: 201,
    summary: "settle a disputed change: keep the original or the proposed value, with a note (a value settled becomes the consensus value)",
  }),
  seniorSample: route<SeniorSampleAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/extraction/senior-sample",
    params: IdParams,
    summary: "the senior check's sample as drawn (null until drawn), with a check status per sampled study",
  }),
  drawSeniorSample: route<SeniorSampleAnswer>()({
    method: "POST", access: "owner",
    path: "/api/projects/:id/extraction/senior-sample",
    params: IdParams,
    body: SeniorSampleBody,
    bodyName: "senior check draw",
    status: 201,
    summary: "draw and save the senior check's sample (the set-up's share of the studies, seeded); it stays as drawn when studies are added (409 once drawn)",
  }),
} as const;
