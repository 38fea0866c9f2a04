import type { DuplicatePair } from "../entities.js";
import { InputError } from "../errors.js";
import type { Permit, RuleContext } from "./context.js";
import { signedBy } from "./signatures.js";

/** The unordered pair of records a duplicate pair is about, as one key. */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/**
 * Duplicate pairs: two different records; a decided pair says who decided and
 * when, a pending one neither (so a decision cannot be recorded without its
 * author); one pair per two records, however they are ordered (a second is
 * refused, 409: the existing one is decided instead).
 */
export async function validateDuplicatePairs(pairs: readonly DuplicatePair[], ctx: RuleContext): Promise<void> {
  const given = new Map<string, string>();
  for (const p of pairs) {
    if (p.recordIdA === p.recordIdB) throw new InputError(`duplicate pair "${p.id}": a record cannot be paired with itself ("${p.recordIdA}")`);
    const decided = p.status !== "pending";
    if (decided && (p.decidedBy === null || p.decidedAt === null))
      throw new InputError(`duplicate pair "${p.id}": a "${p.status}" decision needs decidedBy and decidedAt (POST …/duplicate-pairs/:pairId/decision records both)`);
    if (!decided && (p.decidedBy !== null || p.decidedAt !== null)) throw new InputError(`duplicate pair "${p.id}": a pending pair has no decidedBy or decidedAt`);
    const k = pairKey(p.recordIdA, p.recordIdB);
    const other = given.get(k);
    if (other !== undefined) throw new InputError(`duplicate pairs "${other}" and "${p.id}" are about the same two records`, 409);
    given.set(k, p.id);
  }
  const ids = new Set(pairs.map((p) => p.id));
  const records = [...new Set(pairs.flatMap((p) => [p.recordIdA, p.recordIdB]))];
  const [asA, asB] = await Promise.all([ctx.find("duplicatePairs", { recordIdA: records }), ctx.find("duplicatePairs", { recordIdB: records })]);
  const clash = [...asA, ...asB].find((o) => !ids.has(o.id) && given.has(pairKey(o.recordIdA, o.recordIdB)));
  if (clash) throw new InputError(`records "${clash.recordIdA}" and "${clash.recordIdB}" already have a duplicate pair ("${clash.id}"); decide that one instead`, 409);
}

const signedByDecider = signedBy<DuplicatePair>("decidedBy", "duplicate decision");

/**
 * A decision on a duplicate pair is the acting user's: whoever sets or
 * changes the status signs it, so an earlier reviewer's name never stays on a
 * decision someone else changed.
 */
export const permitDuplicatePair: Permit<DuplicatePair> = (op, before, after, actor) => {
  signedByDecider(op, before, after, actor);
  // An unsigned decision is the validate rule's to refuse, with its own message.
  if (op !== "update" || before === null || after === null || after.decidedBy === null) return;
  if ((before.status !== after.status || before.decidedAt !== after.decidedAt) && after.status !== "pending" && after.decidedBy !== actor.name)
    throw new InputError(`a changed duplicate decision is signed by the user changing it ("${actor.name}"), not "${String(after.decidedBy)}"`, 403);
};
