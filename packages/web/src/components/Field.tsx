import type { ReactNode } from "react";

/**
 * A labelled form field with its hint and its error, each with an id
 * (`<id>-hint`, `<id>-error`) the control names in aria-describedby. One for
 * every form, so the pages' fields read alike to a screen reader.
 */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      {children}
    </div>
  );
}
