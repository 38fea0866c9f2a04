/**
 * Text contrast check after WCAG 2.2 success criterion 1.4.3 (Contrast
 * Minimum): relative luminance L = 0.2126 R + 0.7152 G + 0.0722 B of
 * linearised sRGB channels, ratio (L1 + 0.05) / (L2 + 0.05), at least 4.5:1
 * for normal text and 3:1 for large text (≥ 24px, or ≥ 18.66px bold).
 * https://www.w3.org/TR/WCAG22/#contrast-minimum
 */
import type { Page } from "playwright-core";

export interface ContrastProblem {
  text: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
}

/** Every visible text on the page whose colour against its (opaque) background falls short. */
export function contrastProblems(page: Page): Promise<ContrastProblem[]> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const parse = (c: string): RGBA => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) throw new Error(`unexpected colour format: ${c}`);
      const [r, g, b, a] = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
      return [r!, g!, b!, a ?? 1];
    };
    const over = (top: RGBA, bottom: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
    };
    const lum = ([r, g, b]: RGBA) => {
      const f = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): RGBA => {
      const layers: RGBA[] = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let out: RGBA = [255, 255, 255, 1];
      for (const l of layers.reverse()) out = over(l, out);
      return out;
    };
    const hidden = (el: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.visibility === "hidden" || s.display === "none" || s.clip === "rect(0px, 0px, 0px, 0px)") return true;
        if ((e as HTMLElement).matches?.(":disabled, [aria-disabled=true]")) return true; // inactive controls are exempt
      }
      const r = el.getBoundingClientRect();
      return r.width <= 1 || r.height <= 1;
    };
    const problems: ContrastProblem[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim() || hidden(el)) continue;
      seen.add(el);
      const s = getComputedStyle(el);
      const bg = background(el);
      const fg = over(parse(s.color), bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(s.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
      const required = large ? 3 : 4.5;
      if (ratio < required)
        problems.push({ text: n.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100, required, color: s.color, background: `rgb(${bg.slice(0, 3).join(", ")})` });
    }
    return problems;
  });
}
