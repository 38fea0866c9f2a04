import type { FastifyRequest } from "fastify";
import type { Accounts } from "@homeward/accounts";
import type { Role } from "@homeward/model";
import type { Store } from "@homeward/store";
import { SESSION_COOKIE, type AccessPolicy } from "../src/index.js";

/**
 * For tests of a domain's routes (screening rules, imports, studies …), not
 * of access: the acting user is the one the test names in an
 * `x-homeward-user` header ("local" when none), and owns every project. The
 * sign-in, roles and blinding that production requests meet are tested on
 * their own, with real sessions (access.test.ts, blinding.test.ts).
 */
export const namedUserPolicy: AccessPolicy = {
  async identify(req: FastifyRequest) {
    const h = req.headers["x-homeward-user"];
    const user = (Array.isArray(h) ? h[0] : h) || "local";
    return { user, displayName: "", admin: true };
  },
  roleOf: async () => "owner",
  projectExists: async () => true,
};

/** Adds users to a project (as the store's own write, audited as `by`), so its screening rules see them as members. */
export async function addMembers(
  store: { insert(projectId: string, c: "members", items: never[], ctx: { actor: string }): Promise<unknown> },
  projectId: string,
  users: readonly string[],
  role: "owner" | "adjudicator" | "reviewer" | "viewer" = "reviewer",
  by = "setup",
): Promise<void> {
  await store.insert(projectId, "members", users.map((userName) => ({ userName, role })) as never[], { actor: by });
}

export const TEST_PASSWORD = "correct horse battery";

/**
 * A team signed in as people are: the first owner through the set-up link,
 * a project of theirs, and each member invited with a role and signed in
 * through their invitation link. Returns the project and each person's
 * session cookie (the owner's too).
 */
export async function signedInTeam(
  store: Store,
  accounts: Accounts,
  title: string,
  members: readonly (readonly [name: string, role: Role])[],
  owner = "olive",
): Promise<{ project: string; cookie: Map<string, string> }> {
  const cookie = new Map<string, string>();
  const first = await accounts.setup((await accounts.issueSetupLink()).token, { name: owner, displayName: "", password: TEST_PASSWORD });
  cookie.set(owner, `${SESSION_COOKIE}=${first.token}`);
  const project = (await store.createProject({ title }, { actor: owner })).id;
  for (const [name, role] of members) {
    const { link } = await accounts.addMember(project, { userName: name, displayName: "", role }, { actor: owner });
    cookie.set(name, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, TEST_PASSWORD)).token}`);
  }
  return { project, cookie };
}
