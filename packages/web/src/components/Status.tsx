import type { ReactNode } from "react";
import { errorMessage } from "../api";
import { saidByNotice } from "../standing-event";

/** An error the user must see: announced at once (role=alert). */
export function ErrorMessage({ error, children }: { error: unknown; children?: ReactNode }) {
  // A clash with what stands is said once, above the page (StandingNotice).
  if (!error || saidByNotice(errorMessage(error))) return null;
  return (
    <div className="alert alert-error" role="alert">
      <p>
        <strong>Error:</strong> {errorMessage(error)}
      </p>
      {children}
    </div>
  );
}

/** Progress and results announced politely to assistive technology. */
export function LiveStatus({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <p className={className ?? "status"} role="status" aria-live="polite">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <LiveStatus>Loading {what}…</LiveStatus>;
}
