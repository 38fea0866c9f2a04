/**
 * Calls of the review routes (`reviewRoutes` in @homeward/api). Answers are
 * typed by the contract; figure files and CSV tables are links to the same
 * routes with another `format`.
 */
import { reviewRoutes as r, routeUrl, type ReviewFigure } from "@homeward/api";
import type { AppraisalConflictDetail, PrismaSource, TrailRecommendation } from "@homeward/review";
import { call } from "../../api";

export type Source = PrismaSource;
export type ConflictAnswer = AppraisalConflictDetail;
export type TrailAnswer = TrailRecommendation;
export type FigureName = ReviewFigure;
type FigureQuery = { tool?: string; palette?: "cochrane" | "colourblind"; rows?: string };

export const reviewApi = {
  prisma: (id: string, signal?: AbortSignal) => call(r.prisma, { params: { id } }, signal),
  figure: (id: string, name: FigureName, query: FigureQuery, signal?: AbortSignal) => call(r.figure, { params: { id, name }, query }, signal),
  robTools: (id: string, signal?: AbortSignal) => call(r.robTools, { params: { id } }, signal),
  conflicts: (id: string, signal?: AbortSignal) => call(r.appraisalConflicts, { params: { id } }, signal),
  appraisalTables: (id: string, signal?: AbortSignal) => call(r.appraisalTables, { params: { id } }, signal),
  acceptFlag: (id: string, body: { appraisalId: string; rule: string; justification: string }) => call(r.acceptFlag, { params: { id }, body }),
  cerqual: (id: string, signal?: AbortSignal) => call(r.cerqual, { params: { id } }, signal),
  trail: (id: string, signal?: AbortSignal) => call(r.recommendations, { params: { id } }, signal),
};

/** Link to a figure as a file (SVG, PNG or its data as CSV). */
export function figureUrl(id: string, name: FigureName, query: FigureQuery, format: "svg" | "png" | "csv", download = false): string {
  return routeUrl(r.figure, { id, name }, { ...query, format, download: download ? "true" : undefined });
}

/** Link to one tool's appraisal table as CSV. */
export const appraisalTableCsvUrl = (id: string, tool: string): string => routeUrl(r.appraisalTables, { id }, { format: "csv", tool });

/** Link to a review table as CSV. */
export const csvUrl = (id: string, table: "cerqual" | "recommendations"): string => routeUrl(r[table], { id }, { format: "csv" });
