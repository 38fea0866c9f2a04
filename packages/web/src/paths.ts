/** Route patterns such as "/projects/:id/records": matching and building paths. */

export type Params = Record<string, string>;

/** Matches "/projects/:id/records" style patterns; returns decoded params or null. */
export function matchPath(pattern: string, pathname: string): Params | null {
  const pp = pattern.split("/").filter(Boolean);
  const ps = pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  if (pp.length !== ps.length) return null;
  const params: Params = {};
  for (let i = 0; i < pp.length; i++) {
    const seg = pp[i]!;
    if (seg.startsWith(":")) {
      try {
        params[seg.slice(1)] = decodeURIComponent(ps[i]!);
      } catch {
        return null;
      }
    } else if (seg !== ps[i]) return null;
  }
  return params;
}

/** Builds a path from a pattern and params, encoding each value. */
export function buildPath(pattern: string, params: Params): string {
  return (
    "/" +
    pattern
      .split("/")
      .filter(Boolean)
      .map((s) => (s.startsWith(":") ? encodeURIComponent(params[s.slice(1)] ?? "") : s))
      .join("/")
  );
}
