import type { FastifyInstance, FastifyRequest } from "fastify";
import { InputError, parseInput, UserName } from "@homeward/model";

export const USER_HEADER = "x-homeward-user";
export const REASON_HEADER = "x-homeward-reason";
/** Who acts when a request names no one (a single user on their own machine). */
export const DEFAULT_USER = "local";

/**
 * Who is acting on a request, in which roles, and why. Built once per request
 * by `requestContext`, read by every route: this is the one place identity is
 * decided, so sign-in replaces `identify` without touching a route.
 */
export interface RequestContext {
  actor: string;
  /** False when the request named no user and `DEFAULT_USER` stands in. */
  named: boolean;
  /** The actor's roles in the project the request is about (filled once accounts exist). */
  roles: readonly string[];
  /** Why, from the `X-Homeward-Reason` header (percent-encoded when not plain ASCII); a route may take it from its body instead. */
  reason: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const h = req.headers[name];
  return Array.isArray(h) ? h[0] : h;
};

/** Today's identity: the user the client names in `X-Homeward-User`. */
export function identify(req: FastifyRequest): RequestContext {
  const name = header(req, USER_HEADER);
  const named = name !== undefined && name !== "";
  const actor = named ? parseInput(UserName, name, `${USER_HEADER} header`) : DEFAULT_USER;
  let reason = header(req, REASON_HEADER) ?? null;
  if (reason !== null) {
    try {
      reason = decodeURIComponent(reason);
    } catch {
      // Not percent-encoded: taken as written.
    }
    reason = reason.trim() || null;
    if (reason !== null && reason.length > 10_000) throw new InputError("a reason is at most 10,000 characters");
  }
  return { actor, named, roles: [], reason };
}

/** Decorates every request with its context before any handler runs. */
export function requestContext(app: FastifyInstance): void {
  app.decorateRequest("ctx", null as unknown as RequestContext);
  app.addHook("preHandler", async (req) => {
    req.ctx = identify(req);
  });
}

/** The context's writer: actor and reason as the store records them; `reason` overrides the header's. */
export function writer(ctx: RequestContext, reason?: string | null): { actor: string; reason: string | null } {
  return { actor: ctx.actor, reason: reason ?? ctx.reason };
}

/** Refuses requests that act for a person without naming them (screening decisions are personal). */
export function namedActor(ctx: RequestContext, what: string): string {
  if (!ctx.named) throw new InputError(`${what} needs the reviewer's name in the ${USER_HEADER} header`);
  return ctx.actor;
}
