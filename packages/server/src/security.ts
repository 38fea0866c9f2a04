import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Request-level defences that hold without sign-in: which Host names the
 * server answers (a DNS-rebinding page reaches the loopback under a name of
 * its own), which writes a browser on another site can make (a form or a
 * no-preflight fetch can POST only the CORS-safelisted content types, and
 * always sends an Origin), and the headers that keep the web app out of
 * frames and its answers from being sniffed as something else.
 */

export interface SecurityOptions {
  /** Host names (without port) the server answers besides the loopback names. */
  allowedHosts?: readonly string[];
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]", "::1"];

/** The host name of a Host header, lower-cased, without its port. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/** Whether a host name is one the server answers: a loopback name, a subdomain of localhost, or a configured name. */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (LOOPBACK.includes(name) || name.endsWith(".localhost")) return true;
  return allowed.some((a) => a.trim().toLowerCase() === name);
}

// The content types a cross-site page can send without a CORS preflight.
const SIMPLE_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const mediaType = (v: string | undefined): string => (v ?? "").split(";")[0]!.trim().toLowerCase();

/** The routes whose body is a file sent as bytes (any non-simple type), not JSON. */
const isUpload = (url: string): boolean => /^\/api\/projects\/[^/]+\/(imports(\/validate|\/jobs)?|fulltext\/[^/?]+\/file)(\?|$)/.test(url);

/**
 * Constant security headers. Set in one hook rather than through
 * @fastify/helmet: the server needs five fixed values, and helmet's other
 * defaults (HSTS, cross-origin isolation) are wrong for a plain-HTTP loopback
 * server; no dependency is worth that here.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

const refuse = (reply: FastifyReply, status: number, error: string): FastifyReply => reply.code(status).send({ error });

/** The origin (scheme://host[:port]) of an Origin or Referer value, or null when it has none ("null", garbage). */
function originHost(v: string): string | null {
  try {
    const u = new URL(v);
    return u.host.toLowerCase();
  } catch {
    return null;
  }
}

export function checkRequest(req: FastifyRequest, reply: FastifyReply, opts: SecurityOptions): FastifyReply | undefined {
  const host = req.headers.host;
  if (!hostAllowed(host, opts.allowedHosts ?? [])) {
    return refuse(reply, 421, `this server does not answer for the host "${hostName(host ?? "")}"; start it with --allowed-host to add a name`);
  }
  if (!WRITES.has(req.method)) return undefined;
  const origin = req.headers.origin ?? req.headers.referer;
  if (origin !== undefined) {
    const from = originHost(origin);
    if (from === null || from !== host!.trim().toLowerCase()) return refuse(reply, 403, "a write from another site is refused");
  }
  const type = mediaType(req.headers["content-type"]);
  if (SIMPLE_TYPES.includes(type)) {
    return refuse(reply, 415, isUpload(req.url) ? `a file is sent with a file type (e.g. application/octet-stream), not ${type}` : `a write is sent as application/json, not ${type}`);
  }
  if (type && type !== "application/json" && !isUpload(req.url)) return refuse(reply, 415, `a write is sent as application/json, not ${type}`);
  return undefined;
}

/** Registers the checks (before any body is read) and the headers on every answer, the web app's files included. */
export function security(app: FastifyInstance, opts: SecurityOptions): void {
  app.addHook("onRequest", async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    const refused = checkRequest(req, reply, opts);
    if (refused) return refused;
  });
}

/** Deepest nesting of arrays and objects a JSON body may have; real bodies (a protocol, a project file) stay far below. */
export const MAX_JSON_DEPTH = 64;

/**
 * What makes a JSON text unacceptable before it is parsed, scanned once: nesting
 * deeper than `max`, or a NUL character (\u0000) in a string, which SQLite
 * would store and PostgreSQL refuses, so a project holding one could not move
 * between engines. A raw control character is invalid JSON and left to the parser.
 */
export function jsonBodyProblem(text: string, max: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) {
        if (text.startsWith("u0000", i + 1)) return "text in the body contains a NUL character (\\u0000), which is not stored";
        i++; // skip the escaped character
      } else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return `the JSON body nests deeper than ${max} levels`;
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}

export const jsonTooDeep = (text: string, max: number): boolean => jsonBodyProblem(text, max)?.startsWith("the JSON body nests") ?? false;

class BadJson extends Error {
  readonly statusCode = 400;
}

/** Fastify's own JSON parser (prototype-poisoning checks), behind a depth bound so a deep body is a 400, not a stack overflow later. */
export function boundedJson(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const problem = jsonBodyProblem(body as string, maxDepth);
    if (problem) return done(new BadJson(problem), undefined);
    return parse(req, body as string, done);
  });
}

/** `Content-Disposition` of a download: every route's file name goes through `safeFileName`, so none reaches the header as given. */
export function attachment(fileName: string, fallback?: string): string {
  return `attachment; filename="${safeFileName(fileName, fallback)}"`;
}

/** A file name safe inside a quoted content-disposition parameter: no quotes, backslashes, control or non-ASCII characters. */
export function safeFileName(name: string, fallback = "download"): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 80);
  return s || fallback;
}
