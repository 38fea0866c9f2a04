import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { checkChain, describeBreak, InputError, parseProjectFile } from "@homeward/model";
import { readProjectSource } from "@homeward/store";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, withStore } from "../data.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export const register: Register = (program, io) => {
  const audit = program.command("audit");
  audit
    .command("verify")
    .description("check a project's audit chain (in the data store, or in a project file); exit 2 with the entry where it breaks")
    .option("--project <id>", "project id in the data store")
    .option("--file <path>", "project file or bundle directory")
    .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
    .action(async (o: { project?: string; file?: string; data: string }) => {
      if ((o.project === undefined) === (o.file === undefined)) throw new InputError("give one of --project <id> or --file <path>");
      if (o.file !== undefined) {
        const file = parseProjectFile(readProjectSource(resolve(io.cwd, o.file)));
        const r = checkChain(sha256, file.audit, { legacyPrefix: true });
        if (r.break) throw new InputError(describeBreak(r.break));
        const legacy = r.legacy ? ` (${r.legacy} written before the chain, hashed here)` : "";
        io.out(`audit chain of ${file.audit.length} entries verified${legacy}\n`);
        return;
      }
      const r = await withStore(o.data, io, (s) => s.verifyAudit(o.project!));
      if (r.break) throw new InputError(describeBreak(r.break));
      io.out(`audit chain of ${r.entries} entries verified\n`);
    });
};
