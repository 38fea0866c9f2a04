/**
 * Width of a label before rendering, for sizing a chart so that no label is
 * cut or spills out of its cell. Advance widths are Liberation Sans's (metric-
 * compatible with Arial, the font the SVG is drawn with, see fonts.ts) in em;
 * characters not listed count as a full em, so the estimate errs wide. Pure,
 * so specs built in the browser size themselves the same way.
 */
// Same in the bold face for these.
const FIXED: Record<string, number> = { " ": 0.278, "(": 0.333, ")": 0.333, ".": 0.278, ",": 0.278, "-": 0.333, "/": 0.278, "%": 0.889, "–": 0.556, "'": 0.238, "’": 0.278 };
const DIGIT = 0.556;
const LOWER_REGULAR = [0.556, 0.556, 0.5, 0.556, 0.556, 0.278, 0.556, 0.556, 0.222, 0.222, 0.5, 0.222, 0.833, 0.556, 0.556, 0.556, 0.556, 0.333, 0.5, 0.278, 0.556, 0.5, 0.722, 0.5, 0.5, 0.5];
const LOWER_BOLD = [0.556, 0.611, 0.556, 0.611, 0.556, 0.333, 0.611, 0.611, 0.278, 0.278, 0.556, 0.278, 0.889, 0.611, 0.611, 0.611, 0.611, 0.389, 0.556, 0.333, 0.611, 0.556, 0.778, 0.556, 0.556, 0.5];
// Upper case: the bold face's widths, which are at least the regular's.
const UPPER = [0.722, 0.722, 0.722, 0.722, 0.667, 0.611, 0.778, 0.722, 0.278, 0.556, 0.722, 0.611, 0.833, 0.722, 0.778, 0.667, 0.778, 0.722, 0.667, 0.611, 0.722, 0.667, 0.944, 0.667, 0.667, 0.611];
const OTHER = 1;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const fixed = FIXED[ch];
    const c = ch.charCodeAt(0);
    if (fixed !== undefined) em += fixed;
    else if (ch >= "0" && ch <= "9") em += DIGIT;
    else if (ch >= "A" && ch <= "Z") em += UPPER[c - 65]!;
    else if (ch >= "a" && ch <= "z") em += (bold ? LOWER_BOLD : LOWER_REGULAR)[c - 97]!;
    else em += OTHER;
  }
  // The table's widths are rounded to 1/1000 em; the font's are in 1/2048 em.
  return em * fontSize * 1.01;
}

/** The widest of some labels, in pixels (0 for none). */
export function widestLabel(labels: readonly string[], fontSize: number, bold = false): number {
  return labels.reduce((w, l) => Math.max(w, textWidth(l, fontSize, bold)), 0);
}
