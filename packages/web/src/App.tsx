import { Suspense, useEffect, useRef, useState, type MouseEvent, type ReactNode, type RefObject } from "react";
import { accountRoutes } from "@homeward/api";
import { api, call } from "./api";
import { useApi } from "./hooks";
import { ProjectContext } from "./project";
import { StandingNotice } from "./standing";
import { buildPath, Link, matchPath, useLocation, type Params } from "./router";
import { routes, type RouteDef } from "./routes";
import { PageErrorBoundary } from "./components/ErrorBoundary";
import { focusPageTitle, PageTitle } from "./components/PageTitle";
import { ErrorMessage, LiveStatus } from "./components/Status";
import { NotFoundPage } from "./pages/NotFound";
import { isPublicPath, SessionProvider, shownName, signInPath, useSession } from "./session";

function resolve(pathname: string): { route: RouteDef | null; params: Params } {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return { route: null, params: {} };
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { pathname } = useLocation();
  const { route, params } = resolve(pathname);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After in-app navigation, start keyboard and screen reader users at the new page's heading.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    focusPageTitle(mainRef.current);
    window.scrollTo(0, 0);
  }, [pathname]);

  const skip = (e: MouseEvent) => {
    e.preventDefault();
    mainRef.current?.focus();
  };

  const Page = route?.component ?? NotFoundPage;
  const session = useSession();
  // Pages behind sign-in wait for the session, so a signed-out visitor goes straight to sign-in instead of seeing refusals.
  const waiting = !session.user && !isPublicPath(pathname);
  return (
    <>
      <a className="skip-link" href="#main" onClick={skip}>
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand">
            <svg aria-hidden="true" viewBox="0 0 32 32" width="24" height="24">
              <rect width="32" height="32" rx="6" fill="currentColor" />
              <path d="M7 17 16 8l9 9v8h-6v-6h-6v6H7z" fill="var(--bg)" />
            </svg>
            Homeward
          </Link>
          <UserControl />
        </div>
      </header>
      {waiting ? (
        <main id="main" ref={mainRef} tabIndex={-1} className="main">
          <DocumentTitle parts={[route?.title]} />
          {session.error ? (
            <ErrorMessage error={session.error}>
              <button type="button" onClick={session.reload}>
                Try again
              </button>
            </ErrorMessage>
          ) : (
            <LiveStatus>{session.view ? "Going to sign-in…" : "Loading…"}</LiveStatus>
          )}
        </main>
      ) : route?.project ? (
        <ProjectLayout id={params.id!} route={route} params={params} mainRef={mainRef} />
      ) : (
        <main id="main" ref={mainRef} tabIndex={-1} className="main">
          <DocumentTitle parts={[route?.title ?? "Page not found"]} />
          <PageBoundary>
            <Page params={params} />
          </PageBoundary>
        </main>
      )}
      <Footer />
    </>
  );
}

function Footer() {
  const { data } = useApi((s) => api.health(s), []);
  return (
    <footer className="site-footer">
      <p>
        Homeward{data?.version ? ` ${data.version}` : ""} · open-source living evidence reviews
      </p>
    </footer>
  );
}

function PageBoundary({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <PageErrorBoundary key={pathname}>
      <Suspense fallback={<LiveStatus>Loading page…</LiveStatus>}>{children}</Suspense>
    </PageErrorBoundary>
  );
}

function DocumentTitle({ parts }: { parts: (string | undefined)[] }) {
  const title = [...parts.filter(Boolean), "Homeward"].join(" · ");
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}

function ProjectLayout({
  id,
  route,
  params,
  mainRef,
}: {
  id: string;
  route: RouteDef;
  params: Params;
  mainRef: RefObject<HTMLElement | null>;
}) {
  const { data: project, error, reload } = useApi((s) => api.getProject(id, s), [id]);
  const { user } = useSession();
  const members = useApi((s) => (user ? call(accountRoutes.listMembers, { params: { id } }, s) : Promise.resolve(undefined)), [id, user?.name]);
  const role = members.data ? (members.data.find((m) => m.userName === user?.name)?.role ?? null) : undefined;
  const { pathname } = useLocation();
  const Page = route.component;
  const nav = routes.filter((r) => r.project && r.nav);
  return (
    <ProjectContext.Provider value={{ id, project, reload, role }}>
      <DocumentTitle parts={[route.title, project?.title]} />
      <div className="project-bar">
        <div className="project-bar-inner">
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <ol>
              <li>
                <Link to="/">Projects</Link>
              </li>
              <li>
                <span aria-current="location">{project?.title ?? (error ? "Unavailable project" : "Loading project…")}</span>
              </li>
            </ol>
          </nav>
          <nav aria-label="Project sections" className="project-nav">
            <ul>
              {nav.map((r) => {
                const to = buildPath(r.path, { id });
                return (
                  <li key={r.path}>
                    <Link to={to} current={to === pathname}>
                      {r.nav}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        </div>
      </div>
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        {error && !project ? (
          // Without the project no section can load; one message rather than one per request.
          <>
            <PageTitle>{route.title}</PageTitle>
            <ErrorMessage error={error}>
              <Link to="/">Back to the project list</Link>
            </ErrorMessage>
          </>
        ) : (
          <PageBoundary>
            <StandingNotice />
            <Page params={params} />
          </PageBoundary>
        )}
      </main>
    </ProjectContext.Provider>
  );
}

/** Who is signed in on this browser; every change they make is recorded under their name. */
function UserControl() {
  const session = useSession();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const user = session.user;
  if (!session.view) return null;
  if (!user)
    return isPublicPath(location.pathname) ? null : (
      <div className="user-control">
        <Link to={signInPath(location)}>Sign in</Link>
      </div>
    );
  const signOut = async () => {
    setError(null);
    try {
      await session.signOut();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <nav className="user-control" aria-label="Your account">
      <span>
        Signed in as <strong data-user={user.name}>{shownName(user)}</strong>
      </span>
      <Link to="/account" current={location.pathname === "/account"}>
        Account
      </Link>
      {user.admin ? (
        <Link to="/users" current={location.pathname === "/users"}>
          Users
        </Link>
      ) : null}
      <button type="button" className="button-link" onClick={() => void signOut()}>
        Sign out
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </nav>
  );
}
