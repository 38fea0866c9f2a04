import { createReadStream } from "node:fs";
import { access, writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { InputError, type Reconciliation, type ScreeningDecision } from "@homeward/model";
import {
  EXPORT_FORMATS,
  exportRecords,
  fromBibRecord,
  openFile,
  screeningAnnotations,
  toBibRecord,
  validate,
  type ExportFormat,
  type Format,
  type ParseOptions,
  type ValidationReport,
} from "@homeward/records";
import type { Register } from "./index.js";
import { actorOf, DEFAULT_DATA_DIR, withStore } from "../data.js";
import type { Io } from "../io.js";

interface Common {
  data: string;
  user?: string;
}
interface FileOpts {
  file: string;
  format?: string;
  preset?: string;
  encoding?: string;
}

/** Records inserted per statement during an import (all inside the import's one transaction). */
const CHUNK = 500;

async function inputPath(io: Io, file: string): Promise<string> {
  const path = resolve(io.cwd, file);
  try {
    await access(path);
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return path;
}

function parseOpts(o: FileOpts): ParseOptions {
  return { fileName: basename(o.file), format: o.format as Format | undefined, preset: o.preset, encoding: o.encoding };
}

function printProblems(io: Io, rep: ValidationReport): void {
  for (const p of rep.problems) io.err(`${rep.file ?? "file"}${p.line ? `:${p.line}` : ""}: ${p.severity}: ${p.message}\n`);
  const more = rep.errors + rep.warnings - rep.problems.length;
  if (more > 0) io.err(`... and ${more} more\n`);
}

export const register: Register = (program, io) => {
  const records = program.command("records").description("validate, import and export bibliographic records");
  const fileOptions = (cmd: ReturnType<typeof records.command>) =>
    cmd
      .requiredOption("--file <file>", "records file (RIS, WoS, MEDLINE/nbib, BibTeX, EndNote XML, CSV/TSV, EPPI JSON)")
      .option("--format <format>", "file format, when sniffing gets it wrong")
      .option("--preset <name>", "CSV column preset: covidence, rayyan, scopus, wos, bibdedupe")
      .option("--encoding <name>", "text encoding, when detection gets it wrong");
  const common = (cmd: ReturnType<typeof records.command>) =>
    cmd
      .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
      .option("--user <name>", "acting user recorded in the audit log (default $HOMEWARD_USER or \"local\")");

  fileOptions(records.command("validate").description("report what an import of a file would read and skip, without importing"))
    .action(async (o: FileOpts) => {
      const path = await inputPath(io, o.file);
      const rep = await validate(createReadStream(path), parseOpts(o));
      io.out(`${JSON.stringify(rep, null, 2)}\n`);
    });

  common(fileOptions(records.command("import").description("import a records file into a project, as one transaction tied to a search")))
    .requiredOption("--project <id>", "project id")
    .option("--search <id>", "an existing search the file came from")
    .option("--source <name>", "or: record a new search run on this source (database, register, ...)")
    .option("--kind <kind>", "kind of the new search: database, website, organisation, citation, register, other", "database")
    .option("--date <yyyy-mm-dd>", "date the new search was run")
    .option("--query <text>", "the new search's query", "")
    .option("--skip-invalid", "import the readable records and record the unreadable ones as skipped")
    .action(async (o: Common & FileOpts & { project: string; search?: string; source?: string; kind: string; date?: string; query: string; skipInvalid?: boolean }) => {
      if (!o.search === !o.source) throw new InputError("give either --search (an existing search) or --source (a new search)");
      const path = await inputPath(io, o.file);
      const opts = parseOpts(o);
      // Validation reads the whole file before anything is written.
      const rep = await validate(createReadStream(path), { ...opts, maxProblems: 10_000 });
      if (rep.fatal) {
        printProblems(io, rep);
        throw new InputError(`${o.file}: ${rep.fatal}; nothing imported`);
      }
      if (rep.skipped > 0 && !o.skipInvalid) {
        printProblems(io, rep);
        throw new InputError(`${o.file}: ${rep.skipped} record(s) cannot be read; nothing imported (--skip-invalid imports the ${rep.records} readable ones)`);
      }
      const ctx = { actor: actorOf(o.user) };
      const result = await withStore(o.data, io, (store) =>
        store.transaction(async (tx) => {
          const search = o.search
            ? await tx.get(o.project, "searches", o.search)
            : (await tx.insert(o.project, "searches", [{ source: o.source!, kind: o.kind as never, date: o.date ?? null, query: o.query }], ctx))[0];
          const skipped = rep.problems.filter((p) => p.severity === "error" && p.record !== undefined).map((p) => ({ index: p.record! + 1, reason: p.message, raw: p.raw ?? null }));
          const [batch] = await tx.insert(
            o.project,
            "importBatches",
            [{ searchId: search.id, fileName: opts.fileName!, format: rep.format, counts: { read: rep.records + rep.skipped, imported: rep.records, skipped: rep.skipped }, skipped }],
            ctx,
          );
          const f = await openFile(createReadStream(path), opts);
          let chunk: ReturnType<typeof toBibRecord>[] = [];
          let imported = 0;
          const flush = async () => {
            if (!chunk.length) return;
            await tx.insert(o.project, "records", chunk.map((r) => ({ ...r, searchId: search.id, importBatchId: batch.id })) as never, ctx);
            imported += chunk.length;
            chunk = [];
          };
          for await (const item of f.items) {
            if (item.kind !== "record") continue;
            chunk.push(toBibRecord(item));
            if (chunk.length >= CHUNK) await flush();
          }
          await flush();
          if (imported !== rep.records) throw new Error(`the file changed while importing (${imported} records now, ${rep.records} when validated)`);
          return { search: search.id, importBatch: batch.id, format: rep.format, encoding: rep.encoding, imported, skipped: rep.skipped, warnings: rep.warnings };
        }),
      );
      io.out(`${JSON.stringify(result)}\n`);
    });

  common(records.command("export").description("export a project's records with screening decisions, reasons, labels and notes"))
    .requiredOption("--project <id>", "project id")
    .requiredOption("--format <format>", `one of ${EXPORT_FORMATS.join(", ")}`)
    .option("--out <file>", "write to this file instead of standard output")
    .action(async (o: Common & { project: string; format: string; out?: string }) => {
      if (!EXPORT_FORMATS.includes(o.format as ExportFormat)) throw new InputError(`unknown export format "${o.format}" (one of ${EXPORT_FORMATS.join(", ")})`);
      const text = await withStore(o.data, io, async (store) => {
        const [recs, decisions, reconciliations] = await Promise.all([
          store.list(o.project, "records"),
          store.list(o.project, "screeningDecisions"),
          store.list(o.project, "reconciliations"),
        ]);
        // Decisions on any record of a duplicate group apply to the whole group.
        const groupOf = new Map(recs.map((r) => [r.id, r.duplicateGroupId ?? r.id]));
        const byGroup = <T extends { recordId: string }>(xs: readonly T[]) => {
          const m = new Map<string, T[]>();
          for (const x of xs) {
            const g = groupOf.get(x.recordId) ?? x.recordId;
            m.set(g, [...(m.get(g) ?? []), x]);
          }
          return m;
        };
        const dec = byGroup<ScreeningDecision>(decisions);
        const rec = byGroup<Reconciliation>(reconciliations);
        const out = recs.map((r) => {
          const g = groupOf.get(r.id)!;
          const a = screeningAnnotations(dec.get(g) ?? [], rec.get(g) ?? []);
          return fromBibRecord(r, a.decisions.length || a.labels.length || a.notes.length ? a : undefined);
        });
        let s = "";
        for await (const c of exportRecords(out, o.format as ExportFormat)) s += c;
        return s;
      });
      if (o.out) await writeFile(resolve(io.cwd, o.out), text);
      else io.out(text);
    });
};
