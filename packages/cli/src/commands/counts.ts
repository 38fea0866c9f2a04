import { InputError, PrismaField, prismaField } from "@homeward/model";
import type { Register } from "./index.js";
import { DEFAULT_DATA_DIR, memberActor, withStore } from "../data.js";

interface Common {
  data: string;
  user?: string;
  project: string;
}

interface SetOptions extends Common {
  field: string;
  value: string;
  source?: string;
  note?: string;
  reason?: string;
  byReason: string[];
}

function count(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InputError(`${what} must be a whole number ≥ 0, not "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InputError(`${what} is too large`);
  return n;
}

/**
 * `homeward counts set|list`: PRISMA 2020 counts the team recorded for work
 * done outside Homeward (e.g. screening in another tool), which the flow
 * diagram uses where it has no live data. A count is kept per field and
 * source; `set` replaces the value for that pair, audited with the reason.
 */
export const register: Register = (program, io) => {
  const counts = program.command("counts").description("record and list PRISMA 2020 counts entered by the team");
  const common = (cmd: ReturnType<typeof counts.command>) =>
    cmd
      .requiredOption("--project <id>", "project id")
      .option("--data <dir>", "data folder (SQLite); ignored when DATABASE_URL is set", DEFAULT_DATA_DIR)
      .option("--user <name>", "acting user recorded in the audit log (default $HOMEWARD_USER or \"local\")");

  common(counts.command("set").description("set a recorded PRISMA count (per field and source); replaces an earlier value"))
    .requiredOption("--field <name>", `PRISMA 2020 field: ${PrismaField.options.join(", ")}`)
    .requiredOption("--value <n>", "the count")
    .option("--source <name>", "source the count is for (a search id or label); default none")
    .option("--note <text>", "note kept with the count")
    .option("--by-reason <code=n>", "excluded counts: the number excluded for one reason (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--reason <text>", "why the count is set, recorded in the audit log")
    .action(async (o: SetOptions) => {
      const field = prismaField(o.field);
      const value = count(o.value, "--value");
      let reasons: Record<string, number> | null = null;
      if (o.byReason.length > 0) {
        reasons = {};
        for (const pair of o.byReason) {
          const m = /^([^=]+)=(.*)$/.exec(pair);
          if (!m) throw new InputError(`--by-reason takes CODE=N, not "${pair}"`);
          const code = m[1]!.trim();
          if (Object.hasOwn(reasons, code)) throw new InputError(`--by-reason gives "${code}" twice`);
          reasons[code] = count(m[2]!, `--by-reason ${code}`);
        }
      }
      const source = o.source ?? null;
      // The store holds the count to the model's rules (known reason codes, a consistent
      // breakdown, one count per field and source); `set` changes the count already there.
      const saved = await withStore(o.data, io, async (store) => {
        const ctx = { actor: await memberActor(store, o.project, o.user, "reviewer"), reason: o.reason ?? null };
        return store.transaction(async (tx) => {
          const [existing] = await tx.list(o.project, "recordedCounts", { field, source });
          const fields = { value, reasons, note: o.note ?? existing?.note ?? null };
          if (existing) {
            return tx.update(o.project, "recordedCounts", existing.id, { ...fields, recordedBy: ctx.actor, recordedAt: new Date().toISOString() }, ctx);
          }
          const [created] = await tx.insert(o.project, "recordedCounts", [{ field, source, ...fields }], ctx);
          return created!;
        });
      });
      io.out(JSON.stringify(saved, null, 2) + "\n");
    });

  common(counts.command("list").description("list the recorded PRISMA counts of a project"))
    .option("--json", "print JSON")
    .action(async (o: Common & { json?: boolean }) => {
      const list = await withStore(o.data, io, async (store) => {
        await store.getProject(o.project);
        return store.list(o.project, "recordedCounts");
      });
      if (o.json) {
        io.out(JSON.stringify(list, null, 2) + "\n");
        return;
      }
      if (list.length === 0) {
        io.out("No recorded counts.\n");
        return;
      }
      const rows = [
        ["FIELD", "SOURCE", "VALUE", "BY REASON", "RECORDED BY", "RECORDED AT"],
        ...list.map((c) => [
          c.field, c.source ?? "", String(c.value),
          c.reasons ? Object.entries(c.reasons).map(([k, n]) => `${k}=${n}`).join(" ") : "", c.recordedBy, c.recordedAt,
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ") + "\n");
    });
};
