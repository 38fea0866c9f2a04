import { z } from "zod";
import { PageQuery, type Page, type RecordSummary, type StudyReport } from "@homeward/model";
import type { FormAnswer, MergeAnswer, SplitAnswer } from "@homeward/review";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export type { FormAnswer, MergeAnswer, SplitAnswer };

export const StudyParams = z.object({ id: z.string().min(1), studyId: z.string().min(1) });

/** A reason the change needs: missing or blank, the message says what to give. */
const why = (message: string) => z.string({ error: message }).trim().min(1, message).max(10_000, "a reason is at most 10,000 characters");

export const LinkBody = z.object({ recordId: z.string().min(1, "choose the record to link") }).strict();
export const LeadBody = z.object({ reportId: z.string().min(1, "choose the report to make the lead") }).strict();
export const SplitReportBody = z.object({ reportId: z.string().min(1, "choose the report to split off"), reason: why("say why the report is a study of its own") }).strict();
export const MergeBody = z
  .object({ fromStudyId: z.string().min(1, "choose the study to merge"), reason: why("say why the two are one study") })
  .strict();

/** Full-text includes not yet a report of any study, a page of them, with the stage's totals. */
export interface IncludesAnswer extends Page<RecordSummary> {
  /** Records included at full text (a duplicate group once). */
  included: number;
  /** Records that are reports of a study but were since excluded at full text (a decision changed, a conflict settled). */
  excludedReports: string[];
}

/**
 * Forming studies from the reports included at full text, and linking,
 * splitting and merging them. Who acts comes from the request; a split or a
 * merge needs its reason, kept in the audit log.
 */
export const studiesRoutes = {
  includes: route<IncludesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/studies/includes",
    params: IdParams,
    query: PageQuery,
    summary: "records included at full text that are not yet a report of a study, a page of them, with the number included",
  }),
  form: route<FormAnswer>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/form",
    params: IdParams,
    status: 201,
    summary: "one study per full-text include not yet in a study (its lead report), named from first author and year; one transaction",
  }),
  link: route<StudyReport>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/reports",
    params: StudyParams,
    body: LinkBody,
    bodyName: "report link",
    status: 201,
    summary: "link another full-text include to the study as a report (409 if it is a report of a study already)",
  }),
  lead: route<StudyReport[]>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/lead",
    params: StudyParams,
    body: LeadBody,
    bodyName: "lead report",
    summary: "make one of the study's reports its lead (the former lead becomes linked)",
  }),
  split: route<SplitAnswer>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/split",
    params: StudyParams,
    body: SplitReportBody,
    bodyName: "split",
    status: 201,
    summary: "move a linked report into a new study of its own, with the reason",
  }),
  merge: route<MergeAnswer>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/studies/:studyId/merge",
    params: StudyParams,
    body: MergeBody,
    bodyName: "merge",
    summary: "merge another study into this one: its reports move here as linked reports and it is removed, with the reason",
  }),
} as const;
