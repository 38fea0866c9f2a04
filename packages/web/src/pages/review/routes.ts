import type { RouteDef } from "../../routes";
import { CerqualPage, GapMapPage, PrismaPage, RecommendationsPage, RiskOfBiasPage } from "./ReviewPages";

/** Review-level pages (figures, CERQual table, recommendations), in navigation order. */
export const reviewRoutes: RouteDef[] = [
  { path: "/projects/:id/prisma", title: "PRISMA flow", component: PrismaPage, project: true, nav: "PRISMA" },
  { path: "/projects/:id/risk-of-bias", title: "Risk of bias", component: RiskOfBiasPage, project: true, nav: "Risk of bias" },
  { path: "/projects/:id/gap-map", title: "Evidence gap map", component: GapMapPage, project: true, nav: "Gap map" },
  { path: "/projects/:id/cerqual", title: "CERQual summary of findings", component: CerqualPage, project: true, nav: "CERQual" },
  { path: "/projects/:id/recommendations", title: "Recommendations", component: RecommendationsPage, project: true, nav: "Recommendations" },
];
