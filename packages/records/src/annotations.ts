import type { Annotations } from "./types.js";

/**
 * Annotations travel inside exported files as lines of text a person can read
 * in any reference manager ("Homeward decision [full-text]: exclude"), placed in
 * the format's note field. Each line is one item, so re-importing the file gives
 * back exactly the decisions, reasons, labels and notes that were exported.
 */
const PREFIX = "Homeward ";
const LINE = /^Homeward (decision|reason|label|note)(?: \[([^\]]*)\])?: ?(.*)$/s;

const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n");
const unesc = (s: string) => s.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));

export function annotationLines(a: Annotations): string[] {
  const out: string[] = [];
  for (const d of a.decisions) {
    out.push(`${PREFIX}decision [${esc(d.stage)}]: ${esc(d.decision)}`);
    for (const r of d.reasons) out.push(`${PREFIX}reason [${esc(d.stage)}]: ${esc(r)}`);
  }
  for (const l of a.labels) out.push(`${PREFIX}label: ${esc(l)}`);
  for (const n of a.notes) out.push(`${PREFIX}note: ${esc(n)}`);
  return out;
}

export function isAnnotationLine(s: string): boolean {
  return LINE.test(s);
}

/** Adds one annotation line to `a`; returns false if the line is not one. */
export function readAnnotationLine(line: string, a: Annotations): boolean {
  const m = LINE.exec(line.trim());
  if (!m) return false;
  const [, what, stage, value] = m;
  if (what === "decision") a.decisions.push({ stage: unesc(stage ?? ""), decision: unesc(value), reasons: [] });
  else if (what === "reason") {
    const s = unesc(stage ?? "");
    let d = a.decisions.findLast((x) => x.stage === s);
    if (!d) a.decisions.push((d = { stage: s, decision: "", reasons: [] }));
    d.reasons.push(unesc(value));
  } else if (what === "label") a.labels.push(unesc(value));
  else a.notes.push(unesc(value));
  return true;
}

export function emptyAnnotations(): Annotations {
  return { decisions: [], labels: [], notes: [] };
}

export function hasAnnotations(a: Annotations | undefined): a is Annotations {
  return !!a && (a.decisions.length > 0 || a.labels.length > 0 || a.notes.length > 0);
}

/** Reads a block of annotation lines (one per line), ignoring other lines. */
export function readAnnotationBlock(text: string): Annotations | undefined {
  const a = emptyAnnotations();
  for (const l of text.split(/\r?\n/)) readAnnotationLine(l, a);
  return hasAnnotations(a) ? a : undefined;
}
