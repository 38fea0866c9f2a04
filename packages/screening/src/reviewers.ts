import type { Member, Role } from "@homeward/model";
import type { Stage } from "./workflow.js";

/** Roles that screen when a stage lists no reviewers of its own. */
export const REVIEWING_ROLES: readonly Role[] = ["owner", "adjudicator", "reviewer"];

/** May a user be served records of a stage; when not, why, in one line. */
export interface ScreeningAccess {
  allowed: boolean;
  refusal: string | null;
}

const STAGE_NAME: Record<Stage, string> = { title_abstract: "title/abstract", full_text: "full-text" };

/**
 * Who screens a stage: the reviewers its settings list, and those its
 * screening assignments name (`assigned`); when there are none,
 * the project's members with a reviewing role (`REVIEWING_ROLES`); when the
 * project has no members at all (one person on their own machine), anyone.
 * A record served to someone else is held from the team for the lease's
 * length, so the rule is checked before anything is held.
 */
export function screeningAccess(
  user: string,
  stage: Stage,
  listed: readonly string[],
  members: readonly Pick<Member, "userName" | "role">[],
  assigned: readonly string[] = [],
): ScreeningAccess {
  const stageName = STAGE_NAME[stage];
  if (listed.length || assigned.length) {
    if (listed.includes(user) || assigned.includes(user)) return { allowed: true, refusal: null };
    const names = [...new Set([...listed, ...assigned])];
    const where = assigned.length === 0 ? "the screening set-up lists" : listed.length === 0 ? "records of this stage are assigned to" : "the screening set-up and assignments list";
    return { allowed: false, refusal: `${user} is not a reviewer of ${stageName} screening: ${where} ${listList(names)}` };
  }
  if (members.length === 0) return { allowed: true, refusal: null };
  const roles = members.filter((m) => m.userName === user).map((m) => m.role);
  if (roles.some((r) => REVIEWING_ROLES.includes(r))) return { allowed: true, refusal: null };
  const why = roles.length ? `${roles.map((r) => (r === "owner" || r === "adjudicator" ? `an ${r}` : `a ${r}`)).join(" and ")} of this project` : "not a member of this project";
  return {
    allowed: false,
    refusal: `${user} is not a reviewer of ${stageName} screening: they are ${why}, and screening takes an owner, adjudicator or reviewer`,
  };
}

function listList(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
