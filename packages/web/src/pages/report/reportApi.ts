/**
 * Calls of the report routes (`reportRoutes` in @homeward/api). The preview
 * is a link to the HTML route, shown in a frame; the files to keep (HTML,
 * PDF, Word, bundle) are made by report jobs and downloaded from the job.
 */
import { jobsRoutes, reportRoutes as r, routeUrl, type ReportFormat, type ReportSpec } from "@homeward/api";
import { call } from "../../api";

export const reportApi = {
  overview: (id: string, signal?: AbortSignal) => call(r.overview, { params: { id } }, signal),
  save: (id: string, spec: ReportSpec) => call(r.saveSpec, { params: { id }, body: { spec } }),
  reset: (id: string) => call(r.resetSpec, { params: { id } }),
  freeze: (id: string, note: string) => call(r.freeze, { params: { id }, body: note.trim() ? { note } : {} }),
  /** Starts a background job making the report's file (the draft without a version). */
  startDocument: (id: string, format: ReportFormat, version?: number) => call(jobsRoutes.startReportJob, { params: { id }, body: version ? { format, version } : { format } }),
  changes: (id: string, from: number | undefined, to: number | undefined, signal?: AbortSignal) =>
    call(r.changes, { params: { id }, query: { ...(from ? { from } : {}), ...(to ? { to } : {}) } }, signal),
};

/** The report's files, in words (what a button makes, what the followed job is called). */
export const FORMAT_WORDS: Record<ReportFormat, string> = {
  html: "HTML",
  pdf: "PDF",
  docx: "Word (docx)",
  bundle: "bundle (zip)",
};

/** Link to the HTML of a version (the draft without one), for reading in the browser. */
export function previewUrl(id: string, version?: number): string {
  return routeUrl(r.html, { id }, { version });
}
