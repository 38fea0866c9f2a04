/**
 * Who is signed in on this browser, loaded once at the app root from
 * GET /api/session. The server keeps the session in an HttpOnly cookie, so the
 * app never sees a credential: it only learns the user and follows the
 * server's 401 answers back to the sign-in page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { accountRoutes, type SessionUser, type SessionView } from "@homeward/api";
import { call, SIGNED_OUT_EVENT } from "./api";
import { navigate, useLocation } from "./router";

export type { SessionUser, SessionView };

export interface SessionState {
  /** The server's answer; undefined until it arrives. */
  view: SessionView | undefined;
  user: SessionUser | null;
  error: unknown;
  /** Takes the session an answer of sign-in, set-up or a one-time link carries. */
  update(view: SessionView): void;
  reload(): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Pages anyone may open: the way in. */
export const PUBLIC_PATHS = ["/signin", "/setup", "/welcome"];
export const isPublicPath = (pathname: string) => PUBLIC_PATHS.includes(pathname.replace(/\/+$/, "") || "/");

/** The sign-in page, remembering where the user was so they come back to it. */
export function signInPath(from: { pathname: string; search: string }): string {
  const here = `${from.pathname}${from.search}`;
  return here === "/" || isPublicPath(from.pathname) ? "/signin" : `/signin?next=${encodeURIComponent(here)}`;
}

/** Where to go after signing in: a path of this app only (never another site). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  const path = next.split(/[?#]/)[0]!;
  return isPublicPath(path) ? "/" : next;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<SessionView | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const location = useLocation();

  useEffect(() => {
    const ctrl = new AbortController();
    call(accountRoutes.getSession, {}, ctrl.signal).then(
      (v) => {
        if (ctrl.signal.aborted) return;
        setView(v);
        setError(null);
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted) setError(err);
      },
    );
    return () => ctrl.abort();
  }, [tick]);

  // A 401 usually means the session has ended (expired, signed out elsewhere, a password reset); asking the
  // server again tells that apart from a 401 about something else, such as a wrong current password.
  useEffect(() => {
    const check = () => setTick((t) => t + 1);
    window.addEventListener(SIGNED_OUT_EVENT, check);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, check);
  }, []);

  const signedOut = view !== undefined && view.user === null;
  useEffect(() => {
    if (signedOut && !isPublicPath(location.pathname)) navigate(signInPath(location), { replace: true });
  }, [signedOut, location]);

  const update = useCallback((v: SessionView) => setView(v), []);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const signOut = useCallback(async () => {
    await call(accountRoutes.signOut, {});
    navigate("/signin");
    setView((v) => (v ? { ...v, user: null } : v));
  }, []);

  const value = useMemo<SessionState>(
    () => ({ view, user: view?.user ?? null, error, update, reload, signOut }),
    [view, error, update, reload, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error("useSession is only available inside SessionProvider");
  return ctx;
}

/** The user's name as people see it. */
export const shownName = (u: { name?: string; userName?: string; displayName: string }) => u.displayName || u.name || u.userName || "";
