import { lazy } from "react";
import type { RouteDef } from "../../routes";

const CodingPage = lazy(() => import("./CodingPage").then((m) => ({ default: m.CodingPage })));
const FindingsPage = lazy(() => import("./FindingsPage").then((m) => ({ default: m.FindingsPage })));
const GradePage = lazy(() => import("./GradePage").then((m) => ({ default: m.GradePage })));
const JointDisplayPage = lazy(() => import("./JointDisplayPage").then((m) => ({ default: m.JointDisplayPage })));
const GuidePage = lazy(() => import("./GuidePage").then((m) => ({ default: m.GuidePage })));
const SurveyPage = lazy(() => import("./SurveyPage").then((m) => ({ default: m.SurveyPage })));
const EqualityPage = lazy(() => import("./EqualityPage").then((m) => ({ default: m.EqualityPage })));

/** The synthesis chain, quote to recommendation (in the navigation as its first step; each page links the others). */
export const synthesisRoutes: RouteDef[] = [
  { path: "/projects/:id/coding", title: "Framework coding", component: CodingPage, project: true, nav: "Synthesis" },
  { path: "/projects/:id/findings", title: "Review findings and CERQual", component: FindingsPage, project: true },
  { path: "/projects/:id/grade", title: "GRADE for the quantitative outcomes", component: GradePage, project: true },
  { path: "/projects/:id/joint-display", title: "Joint display", component: JointDisplayPage, project: true },
  { path: "/projects/:id/guide", title: "Recommendations and the practice guide", component: GuidePage, project: true },
  { path: "/projects/:id/survey", title: "Primary research", component: SurveyPage, project: true },
  { path: "/projects/:id/equality", title: "Equality annex", component: EqualityPage, project: true },
];
