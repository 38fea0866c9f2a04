import { z } from "zod";
import type { ChecklistItem, ReportChange, ReportSpec } from "@homeward/report";
import { IdParams } from "./core.js";
import { route, type FileAnswer } from "./route.js";

export type { ChecklistItem, ReportChange, ReportSpec };

const Block = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("table"), id: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("figure"), id: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("analysis"), id: z.string().min(1).max(200), version: z.number().int().min(1).nullable().default(null) }),
  z.object({ kind: z.literal("checklist") }),
  z.object({ kind: z.literal("descriptions") }),
]);

export const ReportSection = z.object({
  id: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a section id is letters, digits, - and _, starting with a letter").max(100),
  heading: z.string().trim().min(1, "a section needs a heading").max(300),
  level: z.union([z.literal(1), z.literal(2)]).default(1),
  prismaItems: z.array(z.string().min(1).max(10)).default([]),
  text: z.string().max(100_000).default(""),
  generated: z.boolean().default(false),
  blocks: z.array(Block).default([]),
  appendix: z.boolean().default(false),
});

export const ReportSpecSchema = z
  .object({
    title: z.string().trim().min(1, "the report needs a title").max(500),
    subtitle: z.string().max(500).default(""),
    sections: z.array(ReportSection).max(500),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.sections.forEach((x, i) => {
      if (seen.has(x.id)) ctx.addIssue({ code: "custom", path: ["sections", i, "id"], message: `two sections have the id "${x.id}"` });
      seen.add(x.id);
    });
  });

export const ReportSpecBody = z.object({ spec: ReportSpecSchema });
export const FreezeBody = z.object({ note: z.string().trim().max(2000).optional() });

/** Which version to show: a frozen version's number, or the draft (live data) without it. */
export const ReportVersionQuery = z.object({
  version: z.coerce.number().int().min(1).optional(),
});
export const ReportChangesQuery = z.object({
  /** Default: the latest frozen version. */
  from: z.coerce.number().int().min(1).optional(),
  /** Default: the draft (the project's data now). */
  to: z.coerce.number().int().min(1).optional(),
});

export interface ReportVersionSummary {
  number: number;
  note: string | null;
  savedBy: string;
  savedAt: string;
  dataHash: string | null;
}

export interface ReportOverview {
  spec: ReportSpec;
  /** True when the spec is the default one (never saved). */
  isDefault: boolean;
  savedBy: string | null;
  savedAt: string | null;
  versions: ReportVersionSummary[];
  /** Whether the project's data differ from the latest frozen version's (a draft is due). */
  changedSinceLatest: boolean;
  /** Tables, figures and analyses the data hold, for adding blocks. */
  available: { tables: { id: string; caption: string; rows: number }[]; figures: { id: string; title: string }[]; analyses: { id: string; name: string; version: number | null }[] };
  checklist: ChecklistItem[];
}

export interface ReportChangesAnswer {
  from: number;
  /** null: the draft (the data now). */
  to: number | null;
  changes: ReportChange[];
  /** Whether the audit log was read whole since the version (false: only its most recent entries). */
  causesComplete: boolean;
}

/**
 * The review report (package @homeward/report): its draft spec, frozen
 * versions, its HTML for the app's preview and what changed between
 * versions. The files to keep (HTML, PDF, Word, bundle) are made by report
 * jobs (`jobsRoutes.startReportJob`) and downloaded from the job.
 */
export const reportRoutes = {
  overview: route<ReportOverview>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/report",
    params: IdParams,
    summary: "the report's draft spec (the default one until saved), its frozen versions, whether the data changed since the latest, and the PRISMA 2020 checklist",
  }),
  saveSpec: route<ReportOverview>()({
    method: "PUT", access: "reviewer",
    path: "/api/projects/:id/report/spec",
    params: IdParams,
    body: ReportSpecBody,
    bodyName: "report spec",
    summary: "save the draft report spec (sections, text, blocks)",
  }),
  resetSpec: route<ReportOverview>()({
    method: "DELETE", access: "reviewer",
    path: "/api/projects/:id/report/spec",
    params: IdParams,
    summary: "go back to the default report spec (the saved draft is replaced by the default)",
  }),
  freeze: route<ReportVersionSummary>()({
    method: "POST", access: "adjudicator",
    path: "/api/projects/:id/report/versions",
    params: IdParams,
    body: FreezeBody,
    bodyName: "report version",
    status: 201,
    summary: "freeze the draft as the next report version (its spec and the data it renders, stored)",
  }),
  html: route<FileAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/report/html",
    params: IdParams,
    query: ReportVersionQuery,
    summary: "the report as accessible HTML, shown in the app's preview: a frozen version, or the draft over the data now (a file to keep, and the PDF, Word and bundle, are made by a report job: `jobsRoutes.startReportJob`)",
  }),
  changes: route<ReportChangesAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/report/changes",
    params: IdParams,
    query: ReportChangesQuery,
    summary: "what changed between two report versions (or a version and the data now), each change with the audit entries that caused it",
  }),
} as const;
