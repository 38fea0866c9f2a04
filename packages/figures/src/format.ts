/**
 * Number formatting for generated descriptions: fixed decimals with a true
 * minus sign avoided (plain "-") so screen readers read it out, and no "-0".
 */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "not available" : x > 0 ? "infinity" : "minus infinity";
  const s = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Percentage with the given decimals, e.g. pct(0.5987) → "59.9%". */
export function pct(p: number, digits = 1): string {
  return `${fmt(100 * p, digits)}%`;
}

/** p-value as reported in reviews: "p < 0.001" or "p = 0.214". */
export function pval(p: number): string {
  if (!Number.isFinite(p)) return "p not available";
  return p < 0.001 ? "p < 0.001" : `p = ${fmt(p, 3)}`;
}

/** "1 outcome" / "3 outcomes". */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

/** Joins paragraphs and bullet lists into the long-description text format. */
export function paragraphs(...parts: (string | string[] | undefined | false)[]): string {
  return parts
    .filter((p): p is string | string[] => !!p && (typeof p === "string" ? p.length > 0 : p.length > 0))
    .map((p) => (typeof p === "string" ? p : p.map((l) => `- ${l}`).join("\n")))
    .join("\n\n");
}
