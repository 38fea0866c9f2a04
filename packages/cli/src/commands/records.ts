import { createReadStream, createWriteStream } from "node:fs";
import { access, rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { basename, resolve } from "node:path";
import { InputError, SearchKind } from "@homeward/model";
import { dedupeInWorker, dedupeProject, EXPORT_FORMATS, IMPORT_READ_PASSES, exportProjectRecords, ImportRefused, importRecordsFile, validate, type ExportFormat, type Format, type ParseOptions, type ValidationReport } from "@homeward/records";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, memberActor, withStore } from "../data.js";
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
  const records = program.command("records");
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
      const kind = SearchKind.safeParse(o.kind);
      if (!kind.success) throw new InputError(`unknown search kind "${o.kind}" (one of ${SearchKind.options.join(", ")})`);
      const path = await inputPath(io, o.file);
      const opts = { ...parseOpts(o), fileName: basename(o.file) };
      const { progressLine } = await import("../progress.js");
      const { stat } = await import("node:fs/promises");
      const line = progressLine(io);
      const size = Math.max(1, (await stat(path)).size);
      const passes = IMPORT_READ_PASSES;
      let pass = 0;
      const open = () => {
        const [a, b, words] = passes[Math.min(pass++, passes.length - 1)]!;
        let read = 0;
        const stream = createReadStream(path);
        stream.on("data", (chunk) => {
          read += chunk.length;
          line.report(a + ((b - a) * read) / size, words);
        });
        stream.on("end", () => b >= 0.95 && line.report(0.95, "saving the records in one transaction"));
        return stream;
      };
      try {
        const result = await withStore(o.data, io, async (store) =>
          importRecordsFile(store, {
            projectId: o.project,
            open,
            parse: opts,
            search: o.search ? { id: o.search } : { source: o.source!, kind: kind.data, date: o.date ?? null, query: o.query },
            skipInvalid: o.skipInvalid,
            actor: await memberActor(store, o.project, o.user, "reviewer"),
          }),
        );
        line.done();
        io.out(`${JSON.stringify(result)}\n`);
      } catch (e) {
        line.done();
        if (e instanceof ImportRefused) printProblems(io, e.report);
        throw e;
      }
    });

  common(records.command("dedupe").description("find duplicates among a project's records: link them in groups and queue uncertain pairs"))
    .requiredOption("--project <id>", "project id")
    .action(async (o: Common & { project: string }) => {
      const { progressLine } = await import("../progress.js");
      const line = progressLine(io);
      const phases: Record<string, [number, number, string]> = { reading: [0, 0.05, "reading records"], comparing: [0.05, 0.9, "comparing records"], grouping: [0.9, 0.95, "grouping duplicates"], saving: [0.95, 1, "saving groups"] };
      const result = await withStore(o.data, io, async (store) =>
        dedupeProject(store, o.project, await memberActor(store, o.project, o.user, "reviewer"), {
          // Compared in a worker thread, as the server does, so the progress line keeps moving.
          run: dedupeInWorker,
          onProgress: (p) => {
            const [a, b, words] = phases[p.phase] ?? [0, 1, p.phase];
            line.report(a + (b - a) * (p.total > 0 ? p.done / p.total : 0), p.total > 1 ? `${words} (${p.done.toLocaleString("en")} of ${p.total.toLocaleString("en")})` : words);
          },
        }),
      );
      line.done();
      io.out(`${JSON.stringify(result)}\n`);
    });

  common(records.command("export").description("export a project's records with screening decisions, reasons, labels and notes"))
    .requiredOption("--project <id>", "project id")
    .requiredOption("--format <format>", `one of ${EXPORT_FORMATS.join(", ")}`)
    .option("--out <file>", "write to this file instead of standard output")
    .action(async (o: Common & { project: string; format: string; out?: string }) => {
      if (!EXPORT_FORMATS.includes(o.format as ExportFormat)) throw new InputError(`unknown export format "${o.format}" (one of ${EXPORT_FORMATS.join(", ")})`);
      // Written as the records are read, a page at a time; a file appears whole or not at all.
      await withStore(o.data, io, async (store) => {
        await store.getProject(o.project);
        const chunks = exportProjectRecords(store, o.project, o.format as ExportFormat);
        if (!o.out) {
          for await (const c of chunks) io.out(c);
          return;
        }
        const path = resolve(io.cwd, o.out);
        const partial = `${path}.partial`;
        try {
          await pipeline(Readable.from(chunks), createWriteStream(partial));
          await rename(partial, path);
        } catch (err) {
          await rm(partial, { force: true });
          throw err;
        }
      });
    });
};
