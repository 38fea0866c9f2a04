import type { FastifyRequest } from "fastify";
import type { AccessPolicy } from "../src/index.js";

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
