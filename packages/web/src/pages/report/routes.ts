import { lazy } from "react";
import type { RouteDef } from "../../routes";

// Loaded when first visited: the report pages are used at the end of a review, not on every visit.
const pages = () => import("./ReportPages");
const ReportBuilderPage = lazy(() => pages().then((m) => ({ default: m.ReportBuilderPage })));
const ReportVersionsPage = lazy(() => pages().then((m) => ({ default: m.ReportVersionsPage })));
const ReportChangesPage = lazy(() => pages().then((m) => ({ default: m.ReportChangesPage })));

/** The review report: builder (with preview, freezing and downloads), versions, and what changed between them. */
export const reportRoutes: RouteDef[] = [
  { path: "/projects/:id/report", title: "Report", component: ReportBuilderPage, project: true, nav: "Report" },
  { path: "/projects/:id/report/versions", title: "Report versions", component: ReportVersionsPage, project: true },
  { path: "/projects/:id/report/changes", title: "What changed", component: ReportChangesPage, project: true },
];
