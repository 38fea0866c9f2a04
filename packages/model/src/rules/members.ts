import type { Member } from "../entities.js";
import { InputError } from "../errors.js";
import type { RuleContext } from "./context.js";

/**
 * Members: one row per user in a project (a second is refused, 409: change
 * the role of the one there), and a project that has an owner keeps one, so
 * someone can always manage its members and blinding. A project with no
 * owner at all (written before owners existed) may still be changed; its
 * first owner comes from setup or an import.
 */
export async function validateMembers(members: readonly Member[], ctx: RuleContext): Promise<void> {
  const given = new Map<string, string>();
  for (const m of members) {
    const other = given.get(m.userName);
    if (other !== undefined) throw new InputError(`members "${other}" and "${m.id}" are both "${m.userName}"; a user is a member once`, 409);
    given.set(m.userName, m.id);
  }
  const ids = new Set(members.map((m) => m.id));
  // On a live write these are the members before it; on an import, the file's (the batch itself among them).
  const before = await ctx.find("members", {});
  const clash = before.find((o) => !ids.has(o.id) && given.has(o.userName));
  if (clash) throw new InputError(`"${clash.userName}" is already a member (${clash.role}); change their role instead`, 409);
  const after = [...before.filter((o) => !ids.has(o.id)), ...members];
  keepsOwner(before, after);
}

/** A member's removal: refused when it would leave the project with members but no owner. */
export async function validateMemberRemoval(removed: readonly Member[], ctx: RuleContext): Promise<void> {
  const ids = new Set(removed.map((m) => m.id));
  const before = await ctx.find("members", {});
  keepsOwner(before, before.filter((m) => !ids.has(m.id)));
}

function keepsOwner(before: readonly Member[], after: readonly Member[]): void {
  const owns = (ms: readonly Member[]) => ms.some((m) => m.role === "owner");
  if (after.length > 0 && owns(before) && !owns(after)) {
    throw new InputError("a project keeps at least one owner: make another member an owner first", 409);
  }
}
