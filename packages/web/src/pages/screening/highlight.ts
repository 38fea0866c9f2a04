/**
 * Search-term highlighting for screening: terms taken from the review's
 * search strings (and the reviewer's own), matched case-insensitively on
 * whole words; a term ending in * (truncation, as in database syntax)
 * matches any word starting with it.
 */

// Boolean and proximity operators of common database syntaxes (Ovid, EBSCO,
// PubMed, Web of Science), and field tags, which are not search terms.
const OPERATORS = /^(and|or|not|same|with|(?:near|adj|pre|w|n)\/?\d*)$/i;
const FIELD_TAGS = /\[[^\]]*\]|\.(?:[a-z]{2,3},?)+\.|\b[A-Z]{2,3}\s*[=:]/g;
const STOP = new Set(["the", "for", "and", "with", "from", "into", "that", "this", "are", "was"]);

/** Terms of one search string: quoted phrases and single words (truncation kept as a trailing *). */
export function termsFromQuery(query: string): string[] {
  const out: string[] = [];
  let rest = query.replace(FIELD_TAGS, " ");
  rest = rest.replace(/"([^"]+)"/g, (_, phrase: string) => {
    const p = phrase.trim().replace(/\s+/g, " ");
    if (p) out.push(p.toLowerCase());
    return " ";
  });
  for (const raw of rest.split(/[\s()[\]{},;]+/)) {
    const w = raw.replace(/^[^\p{L}\p{N}]+/u, "").replace(/[?$#]+/g, "*").replace(/\*+$/, "*").replace(/[^\p{L}\p{N}*'-]+$/u, "");
    if (!w || OPERATORS.test(w)) continue;
    const stem = w.replace(/\*$/, "");
    // Very short stems (e.g. "a*") would mark nearly every word.
    if (stem.length < 3 || STOP.has(stem.toLowerCase()) || /^\d+$/.test(stem)) continue;
    out.push(w.toLowerCase());
  }
  return unique(out);
}

/** Terms typed by the reviewer, separated by commas or new lines. */
export function parseTermList(text: string): string[] {
  return unique(
    text
      .split(/[,\n]/)
      .map((t) => t.trim().replace(/\s+/g, " ").toLowerCase())
      .filter((t) => t.replace(/\*/g, "").length >= 2),
  );
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One regular expression matching any of the terms; null when there are none. */
export function termPattern(terms: readonly string[]): RegExp | null {
  const parts = terms
    .filter((t) => t.replace(/\*/g, "").trim())
    .map((t) => {
      const prefix = t.endsWith("*");
      const words = t.replace(/\*+$/, "").split(/\s+/).map(escape).join("\\s+");
      return prefix ? `${words}[\\p{L}\\p{N}]*` : `${words}(?![\\p{L}\\p{N}])`;
    })
    // Longer alternatives first, so a phrase wins over its first word.
    .sort((a, b) => b.length - a.length);
  if (parts.length === 0) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.join("|")})`, "giu");
}

export interface Segment {
  text: string;
  match: boolean;
}

/** `text` cut into runs that do and do not match the pattern. */
export function highlightSegments(text: string, pattern: RegExp | null): Segment[] {
  if (!pattern || !text) return text ? [{ text, match: false }] : [];
  const out: Segment[] = [];
  let at = 0;
  pattern.lastIndex = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0) continue;
    if (m.index > at) out.push({ text: text.slice(at, m.index), match: false });
    out.push({ text: m[0], match: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}
