import { useEffect, useRef, type ReactNode } from "react";

let focusPending = false;

/**
 * Asks the next page heading to take focus (after in-app navigation), so
 * screen reader and keyboard users start at the new page. Pages load lazily,
 * so the heading may mount after the request.
 */
export function focusPageTitle(container: HTMLElement | null): void {
  const h1 = container?.querySelector<HTMLElement>("[data-page-title]");
  if (h1) h1.focus();
  else focusPending = true;
}

/** The page's h1. */
export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusPending) {
      focusPending = false;
      ref.current?.focus();
    }
  }, []);
  return (
    <div className="page-title">
      <h1 tabIndex={-1} data-page-title ref={ref}>
        {children}
      </h1>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
