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
import { STANDING_EVENT } from "./standing-event";

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
