import { IMPORT_PROBLEMS_KEPT, InputError, type BibRecord, type ImportProblem, type DuplicateGroup, type DuplicatePair, type ImportBatch, type Reconciliation, type ScreeningDecision, type Search, type SearchKind } from "@homeward/model";
import { exportRecords, type ExportFormat } from "./export.js";
import { fromBibRecord, screeningAnnotations, toBibRecord } from "./model-map.js";
import { openFile, validate, type ValidationReport } from "./parse.js";
import type { ByteSource, ParseOptions } from "./types.js";

/**
 * What an import and an export need of the store. @homeward/store's Store has
 * these methods; the interface keeps this package free of any database code.
 */
export interface RecordsStore {
  transaction<T>(fn: (tx: RecordsStore) => Promise<T>): Promise<T>;
  get(projectId: string, c: "searches", id: string): Promise<Search>;
  insert(projectId: string, c: "searches", items: Partial<Search>[], ctx: { actor: string }): Promise<Search[]>;
  insert(projectId: string, c: "importBatches", items: Partial<ImportBatch>[], ctx: { actor: string }): Promise<ImportBatch[]>;
  insert(projectId: string, c: "records", items: Partial<BibRecord>[], ctx: { actor: string }): Promise<BibRecord[]>;
  insert(projectId: string, c: "duplicateGroups", items: Partial<DuplicateGroup>[], ctx: { actor: string }): Promise<DuplicateGroup[]>;
  insert(projectId: string, c: "duplicatePairs", items: Partial<DuplicatePair>[], ctx: { actor: string }): Promise<DuplicatePair[]>;
  update(projectId: string, c: "records", id: string, patch: Partial<BibRecord>, ctx: { actor: string }): Promise<BibRecord>;
  list(projectId: string, c: "records"): Promise<BibRecord[]>;
  list(projectId: string, c: "searches"): Promise<Search[]>;
  list(projectId: string, c: "importBatches"): Promise<ImportBatch[]>;
  list(projectId: string, c: "duplicateGroups"): Promise<DuplicateGroup[]>;
  list(projectId: string, c: "duplicatePairs"): Promise<DuplicatePair[]>;
  list(projectId: string, c: "screeningDecisions"): Promise<ScreeningDecision[]>;
  list(projectId: string, c: "reconciliations"): Promise<Reconciliation[]>;
  /** Whole records a page at a time in `list`'s order (created, then id), after the record `after`. */
  recordPage(projectId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<BibRecord[]>;
  /** The duplicate group (and search) of the records `ids`. */
  flowRecords(projectId: string, ids: readonly string[]): Promise<{ id: string; duplicateGroupId: string | null }[]>;
}

export interface ImportRequest {
  projectId: string;
  /** Opens the file; called twice (validation, then import), so a stream must be re-created. */
  open: () => ByteSource;
  parse: ParseOptions & { fileName: string };
  /** An existing search, or a new one to record. */
  search: { id: string } | { source: string; kind: SearchKind; date?: string | null; query?: string };
  /** Import the readable records when some cannot be read (they are recorded as skipped). */
  skipInvalid?: boolean;
  actor: string;
}

export interface ImportResult {
  search: string;
  importBatch: string;
  format: string;
  encoding: string;
  imported: number;
  skipped: number;
  warnings: number;
}

/**
 * Records written per insert, inside the import's one transaction. Each
 * insert costs a few statements besides its rows (the project, the ids, the
 * counts, the audit's summary entry), so fewer, larger ones cost less; 5,000
 * records (~50 MB as parsed values) stay well within memory.
 */
const CHUNK = 5000;

/** An import that was refused after validation: nothing was written. */
export class ImportRefused extends InputError {
  constructor(
    message: string,
    readonly report: ValidationReport,
  ) {
    super(message, 422);
  }
}

/**
 * `importRecordsFile` opens the file twice (checked whole, then read again as
 * records are written): the share of a caller's progress bar each opening
 * takes, [from, to, what it is doing], progress counted by bytes read; the
 * rest is the saving transaction.
 */
export const IMPORT_READ_PASSES: readonly (readonly [number, number, string])[] = [[0, 0.4, "checking the file"], [0.4, 0.95, "reading and writing records"]];

/**
 * Imports a records file: validates it completely first (refusing, with the
 * report, when records cannot be read and `skipInvalid` is not set), then in
 * one transaction records the search (or checks the given one), an import
 * batch with the counts and every skipped entry, and the records tied to both
 * — so PRISMA counts per source come from the data.
 */
export async function importRecordsFile(store: RecordsStore, req: ImportRequest): Promise<ImportResult> {
  const rep = await validate(req.open(), { ...req.parse, maxProblems: 10_000 });
  if (rep.fatal) throw new ImportRefused(`${req.parse.fileName}: ${rep.fatal}; nothing imported`, rep);
  if (rep.skipped > 0 && !req.skipInvalid)
    throw new ImportRefused(`${req.parse.fileName}: ${rep.skipped} record(s) cannot be read; nothing imported (import the ${rep.records} readable ones with skip-invalid)`, rep);
  const ctx = { actor: req.actor };
  return store.transaction(async (tx) => {
    const search =
      "id" in req.search
        ? await tx.get(req.projectId, "searches", req.search.id)
        : (await tx.insert(req.projectId, "searches", [{ source: req.search.source, kind: req.search.kind, date: req.search.date ?? null, query: req.search.query ?? "" }], ctx))[0];
    const skipped = rep.problems.filter((p) => p.severity === "error" && p.record !== undefined).map((p) => ({ index: p.record! + 1, reason: p.message, raw: p.raw ?? null }));
    const [batch] = await tx.insert(
      req.projectId,
      "importBatches",
      [
        {
          searchId: search.id,
          fileName: req.parse.fileName,
          format: rep.format,
          counts: { read: rep.records + rep.skipped, imported: rep.records, skipped: rep.skipped, errors: rep.errors, warnings: rep.warnings },
          skipped,
          problems: batchProblems(rep),
        },
      ],
      ctx,
    );
    const f = await openFile(req.open(), req.parse);
    let chunk: Partial<BibRecord>[] = [];
    let imported = 0;
    // One insert at a time, but the file is read and parsed on while the last one is written, so this
    // process's work overlaps the database's (a PostgreSQL server is a process of its own).
    let writing: Promise<void> = Promise.resolve();
    let failed: { error: unknown } | null = null;
    const flush = async () => {
      await writing;
      if (failed) throw failed.error;
      if (!chunk.length) return;
      const items = chunk;
      chunk = [];
      writing = tx.insert(req.projectId, "records", items, ctx).then(
        () => void (imported += items.length),
        (error: unknown) => void (failed = { error }),
      );
    };
    for await (const item of f.items) {
      if (failed) break;
      if (item.kind !== "record") continue;
      chunk.push({ ...toBibRecord(item), searchId: search.id, importBatchId: batch.id });
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    await writing;
    if (failed) throw (failed as { error: unknown }).error;
    // The file is read twice; if it changed in between, the transaction is rolled back.
    if (imported !== rep.records) throw new InputError(`${req.parse.fileName} changed while importing (${imported} records now, ${rep.records} when validated)`, 409);
    return { search: search.id, importBatch: batch.id, format: rep.format, encoding: rep.encoding, imported, skipped: rep.skipped, warnings: rep.warnings };
  });
}

/** A search with what the team stated it found and what was imported from it. */
export interface SearchSummary extends Search {
  /** Records imported from the search's files (every batch's `counts.imported`). */
  imported: number;
  /** Records its files held that could not be read. */
  skipped: number;
  batches: number;
}

/** An import batch without its problem list and skipped records (`counts` says how many there are). */
export type ImportBatchSummary = Omit<ImportBatch, "problems" | "skipped">;

export interface ImportsOverview {
  searches: SearchSummary[];
  /** Newest first. */
  batches: ImportBatchSummary[];
}

/**
 * The project's searches with their imported counts, and its import history.
 * Counts come from the batches (records are never deleted, so a batch's
 * imported count stays true) rather than from a scan of the records.
 */
export async function importsOverview(store: RecordsStore, projectId: string): Promise<ImportsOverview> {
  const [searches, batches] = await Promise.all([store.list(projectId, "searches"), store.list(projectId, "importBatches")]);
  const by = new Map<string, { imported: number; skipped: number; batches: number }>();
  for (const b of batches) {
    if (b.searchId === null) continue;
    const t = by.get(b.searchId) ?? { imported: 0, skipped: 0, batches: 0 };
    t.imported += b.counts.imported;
    t.skipped += b.counts.skipped;
    t.batches++;
    by.set(b.searchId, t);
  }
  return {
    searches: searches.map((s) => ({ ...s, ...(by.get(s.id) ?? { imported: 0, skipped: 0, batches: 0 }) })),
    batches: batches
      .map(({ problems: _p, skipped: _s, ...rest }) => rest)
      .sort((a, b) => b.importedAt.localeCompare(a.importedAt) || b.id.localeCompare(a.id)),
  };
}

/**
 * The problems of a report as an import batch keeps them: in file order, the
 * first IMPORT_PROBLEMS_KEPT, without the raw text (skipped records keep theirs
 * in `skipped`), so a batch stays small whatever the file.
 */
export function batchProblems(rep: Pick<ValidationReport, "problems">): ImportProblem[] {
  return rep.problems.slice(0, IMPORT_PROBLEMS_KEPT).map((p) => ({ severity: p.severity, line: p.line ?? null, record: p.record === undefined ? null : p.record + 1, message: p.message }));
}

/** Records read per page by an export. */
const EXPORT_PAGE = 1_000;

/**
 * A project's records in an export format, each with the screening decisions,
 * reasons, labels and notes of its duplicate group (decisions on any record of
 * a group apply to the group). Records are read a page at a time and written
 * as they are read, so an export of a million records holds one page of them
 * (and the project's decisions and reconciliations, which grow with the
 * screening done, not with the records imported). Pages are read one after
 * another, not in one snapshot: a record imported while an export runs is in
 * it if its page had not been read yet.
 */
export async function* exportProjectRecords(store: RecordsStore, projectId: string, format: ExportFormat): AsyncGenerator<string> {
  const [decisions, reconciliations] = await Promise.all([store.list(projectId, "screeningDecisions"), store.list(projectId, "reconciliations")]);
  // The group of each record something was decided on; every other record is read with its own group.
  const decided = [...new Set([...decisions, ...reconciliations].map((x) => x.recordId))];
  const groupOf = new Map((await store.flowRecords(projectId, decided)).map((r) => [r.id, r.duplicateGroupId ?? r.id]));
  const byGroup = <T extends { recordId: string }>(xs: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const x of xs) {
      const g = groupOf.get(x.recordId) ?? x.recordId;
      const list = m.get(g);
      if (list) list.push(x);
      else m.set(g, [x]);
    }
    return m;
  };
  const dec = byGroup(decisions);
  const rec = byGroup(reconciliations);
  async function* annotated() {
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      const page = await store.recordPage(projectId, after, EXPORT_PAGE);
      for (const r of page) {
        const g = r.duplicateGroupId ?? r.id;
        const a = screeningAnnotations(dec.get(g) ?? [], rec.get(g) ?? []);
        yield fromBibRecord(r, a.decisions.length || a.labels.length || a.notes.length ? a : undefined);
      }
      if (page.length < EXPORT_PAGE) return;
      const last = page[page.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
  yield* exportRecords(annotated(), format);
}
