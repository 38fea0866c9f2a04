import type { FastifyReply, FastifyRequest } from "fastify";
import { isInputError, type Role } from "@homeward/model";
import type { Accounts } from "@homeward/accounts";
import type { Store } from "@homeward/store";
import type { AccessPolicy, Identity } from "./context.js";

/** The session cookie: HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it), so a write needs this site's own page. */
export const SESSION_COOKIE = "homeward_session";
/** A session cookie's lifetime in the browser; the server ends idle and old sessions sooner (see @homeward/accounts). */
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

/**
 * The default access policy: the user is the session cookie's, roles are the
 * project's members in the store. The same store answers every server on a
 * database, so signing out or a changed role takes effect on all of them.
 */
export function sessionPolicy(store: Store, accounts: Accounts): AccessPolicy {
  return {
    async identify(req: FastifyRequest): Promise<Identity | null> {
      const token = req.cookies?.[SESSION_COOKIE];
      if (!token) return null;
      const user = await accounts.session(token);
      return user ? { user: user.name, displayName: user.displayName, admin: user.admin, sessionToken: token } : null;
    },
    roleOf: (projectId: string, user: string): Promise<Role | null> => store.roleOf(projectId, user),
    async projectExists(projectId: string): Promise<boolean> {
      try {
        await store.getProject(projectId);
        return true;
      } catch (e) {
        if (isInputError(e)) return false;
        throw e;
      }
    },
  };
}

/**
 * Sets the session cookie. `Secure` when the request came over TLS (directly
 * or through a proxy the server trusts) or the instance says so: browsers
 * refuse Secure cookies over plain http, which is how the embedded default
 * is reached on loopback.
 */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    secure: secure || req.protocol === "https",
    maxAge: COOKIE_MAX_AGE_S,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "strict" });
}

/** The client's address, for rate-limiting sign-in attempts. */
export const clientAddress = (req: FastifyRequest): string => req.ip || "unknown";
