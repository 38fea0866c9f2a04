import { PrismaField, type RecordedCount } from "../entities.js";
import { InputError } from "../errors.js";
import type { RuleContext } from "./context.js";

/** Fields whose count the PRISMA 2020 diagram breaks down by exclusion reason (reports excluded, with reasons). */
export const REASON_FIELDS: readonly PrismaField[] = ["dbr_excluded", "other_excluded"];

/** `name` as a PRISMA 2020 field, or an InputError listing the fields. */
export function prismaField(name: string): PrismaField {
  const r = PrismaField.safeParse(name);
  if (!r.success) throw new InputError(`unknown PRISMA 2020 field "${name}" (one of ${PrismaField.options.join(", ")})`);
  return r.data;
}

const described = (c: Pick<RecordedCount, "field" | "source">) => (c.source === null ? c.field : `${c.field} from ${c.source}`);

/** What is wrong with one count on its own (a breakdown where none belongs, or one adding up to more than the count), or null. */
export function recordedCountIssue(c: Pick<RecordedCount, "field" | "value" | "reasons">): string | null {
  if (c.reasons === null) return null;
  if (!REASON_FIELDS.includes(c.field)) return `a breakdown by reason applies to ${REASON_FIELDS.join(" and ")} only, not ${c.field}`;
  const sum = Object.values(c.reasons).reduce((a, b) => a + b, 0);
  if (sum > c.value) return `the counts by reason add up to ${sum}, more than the ${c.field} count ${c.value}`;
  return null;
}

/**
 * Recorded counts: each consistent on its own, reasons that are the
 * protocol's exclusion reason codes, and one count per field and source (a
 * second is refused, 409: the existing one is changed instead).
 */
export async function validateRecordedCounts(counts: readonly RecordedCount[], ctx: RuleContext): Promise<void> {
  for (const c of counts) {
    const issue = recordedCountIssue(c);
    if (issue) throw new InputError(issue);
  }
  if (counts.some((c) => c.reasons !== null)) {
    const known = (await ctx.protocol()).exclusionReasons.map((r) => r.code);
    for (const c of counts) {
      const unknown = Object.keys(c.reasons ?? {}).find((code) => !known.includes(code));
      if (unknown !== undefined) {
        throw new InputError(`"${unknown}" is not an exclusion reason code of the protocol (${known.join(", ") || "none defined"})`);
      }
    }
  }
  const key = (c: Pick<RecordedCount, "field" | "source">) => JSON.stringify([c.field, c.source]);
  const given = new Set<string>();
  for (const c of counts) {
    if (given.has(key(c))) throw new InputError(`${described(c)} is counted twice; one count per field and source`, 409);
    given.add(key(c));
  }
  const ids = new Set(counts.map((c) => c.id));
  const others = await ctx.find("recordedCounts", { field: [...new Set(counts.map((c) => c.field))] });
  const clash = others.find((o) => !ids.has(o.id) && given.has(key(o)));
  if (clash) throw new InputError(`${described(clash)} is already recorded ("${clash.id}"); change that count instead`, 409);
}
