import type { ReactNode } from "react";

/**
 * The page's h1. It takes focus after in-app navigation (see App) so screen
 * reader and keyboard users start at the new page's heading.
 */
export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-title">
      <h1 tabIndex={-1} data-page-title>
        {children}
      </h1>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
