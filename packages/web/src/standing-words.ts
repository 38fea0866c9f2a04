/** What stands after a clash at a "one per" place, in a reviewer's words (see standing.tsx). */

const DECISION: Record<string, string> = { include: "include", exclude: "exclude", maybe: "maybe" };
const RETRIEVAL: Record<string, string> = { sought: "sought", retrieved: "retrieved", not_retrieved: "not retrieved", author_contacted: "author contacted" };
const MODE: Record<string, string> = { single: "single screening", dual: "dual screening", dual_then_single: "dual screening of a sample, then single" };
const STAGE: Record<string, string> = { title_abstract: "title and abstract", full_text: "full-text" };

/** "at 14:02" today, "on 3 Dec 2026 at 14:02" another day. */
function when(iso: unknown): string {
  if (typeof iso !== "string") return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === new Date().toDateString()) return `at ${time}`;
  return `on ${d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" })} at ${time}`;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** The row that stands, in a reviewer's words. */
export function standingInWords(current: unknown): string {
  const row = (Array.isArray(current) ? current[0] : current) as Record<string, unknown> | null | undefined;
  if (!row || typeof row !== "object") return "Someone else saved this first; what stands is shown now.";
  if (typeof row.resolvedBy === "string" && typeof row.decision === "string") {
    const reasons = list(row.reasons);
    const why = text(row.reason).trim();
    return `${row.resolvedBy} already reconciled this record: ${DECISION[row.decision] ?? row.decision}${reasons.length ? ` (${reasons.join(", ")})` : ""}${why ? ` — reason “${why}”` : ""}, ${when(row.at)}.`;
  }
  if (typeof row.updatedBy === "string" && typeof row.status === "string") {
    const file = (row.file as { name?: unknown } | null)?.name;
    const note = text(row.note).trim();
    return `${row.updatedBy} already recorded this record's full text as ${RETRIEVAL[row.status] ?? row.status}${typeof file === "string" ? ` (${file})` : ""}${note ? ` — note “${note}”` : ""}, ${when(row.updatedAt)}.`;
  }
  if (typeof row.mode === "string" && typeof row.stage === "string") {
    const reviewers = list(row.reviewers);
    const fraction = typeof row.dualFraction === "number" && row.mode !== "single" ? ` (${Math.round(row.dualFraction * 100)}% dual)` : "";
    return `The ${STAGE[row.stage] ?? row.stage} screening settings were saved by someone else first, ${when(row.updatedAt)}: ${MODE[row.mode] ?? row.mode}${fraction}${reviewers.length ? `, reviewers ${reviewers.join(", ")}` : ""}.`;
  }
  return "Someone else saved this first; what stands is shown now.";
}

