/** File formats the importer reads. */
export type Format = "ris" | "wos" | "medline" | "endnote-xml" | "bibtex" | "csv" | "tsv" | "eppi-json";

export const FORMATS: readonly Format[] = ["ris", "wos", "medline", "endnote-xml", "bibtex", "csv", "tsv", "eppi-json"];

/** The kinds of work a record can describe, normalised across formats. */
export type RecordType =
  | "article"
  | "review"
  | "book"
  | "chapter"
  | "conference"
  | "conference-abstract"
  | "thesis"
  | "report"
  | "preprint"
  | "dataset"
  | "web"
  | "erratum"
  | "comment"
  | "other";

/** A screening decision attached to a record on export (and read back on import). */
export interface Decision {
  /** Screening stage, e.g. "title-abstract" or "full-text". */
  stage: string;
  /** e.g. "include", "exclude", "maybe". */
  decision: string;
  /** Exclusion (or inclusion) reasons given with the decision. */
  reasons: string[];
}

/** What a project has said about a record: carried by exports so a re-import loses nothing. */
export interface Annotations {
  decisions: Decision[];
  labels: string[];
  notes: string[];
}

/**
 * A bibliographic record read from a file. Normalised fields are filled where the
 * format has them; `fields` keeps every tag/column exactly as written (repeated
 * and unknown ones included) and `raw` the record's original text, so nothing in
 * the source is lost.
 */
export interface ParsedRecord {
  kind: "record";
  /** 0-based position of the record in the file. */
  index: number;
  /** 1-based line of the decoded text where the record starts. */
  line: number;
  format: Format;
  /** The identifier the source gave the record (CSV ID column, RIS ID, BibTeX key, EndNote rec-number, ...). */
  sourceId?: string;
  type: RecordType;
  /** The type as written in the source (RIS TY, BibTeX entry type, MEDLINE PT, ...). */
  sourceType?: string;
  title?: string;
  /**
   * The title in another language when the source gives both: MEDLINE's TT (the original-language
   * title of an article whose TI is its English translation) or RIS's TT (a translated title).
   * Duplicate detection matches either title.
   */
  originalTitle?: string;
  /** Authors in the form the source wrote them, one per entry ("Shannon, Claude E."). */
  authors: string[];
  /** Editors (book chapters, proceedings). */
  editors: string[];
  year?: string;
  /** Fuller publication date when the source gives one. */
  date?: string;
  /** Journal (or series) full name. */
  journal?: string;
  /** Journal abbreviation. */
  journalAbbrev?: string;
  /** Book or proceedings title a chapter or paper appears in. */
  booktitle?: string;
  volume?: string;
  issue?: string;
  /** Page range as written, e.g. "123-9" or "e0815". */
  pages?: string;
  doi?: string;
  pmid?: string;
  issn?: string;
  isbn?: string;
  abstract?: string;
  keywords: string[];
  urls: string[];
  language?: string;
  publisher?: string;
  /** Every field as it appeared, in order: [tag or column, value]. */
  fields: [string, string][];
  /** The record's original text. */
  raw: string;
  /** Decisions, labels and notes found in a file exported by Homeward. */
  annotations?: Annotations;
}

/** Something the importer could not read, or read only in part. */
export interface Problem {
  kind: "problem";
  /** "error": the record (or file) was skipped; "warning": read, but with a caveat. */
  severity: "error" | "warning";
  file?: string;
  /** 1-based line of the decoded text. */
  line?: number;
  /** 0-based record index the problem concerns, when it concerns one. */
  record?: number;
  message: string;
  /** The original text of a skipped record (as far as it was read; absent when it was too long to hold). */
  raw?: string;
}

export type ParseItem = ParsedRecord | Problem;

/** Bytes to parse: a whole buffer, or chunks as they arrive (a Node stream is an AsyncIterable). */
export type ByteSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Maps a record field to the CSV column that holds it. */
export type ColumnMapping = Partial<Record<MappableField, string>>;

export type MappableField =
  | "id"
  | "type"
  | "title"
  | "authors"
  | "editors"
  | "year"
  | "date"
  | "journal"
  | "journalAbbrev"
  | "booktitle"
  | "volume"
  | "issue"
  | "pages"
  | "startPage"
  | "endPage"
  | "doi"
  | "pmid"
  | "issn"
  | "isbn"
  | "abstract"
  | "keywords"
  | "urls"
  | "language"
  | "publisher"
  | "annotations";

/** How a CSV/TSV file's columns were read: its delimiter, its header, and the column each field is taken from. */
export interface CsvColumns {
  delimiter: string;
  header: string[];
  mapping: ColumnMapping;
}

export interface ParseOptions {
  /** Skip sniffing and read as this format. */
  format?: Format;
  /** Used for sniffing (extension) and in problems. */
  fileName?: string;
  /** Force a text encoding (any iconv-lite name) instead of detecting it. */
  encoding?: string;
  /** CSV/TSV: column mapping; merged over the preset's (or the auto-detected) one. */
  columns?: ColumnMapping;
  /** CSV/TSV: a named preset ("covidence", "rayyan", "scopus", "wos", "bibdedupe"). */
  preset?: string;
  /** CSV/TSV: told how the header was read, once, before the first record (also when the mapping is refused). */
  onColumns?: (columns: CsvColumns) => void;
  /** Longest line (in characters) accepted before the record is reported and skipped. */
  maxLineLength?: number;
  /** Largest record (in characters) accepted. */
  maxRecordLength?: number;
}

export function emptyRecord(format: Format, index: number, line: number): ParsedRecord {
  return { kind: "record", index, line, format, type: "other", authors: [], editors: [], keywords: [], urls: [], fields: [], raw: "" };
}
