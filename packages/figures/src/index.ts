export type { Figure, TopLevelSpec } from "./figure.js";
export { renderSvg, renderPng, toVegaSpec, escapeXml, type PngOptions } from "./render.js";
export { palettes, ink, baseConfig, FONT, FONT_PRIMARY, type PaletteName, type Ink } from "./theme.js";
export { fmt, pct, pval, plural, paragraphs } from "./format.js";
export { textWidth, widestLabel } from "./labels.js";
export * from "./charts/index.js";
