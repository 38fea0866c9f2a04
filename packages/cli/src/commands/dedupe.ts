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
 * RIS ID, BibTeX key, ...) or, when a record has none, its 1-based position.
 */
export function register(program: Command, io: Io): void {
  program
    .command("dedupe")
    .description("find duplicate records in an import file and print the groups as JSON")
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
      const seen = new Set<string>();
      const input = records.map((r) => {
        const id = r.sourceId ?? String(r.index + 1);
        if (seen.has(id)) throw new InputError(`${opts.input}: record id "${id}" is used twice (line ${r.line})`);
        seen.add(id);
        return { ...r, id };
      });
      const result = dedupe(input);
      io.out(`${JSON.stringify({ groups: result.groups, maybe: result.maybe })}\n`);
    });
}
