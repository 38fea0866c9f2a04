import { z } from "zod";
import type { Figure } from "@homeward/figures";
import type { Entity } from "@homeward/model";
import type { AppraisalConflictDetail, AppraisalTable, CerqualRow, FlowCheck, PrismaFlow, ReviewSummary, RobPlotData, TrailRecommendation } from "@homeward/review";
import { IdParams } from "./core.js";
import { route } from "./route.js";

export const ReviewFigureName = z.enum(["prisma", "rob-traffic-light", "rob-summary", "gap-map"]);
/** The figures a review draws. */
export type ReviewFigure = z.infer<typeof ReviewFigureName>;
export const ReviewFigureParams = z.object({ id: z.string().min(1), name: ReviewFigureName });
export const ReviewFigureQuery = z.object({
  format: z.enum(["json", "svg", "png", "csv"]).default("json"),
  tool: z.string().min(1).optional(),
  palette: z.enum(["cochrane", "colourblind"]).default("cochrane"),
  /** Gap map: the study classification (scheme code) whose values are the rows; the intervention typology when absent. */
  rows: z.string().min(1).optional(),
  download: z.enum(["true", "false"]).optional(),
});
export const TableFormatQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });
/** Appraisal tables: JSON (every tool) or one tool's table as CSV. */
export const AppraisalTablesQuery = z.object({
  format: z.enum(["json", "csv"]).default("json"),
  tool: z.string().min(1).optional(),
});
export const FlagAcceptBody = z.object({
  appraisalId: z.string().min(1),
  rule: z.string().min(1),
  justification: z.string().trim().min(1, "a justification is required"),
});

/** The flow with its failed arithmetic checks. */
export type PrismaAnswer = PrismaFlow & { checks: FlowCheck[] };
/** An appraisal tool used in the project: its domains, how many studies it appraised and whether it has an overall judgement. */
export type RobTool = Pick<RobPlotData, "tool" | "domains" | "hasOverall"> & { studies: number };

/**
 * Review-level views (package @homeward/review). Figures, the CERQual table
 * and the evidence trail answer JSON by default; with `format=svg|png|csv`
 * the same route sends a file, which clients use as a link (`routeUrl`), not
 * a call.
 */
export const reviewRoutes = {
  summary: route<ReviewSummary>()({ method: "GET", access: "viewer", path: "/api/projects/:id/review/summary", params: IdParams, summary: "counts of studies by classification, designs, appraisal and synthesis" }),
  prisma: route<PrismaAnswer>()({ method: "GET", access: "viewer", path: "/api/projects/:id/review/prisma", params: IdParams, summary: "PRISMA 2020 counts with their provenance and arithmetic checks" }),
  robTools: route<RobTool[]>()({ method: "GET", access: "viewer", path: "/api/projects/:id/review/rob-tools", params: IdParams, summary: "appraisal tools used, with their domains, most appraised studies first (ties: RoB 2 first)" }),
  figure: route<Figure>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/review/figures/:name",
    params: ReviewFigureParams,
    query: ReviewFigureQuery,
    summary: "a review figure (PRISMA flow, robvis plots, gap map) as a figure object, SVG, PNG or CSV",
  }),
  cerqual: route<CerqualRow[]>()({ method: "GET", access: "viewer", path: "/api/projects/:id/review/cerqual", params: IdParams, query: TableFormatQuery, summary: "CERQual summary of qualitative findings (JSON or CSV)" }),
  recommendations: route<TrailRecommendation[]>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/review/recommendations",
    params: IdParams,
    query: TableFormatQuery,
    summary: "recommendations with their evidence trail down to reports (JSON or CSV)",
  }),
  appraisalConflicts: route<AppraisalConflictDetail[]>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/review/appraisal-conflicts",
    params: IdParams,
    summary: "appraisals whose overall judgement contradicts the tool's rule",
  }),
  appraisalTables: route<AppraisalTable[]>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/review/appraisal-tables",
    params: IdParams,
    query: AppraisalTablesQuery,
    summary: "per tool, studies × domains with the overall (CASP answers, ASSESS criterion scores) as the appendices print them, from the submitted and consensus appraisals the caller may see (JSON, or one tool as CSV)",
  }),
  acceptFlag: route<Entity<"appraisalFlagAcceptances">>()({
    method: "POST", access: "adjudicator",
    path: "/api/projects/:id/review/appraisal-conflicts/accept",
    params: IdParams,
    body: FlagAcceptBody,
    bodyName: "flag acceptance",
    status: 201,
    summary: "accept a rule flag with a justification (the judgement stays as recorded)",
  }),
} as const;
