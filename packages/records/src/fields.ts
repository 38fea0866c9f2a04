import type { ParsedRecord, RecordType } from "./types.js";

/** Collapses runs of whitespace (including the line breaks of wrapped fields) to one space. */
export function squash(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** First plausible four-digit year (1000–2999) in a date such as "1948/07//" or "2009 Mar 15". */
export function yearOf(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const m = /(?:^|[^0-9])([12][0-9]{3})(?![0-9])/.exec(s);
  return m ? m[1] : undefined;
}

/** DOI without resolver prefix or "doi:" label, lower-cased (DOIs are case-insensitive). */
export function normaliseDoi(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const m = /10\.\d{4,9}\/\S+/.exec(safeDecode(s));
  if (!m) return undefined;
  return m[0].replace(/[.,;)\]]+$/, "").toLowerCase();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function setIfEmpty<K extends keyof ParsedRecord>(r: ParsedRecord, k: K, v: ParsedRecord[K] | undefined): void {
  if (v === undefined || v === "" || r[k] !== undefined) return;
  r[k] = v;
}

/** Joins start and end page into a range; passes through a start that is already a range. */
export function pageRange(sp: string | undefined, ep: string | undefined): string | undefined {
  const s = sp?.trim();
  const e = ep?.trim();
  if (s && e && !/[-–]/.test(s)) return `${s}-${e}`;
  return s || (e ? e : undefined);
}

/** Splits an ISSN/ISBN field (RIS SN holds either) into the right slot. */
export function assignSerial(r: ParsedRecord, v: string): void {
  const s = v.trim();
  if (/^\d{4}-?\d{3}[\dXx]\b/.test(s)) setIfEmpty(r, "issn", s);
  else if (/^(97[89])?[\d-]{9,}[\dXx]\b/.test(s.replace(/\s/g, ""))) setIfEmpty(r, "isbn", s);
  else setIfEmpty(r, "issn", s);
}

const TYPE_WORDS: [RegExp, RecordType][] = [
  [/erratum|correction|corrigendum/i, "erratum"],
  [/comment|letter|editorial|reply|response/i, "comment"],
  [/preprint|posted.content/i, "preprint"],
  [/meeting abstract|conference abstract|^abst$/i, "conference-abstract"],
  [/conf|proceeding|cpaper|inproceedings|meeting/i, "conference"],
  [/review/i, "review"],
  [/chap|incollection|inbook|section/i, "chapter"],
  [/thes|dissertation|phdthesis|mastersthesis/i, "thesis"],
  [/rprt|report|techreport/i, "report"],
  [/^book$|^b$|^ebook$|^edbook$|^book\b|^s$/i, "book"],
  [/data/i, "dataset"],
  [/elec|web|online/i, "web"],
  [/jour|article|^j$|jfull|ejour|mgzn|inpr|news/i, "article"],
];

/** Maps a source's type label (RIS TY, BibTeX entry type, WoS PT/DT, MEDLINE PT, ...) to a RecordType. */
const RECORD_TYPES = new Set<string>(["article", "review", "book", "chapter", "conference", "conference-abstract", "thesis", "report", "preprint", "dataset", "web", "erratum", "comment", "other"]);

export function recordType(label: string | undefined): RecordType {
  if (!label) return "other";
  if (RECORD_TYPES.has(label.trim())) return label.trim() as RecordType;
  for (const [re, t] of TYPE_WORDS) if (re.test(label.trim())) return t;
  return "other";
}

/** Chooses the most specific type among several labels (e.g. MEDLINE's repeated PT). */
export function mostSpecificType(labels: string[]): RecordType {
  const order: RecordType[] = ["erratum", "comment", "preprint", "conference-abstract", "review", "conference", "chapter", "thesis", "report", "book", "dataset", "web", "article"];
  const types = labels.map(recordType);
  for (const t of order) if (types.includes(t)) return t;
  return "other";
}

/** Splits a keyword field that packs several keywords into one value. */
export function splitList(s: string, sep: RegExp = /\s*;\s*/): string[] {
  return s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);
}
