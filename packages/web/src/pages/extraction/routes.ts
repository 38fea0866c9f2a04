import { lazy } from "react";
import type { RouteDef } from "../../routes";

const pages = () => import("./ExtractionPages");
const CodebookPage = lazy(() => import("./CodebookPage").then((m) => ({ default: m.CodebookPage })));
const ExtractionPage = lazy(() => pages().then((m) => ({ default: m.ExtractionPage })));
const ExtractionFormPage = lazy(() => pages().then((m) => ({ default: m.ExtractionFormPage })));
const ExtractionComparePage = lazy(() => pages().then((m) => ({ default: m.ExtractionComparePage })));
const CharacteristicsPage = lazy(() => import("./CharacteristicsPage").then((m) => ({ default: m.CharacteristicsPage })));
const ExtractionChecksPage = lazy(() => import("./ChecksPage").then((m) => ({ default: m.ExtractionChecksPage })));

/** The extraction stage: the codebook and the study list (in the navigation), one study's form, an adjudicator's comparison and a checker's view. */
export const extractionPageRoutes: RouteDef[] = [
  { path: "/projects/:id/codebook", title: "Codebook", component: CodebookPage, project: true, nav: "Codebook" },
  { path: "/projects/:id/extraction", title: "Extraction", component: ExtractionPage, project: true, nav: "Extraction" },
  { path: "/projects/:id/characteristics", title: "Characteristics of studies", component: CharacteristicsPage, project: true, nav: "Characteristics" },
  { path: "/projects/:id/extraction/:studyId", title: "Extract a study", component: ExtractionFormPage, project: true },
  { path: "/projects/:id/extraction/:studyId/compare", title: "Compare extractions", component: ExtractionComparePage, project: true },
  { path: "/projects/:id/extraction/:studyId/checks", title: "Check a study", component: ExtractionChecksPage, project: true },
];
