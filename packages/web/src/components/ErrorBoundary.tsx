import { Component, type ErrorInfo, type ReactNode } from "react";
import { ErrorMessage } from "./Status";

/**
 * Keeps a failing page (a render bug, a page bundle that did not load) from
 * blanking the whole app: the header and navigation stay usable and the
 * problem is shown where the page would be. Keyed by path by the caller, so
 * navigating elsewhere starts afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error("Page failed to render", error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <ErrorMessage error={this.state.error}>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </ErrorMessage>
    );
  }
}
