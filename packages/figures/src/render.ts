import * as vega from "vega";
import { compile } from "vega-lite";
import type { Spec as VegaSpec } from "vega";
import { Resvg } from "@resvg/resvg-js";
import type { Figure, TopLevelSpec } from "./figure.js";
import { FONT_PRIMARY } from "./theme.js";
import { installTextMetrics, locateFont } from "./fonts.js";

/** Compiles a figure's Vega-Lite spec to a Vega spec (what a browser view needs). */
export function toVegaSpec(spec: TopLevelSpec): VegaSpec {
  return compile(spec).spec;
}

/**
 * Renders a figure to a standalone SVG document headlessly (no DOM, no
 * canvas). The root element gets role="img" with <title> and <desc> carrying
 * the figure's title and long description, so the file is accessible on its
 * own when embedded in a report.
 */
export async function renderSvg(figure: Figure): Promise<string> {
  installTextMetrics();
  const view = new vega.View(vega.parse(toVegaSpec(figure.spec)), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return addAccessibleText(svg, figure);
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixel density multiplier; 2 gives print-quality output for A4 reports. */
  scale?: number;
  /** Extra font files to load in addition to the system fonts. */
  fontFiles?: string[];
}

/**
 * Renders a figure to PNG by rasterising its SVG with resvg. Fonts come from
 * the operating system (fontconfig directories); Liberation Sans is the
 * preferred face and resvg falls back through the SVG font-family list.
 */
export async function renderPng(figure: Figure, options: PngOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 10)) throw new RangeError(`PNG scale must be in (0, 10], got ${scale}`);
  const svg = await renderSvg(figure);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, fontFiles: [...fontFiles(), ...(options.fontFiles ?? [])], defaultFontFamily: FONT_PRIMARY },
  });
  return resvg.render().asPng();
}

function fontFiles(): string[] {
  const f = locateFont();
  return f ? [f.regular, ...(f.bold ? [f.bold] : [])] : [];
}

function addAccessibleText(svg: string, figure: Figure): string {
  const open = svg.indexOf(">", svg.indexOf("<svg"));
  if (open < 0) throw new Error("renderer returned no <svg> element");
  // Ids must be unique when several figures are inlined in one HTML page, and
  // stable across renders so output files diff cleanly: derive them from content.
  const id = `hw-${hash(figure.title + "\u0000" + figure.description)}`;
  const head = svg.slice(0, open).replace(/\s(role|aria-labelledby)="[^"]*"/g, "");
  return (
    `${head} role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeXml(figure.title)}</title>` +
    `<desc id="${id}-desc">${escapeXml(figure.description)}</desc>` +
    svg.slice(open + 1)
  );
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** 32-bit FNV-1a, hex. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
