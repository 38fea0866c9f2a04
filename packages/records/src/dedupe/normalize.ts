import { htmlToText, latexToText } from "../latex.js";

/**
 * Field normalisation for duplicate detection. Every comparison in the
 * deduplicator works on these forms, so that the same work written by two
 * databases (accents or TeX escapes, HTML tags, "&" or "and", "Smith, J. A." or
 * "J A Smith", "123-9" or "123-129", "N Engl J Med" or "New England Journal of
 * Medicine") compares equal.
 */

const FOLD: Record<string, string> = { ß: "ss", æ: "ae", Æ: "ae", œ: "oe", Œ: "oe", ø: "o", Ø: "o", ł: "l", Ł: "l", đ: "d", Đ: "d", ı: "i", þ: "th", ð: "d" };
const GREEK: Record<string, string> = { α: "alpha", β: "beta", γ: "gamma", δ: "delta", ε: "epsilon", κ: "kappa", λ: "lambda", μ: "mu", π: "pi", σ: "sigma", τ: "tau", ω: "omega", "ϵ": "epsilon" };

/** Lower-case ASCII letters, digits and single spaces; accents, markup and punctuation gone. */
export function foldText(s: string): string {
  let t = latexToText(htmlToText(s));
  t = t.replace(/[ßæÆœŒøØłŁđĐıþð]/g, (c) => FOLD[c] ?? c);
  t = t.replace(/[αβγδεκλμπστωϵ]/g, (c) => ` ${GREEK[c]} `);
  t = t.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  t = t.toLowerCase().replace(/&/g, " and ");
  return t.replace(/[^a-z0-9]+/g, " ").trim();
}

const LANGUAGES =
  "english|french|german|polish|spanish|chinese|japanese|russian|italian|portuguese|dutch|danish|swedish|norwegian|finnish|czech|slovak|hungarian|turkish|korean|hebrew|greek|croatian|serbian|slovenian|romanian|bulgarian|ukrainian|persian|arabic|lithuanian|latvian|estonian|icelandic|catalan|afrikaans|thai|vietnamese|indonesian|malay";
/** "[Polish]", "[Article in German]", "(author's transl)", "[English Abstract]" and the like. */
const LANG_NOTE = new RegExp(String.raw`[\[(]\s*(?:(?:article|text|abstract|summary)\s+in\s+)?(?:${LANGUAGES})(?:\s*(?:,|and|&)\s*(?:${LANGUAGES}))*(?:\s+(?:abstract|abstr|summary|transl|translation))?\.?\s*[\])]|[\[(]\s*author'?s transl\.?\s*[\])]`, "gi");

/** Notes bibliographic databases add to titles: "[Review]", "[53 refs]", "[Abstract]", "[see comments]". */
const EDITORIAL_NOTE = /\[\s*(?:erratum|comment|comments|retraction|retracted|update|summary for patients|corrected and republished|republished|expression of concern)\s+(?:appears\s+)?(?:in|of|for|from)\b[^\]]*(?:\]|$)|\[\s*(?:review|abstract|editorial|news|see comments?|\d+\s*refs?\.?|review of literature|case report|meeting abstract)\s*\]|\[\s*(?:erratum|comment|retraction)[^\]]*$/gi;

/**
 * Title in comparable form. MEDLINE brackets titles translated into English
 * ("[A study of ...]") and some databases append the original language
 * ("[Polish]"): the brackets and the language note are dropped.
 */
export function normaliseTitle(s: string | undefined): string {
  return readTitle(s).title;
}

/** The normalised title, and whether the title as written cites another record (see `stripCitation`). */
export function readTitle(s: string | undefined): { title: string; cites: boolean } {
  if (!s) return { title: "", cites: false };
  const { title, cites } = stripCitation(htmlToText(s).replace(EDITORIAL_NOTE, " ").replace(LANG_NOTE, " ").trim());
  return { title: foldText(title), cites };
}

/**
 * Where a record's own title says its erratum was printed: MEDLINE appends
 * "[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487]" to the title of
 * the corrected article. Notes cut off before the page give nothing.
 */
export interface ErratumNote {
  year?: number;
  volume: number;
  issue?: string;
  page: number;
}

const ERRATUM_NOTE = /\[\s*erratum (?:appears )?in\b([^\];]*);\s*(\d+)\s*(?:\(([^)\]]*)\))?\s*:\s*[a-z]{0,3}(\d+)/gi;

/** The erratum locations a title names (MEDLINE's "[Erratum appears in …]" notes). */
export function erratumNotes(raw: string | undefined): ErratumNote[] {
  if (!raw || !/erratum/i.test(raw)) return [];
  const out: ErratumNote[] = [];
  for (const m of raw.matchAll(ERRATUM_NOTE)) {
    const year = /\b(1[89]\d\d|20\d\d)\b/.exec(m[1])?.[1];
    out.push({ year: year ? Number(year) : undefined, volume: Number(m[2]), issue: m[3]?.trim() || undefined, page: Number(m[4]) });
  }
  return out;
}

/**
 * A citation of another record appended to a title. Web of Science writes a
 * correction (and other items about an article) as the article's title followed
 * by "(vol 85, pg 553, 2010)"; Embase as the title followed by the source,
 * "(New England Journal of Medicine (2009) 360 (542-544))". A record whose title
 * cites another is about that record, not a copy of it. Embase's erratum titles
 * are often cut inside that citation ("Erratum: … (The Journal of Pediatrics (M"),
 * so after an "Erratum:" prefix an unclosed trailing citation is dropped too.
 */
const WOS_CITATION = /\s*\(\s*vol\.?\s*\d+\s*,\s*(?:pg|p)\.?\s*[a-z]{0,3}\d+\s*,\s*\d{4}\s*\)\s*\.?\s*$/i;
const EMBASE_CITATION = /\s\([A-Z][^()]*\s\(\s*\d{4}\s*\)\s*\d+\s*(?:\(\s*[^()]*\)\s*)?\(\s*[a-z]{0,3}\d+(?:\s*-\s*[a-z]{0,3}\d+)?\s*\)\s*\)\s*\.?\s*$/;
const CUT_CITATION = /\s\([A-Z][^()]*\([^)]*$/;

/** The title without an appended citation of another record, and whether there was one. */
export function stripCitation(raw: string): { title: string; cites: boolean } {
  const end = raw.trimEnd();
  if (!end.endsWith(")") && !end.endsWith(").") && !/^\s*(erratum|corrigendum|correction)\b/i.test(raw)) return { title: raw, cites: false };
  const t = raw.replace(WOS_CITATION, "").replace(EMBASE_CITATION, "");
  if (t !== raw) return { title: t, cites: true };
  if (/^\s*(erratum|corrigendum|correction)\b/i.test(raw)) {
    const cut = raw.replace(CUT_CITATION, "");
    if (cut !== raw) return { title: cut, cites: true };
  }
  return { title: raw, cites: false };
}

/** Title markers of records that are about another record rather than duplicates of it. */
export function titleFlags(t: string, cites = false): { erratum: boolean; comment: boolean } {
  const comment = /^(comment|comments|commentary|reply|response|in reply|re|author reply|authors reply|letter to the editor|a reply|rejoinder|discussion of)\b|\b(comment|comments|commentary) on\b|\b(reply|response) to\b/.test(t);
  return {
    // A title citing another record and not saying it is a comment is a correction notice (how WoS and Embase title them).
    erratum: /^(erratum|errata|correction|corrigendum|corrigenda|retraction|retracted|notice of retraction|expression of concern|withdrawn)\b|\b(erratum|corrigendum) (to|for|in)\b/.test(t) || (cites && !comment),
    comment,
  };
}

export interface Name {
  /** Family name, letters only ("lequintrec", "dsouza"). */
  last: string;
  /** Initials of the given names ("re"). */
  initials: string;
  /** Every name part, letters only, to match names whose order the source confused. */
  parts: string[];
}

/**
 * Parses an author in any common form: "Zuna, R E", "Zuna, Rosemary E.",
 * "Parkes-Loach, PS", "Smith JA", "John A. Smith", "{World Health Organization}".
 */
export function parseName(raw: string): Name | null {
  const s = latexToText(htmlToText(raw)).replace(/\(.*?\)/g, " ").trim();
  if (!s || /^(anonymous|anon|\[?anonymous\]?|et al\.?|n\/a|unknown)$/i.test(s)) return null;
  const fold = (x: string) => foldText(x).replace(/ /g, "");
  let last: string;
  let given: string;
  const comma = s.indexOf(",");
  if (comma >= 0) {
    last = s.slice(0, comma);
    given = s.slice(comma + 1);
  } else {
    const toks = s.split(/\s+/);
    const tail = toks[toks.length - 1];
    if (toks.length > 1 && /^[A-Z]{1,3}\.?$|^(?:[A-Z]\.){1,3}$/.test(tail)) {
      last = toks.slice(0, -1).join(" ");
      given = tail;
    } else {
      last = tail;
      given = toks.slice(0, -1).join(" ");
    }
  }
  const g = given.trim();
  // "PS" (WoS) is two initials; "Paul" is a name.
  const initials = /^[A-Z]{1,4}$/.test(g)
    ? g.toLowerCase()
    : foldText(g)
        .split(" ")
        .filter(Boolean)
        .map((w) => w[0])
        .join("");
  const lastKey = fold(last);
  if (!lastKey) return null;
  // A copy of its own length (a filtered list keeps room for 17): a run holds one per author of every record.
  const parts = foldText(s).split(" ").filter((w) => w.length > 1).slice();
  return { last: lastKey, initials, parts };
}

export interface Pages {
  /** "pages" for page ranges and single pages; "number" for article numbers (e12724, a1754, CD006828, A4912). */
  kind: "pages" | "number";
  /** First pages (several when a record lists several ranges: "230-5, 246-51"); empty if only the last page is reliable. */
  starts: number[];
  /** Last page of the first range, if given. */
  end?: number;
  /** True for a single page ("488"), which some databases give for a range's last page. */
  single: boolean;
}

const MONTH_MANGLED = /^\d{1,2}-(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$|^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-\d{1,2}$/;

/**
 * Pages in comparable form. Abbreviated ranges are expanded ("123-9" is
 * 123–129, "1256-59" is 1256–1259); letter prefixes and suffixes (S12, c37,
 * iii33, 811a) are dropped because databases disagree about writing them.
 * Article numbers (a letter and four or more digits, or a Cochrane CD number)
 * are kept apart from pages: "e12724" and "1-6" are not comparable. Ranges a
 * spreadsheet turned into dates ("13-May") and a range whose end precedes its
 * start (a typing error) give no first page.
 */
export function parsePages(s: string | undefined): Pages | undefined {
  if (!s) return undefined;
  const t = s.toLowerCase().replace(/^\s*(pp?\.?|pages?)\s*/, "").replace(/["\s]+/g, "");
  if (!t || MONTH_MANGLED.test(t)) return undefined;
  if (/^(?:[a-z]{1,3})\d{4,}$/.test(t) || /^\d{6,}$/.test(t)) return { kind: "number", starts: [Number(/\d+/.exec(t)![0])], single: true };
  const starts: number[] = [];
  let end: number | undefined;
  let single = false;
  for (const part of t.split(/[,;+&]|and/)) {
    const m = /^[a-z]{0,5}(\d{1,7})[a-z]{0,2}(?:[-–—]+[a-z]{0,5}(\d{1,7})[a-z]{0,2})?(?:\.[a-z]\d*)?$/.exec(part);
    if (!m) {
      if (starts.length === 0) {
        // "Suppl-29": the first page was lost; nothing reliable to compare.
        return undefined;
      }
      continue;
    }
    const st = Number(m[1]);
    let en: number | undefined;
    if (m[2]) en = m[2].length < m[1].length ? Number(m[1].slice(0, m[1].length - m[2].length) + m[2]) : Number(m[2]);
    if (starts.length === 0) {
      end = en;
      single = en === undefined || en === st;
      if (en !== undefined && en < st) {
        // Inverted range: one of the two numbers is mistyped; only the end is kept.
        single = false;
        continue;
      }
    }
    starts.push(st);
  }
  if (starts.length === 0 && end === undefined) return undefined;
  // A copy of its own length: a list grown by push keeps room for 17, and a run holds one per record.
  return { kind: "pages", starts: starts.slice(), end, single };
}

export type PageAgreement = "same" | "compatible" | "conflict" | "unknown";

/**
 * Compares two page fields. "same": a shared first page (or article number).
 * "compatible": no shared first page but no contradiction either — a single page
 * equal to the other's last page, or ranges ending on the same page (the first
 * page mistyped). "conflict": anything else.
 */
export function comparePages(a: Pages | undefined, b: Pages | undefined): PageAgreement {
  if (!a || !b || a.kind !== b.kind) return "unknown";
  if (a.starts.some((x) => b.starts.includes(x))) return "same";
  if (a.kind === "number") return "conflict";
  if (a.single && a.starts[0] !== undefined && b.end !== undefined && a.starts[0] === b.end) return "compatible";
  if (b.single && b.starts[0] !== undefined && a.end !== undefined && b.starts[0] === a.end) return "compatible";
  if (a.end !== undefined && a.end === b.end && !a.single && !b.single) return "compatible";
  if (!a.starts.length || !b.starts.length) return "unknown";
  return "conflict";
}

/** Volume number: the first run of digits ("77-78" is 77; "Drug Discovery. 9" is 9). */
export function parseVolume(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /\d+/.exec(s);
  return m ? Number(m[0]) : undefined;
}

const JOURNAL_STOP = new Set(["the", "of", "and", "for", "in", "on", "de", "la", "le", "des", "du", "der", "und", "fur", "a", "an", "official"]);

/** Journal name as content words ("Jpen: Journal of Parenteral & Enteral Nutrition" → jpen parenteral enteral nutrition). */
export function journalWords(s: string | undefined): string[] {
  if (!s) return [];
  return foldText(s.replace(/\(.*?\)/g, " "))
    .split(" ")
    .filter((w) => w && !JOURNAL_STOP.has(w));
}

/** The journal of a supplement without the meeting Embase appends: "J Thromb Haemost. Conference: 23rd Congress ..." */
export function journalBase(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = s.replace(/[.:;,]?\s*\b(?:conference|congress|meeting|symposium)\s*:.*$/i, "");
  return t === s ? undefined : t;
}

/**
 * True when one journal name is the other or an ISO 4 style abbreviation of it:
 * every word of the shorter abbreviates a word of the longer, in order
 * ("n engl med" ⊑ "new england medicine", "ned tijdschr geneeskd" ⊑ "nederlands
 * tijdschrift voor geneeskunde").
 */
export function journalsMatch(a: string[], b: string[]): boolean {
  if (!a.length || !b.length) return false;
  if (a.join(" ") === b.join(" ")) return true;
  return prefixesIn(a, b) || prefixesIn(b, a);
}

/** Every word of `s` is a prefix of a word of `l`, in order. */
function prefixesIn(s: string[], l: string[]): boolean {
  if (s.length > l.length) return false;
  let j = 0;
  let matched = 0;
  for (const w of s) {
    while (j < l.length && !abbreviates(w, l[j])) j++;
    if (j === l.length) break;
    matched++;
    j++;
  }
  return matched === s.length;
}

/**
 * `w` is `word` or an ISO 4 abbreviation of it: a prefix ("surg" for surgery), or
 * a contraction that keeps the first letter and drops letters inside ("natl" for
 * national, "dtsch" for deutsche, "geneeskd" for geneeskunde). British and American
 * spellings ("haematol", "hematology"; "paediatr", "pediatrics") are one word.
 */
export function abbreviates(w: string, word: string): boolean {
  if (word.startsWith(w)) return true;
  if (w.length < 3 || w[0] !== word[0]) return false;
  const a = w.includes("e") ? spelling(w) : w;
  const b = word.includes("e") ? spelling(word) : word;
  if (b.startsWith(a)) return true;
  if (a.length >= b.length || /\d/.test(a)) return false;
  // A contraction: the letters of `a` in order within `b`.
  let k = 0;
  for (let i = 0; i < b.length && k < a.length; i++) if (b[i] === a[k]) k++;
  return k === a.length;
}

const spelling = (w: string) => w.replace(/ae|oe/g, "e");

/** Preprint servers, whose records are versions of a paper rather than copies of its published record. */
export function isPreprintVenue(j: string[]): boolean {
  const s = j.join(" ");
  return /\b(medrxiv|biorxiv|arxiv|ssrn|research square|preprints|psyarxiv|osf preprints|chemrxiv|socarxiv|authorea|qeios|zenodo)\b/.test(s);
}
