import type { FastifyReply, FastifyRequest } from "fastify";
// A maintained, certified OpenID Connect client rather than our own: the
// protocol's security lies in details (PKCE, state and nonce binding, the ID
// token's signature, issuer, audience and expiry, the issuer parameter of the
// response) that are easy to get subtly wrong by hand and costly when wrong.
import * as client from "openid-client";
import { InputError, isInputError } from "@homeward/model";
import type { Accounts } from "@homeward/accounts";
import { setSessionCookie } from "./auth.js";

/** Organisation sign-in through an OpenID Connect provider. */
export interface OidcOptions {
  /** The provider's issuer identifier (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string;
  /** The server's public URL, as the browser reaches it: the redirect URI is `<redirectBase>/api/auth/oidc/callback`. */
  redirectBase: string;
  /** Names the organisation on the sign-in button. */
  label: string;
}

export const OIDC_CALLBACK_PATH = "/api/auth/oidc/callback";
/** Holds the flow's state, nonce and PKCE verifier between start and callback. */
export const OIDC_COOKIE = "homeward_oidc";
/** Time to sign in at the provider; a longer pause starts over. */
const FLOW_MS = 10 * 60_000;
const NOT_CONFIGURED = "organisation sign-in is not configured";

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  startedAt: number;
}

export interface OrganisationSignIn {
  label: string;
  start(req: FastifyRequest, reply: FastifyReply, next: string | undefined): Promise<FastifyReply>;
  callback(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

/** The routes' answer when the instance has no provider configured: not found, since there is nothing there (not an access refusal). */
export function notConfigured(): never {
  throw new InputError(NOT_CONFIGURED, 404);
}

/**
 * Organisation sign-in: `start` sends the browser to the provider (code flow
 * with PKCE S256, state and nonce), `callback` checks what comes back, maps
 * the identity to a user (@homeward/accounts decides which) and opens an
 * ordinary session. The provider is discovered on first use and remembered;
 * a failed discovery is retried at the next sign-in, so a provider that is
 * down at start does not need a restart.
 */
export function organisationSignIn(opts: OidcOptions, accounts: Accounts, cookies: { secure: boolean }): OrganisationSignIn {
  const issuer = new URL(opts.issuer);
  const redirectUri = new URL(OIDC_CALLBACK_PATH, withSlash(opts.redirectBase)).toString();
  let config: Promise<client.Configuration> | null = null;

  const configuration = (): Promise<client.Configuration> => {
    if (!config) {
      const auth = opts.clientSecret ? client.ClientSecretBasic(opts.clientSecret) : client.None();
      // Plain http only for a provider on this machine (development); anywhere else the library's https rule stands.
      const execute = issuer.protocol === "http:" && isLoopback(issuer.hostname) ? [client.allowInsecureRequests] : [];
      config = client.discovery(issuer, opts.clientId, undefined, auth, { execute, timeout: 10 });
      config.catch(() => (config = null));
    }
    return config;
  };

  const cookieOptions = (req: FastifyRequest) => ({
    httpOnly: true,
    // Lax, not Strict: the provider's redirect back is a navigation from another site, which must carry it.
    sameSite: "lax" as const,
    path: "/api/auth/oidc",
    secure: cookies.secure || req.protocol === "https",
  });

  const failed = (req: FastifyRequest, reply: FastifyReply, message: string) => {
    const line = message.replace(/\s+/g, " ").trim().slice(0, 300) || "organisation sign-in failed";
    req.log.warn({ oidc: line }, "organisation sign-in refused");
    return reply.header("cache-control", "no-store").redirect(`/signin?error=${encodeURIComponent(line)}`, 302);
  };

  return {
    label: opts.label,

    async start(req, reply, next) {
      let c: client.Configuration;
      try {
        c = await configuration();
      } catch (e) {
        return failed(req, reply, `the organisation's sign-in service did not answer (${messageOf(e)})`);
      }
      const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next: safeNext(next), startedAt: Date.now() };
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope: "openid profile email",
        response_type: "code",
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: "S256",
      });
      reply.setCookie(OIDC_COOKIE, Buffer.from(JSON.stringify(flow)).toString("base64url"), { ...cookieOptions(req), maxAge: FLOW_MS / 1000 });
      return reply.header("cache-control", "no-store").redirect(url.toString(), 302);
    },

    async callback(req, reply) {
      const flow = readFlow(req.cookies?.[OIDC_COOKIE]);
      // Used once, whatever the outcome.
      reply.clearCookie(OIDC_COOKIE, cookieOptions(req));
      if (!flow || Date.now() - flow.startedAt > FLOW_MS) {
        return failed(req, reply, "organisation sign-in took too long or began in another browser; try again");
      }
      let claims: client.IDToken | undefined;
      try {
        const c = await configuration();
        // The URL the provider redirected to, as the browser saw it (not as a proxy may have rewritten the host).
        const current = new URL(redirectUri);
        current.search = new URL(req.url, "http://x").search;
        const tokens = await client.authorizationCodeGrant(c, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (e) {
        return failed(req, reply, `organisation sign-in failed: ${messageOf(e)}`);
      }
      if (!claims) return failed(req, reply, "organisation sign-in failed: the provider sent no ID token");
      const email = typeof claims.email === "string" ? claims.email : null;
      try {
        const { token } = await accounts.signInWithOrganisation({
          issuer: claims.iss,
          subject: claims.sub,
          preferredName: text(claims.preferred_username) ?? (email ? email.split("@")[0] : null),
          displayName: text(claims.name),
        });
        setSessionCookie(req, reply, token, cookies.secure);
      } catch (e) {
        if (isInputError(e)) return failed(req, reply, e.message);
        throw e;
      }
      return reply.header("cache-control", "no-store").redirect(flow.next, 302);
    },
  };
}

function readFlow(value: string | undefined): Flow | null {
  if (!value || value.length > 4096) return null;
  try {
    const f = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<Flow>;
    const ok = typeof f.state === "string" && typeof f.nonce === "string" && typeof f.verifier === "string" && typeof f.next === "string" && typeof f.startedAt === "number";
    return ok ? { ...(f as Flow), next: safeNext(f.next) } : null;
  } catch {
    return null;
  }
}

/** A path of this site to return to; anything else (another site, `//host`, a backslash trick) is "/". */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || /[\\\x00-\x1f\x7f]/.test(next)) return "/";
  return next;
}

/** Why the library refused, in one line: the provider's own error when it sent one. */
function messageOf(e: unknown): string {
  const err = e as { error?: unknown; error_description?: unknown; message?: unknown };
  if (typeof err?.error === "string") return typeof err.error_description === "string" ? `${err.error}: ${err.error_description}` : err.error;
  // openid-client wraps the precise reason ("unexpected state…") in a generic one.
  const cause = (e as { cause?: { message?: unknown } })?.cause;
  if (typeof cause?.message === "string" && cause.message) return cause.message;
  return typeof err?.message === "string" ? err.message : String(e);
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);
const withSlash = (u: string) => (u.endsWith("/") ? u : `${u}/`);
const isLoopback = (host: string) => host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
