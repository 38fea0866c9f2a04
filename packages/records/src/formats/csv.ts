import { parse as csvParse } from "csv-parse";
import { Readable } from "node:stream";
import { readAnnotationBlock } from "../annotations.js";
import { normaliseDoi, pageRange, recordType, splitList, squash, yearOf } from "../fields.js";
import { htmlToText } from "../latex.js";
import { InputError } from "@homeward/model";
import { emptyRecord, type ColumnMapping, type CsvColumns, type Format, type MappableField, type ParseItem, type ParsedRecord } from "../types.js";
import type { Limits } from "./tagged.js";

/**
 * Column names recognised without a mapping (compared lower-cased, trimmed).
 * They cover the headers Covidence, Rayyan, Scopus, Web of Science (tab-delimited),
 * EndNote and Zotero write, and BibTeX-style lower-case names.
 */
const ALIASES: Record<MappableField, string[]> = {
  id: ["id", "key", "record id", "record_id", "covidence #", "itemid", "item id", "eid"],
  type: ["entrytype", "type", "document type", "dt", "pt", "publication type", "ref type", "reference type", "item type"],
  title: ["title", "article title", "document title", "ti", "primary title"],
  authors: ["author full names", "af", "authors", "author", "au", "author(s)", "creators"],
  editors: ["editors", "editor", "be"],
  year: ["year", "py", "publication year", "published year", "pubyear"],
  date: ["date", "publication date", "pd", "date published"],
  journal: ["journal", "source title", "so", "publication title", "journal/book", "secondary title", "journal title", "source"],
  journalAbbrev: ["journal abbreviation", "abbreviated source title", "j9", "ji", "short journal"],
  booktitle: ["booktitle", "book title", "conference name"],
  volume: ["volume", "vl"],
  issue: ["issue", "number", "is"],
  pages: ["pages", "page", "pg"],
  startPage: ["page start", "start page", "bp", "first page"],
  endPage: ["page end", "end page", "ep", "last page"],
  doi: ["doi", "di"],
  pmid: ["pmid", "pubmed id", "pm", "pubmed", "pubmed identifier", "medline pmid"],
  issn: ["issn", "sn"],
  isbn: ["isbn", "bn"],
  abstract: ["abstract", "ab", "abstract note"],
  keywords: ["keywords", "author keywords", "de", "manual tags", "tags"],
  urls: ["url", "link", "urls"],
  language: ["language", "language of original document", "la"],
  publisher: ["publisher", "pu"],
  annotations: ["homeward"],
};

/**
 * A column name as compared: lower case, letters and digits only, so
 * "pubmedID", "PubMed ID", "PubMed_ID" and "pubmed-id" are one name.
 */
export const columnKey = (name: string): string =>
  name
    .replace(/^\uFEFF/, "")
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");

/** Ready mappings for the CSV exports of common tools (only columns that differ from the aliases above). */
export const CSV_PRESETS = {
  covidence: { columns: { id: "Covidence #", title: "Title", authors: "Authors", year: "Published Year", journal: "Journal", volume: "Volume", issue: "Issue", pages: "Pages", doi: "DOI", abstract: "Abstract", keywords: "Tags" } },
  rayyan: { columns: { id: "key", title: "title", authors: "authors", year: "year", journal: "journal", volume: "volume", issue: "issue", pages: "pages", doi: "doi", pmid: "pubmed_id", abstract: "abstract", issn: "issn", urls: "url", publisher: "publisher", keywords: "keywords" } },
  scopus: { columns: { id: "EID", title: "Title", authors: "Authors", year: "Year", journal: "Source title", volume: "Volume", issue: "Issue", startPage: "Page start", endPage: "Page end", doi: "DOI", pmid: "PubMed ID", abstract: "Abstract", keywords: "Author Keywords", type: "Document Type", issn: "ISSN", isbn: "ISBN", language: "Language of Original Document", publisher: "Publisher", urls: "Link" } },
  wos: { delimiter: "\t", columns: { id: "UT", title: "TI", authors: "AF", year: "PY", journal: "SO", journalAbbrev: "J9", volume: "VL", issue: "IS", startPage: "BP", endPage: "EP", doi: "DI", pmid: "PM", abstract: "AB", keywords: "DE", type: "DT", issn: "SN", isbn: "BN", language: "LA", publisher: "PU" } },
  bibdedupe: { columns: { id: "ID", title: "title", authors: "author", year: "year", journal: "journal", volume: "volume", issue: "number", pages: "pages", doi: "doi", abstract: "abstract", type: "ENTRYTYPE", booktitle: "booktitle" } },
} satisfies Record<string, { delimiter?: string; columns: ColumnMapping }>;

/** The names of the CSV presets. */
export type CsvPreset = keyof typeof CSV_PRESETS;

const presetOf = (name: string): { delimiter?: string; columns: ColumnMapping } | undefined =>
  (CSV_PRESETS as Record<string, { delimiter?: string; columns: ColumnMapping }>)[name.toLowerCase()];


export function csvDelimiter(headLine: string, format: Format): string {
  if (format === "tsv") return "\t";
  const tabs = headLine.split("\t").length;
  const commas = headLine.split(",").length;
  const semis = headLine.split(";").length;
  if (tabs > commas && tabs > semis) return "\t";
  if (semis > commas) return ";";
  return ",";
}

/** Resolves which column index holds each field. */
function resolveColumns(header: string[], explicit: ColumnMapping | undefined, presetName: string | undefined): Map<MappableField, number> {
  const exact = header.map((h) => h.trim().replace(/^\uFEFF/, "").toLowerCase());
  const keys = header.map(columnKey);
  // A column named as written wins over one that only matches once normalised ("Pages" and "pages?").
  const find = (name: string): number => {
    const i = exact.indexOf(name.trim().toLowerCase());
    return i >= 0 ? i : keys.indexOf(columnKey(name));
  };
  const out = new Map<MappableField, number>();
  const preset = presetName ? presetOf(presetName) : undefined;
  if (presetName && !preset) throw new InputError(`unknown CSV preset "${presetName}" (known: ${Object.keys(CSV_PRESETS).join(", ")})`);
  for (const [field, names] of Object.entries(ALIASES) as [MappableField, string[]][]) {
    for (const n of names) {
      const i = find(n);
      if (i >= 0) {
        out.set(field, i);
        break;
      }
    }
  }
  for (const mapping of [preset?.columns, explicit]) {
    if (!mapping) continue;
    for (const [field, col] of Object.entries(mapping) as [MappableField, string][]) {
      if (!(field in ALIASES)) throw new InputError(`"${field}" is not a record field a column can be mapped to (${Object.keys(ALIASES).join(", ")})`);
      // An empty column name in an explicit mapping means: do not read this field.
      if (mapping === explicit && col.trim() === "") {
        out.delete(field);
        continue;
      }
      const i = find(col);
      if (i >= 0) out.set(field, i);
      else if (mapping === explicit) throw new InputError(`column "${col}" (mapped to ${field}) is not in the file's header`);
    }
  }
  return out;
}

/**
 * Splits an author cell. Formats seen in exports: BibTeX "A, B and C, D";
 * semicolon lists (WoS, Scopus "Author full names", EPPI); Covidence/Scopus
 * "Smith J., Jones K.-L." where each comma-separated part is a surname and initials.
 */
export function splitAuthorCell(s: string): string[] {
  const t = s.trim();
  if (!t) return [];
  if (/\sand\s/.test(t) && (t.includes(",") || !t.includes(";"))) return splitList(t, /\s+and\s+/).map((a) => a.replace(/\s*\(\d+\)$/, ""));
  if (t.includes(";")) return splitList(t, /\s*;\s*/).map((a) => a.replace(/\s*\(\d+\)$/, ""));
  const parts = splitList(t, /\s*,\s*/);
  if (parts.length > 1 && parts.every((p) => /^[\p{L}'’ .-]+ (?:[\p{Lu}]\.?[- ]?){1,4}$/u.test(p))) return parts;
  return [t];
}

export async function* parseCsv(
  text: AsyncIterable<string>,
  format: Format,
  opts: { columns?: ColumnMapping; preset?: string; onColumns?: (c: CsvColumns) => void },
  lim: Limits,
): AsyncGenerator<ParseItem> {
  const file = lim.file;
  // Peek at the first chunk to choose the delimiter.
  const it = text[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const firstText = first.value;
  const presetDelim = opts.preset ? presetOf(opts.preset)?.delimiter : undefined;
  const delimiter = presetDelim ?? csvDelimiter(firstText.split(/\r?\n/, 1)[0], format);
  async function* all(): AsyncGenerator<string> {
    yield firstText;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const skipped: ParseItem[] = [];
  const parser = csvParse({
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: lim.maxRecordLength,
    info: true,
    raw: true,
    bom: true,
    on_skip: (err, raw) => {
      skipped.push({ kind: "problem", severity: "error", file, line: err?.lines as number | undefined, message: `line ${err?.lines ?? "?"}: row skipped: ${err?.message ?? "unreadable"}`, ...(raw ? { raw } : {}) });
      return undefined;
    },
  });
  Readable.from(all()).pipe(parser);
  let header: string[] | undefined;
  let cols: Map<MappableField, number> | undefined;
  let index = 0;
  let prevLines = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      while (skipped.length) yield skipped.shift()!;
      const startLine = prevLines + 1;
      prevLines = item.info.lines;
      if (!header) {
        header = item.record;
        try {
          cols = resolveColumns(header, opts.columns, opts.preset);
        } finally {
          // Reported even when the mapping is refused: the header is what a person needs to fix it.
          opts.onColumns?.({ delimiter, header: [...header], mapping: Object.fromEntries([...(cols ?? [])].map(([f, i]) => [f, header![i]])) });
        }
        if (!cols.has("title") && !cols.has("doi") && !cols.has("authors"))
          throw new InputError(`${file ?? "the file"}: no title, author or DOI column found in the header (${header.slice(0, 8).join(", ")}); give a column mapping`);
        continue;
      }
      const r = emptyRecord(format, index++, startLine);
      r.raw = item.raw.replace(/\r?\n$/, "");
      if (item.record.length > header.length)
        yield { kind: "problem", severity: "warning", file, line: startLine, record: r.index, message: `line ${startLine}: ${item.record.length} cells but ${header.length} columns; the extra cells are kept as unnamed fields` };
      for (let c = 0; c < item.record.length; c++) r.fields.push([header[c] ?? `column ${c + 1}`, item.record[c]]);
      buildCsv(r, item.record, cols!);
      if (!r.title && r.authors.length === 0 && !r.doi && !r.pmid)
        yield { kind: "problem", severity: "warning", file, line: startLine, record: r.index, message: `record ${r.index + 1} (line ${startLine}) has no title, authors, DOI or PMID` };
      yield r;
    }
  } catch (e) {
    if ((e as { kind?: string }).kind === "input") throw e;
    const err = e as { message?: string; lines?: number; code?: string };
    while (skipped.length) yield skipped.shift()!;
    yield { kind: "problem", severity: "error", file, line: err.lines, message: `line ${err.lines ?? "?"}: reading stopped: ${err.message ?? String(e)}` };
    return;
  }
  while (skipped.length) yield skipped.shift()!;
}

function buildCsv(r: ParsedRecord, row: string[], cols: Map<MappableField, number>): void {
  const get = (f: MappableField): string | undefined => {
    const i = cols.get(f);
    if (i === undefined) return undefined;
    // A leading apostrophe is the guard exporters put before = + - @ against spreadsheet formulas.
    const v = row[i]?.trim().replace(/^'(?=[=+\-@])/, "");
    return v ? v : undefined;
  };
  r.sourceId = get("id");
  r.sourceType = get("type");
  r.type = recordType(r.sourceType ?? "article");
  r.title = opt(get("title"), (v) => squash(htmlToText(v)));
  r.authors = splitAuthorCell(get("authors") ?? "");
  r.editors = splitAuthorCell(get("editors") ?? "");
  r.date = get("date");
  r.year = yearOf(get("year")) ?? yearOf(r.date);
  r.journal = opt(get("journal"), squash);
  r.journalAbbrev = opt(get("journalAbbrev"), squash);
  r.booktitle = opt(get("booktitle"), squash);
  r.volume = get("volume");
  r.issue = get("issue");
  r.pages = get("pages") ?? pageRange(get("startPage"), get("endPage"));
  r.doi = normaliseDoi(get("doi"));
  r.pmid = get("pmid");
  r.issn = get("issn");
  r.isbn = get("isbn");
  r.abstract = get("abstract");
  r.keywords = splitList(get("keywords") ?? "");
  r.urls = splitList(get("urls") ?? "", /\s*;\s*|\s+/);
  r.language = get("language");
  r.publisher = get("publisher");
  const a = get("annotations");
  if (a) r.annotations = readAnnotationBlock(a);
  for (const k of Object.keys(r) as (keyof ParsedRecord)[]) if (r[k] === undefined) delete r[k];
}

function opt<T>(v: string | undefined, f: (s: string) => T): T | undefined {
  return v === undefined ? undefined : f(v);
}
