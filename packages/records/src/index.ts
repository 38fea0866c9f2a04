export * from "./types.js";
export { parse, parseAll, openFile, validate, sniffFormat, type OpenedFile, type RecordPreview, type ValidationReport } from "./parse.js";
export { sniffEncoding } from "./decode.js";
export { CSV_PRESETS, columnKey, splitAuthorCell, type CsvPreset } from "./formats/csv.js";
export { annotationLines, readAnnotationBlock } from "./annotations.js";
export { dedupe, Detector, type DetectorResultOptions, comparePair, compareFields, mostComplete, type FieldComparison, type DedupeInput, type DedupeResult, type DedupeDecisions, type DedupeOptions, type DedupeProgress, type PairVerdict, type DedupeLink } from "./dedupe/index.js";
export { exportRecords, exportToString, EXPORT_FORMATS, type ExportFormat, type ExportRecord } from "./export.js";
export { toBibRecord, fromBibRecord, screeningAnnotations, type ImportedRecord } from "./model-map.js";
export { IMPORT_READ_PASSES, importRecordsFile, importsOverview, exportProjectRecords, batchProblems, ImportRefused, type ImportsOverview, type SearchSummary, type ImportBatchSummary, type RecordsStore, type ImportRequest, type ImportResult } from "./project-io.js";
export {
  dedupeProject,
  explainGroup,
  decideDuplicatePair,
  splitDuplicateGroup,
  listDuplicateGroups,
  listDuplicatePairs,
  duplicatesSummary,
  duplicatePairView,
  type DedupeProjectResult,
  type DedupeProjectProgress,
  type DedupeProjectOptions,
  type DedupeRunner,
  type DuplicatesStore,
  type DuplicatesWriter,
  type PairDecision,
  type PairDecisionResult,
  type SplitResult,
  type GroupMember,
  type DuplicateGroupView,
  type DuplicatePairSummary,
  type DuplicatePairView,
  type DuplicatesSummary,
} from "./dedupe/project.js";
export { dedupeInWorker } from "./dedupe/background.js";
