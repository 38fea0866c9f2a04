/**
 * The one route table. A new capability adds a page component and one entry
 * here; entries with `nav` appear, in order, in the project navigation.
 */
import { lazy, type ComponentType } from "react";
import type { Params } from "./router";
import { ProjectListPage } from "./pages/ProjectList";
import { appraisalRoutes } from "./pages/appraisal/routes";
import { extractionPageRoutes } from "./pages/extraction/routes";
import { outcomePageRoutes } from "./pages/outcomes/routes";
import { reviewRoutes } from "./pages/review/routes";
import { reportRoutes } from "./pages/report/routes";
import { screeningRoutes } from "./pages/screening/routes";
import { synthesisRoutes } from "./pages/synthesis/routes";

// The first page is in the main bundle; the others load when first visited.
const DashboardPage = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.DashboardPage })));
const ProtocolPage = lazy(() => import("./pages/Protocol").then((m) => ({ default: m.ProtocolPage })));
const SearchesPage = lazy(() => import("./pages/searches/SearchesPage").then((m) => ({ default: m.SearchesPage })));
const RecordsPage = lazy(() => import("./pages/Records").then((m) => ({ default: m.RecordsPage })));
const StudiesPage = lazy(() => import("./pages/Studies").then((m) => ({ default: m.StudiesPage })));
const AnalysisPage = lazy(() => import("./pages/analysis/AnalysisPage").then((m) => ({ default: m.AnalysisPage })));
const DuplicatesPage = lazy(() => import("./pages/duplicates/DuplicatesPage").then((m) => ({ default: m.DuplicatesPage })));
const SignInPage = lazy(() => import("./pages/accounts/SignIn").then((m) => ({ default: m.SignInPage })));
const SetupPage = lazy(() => import("./pages/accounts/Setup").then((m) => ({ default: m.SetupPage })));
const WelcomePage = lazy(() => import("./pages/accounts/Welcome").then((m) => ({ default: m.WelcomePage })));
const AccountPage = lazy(() => import("./pages/accounts/Account").then((m) => ({ default: m.AccountPage })));
const UsersPage = lazy(() => import("./pages/accounts/Users").then((m) => ({ default: m.UsersPage })));
const MembersPage = lazy(() => import("./pages/accounts/Members").then((m) => ({ default: m.MembersPage })));
const AuditPage = lazy(() => import("./pages/Audit").then((m) => ({ default: m.AuditPage })));
const JobsPage = lazy(() => import("./pages/jobs/JobsPage").then((m) => ({ default: m.JobsPage })));

export interface RouteDef {
  path: string;
  /** Used in the document title (and as the page heading by convention). */
  title: string;
  component: ComponentType<{ params: Params }>;
  /** Pages under a project get the project header, navigation and context. */
  project?: boolean;
  /** Label in the project navigation; omitted for pages reached otherwise. */
  nav?: string;
}

export const routes: RouteDef[] = [
  { path: "/", title: "Projects", component: ProjectListPage },
  { path: "/signin", title: "Sign in", component: SignInPage },
  { path: "/setup", title: "Set up Homeward", component: SetupPage },
  { path: "/welcome", title: "Welcome", component: WelcomePage },
  { path: "/account", title: "Your account", component: AccountPage },
  { path: "/users", title: "Users", component: UsersPage },
  { path: "/projects/:id", title: "Dashboard", component: DashboardPage, project: true, nav: "Dashboard" },
  { path: "/projects/:id/protocol", title: "Protocol", component: ProtocolPage, project: true, nav: "Protocol" },
  { path: "/projects/:id/searches", title: "Searches and imports", component: SearchesPage, project: true, nav: "Searches" },
  { path: "/projects/:id/records", title: "Records", component: RecordsPage, project: true, nav: "Records" },
  { path: "/projects/:id/duplicates", title: "Duplicates", component: DuplicatesPage, project: true, nav: "Duplicates" },
  ...screeningRoutes,
  { path: "/projects/:id/studies", title: "Studies", component: StudiesPage, project: true, nav: "Studies" },
  ...outcomePageRoutes,
  ...extractionPageRoutes,
  ...appraisalRoutes,
  { path: "/projects/:id/analysis", title: "Meta-analysis", component: AnalysisPage, project: true, nav: "Analysis" },
  ...reviewRoutes,
  ...synthesisRoutes,
  ...reportRoutes,
  { path: "/projects/:id/members", title: "Members", component: MembersPage, project: true, nav: "Members" },
  { path: "/projects/:id/audit", title: "Audit log", component: AuditPage, project: true, nav: "Audit log" },
  { path: "/projects/:id/jobs", title: "Background jobs", component: JobsPage, project: true, nav: "Jobs" },
];
