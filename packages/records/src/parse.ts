import { InputError } from "@homeward/model";
import { decodeText, linesOf, type DecodeInfo } from "./decode.js";
import { parseBibtex } from "./formats/bibtex.js";
import { parseCsv } from "./formats/csv.js";
import { parseEndnoteXml } from "./formats/endnote-xml.js";
import { parseEppiJson } from "./formats/eppi-json.js";
import { medlineSyntax } from "./formats/medline.js";
import { risSyntax } from "./formats/ris.js";
import { parseTagged } from "./formats/tagged.js";
import { wosSyntax } from "./formats/wos.js";
import { FORMATS, type ByteSource, type CsvColumns, type Format, type ParseItem, type ParseOptions, type ParsedRecord, type Problem } from "./types.js";

export const DEFAULT_MAX_LINE = 1 << 20; // 1 Mi characters
export const DEFAULT_MAX_RECORD = 4 << 20; // 4 Mi characters
const MAX_JSON = 512 << 20;
/** Characters of skipped records' text a validation report holds in all (16 Mi). */
export const DEFAULT_MAX_RAW = 16 << 20;

const EXTENSIONS: Record<string, Format> = {
  ris: "ris",
  enw: "ris",
  nbib: "medline",
  medline: "medline",
  bib: "bibtex",
  bibtex: "bibtex",
  xml: "endnote-xml",
  csv: "csv",
  tsv: "tsv",
  tab: "tsv",
  json: "eppi-json",
};

/**
 * Guesses the format from the start of the text, falling back on the file
 * extension; the content wins because ".txt" is used for RIS, WoS and MEDLINE
 * alike and files are often renamed.
 */
export function sniffFormat(head: string, fileName?: string): Format {
  const text = head.replace(/^\uFEFF/, "");
  const lines = text.split(/\r\n|\n|\r/, 200);
  const first = lines.find((l) => l.trim() !== "") ?? "";
  if (/^\s*</.test(first)) return "endnote-xml";
  if (/^\s*[{[]/.test(first)) return "eppi-json";
  if (/^(FN|VR) /.test(first) || (/^PT [A-Z]$/.test(first) && lines.some((l) => /^(AU|TI|SO|UT) /.test(l)))) return "wos";
  if (lines.some((l) => /^PMID- ?\d/.test(l))) return "medline";
  if (lines.some((l) => /^TY {1,2}- ?\S/.test(l))) return "ris";
  if (lines.some((l) => /^\s*@\s*[A-Za-z]+\s*[{(]/.test(l))) return "bibtex";
  const ext = fileName ? /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() : undefined;
  const byExt = ext ? EXTENSIONS[ext] : undefined;
  if (byExt && byExt !== "endnote-xml" && byExt !== "eppi-json") return byExt;
  if (/\t/.test(first) && first.split("\t").length > first.split(",").length) return "tsv";
  return "csv";
}

/** The result of opening a file: what was detected, and the items to read. */
export interface OpenedFile {
  format: Format;
  encoding: string;
  items: AsyncGenerator<ParseItem>;
}

/**
 * Opens a file for reading: decodes the bytes, detects (or takes) the format
 * and returns a stream of records and problems, in file order. Nothing is
 * buffered beyond one record (EPPI-Reviewer JSON, a single document, excepted).
 */
export async function openFile(input: ByteSource, opts: ParseOptions = {}): Promise<OpenedFile> {
  if (opts.format && !FORMATS.includes(opts.format)) throw new InputError(`unknown format "${opts.format}" (known: ${FORMATS.join(", ")})`);
  const info: DecodeInfo = { warnings: [] };
  let text: AsyncGenerator<string>;
  try {
    text = decodeText(input, opts.encoding, info);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  // Read enough text to sniff, then replay it in front of the rest.
  const head: string[] = [];
  let headLen = 0;
  let ended = false;
  try {
    while (headLen < 16384) {
      const r = await text.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      headLen += r.value.length;
    }
  } catch (e) {
    if (/unknown encoding/.test((e as Error).message)) throw new InputError((e as Error).message);
    throw e;
  }
  const format = opts.format ?? sniffFormat(head.join(""), opts.fileName);
  async function* replay(): AsyncGenerator<string> {
    for (const h of head) yield h;
    if (!ended) yield* text;
  }
  const file = opts.fileName;
  const lim = { file, maxRecordLength: opts.maxRecordLength ?? DEFAULT_MAX_RECORD };
  const maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE;
  async function* items(): AsyncGenerator<ParseItem> {
    const body = (() => {
      switch (format) {
        case "ris":
          return parseTagged(linesOf(replay(), maxLine), risSyntax, lim);
        case "wos":
          return parseTagged(linesOf(replay(), maxLine), wosSyntax, lim);
        case "medline":
          return parseTagged(linesOf(replay(), maxLine), medlineSyntax, lim);
        case "bibtex":
          return parseBibtex(linesOf(replay(), maxLine), lim);
        case "endnote-xml":
          return parseEndnoteXml(replay(), lim);
        case "eppi-json":
          return parseEppiJson(replay(), { ...lim, maxFileLength: MAX_JSON });
        case "csv":
        case "tsv":
          return parseCsv(replay(), format, { columns: opts.columns, preset: opts.preset, onColumns: opts.onColumns }, lim);
      }
    })();
    let warned = 0;
    for await (const item of body) {
      while (warned < info.warnings.length) yield { kind: "problem", severity: "warning", file, message: info.warnings[warned++] } satisfies Problem;
      yield item;
    }
    while (warned < info.warnings.length) yield { kind: "problem", severity: "warning", file, message: info.warnings[warned++] } satisfies Problem;
  }
  return { format, encoding: info.encoding ?? "utf-8", items: items() };
}

/** Records and problems of a file, in order (see `openFile`). */
export async function* parse(input: ByteSource, opts: ParseOptions = {}): AsyncGenerator<ParseItem> {
  const f = await openFile(input, opts);
  yield* f.items;
}

/** Reads every record of a file into memory; throws an input error listing the first problems if any record was skipped and `strict`. */
export async function parseAll(input: ByteSource, opts: ParseOptions = {}): Promise<{ format: Format; encoding: string; records: ParsedRecord[]; problems: Problem[] }> {
  const f = await openFile(input, opts);
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  for await (const item of f.items) {
    if (item.kind === "record") records.push(item);
    else problems.push(item);
  }
  return { format: f.format, encoding: f.encoding, records, problems };
}

/** A record as shown before import: enough to recognise it, whatever its length. */
export interface RecordPreview {
  /** 1-based position of the record in the file. */
  record: number;
  /** 1-based line where it starts. */
  line: number;
  type: string;
  title?: string;
  /** The first few authors; `authorCount` says how many there are. */
  authors: string[];
  authorCount: number;
  year?: string;
  journal?: string;
  doi?: string;
  pmid?: string;
}

const PREVIEW_AUTHORS = 3;
const PREVIEW_TEXT = 300;

function previewOf(r: ParsedRecord): RecordPreview {
  const cut = (s: string | undefined) => (s !== undefined && s.length > PREVIEW_TEXT ? s.slice(0, PREVIEW_TEXT - 1) + "…" : s);
  const p: RecordPreview = { record: r.index + 1, line: r.line, type: r.sourceType ?? r.type, title: cut(r.title), authors: r.authors.slice(0, PREVIEW_AUTHORS).map((a) => cut(a)!), authorCount: r.authors.length, year: r.year, journal: cut(r.journal), doi: r.doi, pmid: r.pmid };
  for (const k of Object.keys(p) as (keyof RecordPreview)[]) if (p[k] === undefined) delete p[k];
  return p;
}

/** The validation report shown before an import is written. */
export interface ValidationReport {
  file?: string;
  format: Format;
  encoding: string;
  /** Records that will be imported. */
  records: number;
  /** Records that cannot be read and would be skipped. */
  skipped: number;
  errors: number;
  warnings: number;
  /** Problems in file order (the first `maxProblems`; counts above are complete). */
  problems: Problem[];
  /** Set when the whole file is unusable (nothing can be imported). */
  fatal?: string;
  /** The first records as they will be imported (`previewRecords` of them). */
  preview: RecordPreview[];
  /** CSV/TSV: the header and the column each field is read from, to check or change the mapping. */
  columns?: CsvColumns;
}

/**
 * Reads a file through without keeping its records and reports what an import
 * would take and skip, so the user can decide before anything is written.
 */
export async function validate(input: ByteSource, opts: ParseOptions & { maxProblems?: number; previewRecords?: number; maxRawChars?: number } = {}): Promise<ValidationReport> {
  const maxProblems = opts.maxProblems ?? 1000;
  // Skipped records' text is kept until this many characters in all, then dropped, so a file of broken records cannot fill memory.
  let rawBudget = opts.maxRawChars ?? DEFAULT_MAX_RAW;
  const previewRecords = opts.previewRecords ?? 10;
  let columns: CsvColumns | undefined;
  const seen: ParseOptions = {
    ...opts,
    onColumns: (c) => {
      columns = c;
      opts.onColumns?.(c);
    },
  };
  let f: OpenedFile;
  try {
    f = await openFile(input, seen);
  } catch (e) {
    if ((e as { kind?: string }).kind !== "input") throw e;
    return { file: opts.fileName, format: opts.format ?? "csv", encoding: "unknown", records: 0, skipped: 0, errors: 1, warnings: 0, problems: [{ kind: "problem", severity: "error", file: opts.fileName, message: (e as Error).message }], fatal: (e as Error).message, preview: [] };
  }
  const rep: ValidationReport = { file: opts.fileName, format: f.format, encoding: f.encoding, records: 0, skipped: 0, errors: 0, warnings: 0, problems: [], preview: [] };
  try {
    for await (const item of f.items) {
      if (item.kind === "record") {
        rep.records++;
        if (rep.preview.length < previewRecords) rep.preview.push(previewOf(item));
        continue;
      }
      if (item.severity === "error") {
        rep.errors++;
        if (item.record !== undefined) rep.skipped++;
      } else rep.warnings++;
      if (rep.problems.length >= maxProblems) continue;
      if (item.raw !== undefined) {
        if (item.raw.length <= rawBudget) rawBudget -= item.raw.length;
        else {
          const { raw: _dropped, ...rest } = item;
          rep.problems.push(rest);
          continue;
        }
      }
      rep.problems.push(item);
    }
  } catch (e) {
    if ((e as { kind?: string }).kind !== "input") throw e;
    rep.errors++;
    rep.fatal = (e as Error).message;
    rep.problems.push({ kind: "problem", severity: "error", file: opts.fileName, message: (e as Error).message });
  }
  if (rep.records === 0 && !rep.fatal) rep.fatal = rep.errors ? "no record could be read" : "the file holds no records";
  if (columns) rep.columns = columns;
  return rep;
}
