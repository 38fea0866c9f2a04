import { lazy } from "react";
import type { RouteDef } from "../../routes";

const pages = () => import("./ExtractionPages");
const CodebookPage = lazy(() => import("./CodebookPage").then((m) => ({ default: m.CodebookPage })));
const ExtractionPage = lazy(() => pages().then((m) => ({ default: m.ExtractionPage })));
const ExtractionFormPage = lazy(() => pages().then((m) => ({ default: m.ExtractionFormPage })));
const ExtractionComparePage = lazy(() => pages().then((m) => ({ default: m.ExtractionComparePage })));

/** The extraction stage: the codebook and the study list (in the navigation), one study's form, and an adjudicator's comparison. */
export const extractionPageRoutes: RouteDef[] = [
  { path: "/projects/:id/codebook", title: "Codebook", component: CodebookPage, project: true, nav: "Codebook" },
  { path: "/projects/:id/extraction", title: "Extraction", component: ExtractionPage, project: true, nav: "Extraction" },
  { path: "/projects/:id/extraction/:studyId", title: "Extract a study", component: ExtractionFormPage, project: true },
  { path: "/projects/:id/extraction/:studyId/compare", title: "Compare extractions", component: ExtractionComparePage, project: true },
];
