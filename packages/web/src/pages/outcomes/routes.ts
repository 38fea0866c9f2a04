import { lazy } from "react";
import type { RouteDef } from "../../routes";

const OutcomesPage = lazy(() => import("./OutcomesPage").then((m) => ({ default: m.OutcomesPage })));

/** One study's arms, time points, outcomes and outcome data (reached from the Studies page). */
export const outcomePageRoutes: RouteDef[] = [{ path: "/projects/:id/studies/:studyId/outcomes", title: "Outcomes", component: OutcomesPage, project: true }];
