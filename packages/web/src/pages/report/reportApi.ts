/**
 * Calls of the report routes (`reportRoutes` in @homeward/api). Renderings
 * (HTML, PDF, bundle) are links to the routes, opened or downloaded by the
 * browser, never fetched into the page.
 */
import { jobsRoutes, reportRoutes as r, routeUrl, type ReportSpec } from "@homeward/api";
import { call } from "../../api";

export const reportApi = {
  overview: (id: string, signal?: AbortSignal) => call(r.overview, { params: { id } }, signal),
  save: (id: string, spec: ReportSpec) => call(r.saveSpec, { params: { id }, body: { spec } }),
  reset: (id: string) => call(r.resetSpec, { params: { id } }),
  freeze: (id: string, note: string) => call(r.freeze, { params: { id }, body: note.trim() ? { note } : {} }),
  /** Starts a background job making the draft's PDF or Word document. */
  startDocument: (id: string, format: "pdf" | "docx", version?: number) => call(jobsRoutes.startReportJob, { params: { id }, body: version ? { format, version } : { format } }),
  changes: (id: string, from: number | undefined, to: number | undefined, signal?: AbortSignal) =>
    call(r.changes, { params: { id }, query: { ...(from ? { from } : {}), ...(to ? { to } : {}) } }, signal),
};

export type Rendering = "html" | "pdf" | "docx" | "bundle";

/** Link to a rendering of a version (the draft without one). */
export function reportUrl(id: string, what: Rendering, version?: number, download = false): string {
  return routeUrl(r[what], { id }, { version, download: download && what === "html" ? "true" : undefined });
}
