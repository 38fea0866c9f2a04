import { z } from "zod";
import { SearchKind, type ImportBatch } from "@homeward/model";
import type { CsvPreset, ExportFormat, Format, ImportResult, ImportsOverview, MappableField, ValidationReport } from "@homeward/records";
import { IdParams } from "./core.js";
import { checkedBody, route, type FileAnswer } from "./route.js";

/**
 * A list of every member of the union `U`: the records package's format lists
 * are values of a package the web must not bundle, so the contract spells them
 * out and the compiler refuses a list that misses one.
 */
const allOf =
  <U extends string>() =>
  <const L extends readonly [U, ...U[]]>(list: L & ([U] extends [L[number]] ? unknown : { missing: Exclude<U, L[number]> })): L =>
    list;

export const IMPORT_FORMATS = allOf<Format>()(["ris", "wos", "medline", "endnote-xml", "bibtex", "csv", "tsv", "eppi-json"]);
export const RECORD_EXPORT_FORMATS = allOf<ExportFormat>()(["ris", "csv", "bibtex", "endnote-xml"]);
export const CSV_PRESET_NAMES = allOf<CsvPreset>()(["covidence", "rayyan", "scopus", "wos", "bibdedupe"]);
export const MAPPABLE_FIELDS = allOf<MappableField>()([
  "id", "type", "title", "authors", "editors", "year", "date", "journal", "journalAbbrev", "booktitle", "volume", "issue", "pages",
  "startPage", "endPage", "doi", "pmid", "issn", "isbn", "abstract", "keywords", "urls", "language", "publisher", "annotations",
]);

/** A CSV column mapping, field → column name ("" leaves the field unread), sent as JSON text in the query. */
export const ColumnMappingQuery = z
  .string()
  .transform((s, c) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      c.addIssue({ code: "custom", message: "columns must be a JSON object of field to column name" });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(MAPPABLE_FIELDS), z.string()));

/** How to read a records file: its name (the format is detected from it and the content unless given), and for CSV a preset and column mapping. */
export const FileQuery = z.object({
  fileName: z.string().min(1),
  format: z.enum(IMPORT_FORMATS).optional(),
  preset: z.string().min(1).optional(),
  columns: ColumnMappingQuery.optional(),
  encoding: z.string().min(1).optional(),
});

/** The largest records file the server reads (it is spooled to disk, never held whole in memory). */
export const MAX_RECORDS_FILE_BYTES = 1024 * 1024 * 1024;

export const BatchParams = z.object({ id: z.string().min(1), batchId: z.string().min(1) });

/** A file to import into an existing search (`search`) or a new one (`source`, `kind`, `date`, `query`). */
export const RecordsImportQuery = FileQuery.extend({
  search: z.string().min(1).optional(),
  source: z.string().trim().min(1).optional(),
  kind: SearchKind.default("database"),
  date: z.iso.date().optional(),
  query: z.string().default(""),
  skipInvalid: z.enum(["true", "false"]).optional(),
}).refine((q) => !q.search !== !q.source, { message: "give either search (an existing search id) or source (a new search)" });

export const RecordsExportQuery = z.object({ format: z.enum(RECORD_EXPORT_FORMATS) });

/**
 * The records file as sent, read as bytes whatever its content type (the
 * records package detects encoding and format), so a JSON report is a file
 * here rather than an API body.
 */
export const RecordsFile = checkedBody<Blob | ArrayBuffer | Uint8Array | string>();

/** Record imports (validate, then import) and records export. */
export const recordsRoutes = {
  validateImport: route<ValidationReport>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/imports/validate",
    params: IdParams,
    query: FileQuery,
    body: RecordsFile,
    bodyName: "records file",
    summary: "the validation report of a records file; nothing is written",
  }),
  importsOverview: route<ImportsOverview>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/imports",
    params: IdParams,
    summary: "each search with its stated and imported counts, and the import history (newest first)",
  }),
  getImportBatch: route<ImportBatch>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/imports/:batchId",
    params: BatchParams,
    summary: "one import batch with its kept problems (lines and messages) and skipped records",
  }),
  importRecords: route<ImportResult>()({
    method: "POST", access: "reviewer",
    path: "/api/projects/:id/imports",
    params: IdParams,
    query: RecordsImportQuery,
    body: RecordsFile,
    bodyName: "records file",
    status: 201,
    summary: "import a records file in one transaction (422 with the report when refused)",
  }),
  exportRecords: route<FileAnswer>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/records-export",
    params: IdParams,
    query: RecordsExportQuery,
    summary: "the project's records with their decisions as a file (RIS, CSV, BibTeX, EndNote XML)",
  }),
} as const;
