import { normaliseDoi } from "../fields.js";
import type { ParsedRecord, RecordType } from "../types.js";
import { comparePages, erratumNotes, foldText, isPreprintVenue, journalBase, journalsMatch, journalWords, parseName, parsePages, parseVolume, readTitle, titleFlags, type ErratumNote, type Name, type Pages } from "./normalize.js";

/** What the deduplicator reads of a record; a ParsedRecord with an `id` qualifies. */
export type DedupeInput = { id: string } & Partial<
  Pick<ParsedRecord, "title" | "originalTitle" | "authors" | "year" | "journal" | "journalAbbrev" | "booktitle" | "volume" | "issue" | "pages" | "doi" | "pmid" | "abstract" | "type" | "isbn" | "issn">
> & {
    /**
     * The abstract's length, for a caller that leaves `abstract` out: only the
     * choice of a group's primary reads it, and a project's abstracts are most
     * of the memory a run would otherwise hold (twice, with a worker thread).
     */
    abstractLength?: number;
  };

export interface DedupeResult {
  /** Every record in exactly one group; the first id is the primary (the most complete record). Groups of one included. */
  groups: string[][];
  /** Pairs that look alike but were not merged, for a reviewer to decide. */
  maybe: [string, string][];
  /** The pairs that joined each group (a spanning tree of it), with the reason and the fields that decided; reviewers' groups say so. */
  links: DedupeLink[];
}

/** How far a run has got: blocks compared of all blocks, then grouping. */
export interface DedupeProgress {
  phase: "comparing" | "grouping";
  done: number;
  total: number;
}

export interface DedupeOptions {
  /** Called now and then while comparing (a run over 100,000 records takes seconds), and once when grouping starts. */
  onProgress?: (p: DedupeProgress) => void;
}

/** What reviewers have already decided: kept as they said, whatever the rules find. */
export interface DedupeDecisions {
  /** Groups of records judged to be the same. */
  together?: Iterable<readonly string[]>;
  /** Pairs judged different: never in one group. */
  separate?: Iterable<readonly [string, string]>;
}

export interface PairVerdict {
  verdict: "duplicate" | "maybe" | "different";
  reason: string;
  /** The records contradict each other (different pages, years, DOIs, an erratum, ...): they may never share a group. */
  conflict?: boolean;
  /**
   * For a duplicate: the fields that agree and so decided it, for a reviewer to see why records were
   * merged ("DOI", "title", "title (in another language)", "authors", "year", "year (one apart)",
   * "journal", "volume", "issue", "pages").
   */
  fields?: string[];
}

/** A pair whose verdict joined two records' groups: what a merge is explained by. */
export interface DedupeLink {
  a: string;
  b: string;
  reason: string;
  fields: string[];
}

/** A title in the forms similarity reads. */
interface TitleForm {
  key: string;
  hist: Uint16Array;
  codes: Uint8Array;
}

interface Norm extends TitleForm {
  i: number;
  id: string;
  /** The record's title in another language (MEDLINE TT, RIS TT), when it gives one. */
  alts: TitleForm[];
  /** ISSNs, digits only ("00029343"). */
  issns: string[];
  /** The title's part before its subtitle (before ":" or " - "), normalised without spaces; empty if it has none or it is too short to name a work. */
  head: string;
  title: string; // normalised, spaced
  key: string; // normalised, without spaces
  /** Counts of each letter and digit in `key`. */
  hist: Uint16Array;
  codes: Uint8Array;
  /** The digits of the title in order ("FOCUS 1", "part 2"; "10 000" and "10000" alike). */
  numbers: string;
  flags: { erratum: boolean; comment: boolean };
  names: Name[];
  year?: number;
  volume?: number;
  issue?: string;
  pages?: Pages;
  /** Where the record's title says its erratum appears. */
  errata: ErratumNote[];
  journal: string[];
  journalAbbrev: string[];
  /** The journal without an appended meeting name (empty if there was none). */
  journalBase: string[];
  doi?: string;
  pmid?: string;
  type?: RecordType;
  preprint: boolean;
  /**
   * A short title that other records of the same year give with another issue or first page: a
   * heading recurring in several issues ("Editor's comments"). Set by `dedupe`, which sees them all.
   */
  recurring: boolean;
  /** A paper in conference proceedings (by its type, a book title, or a venue that names a conference). */
  proceedings: boolean;
  completeness: number;
}

function histogram(s: string): Uint16Array {
  const h = new Uint16Array(36);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) h[c - 97]++;
    else if (c >= 48 && c <= 57) h[26 + c - 48]++;
  }
  return h;
}

function prepare(r: DedupeInput, i: number): Norm {
  const { title, cites } = readTitle(r.title);
  const alt = readTitle(r.originalTitle).title.replace(/ /g, "");
  const alts = alt.length >= 10 && alt !== title.replace(/ /g, "") ? [{ key: alt, hist: histogram(alt), codes: codesOf(alt) }] : [];
  const names = (r.authors ?? []).map(parseName).filter((n): n is Name => n !== null);
  const y = r.year ? Number(/\d{4}/.exec(r.year)?.[0]) : NaN;
  const journal = journalWords(r.journal ?? r.booktitle);
  const journalAbbrev = journalWords(r.journalAbbrev);
  const base = journalBase(r.journal ?? r.booktitle);
  const abstractLength = r.abstract !== undefined ? r.abstract.length : (r.abstractLength ?? 0);
  const hasAbstract = r.abstract !== undefined ? !!r.abstract.trim() : abstractLength > 0;
  const filled = [r.title, r.year, r.journal, r.volume, r.issue, r.pages, r.doi, r.pmid].filter((v) => v && String(v).trim()).length + (hasAbstract ? 1 : 0);
  return {
    i,
    id: r.id,
    title,
    key: title.replace(/ /g, ""),
    hist: histogram(title),
    codes: codesOf(title.replace(/ /g, "")),
    alts,
    head: titleHead(r.title, title),
    issns: [...(r.issn ?? "").matchAll(/\b(\d{4})-?(\d{3}[\dxX])\b/g)].map((m) => (m[1] + m[2]).toUpperCase()),
    numbers: title.replace(/\D/g, ""),
    flags: titleFlags(title, cites),
    names,
    year: Number.isFinite(y) ? y : undefined,
    volume: parseVolume(r.volume),
    issue: issueKey(r.issue),
    pages: parsePages(r.pages),
    errata: erratumNotes(r.title),
    journal,
    journalAbbrev,
    journalBase: base ? journalWords(base) : [],
    doi: normaliseDoi(r.doi),
    pmid: r.pmid?.trim() || undefined,
    type: r.type,
    preprint: r.type === "preprint" || isPreprintVenue(journal),
    recurring: false,
    // A journal's supplement of meeting abstracts ("Pediatr Nephrol. Conference: 44th Annual Meeting") is not proceedings:
    // the same abstract comes back at next year's meeting.
    proceedings: !base && r.type !== "conference-abstract" && (r.type === "conference" || !!r.booktitle?.trim() || /\b(proc|proceedings|conference|symposium|workshop)\b/.test(journal.join(" "))),
    // Completeness picks the primary: filled fields, then more authors, then a longer abstract.
    completeness: filled * 1e6 + Math.min(names.length, 99) * 1e4 + Math.min(abstractLength, 9999),
  };
}

/** Main titles shorter than this (in letters, and under three words) are headings, not titles to match on. */
const MIN_HEAD = 20;

/** The part of a title before its subtitle ("Cervical screening: a cohort study" → "cervicalscreening"), if long enough to name a work. */
function titleHead(raw: string | undefined, whole: string): string {
  if (!raw || (!raw.includes(":") && !/\s[-–—]+\s/.test(raw))) return "";
  const cut = /^\s*\[?(.+?)\s*(?::|\s[-–—]+\s)/.exec(raw);
  if (!cut) return "";
  // Plain ASCII (most titles) folds by lower case alone; the normalised title starts with it.
  const plain = cut[1].toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  const head = /^[\x20-\x7e]*$/.test(cut[1]) && !/[&<\\{$]/.test(cut[1]) && whole.startsWith(plain) ? plain : foldText(cut[1]);
  if (head.split(" ").length < 3 || head === whole) return "";
  const key = head.replace(/ /g, "");
  return key.length >= MIN_HEAD ? key : "";
}

/** Issue in comparable form ("Suppl. 1" and "suppl 1" alike); most are plain numbers, which need no folding. */
function issueKey(s: string | undefined): string | undefined {
  const t = s?.trim();
  if (!t) return undefined;
  return /^\d+$/.test(t) ? String(Number(t)) : foldText(t) || undefined;
}

/** Character codes of an ASCII-folded string (folded keys hold only a–z and 0–9). */
function codesOf(s: string): Uint8Array {
  const c = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) c[i] = s.charCodeAt(i) & 0xff;
  return c;
}

let rowA = new Int32Array(512);
let rowB = new Int32Array(512);

/** Levenshtein distance if at most `k`, else k + 1 (Ukkonen's band: O(k·n)). */
export function boundedLevenshtein(a: string | Uint8Array, b: string | Uint8Array, k: number): number {
  if (typeof a === "string") a = codesOf(a);
  if (typeof b === "string") b = codesOf(b);
  if (a.length === b.length && a.every((c, i) => c === (b as Uint8Array)[i])) return 0;
  if (Math.abs(a.length - b.length) > k) return k + 1;
  if (a.length > b.length) [a, b] = [b, a];
  const n = a.length;
  const m = b.length;
  const INF = k + 1;
  if (rowA.length < m + 2) {
    rowA = new Int32Array(m + 2);
    rowB = new Int32Array(m + 2);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j <= k ? j : INF;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(m, i + k);
    cur[lo - 1] = lo === 1 ? (i <= k ? i : INF) : INF;
    let rowMin = cur[lo - 1];
    const ca = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      let v = prev[j - 1] + (ca === b[j - 1] ? 0 : 1);
      const del = j < i + k ? prev[j] + 1 : INF;
      if (del < v) v = del;
      const ins = cur[j - 1] + 1;
      if (ins < v) v = ins;
      if (v > INF) v = INF;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = INF;
    if (rowMin > k) return INF;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[m], INF);
}

/**
 * Similarity of two normalised titles: 1 − edit distance / longer length.
 * Computed exactly down to `min` (the band is sized for it); below, 0.
 */
function titleSimilarity(x: TitleForm, y: TitleForm, min: number): number {
  const a = x.key;
  const b = y.key;
  if (!a || !b) return 0;
  if (a === b) return 1;
  const L = Math.max(a.length, b.length);
  const k = Math.floor(L * (1 - min));
  if (Math.abs(a.length - b.length) > k) return 0;
  // Letter counts bound the edit distance from below: a cheap way to skip unrelated titles.
  let more = 0;
  let less = 0;
  for (let c = 0; c < 36; c++) {
    const d = x.hist[c] - y.hist[c];
    if (d > 0) more += d;
    else less -= d;
  }
  if (Math.max(more, less) > k) return 0;
  const d = boundedLevenshtein(x.codes, y.codes, k);
  return d > k ? 0 : 1 - d / L;
}

/**
 * One title is the other with something added at either end (a truncated title,
 * a section heading "MEDICAL PROGRESS", a citation "N Engl J Med. 2009"). The
 * shorter must be long enough not to be a generic phrase, and at least half of
 * the longer: "atypical hemolytic uremic syndrome" inside "Liver-kidney
 * transplantation to cure atypical hemolytic uremic syndrome" is a topic, not a title.
 */
function titleContained(a: string, b: string): boolean {
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  return s.length >= 30 && 2 * s.length >= l.length && l.includes(s);
}

interface AuthorAgreement {
  /** Both have authors. */
  known: boolean;
  firstMatch: boolean;
  /** Share of the shorter list's family names found in the other record. */
  overlap: number;
  /** Same family names and compatible initials, author for author. */
  same: boolean;
}

/**
 * Family names agree: equal, or one a prefix of the other (at least four
 * letters: "Muli" for "Mulić" after a lossy transliteration), or one edit apart
 * in names of five letters or more ("Jammal" / "Jamal").
 */
function sameSurname(x: string, y: string): boolean {
  if (x === y) return true;
  const [s, l] = x.length <= y.length ? [x, y] : [y, x];
  if (s.length >= 4 && l.startsWith(s)) return true;
  return s.length >= 5 && boundedLevenshtein(s, l, 1) <= 1;
}

function nameIn(n: Name, others: Name[]): boolean {
  return others.some((o) => sameSurname(n.last, o.last) || o.parts.includes(n.last) || n.parts.includes(o.last));
}

/** Corporate and group authors, which databases list in different ways or replace by the named writers. */
const GROUP_AUTHOR = /\b(group|study|trial|consortium|collaborat\w*|investigators|committee|society|association|organi[sz]ation|network|council|team|inc|ltd|pharmaceuticals?|corporation|working party|task force|panel)\b/;

function authorAgreement(a: Name[], b: Name[]): AuthorAgreement {
  const group = (ns: Name[]) => ns.some((n) => GROUP_AUTHOR.test(n.parts.join(" ")));
  if (!a.length || !b.length || group(a) || group(b)) return { known: false, firstMatch: false, overlap: 0, same: false };
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  let found = 0;
  for (const n of s) if (nameIn(n, l)) found++;
  const fa = a[0];
  const fb = b[0];
  const firstMatch = sameSurname(fa.last, fb.last) || fa.parts.includes(fb.last) || fb.parts.includes(fa.last);
  const initialsOk = (x: Name, y: Name) => !x.initials || !y.initials || x.initials[0] === y.initials[0];
  const same = a.length === b.length && a.every((n, k) => sameSurname(n.last, b[k].last) && initialsOk(n, b[k]));
  return { known: true, firstMatch, overlap: found / s.length, same };
}

const ABSTRACT_TYPES = new Set<RecordType>(["conference-abstract"]);
const PUBLISHED_TYPES = new Set<RecordType>(["article", "review"]);

/**
 * Judges a pair of records. The rules, in order:
 * 1. Different DOIs or PMIDs: different, whatever else agrees.
 * 2. An erratum notice whose place the other record's title names ("[Erratum
 *    appears in N Engl J Med. 2009;360(23):2487]": same volume and first page,
 *    and issue and year when given), in the same journal, with an alike title
 *    and an author in common: duplicate. Grouping gives these links their own
 *    treatment (see `dedupe`).
 * 3. Hard negatives: records that share no author, differ in year by more than
 *    one, or where one is an erratum, comment/reply, preprint or conference
 *    abstract and the other is not, or that differ in volume or pages, are not
 *    merged, whatever else agrees — not even transitively. When their titles are
 *    alike they go to the "maybe" list instead. A year one apart (online first,
 *    a volume spanning two years) is accepted only within one volume: the same
 *    first page, or no pages to compare and no other issue.
 * 4. Same DOI or PMID (titles not contradicting): duplicate.
 * 5. Titles that differ in their numbers ("FOCUS 1" / "FOCUS 2", "part 2")
 *    without the same volume and first page: maybe.
 * 6. Near-identical titles (≥ 0.95 similar) with agreeing authors, plus a
 *    matching first page or journal (or volume, when a journal is missing): duplicate.
 * 7. Similar (≥ 0.85) or contained titles, agreeing authors, and the same (or
 *    compatible) first page together with the same volume or journal: duplicate.
 * 8. Titles that do not match (often two translations of one title) but the
 *    same authors, journal, year, volume and a multi-page range from the same
 *    first to the same last page: duplicate — two works cannot share that.
 * 9. Otherwise, alike titles with agreeing authors: maybe.
 * A record without a title is never merged on the rest alone; it goes to maybe.
 */
function judge(a: Norm, b: Norm): PairVerdict {
  if (a.doi && b.doi && a.doi !== b.doi) return { verdict: "different", reason: "different DOIs", conflict: true };
  if (a.pmid && b.pmid && a.pmid !== b.pmid) return { verdict: "different", reason: "different PMIDs", conflict: true };
  // Title similarity is the costly part: computed at most once, only when a rule needs it,
  // and only as far down as the lowest threshold in use.
  const sameIds = (!!a.doi && a.doi === b.doi) || (!!a.pmid && a.pmid === b.pmid);
  const floor = sameIds ? 0.7 : 0.85;
  let tsMemo: number | undefined;
  let tsMin = 1;
  /** The best similarity came from a title in another language (MEDLINE TT, RIS TT). */
  let viaAlt = false;
  // Asked for at least `min`: an answer computed for a lower floor serves; a higher one may need recomputing.
  const title = (min = floor) => {
    if (tsMemo === undefined || (tsMemo === 0 && min < tsMin)) {
      tsMemo = titleSimilarity(a, b, min);
      tsMin = min;
      viaAlt = false;
      if (tsMemo < 1 && (a.alts.length || b.alts.length)) {
        for (const x of [a, ...a.alts])
          for (const y of [b, ...b.alts]) {
            if (x === a && y === b) continue;
            const s = titleSimilarity(x, y, min);
            if (s > tsMemo) {
              tsMemo = s;
              viaAlt = true;
            }
          }
      }
    }
    return tsMemo;
  };
  let containedMemo: boolean | undefined;
  const isContained = () => (containedMemo ??= !!a.key && !!b.key && titleContained(a.key, b.key));
  // An erratum notice is about its article, not a copy of it, so it is kept apart (below) — except
  // when the article's own record names the notice's place ("[Erratum appears in …;360(23):2487]"):
  // then the notice belongs with the article, as the labelled benchmark sets have it.
  if ((namesNotice(a, b) || namesNotice(b, a)) && !noAuthorInCommon(a, b) && anyJournalMatch(a, b) && (isContained() || title(0.85) >= 0.85))
    return dup(a, b, "the erratum notice named in the article's record", "title");
  if (a.flags.erratum !== b.flags.erratum) return { verdict: "different", reason: "one is an erratum or retraction notice", conflict: true };
  if (a.flags.comment !== b.flags.comment) return { verdict: "different", reason: "one is a comment or reply", conflict: true };
  const dy = a.year !== undefined && b.year !== undefined ? Math.abs(a.year - b.year) : undefined;
  if (dy !== undefined && dy > 1) return { verdict: "different", reason: "years differ", conflict: true };
  const au = authorAgreement(a.names, b.names);
  if (au.known && au.overlap === 0 && !au.firstMatch) return { verdict: "different", reason: "no author in common", conflict: true };
  const authorsOk = !au.known || au.firstMatch || au.overlap >= 0.5;
  const alike = () => authorsOk && (isContained() || title(0.9) >= 0.9);
  const soft = (reason: string): PairVerdict => ({ verdict: alike() ? "maybe" : "different", reason, conflict: true });
  if (a.preprint !== b.preprint) return soft("a preprint and another version");
  if (a.type && b.type && ((ABSTRACT_TYPES.has(a.type) && PUBLISHED_TYPES.has(b.type)) || (ABSTRACT_TYPES.has(b.type) && PUBLISHED_TYPES.has(a.type))))
    return soft("a conference abstract and an article");
  const sameVolume = a.volume !== undefined && a.volume === b.volume;
  const pages = comparePages(a.pages, b.pages);
  const samePage = pages === "same";
  if (a.volume !== undefined && b.volume !== undefined && !sameVolume) return soft("volumes differ");
  if (pages === "conflict") return soft("pages differ");
  // A year one apart (online first, or a volume spanning two years) is accepted within one volume:
  // the same first page, or no pages to compare and no other issue.
  const issuesCompatible = !a.issue || !b.issue || a.issue === b.issue;
  // A conference paper and its proceedings record are often dated a year apart (held in one year,
  // published the next): accepted for two proceedings records with the same title, every author in
  // order, and the same venue or first page.
  if (dy === 1 && !(sameVolume && (samePage || (pages === "unknown" && issuesCompatible)))) {
    const proceedingsYear =
      a.proceedings && b.proceedings && au.known && au.same && a.numbers === b.numbers && !issuesDiffer(a.issue, b.issue) && title(0.95) >= 0.95 && (samePage || anyJournalMatch(a, b));
    if (!proceedingsYear) return soft("years differ by one");
    return dup(a, b, "same title, every author and venue; a conference paper and its proceedings dated a year apart", viaAlt ? "title (in another language)" : title(0.95) === 1 ? "title" : "title (similar)");
  }
  // Recurring items ("Editor's comments", "In this issue") repeat a short heading, authors, journal
  // and year in every issue of a volume: there two issue numbers make two items, whatever else agrees.
  // Under a paper's own (longer) title they do not decide: databases disagree on issue numbers for one
  // article too often (a sixth of the labelled duplicate pairs that both give one, in the tuning sets).
  if (!sameIds && issuesDiffer(a.issue, b.issue) && Math.min(a.key.length, b.key.length) < LONG_TITLE) return soft("issues differ under a recurring heading");

  if (sameIds) {
    const titlesAgree = !a.key || !b.key || isContained() || title() >= 0.7;
    return titlesAgree ? dup(a, b, a.doi && a.doi === b.doi ? "same DOI" : "same PMID", a.key && b.key ? "title" : null) : { verdict: "maybe", reason: "same identifier, different titles" };
  }
  if (!a.key || !b.key) return { verdict: au.known && au.same ? "maybe" : "different", reason: "a title is missing" };
  // Titles differing in a number ("FOCUS 1" / "FOCUS 2", "part 2") need the same volume and first page as well.
  if (a.numbers !== b.numbers && a.numbers && b.numbers && !(samePage && sameVolume)) return soft("the titles' numbers differ");
  const journalOk = anyJournalMatch(a, b);
  const ts = title();
  const contained = isContained();
  const journalsKnown = (a.journal.length > 0 || a.journalAbbrev.length > 0) && (b.journal.length > 0 || b.journalAbbrev.length > 0);
  const inOtherLanguage = viaAlt ? " (one title given in another language)" : "";
  const titleField = viaAlt ? "title (in another language)" : ts === 1 ? "title" : contained && ts < 0.85 ? "title (one within the other)" : "title (similar)";
  // A heading that recurs in several issues: the journal and volume alone do not tell which issue's
  // item a record is, so it needs the same first page or issue as well.
  const placed = samePage || !(a.recurring || b.recurring) || (!!a.issue && a.issue === b.issue);
  if (ts >= 0.95 && authorsOk && (samePage || (placed && (journalOk || (sameVolume && !journalsKnown))))) return dup(a, b, `same title, authors and year${inOtherLanguage}`, titleField);
  // The same long title, letter for letter, in the same year, with nothing else known to compare.
  if (ts === 1 && a.key.length >= 50 && dy === 0 && authorsOk && !journalsKnown && !a.pages && !b.pages)
    return dup(a, b, "same long title and year; nothing else to compare", titleField);
  if ((ts >= 0.85 || contained) && authorsOk && (samePage || pages === "compatible") && (sameVolume || journalOk)) return dup(a, b, `similar title; same authors, year and pages${inOtherLanguage}`, titleField);
  // A title with and without its subtitle: the main title must be long enough to name a work, and
  // the authors, year and either the first page or the journal and volume must agree.
  const truncated = (!!a.head && a.head === b.key) || (!!b.head && b.head === a.key);
  if (truncated && au.known && au.firstMatch && au.overlap >= 0.5 && dy === 0 && ((samePage || pages === "compatible") ? sameVolume || journalOk : pages === "unknown" && sameVolume && journalOk))
    return dup(a, b, "one title is the other without its subtitle; same authors, year and journal or pages", "title (without its subtitle)");
  // Titles in two languages: two items cannot share authors, journal, year, volume and a whole
  // multi-page range. The titles need some words in common unless every author agrees in order.
  const fullRange = samePage && a.pages!.end !== undefined && a.pages!.end === b.pages!.end && !a.pages!.single && !b.pages!.single;
  if (fullRange && dy === 0 && sameVolume && journalOk && au.firstMatch && ((au.overlap >= 0.5 && titleWordOverlap(a.title, b.title) >= 0.2) || au.same))
    return dup(a, b, "same authors, journal, year, volume and page range; titles translated differently", null);
  if (alike()) return { verdict: "maybe", reason: "similar titles; not enough else agrees" };
  return { verdict: "different", reason: "titles differ" };
}

/** A duplicate verdict with the fields that agree: what a reviewer is shown as the reason for a merge. */
function dup(a: Norm, b: Norm, reason: string, title: string | null): PairVerdict {
  const fields: string[] = [];
  if (a.doi && a.doi === b.doi) fields.push("DOI");
  if (a.pmid && a.pmid === b.pmid) fields.push("PMID");
  if (title) fields.push(title);
  const au = authorAgreement(a.names, b.names);
  if (au.known && (au.same || au.firstMatch || au.overlap >= 0.5)) fields.push(au.same ? "authors" : "authors (in part)");
  if (a.year !== undefined && b.year !== undefined) fields.push(a.year === b.year ? "year" : "year (one apart)");
  if (anyJournalMatch(a, b)) fields.push("journal");
  if (a.volume !== undefined && a.volume === b.volume) fields.push("volume");
  if (a.issue && a.issue === b.issue) fields.push("issue");
  const pages = comparePages(a.pages, b.pages);
  if (pages === "same") fields.push(a.pages!.end !== undefined && a.pages!.end === b.pages!.end ? "pages" : "first page");
  else if (pages === "compatible") fields.push("pages (compatible)");
  return { verdict: "duplicate", reason, fields };
}

/** Titles shorter than this (in letters) may be a recurring heading rather than a paper's own. */
const LONG_TITLE = 40;

/** Two issues of a volume: two issue numbers, or two numbered supplements, that differ ("Suppl" and "Suppl 2" may be one). */
function issuesDiffer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a === b) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return true;
  const sa = /^(?:s|suppl|supplement)\s*(\d+)$/.exec(a);
  const sb = /^(?:s|suppl|supplement)\s*(\d+)$/.exec(b);
  return !!sa && !!sb && Number(sa[1]) !== Number(sb[1]);
}

function noAuthorInCommon(a: Norm, b: Norm): boolean {
  const au = authorAgreement(a.names, b.names);
  return au.known && au.overlap === 0 && !au.firstMatch;
}

/**
 * Records that are different works whatever else is known: different DOIs or PMIDs, or no author
 * in common. Only these keep an erratum notice from the group of the article that names it; its
 * other conflicts with the article's copies (its own page, issue, year) are what make it a notice.
 */
function differentWorks(a: Norm, b: Norm): boolean {
  return (!!a.doi && !!b.doi && a.doi !== b.doi) || (!!a.pmid && !!b.pmid && a.pmid !== b.pmid) || noAuthorInCommon(a, b);
}

/**
 * `x`'s title names an erratum at `n`'s volume and first page (and issue and year, when both give
 * them) — or `n` calls itself an erratum and is in the named volume and issue, its page mistyped.
 */
function namesNotice(x: Norm, n: Norm): boolean {
  if (!x.errata.length || n.volume === undefined) return false;
  const starts = n.pages?.kind === "pages" ? n.pages.starts : [];
  return x.errata.some((e) => {
    if (e.volume !== n.volume || (e.year !== undefined && n.year !== undefined && e.year !== n.year)) return false;
    const sameIssue = e.issue !== undefined && n.issue !== undefined && issueKey(e.issue) === n.issue;
    if (starts.includes(e.page)) return sameIssue || e.issue === undefined || n.issue === undefined;
    return sameIssue && n.flags.erratum;
  });
}

function anyJournalMatch(a: Norm, b: Norm): boolean {
  // One ISSN is one journal under any name, translated or abbreviated.
  if (a.issns.length && b.issns.length && a.issns.some((x) => b.issns.includes(x))) return true;
  for (const x of [a.journal, a.journalAbbrev, a.journalBase]) for (const y of [b.journal, b.journalAbbrev, b.journalBase]) if (journalsMatch(x, y)) return true;
  return false;
}

/** Share of the shorter title's words (of four letters or more) found in the other. */
function titleWordOverlap(a: string, b: string): number {
  const wa = new Set(a.split(" ").filter((w) => w.length >= 4));
  const wb = new Set(b.split(" ").filter((w) => w.length >= 4));
  const [s, l] = wa.size <= wb.size ? [wa, wb] : [wb, wa];
  if (!s.size) return 0;
  let n = 0;
  for (const w of s) if (l.has(w)) n++;
  return n / s.size;
}

/** The id of the most complete of `records` (the one `dedupe` would make a group's primary). */
export function mostComplete(records: readonly DedupeInput[]): string {
  if (!records.length) throw new Error("mostComplete of no records");
  const norms = records.map(prepare);
  return norms.reduce((best, n) => (n.completeness > best.completeness ? n : best)).id;
}

/** Judges two records directly (the rules of `dedupe`, exposed for side-by-side review). */
export function comparePair(a: DedupeInput, b: DedupeInput): PairVerdict {
  return judge(prepare(a, 0), prepare(b, 1));
}

/** Blocking keys: records share a block when one of these is equal; only pairs within blocks are compared. */
function blockKeys(n: Norm): string[] {
  const keys: string[] = [];
  if (n.doi) keys.push(`d:${n.doi}`);
  if (n.pmid) keys.push(`p:${n.pmid}`);
  if (n.key.length >= 10) {
    keys.push(`t:${n.key}`);
    keys.push(`b:${n.key.slice(0, 30)}`);
    keys.push(`e:${n.key.slice(-30)}`);
    // Middle of the title, for titles that differ at both ends (prefix heading plus citation tail).
    if (n.key.length >= 60) keys.push(`m:${n.key.slice(Math.floor(n.key.length / 2) - 15, Math.floor(n.key.length / 2) + 15)}`);
  }
  if (n.head) keys.push(`t:${n.head}`);
  for (const t of n.alts) keys.push(`t:${t.key}`, `b:${t.key.slice(0, 30)}`, `e:${t.key.slice(-30)}`);
  const first = n.names[0]?.last;
  const sp = n.pages?.starts[0];
  if (first && n.year && sp !== undefined) keys.push(`a:${first}|${n.year}|${sp}`);
  if (n.volume !== undefined && sp !== undefined) keys.push(`v:${n.volume}|${sp}|${n.year ?? ""}`);
  if (first && n.volume !== undefined && sp !== undefined) keys.push(`f:${first}|${n.volume}|${sp}`);
  // The place of an erratum the title names: the notice's own volume/page key.
  for (const e of n.errata) if (e.year !== undefined) keys.push(`v:${e.volume}|${e.page}|${e.year}`);
  return keys;
}

/** Marks short titles that records of one year give in two issues or at two first pages (see `Norm.recurring`). */
function markRecurring(norms: Norm[]): void {
  const places = new Map<string, { members: Norm[]; issue?: string; page?: number; many: boolean }>();
  for (const n of norms) {
    if (!n.key || n.key.length >= LONG_TITLE) continue;
    const k = `${n.key}|${n.year ?? ""}`;
    let e = places.get(k);
    if (!e) places.set(k, (e = { members: [], many: false }));
    e.members.push(n);
    const page = n.pages?.starts[0];
    if (n.issue !== undefined) {
      if (e.issue === undefined) e.issue = n.issue;
      else if (e.issue !== n.issue) e.many = true;
    }
    if (page !== undefined) {
      if (e.page === undefined) e.page = page;
      else if (e.page !== page) e.many = true;
    }
  }
  for (const e of places.values()) if (e.many) for (const n of e.members) n.recurring = true;
}

/** The first letters of `blockKeys`' keys, one kind of key each. */
const KEY_KINDS = [..."dptbemavf"].map((c) => c.charCodeAt(0));

/** Blocks larger than this are generic keys ("introduction", a common page 1 of volume 1); they are skipped. */
const MAX_BLOCK = 200;

class UnionFind {
  parent: Int32Array;
  members: number[][];
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
    this.members = Array.from({ length: n }, (_, i) => [i]);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const [big, small] = this.members[a].length >= this.members[b].length ? [a, b] : [b, a];
    this.parent[small] = big;
    for (const m of this.members[small]) this.members[big].push(m);
    this.members[small] = [];
  }
}

/**
 * Finds duplicate groups. Candidate pairs come from blocking; each pair is
 * judged by the rules of `judge`; duplicate pairs are joined strongest first
 * (identifier matches, then title matches), and two groups are joined only if
 * no record of one is a hard negative of a record of the other, so a chain of
 * similar records can never pull two different ones together. Named erratum
 * notices come last and join their article's group unless a record there is
 * another work by identifier or authors: the notice's own page, issue
 * and year differ from every copy of the article by nature. The primary of
 * each group is its most complete record.
 */
export function dedupe(records: readonly DedupeInput[], decided: DedupeDecisions = {}, options: DedupeOptions = {}): DedupeResult {
  const norms = records.map(prepare);
  markRecurring(norms);
  const index = new Map<string, number>();
  for (const [i, r] of records.entries()) {
    if (index.has(r.id)) throw Object.assign(new Error(`duplicate record id "${r.id}"`), { kind: "input" as const });
    index.set(r.id, i);
  }
  const at = (id: string) => {
    const i = index.get(id);
    if (i === undefined) throw Object.assign(new Error(`unknown record id "${id}" in a reviewer's decision`), { kind: "input" as const });
    return i;
  };
  const judged = new Map<number, PairVerdict>();
  const N = norms.length;
  const pairKey = (x: number, y: number) => (x < y ? x * N + y : y * N + x);
  // A reviewer's word overrides the rules both ways.
  const separated = new Set<number>();
  for (const [x, y] of decided.separate ?? []) {
    const k = pairKey(at(x), at(y));
    judged.set(k, { verdict: "different", reason: "judged different by a reviewer", conflict: true });
    separated.add(k);
  }
  const dupPairs: [number, number, number][] = [];
  const maybe: [number, number][] = [];
  const progress = options.onProgress;
  // Blocks are built and compared one kind of key at a time: a million records have some eight
  // million keys, nearly all of one record, and one map of them all outgrew a 4 GB heap. Kinds
  // never share a key, so the blocks, and the pairs compared, are the same; a pair is judged once
  // whichever block it is met in first (always the lower index first), so the verdicts are too.
  const totalSteps = KEY_KINDS.length * N;
  let step = 0;
  progress?.({ phase: "comparing", done: 0, total: totalSteps });
  for (const kind of KEY_KINDS) {
    // A block of one record is its index alone; an array only from the second member.
    const blocks = new Map<string, number | number[]>();
    for (const n of norms) {
      if (progress && ++step % 50000 === 0) progress({ phase: "comparing", done: step, total: totalSteps });
      for (const k of blockKeys(n)) {
        if (k.charCodeAt(0) !== kind) continue;
        const b = blocks.get(k);
        if (b === undefined) blocks.set(k, n.i);
        else if (typeof b === "number") blocks.set(k, [b, n.i]);
        else b.push(n.i);
      }
    }
    for (const members of blocks.values()) {
      if (typeof members === "number" || members.length > MAX_BLOCK) continue;
      for (let p = 0; p < members.length; p++) {
        for (let q = p + 1; q < members.length; q++) {
          const x = members[p];
          const y = members[q];
          const k = pairKey(x, y);
          if (judged.has(k)) continue;
          const v = judge(norms[x], norms[y]);
          judged.set(k, v);
          if (v.verdict === "duplicate") dupPairs.push([Math.min(x, y), Math.max(x, y), strength(v)]);
          else if (v.verdict === "maybe") maybe.push([Math.min(x, y), Math.max(x, y)]);
        }
      }
    }
  }
  progress?.({ phase: "grouping", done: totalSteps, total: totalSteps });
  dupPairs.sort((p, q) => q[2] - p[2] || p[0] - q[0] || p[1] - q[1]);
  const uf = new UnionFind(N);
  const links: DedupeLink[] = [];
  // Reviewers' groups are joined first; their pairs judged different were set aside above.
  for (const g of decided.together ?? []) {
    for (let k = 1; k < g.length; k++) {
      const rx = uf.find(at(g[0]));
      const ry = uf.find(at(g[k]));
      if (rx !== ry) {
        uf.union(rx, ry);
        links.push({ a: g[0], b: g[k], reason: "joined by a reviewer", fields: [] });
      }
    }
  }
  const verdictOf = (x: number, y: number): PairVerdict => {
    const k = pairKey(x, y);
    let v = judged.get(k);
    if (!v) {
      v = judge(norms[x], norms[y]);
      judged.set(k, v);
    }
    return v;
  };
  for (const [x, y, s] of dupPairs) {
    const rx = uf.find(x);
    const ry = uf.find(y);
    if (rx === ry) continue;
    // A named erratum notice joins its article's group unless something there makes it another work;
    // its own page, issue and year differ from the article's by nature. These links come last.
    const notice = s === NOTICE;
    let ok = true;
    outer: for (const m of uf.members[rx]) {
      for (const n of uf.members[ry]) {
        const v = verdictOf(m, n);
        if (v.conflict && (!notice || separated.has(pairKey(m, n)) || differentWorks(norms[m], norms[n]))) {
          ok = false;
          break outer;
        }
      }
    }
    if (ok) {
      uf.union(rx, ry);
      const v = verdictOf(x, y);
      links.push({ a: norms[x].id, b: norms[y].id, reason: v.reason, fields: v.fields ?? [] });
    }
  }
  const groups: string[][] = [];
  for (let i = 0; i < N; i++) {
    if (uf.find(i) !== i) continue;
    const ms = [...uf.members[i]].sort((p, q) => norms[q].completeness - norms[p].completeness || p - q);
    groups.push(ms.map((m) => norms[m].id));
  }
  // Ids are unique (checked above): `index` is each id's place.
  const idIndex = index;
  // Groups in file order of their earliest record.
  const firstOf = (g: string[]) => Math.min(...g.map((id) => idIndex.get(id)!));
  groups.sort((g, h) => firstOf(g) - firstOf(h));
  const maybeOut: [string, string][] = [];
  for (const [x, y] of maybe) if (uf.find(x) !== uf.find(y)) maybeOut.push([norms[x].id, norms[y].id]);
  maybeOut.sort((p, q) => idIndex.get(p[0])! - idIndex.get(q[0])! || idIndex.get(p[1])! - idIndex.get(q[1])!);
  return { groups, maybe: maybeOut, links };
}

const NOTICE = 0;

/** Order in which duplicate pairs are joined: identifiers first, then full bibliographic agreement, then titles, then named erratum notices. */
function strength(v: PairVerdict): number {
  return /erratum notice/.test(v.reason) ? NOTICE : /DOI|PMID/.test(v.reason) ? 3 : /pages/.test(v.reason) ? 2 : 1;
}

/** One field of two records set side by side for a reviewer. */
export interface FieldComparison {
  field: "title" | "authors" | "year" | "journal" | "volume" | "issue" | "pages" | "doi" | "pmid";
  a: string;
  b: string;
  /** "same": equal as written; "equivalent": equal once normalised (case, accents, abbreviations, page ranges); "different"; "missing": on one side only. */
  status: "same" | "equivalent" | "different" | "missing";
}

/**
 * The fields of a "maybe" pair compared one by one, for the side-by-side view
 * that highlights what differs — with the same normalisation the rules use.
 */
export function compareFields(a: DedupeInput, b: DedupeInput): FieldComparison[] {
  const x = prepare(a, 0);
  const y = prepare(b, 1);
  const out: FieldComparison[] = [];
  const add = (field: FieldComparison["field"], va: string | undefined, vb: string | undefined, equivalent: () => boolean) => {
    const sa = va?.trim() ?? "";
    const sb = vb?.trim() ?? "";
    if (!sa && !sb) return;
    const status = !sa || !sb ? "missing" : sa === sb ? "same" : equivalent() ? "equivalent" : "different";
    out.push({ field, a: sa, b: sb, status });
  };
  add("title", a.title, b.title, () => x.key === y.key);
  add("authors", a.authors?.join("; "), b.authors?.join("; "), () => authorAgreement(x.names, y.names).same);
  add("year", a.year, b.year, () => x.year === y.year);
  add("journal", a.journal, b.journal, () => anyJournalMatch(x, y));
  add("volume", a.volume, b.volume, () => x.volume === y.volume);
  add("issue", a.issue, b.issue, () => false);
  add("pages", a.pages, b.pages, () => comparePages(x.pages, y.pages) === "same" && x.pages?.end === y.pages?.end);
  add("doi", a.doi, b.doi, () => !!x.doi && x.doi === y.doi);
  add("pmid", a.pmid, b.pmid, () => false);
  return out;
}
