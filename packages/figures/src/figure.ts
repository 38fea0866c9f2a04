import type { TopLevelSpec } from "vega-lite";

/**
 * A figure is data, not pixels: a Vega-Lite spec (with its data inline) plus
 * the words a reader needs when they cannot see it. The same object is drawn
 * by the web app in the browser and rendered to SVG/PNG for reports, so the
 * two never drift apart.
 */
export interface Figure {
  /** Vega-Lite specification with inline data values. */
  spec: TopLevelSpec;
  /** Caption-style title, e.g. "Funnel plot of 112 outcomes". */
  title: string;
  /**
   * Long description in the style of an accessibility appendix: what the
   * figure shows (axes, marks, encodings), the key numbers, and the main
   * reading. Plain text; paragraphs separated by blank lines, bullet lines
   * start with "- ".
   */
  description: string;
  /** Short alternative text (one sentence). */
  alt: string;
}

export type { TopLevelSpec };
