export * from "./types.js";
export { parse, parseAll, openFile, validate, sniffFormat, type OpenedFile, type ValidationReport } from "./parse.js";
export { sniffEncoding } from "./decode.js";
export { CSV_PRESETS, splitAuthorCell } from "./formats/csv.js";
export { annotationLines, readAnnotationBlock } from "./annotations.js";
export { dedupe, comparePair, compareFields, type FieldComparison, type DedupeInput, type DedupeResult, type DedupeDecisions, type PairVerdict } from "./dedupe/index.js";
export { exportRecords, exportToString, EXPORT_FORMATS, type ExportFormat, type ExportRecord } from "./export.js";
export { toBibRecord, fromBibRecord, screeningAnnotations, type ImportedRecord } from "./model-map.js";
export { importRecordsFile, exportProjectRecords, dedupeProject, ImportRefused, type DedupeProjectResult, type RecordsStore, type ImportRequest, type ImportResult } from "./project-io.js";
