import { readAnnotationBlock } from "../annotations.js";
import type { Line } from "../decode.js";
import { normaliseDoi, recordType, setIfEmpty, splitList, squash, yearOf } from "../fields.js";
import { latexToText } from "../latex.js";
import { emptyRecord, type ParseItem, type ParsedRecord } from "../types.js";
import type { Limits } from "./tagged.js";

/**
 * BibTeX (and the BibLaTeX field names). Entries are gathered line by line by
 * counting braces, so one entry is held at a time; an entry whose braces never
 * balance is cut off at the next line that starts a new entry and reported.
 * Text between entries is a comment by BibTeX's own rules. @string macros and
 * "#" concatenation are expanded; @comment and @preamble are skipped.
 * Reference: O. Patashnik, "BibTeXing" (1988); P. Lehman et al., "The biblatex package".
 */
const ENTRY_START = /^\s*@\s*([A-Za-z][\w-]*)\s*([{(])/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

class BibError extends Error {}

/**
 * @string macros expand as they are defined, so each definition can double
 * the text of the one before ("a # a"): a few hundred bytes of macros would
 * otherwise name a title of millions of characters. Expansion is bounded by
 * the record limit (per record, and for all macros together) and by how many
 * macros deep a definition reaches.
 */
export const MAX_MACRO_DEPTH = 32;

/** A macro as defined: its expanded text and how many macros deep that expansion goes. */
type Macros = Map<string, { text: string; depth: number }>;

export async function* parseBibtex(lines: AsyncIterable<Line>, lim: Limits): AsyncGenerator<ParseItem> {
  const macros: Macros = new Map(MONTHS.map((m, i) => [m, { text: String(i + 1), depth: 0 }]));
  let macroChars = 0;
  let buf: string[] = [];
  let len = 0;
  let startLine = 0;
  let depth = 0;
  let closer = "}";
  let broken: string | null = null;
  let index = 0;
  const file = lim.file;

  const emit = function* (): Generator<ParseItem> {
    const text = buf.join("\n");
    const line = startLine;
    buf = [];
    len = 0;
    const m = ENTRY_START.exec(text)!;
    const kind = m[1].toLowerCase();
    if (kind === "comment" || kind === "preamble") return;
    if (kind === "string") {
      try {
        const { fields, depths } = parseBody(text, m[0].length, macros, false, lim.maxRecordLength - macroChars, () => `@string macros would expand to more than ${lim.maxRecordLength} characters in all`);
        fields.forEach(([k, v], j) => {
          if (depths[j]! + 1 > MAX_MACRO_DEPTH) throw new BibError(`"${k}" nests @string macros more than ${MAX_MACRO_DEPTH} deep`);
          macroChars += v.length;
          macros.set(k.toLowerCase(), { text: v, depth: depths[j]! + 1 });
        });
      } catch (e) {
        yield { kind: "problem", severity: "warning", file, line, message: `line ${line}: @string definition not read: ${(e as Error).message}` };
      }
      return;
    }
    const i = index++;
    if (broken) {
      yield { kind: "problem", severity: "error", file, line, record: i, message: `record ${i + 1} (line ${line}) skipped: ${broken}`, raw: text };
      broken = null;
      return;
    }
    try {
      const { key, fields } = parseBody(text, m[0].length, macros, true, lim.maxRecordLength);
      const r = emptyRecord("bibtex", i, line);
      r.raw = text;
      r.sourceType = m[1];
      r.sourceId = key || undefined;
      r.fields = fields;
      buildBibtex(r);
      if (fields.length === 0) yield { kind: "problem", severity: "warning", file, line, record: i, message: `record ${i + 1} (line ${line}) has no fields` };
      yield r;
    } catch (e) {
      if (!(e instanceof BibError)) throw e;
      yield { kind: "problem", severity: "error", file, line, record: i, message: `record ${i + 1} (line ${line}) skipped: ${e.message}`, raw: text };
    }
  };

  for await (const ln of lines) {
    const text = ln.text;
    if (depth > 0 && ENTRY_START.test(text) && /^@/.test(text)) {
      // A new entry at the start of a line while the previous one is still open:
      // the previous one has unbalanced braces.
      broken ??= `its braces never balance (cut off at line ${ln.no})`;
      yield* emit();
      depth = 0;
    }
    if (depth === 0) {
      const m = ENTRY_START.exec(text);
      if (!m) continue;
      startLine = ln.no;
      closer = m[2] === "{" ? "}" : ")";
      buf = [];
      len = 0;
      broken = null;
      const consumed = scan(text.slice(text.indexOf(m[2]) + 1), 1, closer);
      depth = consumed.depth;
      buf.push(consumed.depth === 0 ? text.slice(0, text.indexOf(m[2]) + 1 + consumed.end + 1) : text);
      if (ln.long) broken = `line ${ln.no} is longer than the limit`;
      if (depth === 0) yield* emit();
      continue;
    }
    if (ln.long) broken ??= `line ${ln.no} is longer than the limit`;
    len += text.length + 1;
    if (len > lim.maxRecordLength) {
      broken ??= `the record is longer than ${lim.maxRecordLength} characters (unbalanced braces?)`;
      buf.length = 1;
    }
    const s = scan(text, depth, closer);
    depth = s.depth;
    if (!broken || buf.length < 1) buf.push(depth === 0 ? text.slice(0, s.end + 1) : text);
    if (depth === 0) yield* emit();
  }
  if (depth > 0) {
    broken ??= "the file ends before the entry's closing brace";
    yield* emit();
  }
}

/** Follows brace depth through a line; `end` is the index of the entry's closing delimiter if reached. */
function scan(s: string, depth: number, closer: string): { depth: number; end: number } {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" || (closer === ")" && c === ")" && depth === 1)) {
      depth--;
      if (depth === 0) return { depth, end: i };
    }
  }
  return { depth, end: s.length };
}

/** An entry's fields with @string macros expanded, at most `cap` characters of values in all; `depths` is each field's deepest macro. */
function parseBody(text: string, start: number, macros: Macros, withKey: boolean, cap: number, overCap?: (name: string) => string): { key: string; fields: [string, string][]; depths: number[] } {
  let total = 0;
  let i = start;
  const n = text.length;
  const ws = () => {
    while (i < n && /\s/.test(text[i])) i++;
  };
  let key = "";
  if (withKey) {
    ws();
    const kstart = i;
    while (i < n && text[i] !== "," && text[i] !== "}" && text[i] !== ")" && !/\s/.test(text[i])) i++;
    key = text.slice(kstart, i);
    ws();
    if (text[i] === ",") i++;
  }
  const fields: [string, string][] = [];
  const depths: number[] = [];
  for (;;) {
    ws();
    while (text[i] === ",") {
      i++;
      ws();
    }
    if (i >= n || text[i] === "}" || text[i] === ")") break;
    const nstart = i;
    while (i < n && /[^\s=,{}"#()]/.test(text[i])) i++;
    const name = text.slice(nstart, i);
    if (!name) throw new BibError(`unexpected "${text[i]}" where a field name should be`);
    ws();
    if (text[i] !== "=") throw new BibError(`field "${name}" has no "="`);
    i++;
    let value = "";
    let depth = 0;
    for (;;) {
      ws();
      const c = text[i];
      if (c === "{") {
        let d = 1;
        const vs = ++i;
        while (i < n && d > 0) {
          if (text[i] === "\\") i++;
          else if (text[i] === "{") d++;
          else if (text[i] === "}") d--;
          i++;
        }
        if (d > 0) throw new BibError(`the value of "${name}" has unbalanced braces`);
        value += text.slice(vs, i - 1);
      } else if (c === '"') {
        let d = 0;
        const vs = ++i;
        while (i < n && !(text[i] === '"' && d === 0)) {
          if (text[i] === "\\") i++;
          else if (text[i] === "{") d++;
          else if (text[i] === "}") d--;
          i++;
        }
        if (i >= n) throw new BibError(`the value of "${name}" has no closing quote`);
        value += text.slice(vs, i);
        i++;
      } else if (c !== undefined && /[\w.:-]/.test(c)) {
        const vs = i;
        while (i < n && /[\w.:+-]/.test(text[i])) i++;
        const word = text.slice(vs, i);
        const macro = /^\d+$/.test(word) ? undefined : macros.get(word.toLowerCase());
        if (macro && total + value.length + macro.text.length > cap) {
          throw new BibError(overCap?.(name) ?? `the value of "${name}" expands to more than ${cap} characters through @string macros`);
        }
        if (macro) depth = Math.max(depth, macro.depth);
        value += macro ? macro.text : word;
      } else throw new BibError(`the value of "${name}" is missing`);
      ws();
      if (text[i] === "#") {
        i++;
        continue;
      }
      break;
    }
    total += value.length;
    fields.push([name, value]);
    depths.push(depth);
  }
  return { key, fields, depths };
}

/** Splits a BibTeX name list on " and " outside braces ({Barnes and Noble} is one name). */
export function splitBibtexNames(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (depth === 0 && /\s/.test(c)) {
      const m = /^\s+and\s+/i.exec(s.slice(i, i + 8));
      if (m) {
        out.push(s.slice(last, i));
        i += m[0].length - 1;
        last = i + 1;
      }
    }
  }
  out.push(s.slice(last));
  return out.map((x) => squash(latexToText(x))).filter(Boolean);
}

function buildBibtex(r: ParsedRecord): void {
  r.type = recordType(r.sourceType);
  if (r.sourceType?.toLowerCase() === "misc" || r.sourceType?.toLowerCase() === "unpublished") r.type = "other";
  let month: string | undefined;
  for (const [name, value] of r.fields) {
    const v = squash(latexToText(value));
    if (v === "") continue;
    switch (name.toLowerCase()) {
      case "title":
        setIfEmpty(r, "title", v);
        break;
      case "author":
        r.authors.push(...splitBibtexNames(value));
        break;
      case "editor":
        r.editors.push(...splitBibtexNames(value));
        break;
      case "year":
        setIfEmpty(r, "year", yearOf(v) ?? v);
        break;
      case "date":
        setIfEmpty(r, "date", v);
        break;
      case "month":
        month = v;
        break;
      case "journal":
      case "journaltitle":
        setIfEmpty(r, "journal", v);
        break;
      case "shortjournal":
        setIfEmpty(r, "journalAbbrev", v);
        break;
      case "booktitle":
        setIfEmpty(r, "booktitle", v);
        break;
      case "volume":
        setIfEmpty(r, "volume", v);
        break;
      case "number":
      case "issue":
        setIfEmpty(r, "issue", v);
        break;
      case "pages":
        setIfEmpty(r, "pages", v.replace(/\s*[–—]\s*|\s*--?\s*/g, "-"));
        break;
      case "doi":
        setIfEmpty(r, "doi", normaliseDoi(v));
        break;
      case "pmid":
        setIfEmpty(r, "pmid", v);
        break;
      case "issn":
        setIfEmpty(r, "issn", v);
        break;
      case "isbn":
        setIfEmpty(r, "isbn", v);
        break;
      case "abstract":
        setIfEmpty(r, "abstract", v);
        break;
      case "keywords":
        r.keywords.push(...splitList(v, v.includes(";") ? /\s*;\s*/ : /\s*,\s*/));
        break;
      case "url":
        r.urls.push(v);
        break;
      case "language":
        setIfEmpty(r, "language", v);
        break;
      case "publisher":
        setIfEmpty(r, "publisher", v);
        break;
      case "homeward":
        r.annotations = readAnnotationBlock(value.replace(/\\([{}])/g, "$1"));
        break;
    }
  }
  if (!r.year) setIfEmpty(r, "year", yearOf(r.date));
  if (month && r.year && !r.date) r.date = `${r.year} ${month}`;
  if (!r.doi) setIfEmpty(r, "doi", r.urls.map(normaliseDoi).find(Boolean));
}
