import type { FastifyInstance } from "fastify";
import { accountRoutes as r, type SessionView } from "@homeward/api";
import { InputError } from "@homeward/model";
import type { Accounts } from "@homeward/accounts";
import { clearSessionCookie, clientAddress, setSessionCookie } from "../auth.js";
import { writer, type RequestContext } from "../context.js";
import { serve } from "../contract.js";
import { notConfigured, organisationSignIn, type OidcOptions } from "../oidc.js";

export interface AccountRouteOptions {
  secureCookies: boolean;
  /** Organisation sign-in (OpenID Connect); absent, its routes answer 404. */
  oidc?: OidcOptions | null;
}

/**
 * Sign-in, sessions, one-time links, the instance's users and each
 * project's members and blinding: adaptors over @homeward/accounts, which
 * holds every rule (password policy, rate limits, link lifetimes, the last
 * owner). The session token travels only in the cookie, never in an answer.
 */
export async function registerAccountRoutes(app: FastifyInstance, accounts: Accounts, opts: AccountRouteOptions): Promise<void> {
  const organisation = opts.oidc ? organisationSignIn(opts.oidc, accounts, { secure: opts.secureCookies }) : null;
  const oidc = { enabled: organisation !== null, label: organisation?.label ?? "" };
  const view = async (user: SessionView["user"]): Promise<SessionView> => ({
    user,
    setupNeeded: user ? false : await accounts.setupNeeded(),
    oidc,
  });
  const me = (ctx: RequestContext): SessionView["user"] =>
    ctx.identity ? { name: ctx.identity.user, displayName: ctx.identity.displayName, admin: ctx.identity.admin } : null;

  serve(app, r.getSession, async ({ ctx }) => view(me(ctx)));

  serve(app, r.signIn, async ({ body, req, reply }) => {
    const { token, user } = await accounts.signIn(body.name, body.password, clientAddress(req));
    setSessionCookie(req, reply, token, opts.secureCookies);
    return view(user);
  });

  serve(app, r.signOut, async ({ ctx, reply }) => {
    if (ctx.identity?.sessionToken) await accounts.signOut(ctx.identity.sessionToken);
    clearSessionCookie(reply);
  });

  serve(app, r.linkInfo, async ({ body }) => accounts.linkInfo(body.token));

  serve(app, r.setup, async ({ body, req, reply }) => {
    const { token, user } = await accounts.setup(body.token, { name: body.name, displayName: body.displayName, password: body.password });
    setSessionCookie(req, reply, token, opts.secureCookies);
    return view(user);
  });

  serve(app, r.redeemLink, async ({ body, req, reply }) => {
    const { token, user } = await accounts.redeemLink(body.token, body.password);
    setSessionCookie(req, reply, token, opts.secureCookies);
    return view(user);
  });

  serve(app, r.oidcStart, async ({ query, req, reply }) => (organisation ? organisation.start(req, reply, query.next) : notConfigured()));
  serve(app, r.oidcCallback, async ({ req, reply }) => (organisation ? organisation.callback(req, reply) : notConfigured()));

  serve(app, r.changePassword, async ({ body, ctx }) => {
    if (!ctx.identity?.sessionToken) throw new InputError("sign in with a password to change it", 400);
    await accounts.changePassword(ctx.actor, body.current, body.password, ctx.identity.sessionToken);
  });

  serve(app, r.listUsers, async () => accounts.listUsers());
  serve(app, r.resetLink, async ({ params, ctx }) => linkOf(await accounts.resetLink(ctx.actor, params.name)));

  serve(app, r.listMembers, async ({ params }) => accounts.listMembers(params.id));
  serve(app, r.addMember, async ({ params, body, ctx }) => {
    const { member, link } = await accounts.addMember(params.id, body, writer(ctx, body.reason));
    return { member, link: link ? linkOf(link) : null };
  });
  serve(app, r.changeMemberRole, async ({ params, body, ctx }) => accounts.changeMemberRole(params.id, params.userName, body.role, writer(ctx, body.reason)));
  serve(app, r.removeMember, async ({ params, body, ctx }) => {
    await accounts.removeMember(params.id, params.userName, writer(ctx, body.reason));
  });
  serve(app, r.memberLink, async ({ params, ctx }) => linkOf(await accounts.inviteLink(ctx.actor, params.id, params.userName)));
  serve(app, r.setBlinding, async ({ params, body, ctx }) => accounts.setBlinding(params.id, params.stage, body.blinded, writer(ctx, body.reason)));
}

/** A one-time link as the web app opens it: the token after `#`, so it is never sent to a server or written to a log. */
export const linkOf = (l: { token: string; expiresAt: string }) => ({ path: `/welcome#token=${l.token}`, expiresAt: l.expiresAt });
