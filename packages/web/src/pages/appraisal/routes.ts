import { lazy } from "react";
import type { RouteDef } from "../../routes";

const pages = () => import("./AppraisalPages");
const AppraisalPage = lazy(() => pages().then((m) => ({ default: m.AppraisalPage })));
const AssessPage = lazy(() => pages().then((m) => ({ default: m.AssessPage })));
const ComparePage = lazy(() => pages().then((m) => ({ default: m.ComparePage })));

/** The appraisal stage: the study list (in the navigation), one's own assessment of a study, and an adjudicator's comparison. */
export const appraisalRoutes: RouteDef[] = [
  { path: "/projects/:id/appraisal", title: "Appraisal", component: AppraisalPage, project: true, nav: "Appraisal" },
  { path: "/projects/:id/appraisal/:studyId", title: "Appraise a study", component: AssessPage, project: true },
  { path: "/projects/:id/appraisal/:studyId/compare", title: "Appraisal consensus", component: ComparePage, project: true },
];
