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
