import { z } from "zod";
import type { AppraisalSetup } from "@homeward/model";
import type { Consensus, Departure, DomainAgreement, DomainProposal, OverallProposal, Problem, Tool } from "@homeward/appraisal";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export type { Consensus, Departure, DomainAgreement, DomainProposal, OverallProposal, Problem, Tool };

export const AppraisalStudyParams = z.object({ id: z.string().min(1), studyId: z.string().min(1) });

/** Which tool (a registry id of @homeward/appraisal, e.g. "rob2"); without it, the tool the protocol gives the study's design. */
export const AppraisalToolQuery = z.object({
  tool: z.string().min(1).optional(),
  /** An outcome of the study: the assessment of that result (tools that judge a result); without it, the study as a whole. */
  outcome: z.string().min(1).optional(),
});

const reason = z.string().trim().max(10_000, "a reason is at most 10,000 characters").default("");

/**
 * One assessment as the assessor gives it: answers to the signalling
 * questions; per domain, a judgement only where it overrides the tool's
 * proposal (with the reason) or where the tool proposes none; the overall
 * likewise. Who and when come from the session, never from the body.
 */
export const AssessmentBody = z
  .object({
    tool: z.string().min(1, "choose the appraisal tool"),
    /** The outcome whose result is assessed (tools that judge a result); null: the study as a whole. */
    outcomeId: z.string().min(1).nullable().default(null),
    answers: z.record(z.string(), z.string()).default({}),
    /** Per question id, the supporting quote and the assessor's comment (each optional). */
    support: z.record(z.string(), z.object({ quote: z.string().max(10_000).default(""), comment: z.string().max(10_000).default("") }).strict()).default({}),
    judgements: z.record(z.string(), z.object({ judgement: z.string().trim().min(1, "choose a judgement"), reason })).default({}),
    overall: z.string().trim().min(1).nullable().default(null),
    overallReason: reason,
  })
  .strict();
export type AssessmentInput = z.input<typeof AssessmentBody>;

/** A stored assessment read back by domain id. */
export interface AssessmentView {
  appraisalId: string;
  /** The outcome whose result it assesses; null for the study as a whole. */
  outcomeId: string | null;
  reviewer: string;
  status: "draft" | "submitted";
  consensus: boolean;
  at: string;
  answers: Record<string, string>;
  /** Per question id, the quote and comment supporting the answer, where given. */
  support: Record<string, { quote: string; comment: string }>;
  /** Per domain id: the recorded judgement, its reason, and what the tool proposed when it was saved. */
  judgements: Record<string, { judgement: string | null; reason: string; proposed: string | null }>;
  overall: string | null;
  overallReason: string;
}

export interface AppraisalStudyRow {
  studyId: string;
  name: string;
  /** The study's design class (the protocol's design scheme), when classified. */
  design: string | null;
  /** The tool the set-up gives the design, or the one its appraisals use; null when none applies yet. */
  tool: string | null;
  toolName: string | null;
  /** Independent assessors with this tool, and whether each has submitted. */
  assessors: { reviewer: string; submitted: boolean }[];
  consensus: { by: string; overall: string | null } | null;
  /** Agreement of the first two submitted assessments (questions asked in either), when the caller may see both. */
  agreement: { agreed: number; compared: number; domainsDiffering: number } | null;
  /** The caller's own assessment. */
  mine: "none" | "draft" | "submitted";
  /** In the share of appraised studies a senior checks. */
  seniorCheck: boolean;
  /** The senior's verdicts on the study's assessments, latest first. */
  seniorChecks: SeniorCheckView[];
  /** Assessments of single results (tools that judge a result), per outcome. */
  results: { outcomeId: string; outcome: string; assessors: { reviewer: string; submitted: boolean }[]; consensus: { by: string; overall: string | null } | null }[];
}

/** A senior reviewer's check of an assessment: agree or disagree, with a note. Kept as recorded; a later check adds to it. */
export interface SeniorCheckView {
  appraisalId: string;
  verdict: "agree" | "disagree";
  note: string;
  by: string;
  at: string;
}

export const SeniorCheckBody = z
  .object({
    appraisalId: z.string().min(1),
    verdict: z.enum(["agree", "disagree"], { message: 'the verdict is "agree" or "disagree"' }),
    note: z.string().trim().min(1, "a note is required").max(10_000, "a note is at most 10,000 characters"),
  })
  .strict();

/** A recorded overall that contradicts its domains under the tool's rule, and whether someone accepted it (the judgement is never changed). */
export interface AppraisalFlagView {
  appraisalId: string;
  reviewer: string;
  consensus: boolean;
  recorded: string | null;
  implied: string | null;
  rule: string;
  message: string | null;
  source: string;
  accepted: { by: string; at: string; justification: string } | null;
}

/** A report of the study, and whether a PDF full text is stored for it. */
export interface AppraisalReport {
  id: string;
  role: "lead" | "linked";
  recordId: string | null;
  citation: string;
  /** The stored PDF's file name, when one is stored for the report's record. */
  pdf: string | null;
}

export interface AppraisalStudiesAnswer {
  setup: AppraisalSetup;
  /** The tools the set-up names, latest declared versions. */
  tools: { id: string; name: string; version: string }[];
  studies: AppraisalStudyRow[];
}

export interface AppraisalForm {
  study: { id: string; name: string; design: string | null };
  tool: Tool;
  /** The result assessed (tools that judge a result), or null for the study as a whole. */
  outcome: { id: string; name: string } | null;
  /** The study's outcomes, each a result the tool can be applied to; empty when the tool judges a study. */
  outcomes: { id: string; name: string }[];
  /** The study's reports, with their stored full texts, to read beside the form. */
  reports: AppraisalReport[];
  /** Flags on the recorded assessments the caller may see, with any acceptance. */
  flags: AppraisalFlagView[];
  /** Whether the study is in the senior check's sample, and the checks recorded. */
  seniorCheck: { sampled: boolean; checks: SeniorCheckView[] };
  /** Tools the caller may choose for this study. */
  choices: { id: string; name: string }[];
  departures: Departure[];
  /** The caller's own independent assessment. */
  mine: AssessmentView | null;
  /** The tool's proposals from the caller's answers, with the project's departures. */
  proposals: DomainProposal[];
  overall: OverallProposal;
  problems: Problem[];
  /** Other reviewers' submitted assessments the caller may see (blinding lifted, or the caller has submitted their own). */
  others: AssessmentView[];
  /** Other reviewers' submitted assessments kept from the caller while blind. */
  hiddenOthers: number;
  consensus: AssessmentView | null;
}

export interface AppraisalComparison {
  study: { id: string; name: string; design: string | null };
  tool: Tool;
  outcome: { id: string; name: string } | null;
  reports: AppraisalReport[];
  flags: AppraisalFlagView[];
  departures: Departure[];
  /** The first two submitted independent assessments. */
  assessments: AssessmentView[];
  proposals: DomainProposal[][];
  consensus: Consensus;
  recorded: AssessmentView | null;
}

/** Agreement per domain between the two independent assessments of each study, per tool. */
export interface AppraisalAgreementAnswer {
  tools: {
    tool: { id: string; name: string; version: string };
    /** Studies with two submitted independent assessments the caller may see both of. */
    studies: number;
    /** Studies with two submitted assessments kept from the caller while blind. */
    hidden: number;
    domains: DomainAgreement[];
  }[];
}

export const RobvisQuery = z.object({
  /** Required; checked by the route so a caller without access hears that first. */
  tool: z.string().min(1).optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

/** One study's row of the robvis table, with the overrides robvis has no column for. */
export interface RobvisRow {
  studyId: string;
  /** The outcome of a per-result assessment (its own row); null for the study as a whole. */
  outcomeId: string | null;
  /** The Study column: the citation, with the outcome after it for a per-result row. */
  study: string;
  /** Per domain id, the judgement (robvis label); null when none is recorded. */
  judgements: Record<string, string | null>;
  overall: string | null;
  weight: number;
  /** Whether the row is the consensus or one assessor's submitted assessment. */
  consensus: boolean;
  reviewer: string;
  /** Judgements recorded against the tool's proposal, with the reason given. */
  overrides: { domain: string; proposed: string; judgement: string | null; reason: string }[];
  /** Senior checks of the study's (or the result's) assessments, latest first; robvis has no column for them either. */
  seniorChecks: SeniorCheckView[];
}

export interface RobvisAnswer {
  tool: { id: string; name: string; version: string };
  /** robvis's columns, in order: Study, D1…Dn, Overall, Weight. */
  columns: string[];
  domains: { id: string; name: string }[];
  rows: RobvisRow[];
  /** Studies whose assessment the caller is still blind to, left out. */
  hidden: number;
}

/**
 * The appraisal stage: a study list with each study's status, the form of a
 * study under a tool (the declaration from @homeward/appraisal and the
 * caller's answers), saving and submitting one's own independent
 * assessment, and the comparison and consensus for an adjudicator.
 */
export const appraisalRoutes = {
  studies: route<AppraisalStudiesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/appraisal/studies",
    params: IdParams,
    summary: "the project's included studies with their appraisal status (tool, assessors and who submitted, consensus, agreement) and the appraisal set-up",
  }),
  agreement: route<AppraisalAgreementAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/appraisal/agreement",
    params: IdParams,
    summary: "agreement per domain between the first two submitted independent assessments of each study, per tool: percentage, Cohen's kappa and linearly weighted kappa (studies the caller may see both assessments of)",
  }),
  robvis: route<RobvisAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/appraisal/robvis",
    query: RobvisQuery,
    params: IdParams,
    summary: "a tool's judgements as robvis reads them (Study, D1…Dn, Overall, Weight; the consensus where recorded), as JSON with the overrides of the tool's proposals, or as a CSV file for robvis's rob_summary and rob_traffic_light",
  }),
  form: route<AppraisalForm>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/appraisal/studies/:studyId",
    params: AppraisalStudyParams,
    query: AppraisalToolQuery,
    summary: "a study's appraisal form: the tool's declaration, the caller's own answers with the tool's proposals, and others' submitted assessments where blinding allows",
  }),
  save: route<AppraisalForm>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/appraisal/studies/:studyId/mine",
    params: AppraisalStudyParams,
    body: AssessmentBody,
    bodyName: "assessment",
    summary: "save the caller's own assessment as a draft (answers need not be complete)",
  }),
  submit: route<AppraisalForm>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/appraisal/studies/:studyId/mine/submit",
    params: AppraisalStudyParams,
    body: AssessmentBody,
    bodyName: "assessment",
    summary: "submit the caller's own assessment: every asked question answered as the tool allows, every judgement given, an override of a proposal with its reason",
  }),
  comparison: route<AppraisalComparison>()({
    method: "GET", access: "adjudicator",
    path: "/api/projects/:id/appraisal/studies/:studyId/comparison",
    params: AppraisalStudyParams,
    query: AppraisalToolQuery,
    summary: "where two submitted independent assessments of the study disagree, per question and domain, with any consensus recorded",
  }),
  consensus: route<AppraisalComparison>()({
    method: "PUT", access: "adjudicator",
    path: "/api/projects/:id/appraisal/studies/:studyId/consensus",
    params: AppraisalStudyParams,
    body: AssessmentBody,
    bodyName: "consensus",
    summary: "record the consensus assessment of a study once two independent assessments are submitted (checked as a submission)",
  }),
  seniorCheck: route<SeniorCheckView>()({
    method: "POST", access: "adjudicator",
    path: "/api/projects/:id/appraisal/studies/:studyId/senior-check",
    params: AppraisalStudyParams,
    body: SeniorCheckBody,
    bodyName: "senior check",
    status: 201,
    summary: "record a senior's check of a submitted assessment of a study in the senior-check sample: agree or disagree, with a note (added; nothing recorded is changed)",
  }),
} as const;
