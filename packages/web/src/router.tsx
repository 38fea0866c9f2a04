/**
 * A small history-API router. The server answers every non-/api path with
 * index.html, so deep links and reloads land on the right page. Routes are
 * declared once, in routes.tsx.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

export { buildPath, matchPath, type Params } from "./paths";

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();
let snapshot: Location = read();

function read(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

function emit(): void {
  const next = read();
  if (next.pathname === snapshot.pathname && next.search === snapshot.search) return;
  snapshot = next;
  for (const l of listeners) l();
}

window.addEventListener("popstate", emit);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, () => snapshot);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  emit();
}

/**
 * Sets several query parameters of the current URL in one step (null or ""
 * removes one), without adding a history entry.
 */
export function setSearchParams(updates: Record<string, string | null>): void {
  const p = new URLSearchParams(window.location.search);
  for (const [name, v] of Object.entries(updates)) {
    if (v === null || v === "") p.delete(name);
    else p.set(name, v);
  }
  const qs = p.toString();
  navigate(`${window.location.pathname}${qs ? `?${qs}` : ""}`, { replace: true });
}

/** Reads and updates one query parameter of the current URL. */
export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const { search } = useLocation();
  return [new URLSearchParams(search).get(name), (v) => setSearchParams({ [name]: v })];
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; current?: boolean };

/** An ordinary link (works with middle-click, copy link) that routes in-page on a plain click. */
export function Link({ to, current, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} aria-current={current ? "page" : undefined} {...rest} />;
}
