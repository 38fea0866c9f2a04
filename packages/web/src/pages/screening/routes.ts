import { lazy } from "react";
import type { RouteDef } from "../../routes";

// The screening views share one chunk, loaded on first visit.
const load = () => import("./pages");
const TitleAbstractPage = lazy(() => load().then((m) => ({ default: m.TitleAbstractPage })));
const FullTextPage = lazy(() => load().then((m) => ({ default: m.FullTextPage })));
const ConflictsPage = lazy(() => load().then((m) => ({ default: m.ConflictsPage })));
const AgreementPage = lazy(() => load().then((m) => ({ default: m.AgreementPage })));
const SettingsPage = lazy(() => load().then((m) => ({ default: m.SettingsPage })));
const SimulationPage = lazy(() => load().then((m) => ({ default: m.SimulationPage })));

/** Screening views; the first is the project navigation's "Screening" entry, the others are linked from it. */
export const screeningRoutes: RouteDef[] = [
  { path: "/projects/:id/screening", title: "Title and abstract screening", component: TitleAbstractPage, project: true, nav: "Screening" },
  { path: "/projects/:id/screening/full-text", title: "Full text screening", component: FullTextPage, project: true },
  { path: "/projects/:id/screening/conflicts", title: "Screening conflicts", component: ConflictsPage, project: true },
  { path: "/projects/:id/screening/agreement", title: "Screening agreement and QA", component: AgreementPage, project: true },
  { path: "/projects/:id/screening/settings", title: "Screening set-up", component: SettingsPage, project: true },
  { path: "/projects/:id/screening/models", title: "Prioritisation models", component: SimulationPage, project: true },
];
