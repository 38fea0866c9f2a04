import type { Config } from "vega-lite";

/**
 * Named categorical palettes. `okabeIto` (Okabe & Ito, 2008, "Color Universal
 * Design") stays distinguishable under the common colour-vision deficiencies
 * and is the default; `homeward` is the house palette for slides and the web
 * app; `greyscale` is for print.
 */
export const palettes = {
  okabeIto: ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"],
  homeward: ["#1B6F8A", "#E07B39", "#4E9A6A", "#B5485D", "#7A68A6", "#C9A227", "#5F6B73", "#2B2B2B"],
  greyscale: ["#000000", "#555555", "#8C8C8C", "#B8B8B8", "#D9D9D9"],
} as const satisfies Record<string, readonly string[]>;

export type PaletteName = keyof typeof palettes;

/** Role colours used by the analysis charts, derived from a palette. */
export interface Ink {
  /** Points, lines and text for the data itself. */
  data: string;
  /** Summary estimates (diamonds, pooled lines). */
  summary: string;
  /** Reference lines and thresholds. */
  reference: string;
  /** Highlighted (flagged) observations. */
  highlight: string;
  /** Second series (e.g. the intervention curve). */
  second: string;
  /** Bands and shaded regions. */
  band: string;
}

export function ink(palette: PaletteName = "okabeIto"): Ink {
  const p = palettes[palette];
  if (palette === "greyscale") {
    return { data: "#000000", summary: "#000000", reference: "#555555", highlight: "#000000", second: "#8C8C8C", band: "#D9D9D9" };
  }
  return { data: "#333333", summary: p[0], reference: "#666666", highlight: p[3], second: p[2], band: "#D9D9D9" };
}

/**
 * Font stack: the first face is used when it is installed. Liberation Sans is
 * metric-compatible with Arial, so text measured in the browser (Arial) and
 * rendered headlessly on Linux (Liberation) takes the same room.
 */
export const FONT = "Liberation Sans, Arial, Helvetica, sans-serif";
export const FONT_PRIMARY = "Liberation Sans";

/** Vega-Lite config shared by every figure. */
export function baseConfig(palette: PaletteName = "okabeIto"): Config {
  return {
    font: FONT,
    background: "white",
    padding: 8,
    view: { stroke: null },
    range: { category: [...palettes[palette]] },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      gridColor: "#EEEEEE",
      domainColor: "#555555",
      tickColor: "#555555",
    },
    legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal" },
    title: { fontSize: 14, fontWeight: "bold", anchor: "start" },
  };
}
