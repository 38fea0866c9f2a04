import type { FastifyInstance, FastifyRequest } from "fastify";
import { InputError, roleAllows, type Access, type Role } from "@homeward/model";

export const REASON_HEADER = "x-homeward-reason";

/** A signed-in user as the server knows them. */
export interface Identity {
  user: string;
  displayName: string;
  /** Administers the instance (users, password resets). */
  admin: boolean;
  /** The session's token, when the identity comes from a session (signing out ends it). */
  sessionToken?: string;
}

/**
 * How the server learns who is asking and what they may do in a project. The
 * default (`sessionPolicy` in auth.ts) reads the session cookie and the
 * project's members in the store; nothing else in the server decides identity.
 */
export interface AccessPolicy {
  /** The signed-in user making the request, or null. */
  identify(req: FastifyRequest): Promise<Identity | null>;
  /** The user's role in a project, or null when they are not a member. */
  roleOf(projectId: string, user: string): Promise<Role | null>;
  /** Does the project exist (so that a non-member asking about a missing project gets a 404, not a 403)? */
  projectExists(projectId: string): Promise<boolean>;
}

/**
 * Who is acting on a request, in which role, and why. Built once per request
 * (`requestContext`), checked against the route's declared access by `serve`,
 * read by every handler: handlers never take identity from a header or a body.
 */
export interface RequestContext {
  identity: Identity | null;
  /** The acting user's name (empty while no one is signed in: such requests reach only public routes). */
  actor: string;
  /** True once someone is signed in. */
  named: boolean;
  /** The actor's role in the project named by the path (filled by `authorize`). */
  role: Role | null;
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

function reasonOf(req: FastifyRequest): string | null {
  let reason = header(req, REASON_HEADER) ?? null;
  if (reason === null) return null;
  try {
    reason = decodeURIComponent(reason);
  } catch {
    // Not percent-encoded: taken as written.
  }
  reason = reason.trim() || null;
  if (reason !== null && reason.length > 10_000) throw new InputError("a reason is at most 10,000 characters");
  return reason;
}

declare module "fastify" {
  interface FastifyInstance {
    accessPolicy: AccessPolicy;
  }
  interface FastifyContextConfig {
    /** The route's declared access (set by `serve`). */
    access?: Access;
  }
}

/**
 * Decorates every request with its context as soon as it arrives, before its
 * body is read: a request without a session to a route that needs one is
 * refused (401) without reading a byte of its body.
 */
export function requestContext(app: FastifyInstance, policy: AccessPolicy): void {
  app.decorate("accessPolicy", policy);
  app.decorateRequest("ctx", null as unknown as RequestContext);
  app.addHook("onRequest", async (req) => {
    const identity = await policy.identify(req);
    req.ctx = { identity, actor: identity?.user ?? "", named: identity !== null, role: null, reason: null };
    const access = req.routeOptions.config?.access;
    if (access !== undefined && access !== "public" && identity === null) throw new InputError("sign in first: this needs a signed-in user", 401);
  });
  app.addHook("preHandler", async (req) => {
    req.ctx.reason = reasonOf(req);
  });
}

/**
 * Checks a request against its route's declared access; called by `serve`
 * before the handler, so no route can forget it. 401 without a session, 403
 * when the role is short, 404 for a project that does not exist.
 */
export async function authorize(policy: AccessPolicy, ctx: RequestContext, access: Access, projectId: string | undefined): Promise<void> {
  if (access === "public") return;
  if (!ctx.identity) throw new InputError("sign in first: this needs a signed-in user", 401);
  if (access === "signedIn") return;
  if (access === "admin") {
    if (!ctx.identity.admin) throw new InputError("only an administrator of this Homeward instance can do this", 403);
    return;
  }
  if (projectId === undefined) throw new Error(`a route with access "${access}" must name a project in its path`);
  const role = await policy.roleOf(projectId, ctx.actor);
  if (role === null) {
    if (!(await policy.projectExists(projectId))) throw new InputError(`no project with id "${projectId}"`, 404);
    throw new InputError(`${ctx.actor} is not a member of this project; an owner of the project can add you`, 403);
  }
  ctx.role = role;
  if (!roleAllows(role, access)) throw new InputError(`this needs the ${access} role or above in this project; ${ctx.actor} is a ${role}`, 403);
}

/** The context's writer: actor and reason as the store records them; `reason` overrides the header's. */
export function writer(ctx: RequestContext, reason?: string | null): { actor: string; reason: string | null } {
  return { actor: ctx.actor, reason: reason ?? ctx.reason };
}

/** The signed-in actor (routes that act for a person; `serve` has already refused anonymous requests to them). */
export function namedActor(ctx: RequestContext, what: string): string {
  if (!ctx.named) throw new InputError(`${what} needs a signed-in reviewer`, 401);
  return ctx.actor;
}
