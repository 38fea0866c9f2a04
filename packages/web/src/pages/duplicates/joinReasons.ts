/**
 * The detector's reasons and field codes (see the dedupe rules in
 * packages/records/README.md) in words a reviewer reads. Kept in one place so
 * a new rule or field code is worded once; an unknown code is shown as the
 * detector wrote it rather than hidden.
 */

/** The part of a reason that flags a title given in another language. */
const OTHER_LANGUAGE = " (one title given in another language)";

/** Rules whose reason is an agreement of fields: worded as "<lead>: <fields> agree". */
const AGREE: Record<string, { lead?: string; agree: string }> = {
  "same title, authors and year": { agree: "title, authors and year" },
  "similar title; same authors, year and pages": { lead: "title nearly the same", agree: "authors, year and pages" },
  "one title is the other without its subtitle; same authors, year and journal or pages": {
    lead: "one title is the other without its subtitle",
    agree: "authors, year and journal or pages",
  },
  "same authors, journal, year, volume and page range; titles translated differently": {
    lead: "titles translated differently",
    agree: "authors, journal, year, volume and page range",
  },
  "same title, every author and venue; a conference paper and its proceedings dated a year apart": {
    lead: "a conference paper and its proceedings, dated a year apart",
    agree: "title, every author and venue",
  },
};

const RULE: Record<string, string> = {
  "same DOI": "same DOI",
  "same PMID": "same PubMed ID (PMID)",
  "same long title and year; nothing else to compare": "long title and year agree; nothing else to compare",
  "the erratum notice named in the article's record": "the erratum notice that the article's record names",
  "joined by a reviewer": "put together by a reviewer",
};

/** Why a pair was joined, as a phrase ("same DOI", "title, authors and year agree", …). */
export function ruleInWords(reason: string): string {
  const translated = reason.endsWith(OTHER_LANGUAGE);
  const base = translated ? reason.slice(0, -OTHER_LANGUAGE.length) : reason;
  const a = AGREE[base];
  if (a) {
    const lead = translated ? "title in another language" : a.lead;
    // The title is the language rule's lead, so it is not listed again among the fields that agree.
    const agree = translated ? a.agree.replace(/^title, /, "") : a.agree;
    return lead ? `${lead}: ${agree} agree` : `${agree} agree`;
  }
  return RULE[base] ?? reason;
}

/** The two records' journal names as written, to say when one is the abbreviated form of the other. */
export interface JournalNames {
  a?: string | null;
  b?: string | null;
}

const words = (s: string) => s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").split(/[^a-z0-9]+/).filter(Boolean);

/** "N Engl J Med" against "New England Journal of Medicine": every word of the shorter begins a word of the longer, in order. */
function abbreviates(short: string[], long: string[]): boolean {
  let i = 0;
  for (const w of long) if (i < short.length && w.startsWith(short[i]!)) i++;
  return i === short.length && short.join("").length < long.join("").length;
}

function journalInWords(names: JournalNames): string {
  if (!names.a || !names.b) return "same journal";
  const [a, b] = [words(names.a), words(names.b)];
  if (a.join(" ") === b.join(" ")) return "same journal";
  if (abbreviates(a, b) || abbreviates(b, a)) return "same journal (abbreviated name)";
  return "same journal (named differently)";
}

const FIELD: Record<string, string> = {
  DOI: "same DOI",
  PMID: "same PubMed ID (PMID)",
  title: "same title",
  "title (similar)": "title nearly the same",
  "title (one within the other)": "one title contains the other",
  "title (without its subtitle)": "one title is the other without its subtitle",
  "title (in another language)": "title in another language",
  authors: "same authors",
  "authors (in part)": "some authors in common",
  year: "same year",
  "year (one apart)": "years one apart",
  volume: "same volume",
  issue: "same issue",
  pages: "same pages",
  "first page": "same first page",
  "pages (compatible)": "pages that fit together",
};

/** A deciding field as a phrase ("same DOI", "same journal (abbreviated name)", …). */
export function fieldInWords(code: string, journals: JournalNames = {}): string {
  if (code === "journal") return journalInWords(journals);
  if (code.startsWith("journal")) return `same ${code}`;
  return FIELD[code] ?? code;
}

/** "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length < 2) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
