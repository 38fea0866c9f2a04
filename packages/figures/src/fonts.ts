/**
 * Text measurement for headless rendering. Without a canvas, Vega estimates
 * text width from the character count, which overstates most labels and
 * truncates legends. We measure with the advance widths of the font the SVG
 * will actually be rasterised with (Liberation Sans, metric-compatible with
 * Arial, so browser layout agrees), read from the system's font files.
 */
import { existsSync, readFileSync } from "node:fs";
import opentype from "opentype.js";
import * as vega from "vega";

const FONT_DIRS = [
  "/usr/share/fonts/truetype/liberation2",
  "/usr/share/fonts/truetype/liberation",
  "/usr/share/fonts/liberation-sans",
  "/usr/share/fonts/liberation",
  "/usr/local/share/fonts",
];

export interface FontFiles {
  regular: string;
  bold: string | null;
}

let located: FontFiles | null | undefined;

/** Paths of Liberation Sans regular and bold, or null when the font is not installed. */
export function locateFont(): FontFiles | null {
  if (located !== undefined) return located;
  located = null;
  for (const dir of FONT_DIRS) {
    const regular = `${dir}/LiberationSans-Regular.ttf`;
    if (existsSync(regular)) {
      const bold = `${dir}/LiberationSans-Bold.ttf`;
      located = { regular, bold: existsSync(bold) ? bold : null };
      break;
    }
  }
  return located;
}

let installed = false;

/** Replaces Vega's width estimate with real font metrics (once per process); no-op without the font. */
export function installTextMetrics(): void {
  if (installed) return;
  installed = true;
  const files = locateFont();
  if (!files) return;
  const load = (path: string) => {
    const buf = readFileSync(path);
    return opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  const regular = load(files.regular);
  const bold = files.bold ? load(files.bold) : regular;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  metrics.width = (item: TextItem, text?: unknown) => {
    const raw = text ?? item.text ?? "";
    const s = Array.isArray(raw) ? raw.join(" ") : String(raw);
    const size = typeof item.fontSize === "number" ? item.fontSize : 11;
    const w = item.fontWeight;
    const font = w === "bold" || (typeof w === "number" && w >= 600) || (typeof w === "string" && Number(w) >= 600) ? bold : regular;
    return font.getAdvanceWidth(s, size);
  };
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}
