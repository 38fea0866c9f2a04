import { z } from "zod";
import { IdParams } from "./core.js";
import { route } from "./route.js";

/**
 * A robvis CSV (Study, D1…Dn, Overall, Weight: robvis's own templates, as the
 * export writes them) to record as the caller's submitted assessments.
 * Without `confirm` nothing is written: the answer says which rows match
 * which studies and which do not.
 */
export const RobvisImportBody = z
  .object({
    tool: z.string().min(1, "choose the appraisal tool (rob2 or robins-i)"),
    csv: z.string().min(1, "the CSV is empty").max(2_000_000, "the CSV is larger than 2 MB"),
    confirm: z.boolean().default(false),
  })
  .strict();

export interface RobvisImportRow {
  /** Line of the CSV (the header is line 1). */
  line: number;
  study: string;
  /** The project's study the row matched by name; null when none did. */
  match: { studyId: string; name: string } | null;
  /** Per domain id, the judgement as the tool names it. */
  judgements: Record<string, string | null>;
  overall: string | null;
  /** Why the row is not recorded (unmatched, a judgement off the tool's scale, already assessed by the caller); empty when it is. */
  problems: string[];
}

export interface RobvisImportAnswer {
  tool: { id: string; name: string; version: string };
  rows: RobvisImportRow[];
  /** Rows that matched no study, by their study label. */
  unmatched: string[];
  /** Rows that would be (or, confirmed, were) recorded. */
  ready: number;
  confirmed: boolean;
  /** Assessments written (confirmed only). */
  written: number;
}

/** Import of robvis CSV files as appraisals. */
export const robvisImportRoutes = {
  robvisImport: route<RobvisImportAnswer>()({
    method: "POST", access: "adjudicator",
    path: "/api/projects/:id/appraisal/robvis/import",
    params: IdParams,
    body: RobvisImportBody,
    bodyName: "import",
    summary: "read a robvis CSV (Study, D1…Dn, Overall, Weight) for RoB 2 or ROBINS-I and match its rows to studies by name; with confirm, record the matched rows as the caller's submitted assessments, noted as imported from robvis CSV",
  }),
} as const;
