import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { InputError } from "@homeward/model";
import { dedupe, parseAll, type Format } from "@homeward/records";
import type { Io } from "../io.js";

/**
 * `homeward dedupe --input FILE`: reads any import format and prints
 * {"groups": [[primary, duplicate, ...], ...], "maybe": [[id, id], ...]}.
 * Every record is in exactly one group; ids are the file's own (CSV ID column,
 * RIS ID, BibTeX key, ...) or, when they are missing or repeated outside a
 * CSV/TSV file, the records' 1-based positions.
 */
export function register(program: Command, io: Io): void {
  program
    .command("dedupe")
    .requiredOption("--input <file>", "records file (RIS, WoS, MEDLINE, BibTeX, EndNote XML, CSV/TSV, EPPI JSON)")
    .option("--format <format>", "file format, when sniffing gets it wrong")
    .option("--preset <name>", "CSV column preset (covidence, rayyan, scopus, wos, bibdedupe)")
    .action(async (opts: { input: string; format?: string; preset?: string }) => {
      const path = resolve(io.cwd, opts.input);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new InputError(`cannot read ${opts.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const { records, problems } = await parseAll(bytes, { fileName: opts.input, format: opts.format as Format | undefined, preset: opts.preset });
      const errors = problems.filter((p) => p.severity === "error");
      if (records.length === 0) throw new InputError(`${opts.input}: no records could be read${errors[0] ? ` (${errors[0].message})` : ""}`);
      for (const p of errors) io.err(`homeward: ${opts.input}: ${p.message}\n`);
      // Ids: the file's own. A CSV's ID column must be unique; in other formats an id field
      // (RIS ID, BibTeX key) is often reused, and then records are numbered by position.
      const ids = records.map((r) => r.sourceId);
      const unique = ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
      const tabular = records[0].format === "csv" || records[0].format === "tsv";
      if (!unique && tabular) {
        const seen = new Set<string>();
        for (const r of records) {
          if (r.sourceId === undefined) throw new InputError(`${opts.input}: line ${r.line} has no ID`);
          if (seen.has(r.sourceId)) throw new InputError(`${opts.input}: record id "${r.sourceId}" is used twice (line ${r.line})`);
          seen.add(r.sourceId);
        }
      }
      if (!unique && !tabular && ids.some((id) => id !== undefined)) io.err(`homeward: ${opts.input}: record ids are missing or repeated; records are numbered by position instead\n`);
      const input = records.map((r) => ({ ...r, id: unique ? r.sourceId! : String(r.index + 1) }));
      const result = dedupe(input);
      io.out(`${JSON.stringify({ groups: result.groups, maybe: result.maybe })}\n`);
    });
}
