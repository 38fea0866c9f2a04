/**
 * What stands after a clash. Two people writing a "one per" row at once (the
 * reconciliation of a record, a stage's screening settings, a record's
 * full-text retrieval): the second is answered 409 with `current`, the row
 * that stands (see @homeward/store `one-per.ts`). `call` hands every such
 * answer here, once for every page: the clash is said in words above the page
 * (`StandingNotice`), every `useApi` read on the page is made again (so the
 * page shows what stands, and a reconciled conflict leaves the list), and the
 * page's own error line stays quiet about it, so it is said once.
 */
import { useEffect, useRef, useState } from "react";
import { useLocation } from "./router";

/** Dispatched on `window` with the words of what stands as `detail`. */
export const STANDING_EVENT = "homeward:standing";

/** Messages the notice says, which a page's `ErrorMessage` then leaves out. */
const said = new Set<string>();
export const saidByNotice = (message: string): boolean => said.has(message);

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

/** Called by `call` for a 409 carrying `current`: answers the words, and tells the page. */
export function announceStanding(current: unknown): string {
  const words = standingInWords(current);
  said.add(words);
  window.dispatchEvent(new CustomEvent(STANDING_EVENT, { detail: words }));
  return words;
}

/** The latest clash on this page, said above it until the person carries on or leaves the page. */
export function StandingNotice() {
  const { pathname } = useLocation();
  const [words, setWords] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const on = (e: Event) => setWords((e as CustomEvent<string>).detail);
    window.addEventListener(STANDING_EVENT, on);
    return () => window.removeEventListener(STANDING_EVENT, on);
  }, []);
  useEffect(() => setWords(null), [pathname]);
  if (!words) return null;
  return (
    <div ref={ref} className="alert alert-error standing-notice" role="alert">
      <p>
        <strong>Not saved:</strong> {words} The page now shows what stands.
      </p>
      <button
        type="button"
        className="button-secondary"
        onClick={() => {
          setWords(null);
          document.getElementById("main")?.focus();
        }}
      >
        Carry on
      </button>
    </div>
  );
}
