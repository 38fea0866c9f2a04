/**
 * User-timing marks at the moments a user sees results, so load and response
 * times can be read from the browser (Performance panel, benchmarks, field
 * monitoring) as `performance.getEntriesByName(...)`.
 */
export const MARKS = {
  /** The project list (or its empty state) is on screen. */
  projectsRendered: "homeward:projects-rendered",
  /** The first rows of a records query are on screen; detail = the query key. */
  recordsRendered: "homeward:records-rendered",
} as const;

export function mark(name: string, detail?: unknown): void {
  try {
    performance.mark(name, { detail });
  } catch {
    // User timing is optional; old browsers simply miss the figures.
  }
}
