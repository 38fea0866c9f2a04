import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import Provider from "oidc-provider";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * Organisation sign-in end to end against a real OpenID provider
 * (`oidc-provider`, in this process on a loopback port): the server sends
 * the browser there, the test signs in through the provider's own login and
 * consent pages, and the provider's redirect comes back to the server, which
 * exchanges the code with the provider over HTTP.
 */

const PUBLIC = "http://127.0.0.1:4999";
const CALLBACK = `${PUBLIC}/api/auth/oidc/callback`;
const people: Record<string, { preferred_username?: string; name?: string; email?: string }> = {
  "sub-cleo": { preferred_username: "cleo", name: "Cleo D.", email: "cleo@example.org" },
  "sub-ben": { preferred_username: "ben", name: "Benjamin K." },
  "sub-mail": { email: "dee@example.org" },
};

/** A browser's cookies for one site (paths ignored: the provider's cookies have distinct names). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(setCookies: readonly string[]): void {
    for (const c of setCookies) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

describe("organisation sign-in (OpenID Connect)", () => {
  let store: Store;
  let app: FastifyInstance;
  let idp: Server;
  let issuer: string;
  let projectId: string;

  beforeAll(async () => {
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
    idp = createServer((req, res) => handle(req, res));
    await new Promise<void>((ok) => idp.listen(0, "127.0.0.1", ok));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: "homeward", client_secret: "a client secret long enough for the provider", redirect_uris: [CALLBACK], grant_types: ["authorization_code"], response_types: ["code"] }],
      claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"] },
      // The profile in the ID token itself, as organisation providers commonly send it (the server reads no userinfo).
      conformIdTokenClaims: false,
      cookies: { keys: ["test cookie key"] },
      async findAccount(_ctx: unknown, id: string) {
        return { accountId: id, claims: async () => ({ sub: id, ...people[id] }) };
      },
    });
    handle = provider.callback();

    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-oidc-")) });
    const accounts = createAccounts(store);
    const link = await accounts.issueSetupLink();
    await accounts.setup(link.token, { name: "ana", displayName: "Ana P.", password: "correct horse battery" });
    projectId = (await store.createProject({ title: "Living review" }, { actor: "ana" })).id;
    await accounts.addMember(projectId, { userName: "ben", displayName: "Ben K.", role: "reviewer" }, { actor: "ana" });
    app = await buildServer({
      store,
      version: "0",
      webDir: mkdtempSync(join(tmpdir(), "homeward-web-")),
      oidc: { issuer, clientId: "homeward", clientSecret: "a client secret long enough for the provider", redirectBase: PUBLIC, label: "Example University" },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await new Promise((ok) => idp?.close(ok));
  });

  /** GET /api/auth/oidc/start: the provider's authorization URL and the flow cookie. */
  async function start(next?: string) {
    const res = await app.inject({ method: "GET", url: `/api/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ""}` });
    expect(res.statusCode).toBe(302);
    const flow = res.cookies.find((c) => c.name === "homeward_oidc");
    expect(flow).toBeDefined();
    return { location: new URL(res.headers.location as string), flow: flow!, setCookie: res.headers["set-cookie"] };
  }

  /** Follows the provider's redirects as a browser, signing in as `accountId` and consenting on its pages; the URL it sends back to Homeward. */
  async function atProvider(authorizeUrl: URL, accountId: string, jar: Jar): Promise<URL> {
    let url = authorizeUrl.toString();
    let init: RequestInit = {};
    for (let hop = 0; hop < 12; hop++) {
      const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as object), cookie: jar.header() } });
      jar.take(res.headers.getSetCookie());
      init = {};
      const location = res.headers.get("location");
      if (location) {
        const next = new URL(location, url);
        if (next.toString().startsWith(CALLBACK)) return next;
        url = next.toString();
        continue;
      }
      const page = await res.text();
      expect(res.status, page.slice(0, 500)).toBe(200);
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      expect(prompt && action, page.slice(0, 500)).toBeTruthy();
      const form: Record<string, string> = prompt === "login" ? { prompt, login: accountId, password: "anything" } : { prompt: prompt! };
      url = new URL(action!.replace(/&amp;/g, "&"), url).toString();
      init = { method: "POST", body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } };
    }
    throw new Error("the provider never redirected back");
  }

  async function callback(back: URL, flowCookie: string | null) {
    return app.inject({ method: "GET", url: back.pathname + back.search, headers: flowCookie === null ? {} : { cookie: `homeward_oidc=${flowCookie}` } });
  }

  async function sessionOf(token: string) {
    return (await app.inject({ method: "GET", url: "/api/session", cookies: { [SESSION_COOKIE]: token } })).json();
  }

  /** One whole sign-in; the session cookie's token. */
  async function signIn(accountId: string, jar = new Jar()): Promise<string> {
    const s = await start();
    const res = await callback(await atProvider(s.location, accountId, jar), s.flow.value);
    expect(res.statusCode, JSON.stringify(res.headers)).toBe(302);
    expect(res.headers.location).toBe("/");
    const session = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(session?.value).toBeTruthy();
    return session!.value;
  }

  it("says it is on, and with which organisation", async () => {
    const view = (await app.inject({ method: "GET", url: "/api/session" })).json();
    expect(view.oidc).toEqual({ enabled: true, label: "Example University" });
  });

  it("sends the browser to the provider with PKCE S256, state and nonce kept in a short-lived HttpOnly Lax cookie", async () => {
    const s = await start("/projects/p1?tab=records");
    expect(s.location.origin).toBe(issuer);
    const q = s.location.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe("homeward");
    expect(q.get("redirect_uri")).toBe(CALLBACK);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(q.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(q.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(q.get("scope")?.split(" ")).toContain("openid");
    expect(s.flow).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/api/auth/oidc", maxAge: 600 });
    // The verifier stays with the browser; only its challenge goes to the provider.
    expect(s.location.toString()).not.toContain(JSON.parse(Buffer.from(s.flow.value, "base64url").toString()).verifier);
  });

  it("signs in end to end: a new user with no project, returning to where sign-in began; again as the same user", async () => {
    const s = await start("/projects");
    const jar = new Jar();
    const res = await callback(await atProvider(s.location, "sub-cleo", jar), s.flow.value);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/projects");
    // The flow cookie is used once.
    expect(res.cookies.find((c) => c.name === "homeward_oidc")?.value).toBe("");
    const token = res.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    expect((await sessionOf(token)).user).toEqual({ name: "cleo", displayName: "Cleo D.", admin: false });
    const projects = await app.inject({ method: "GET", url: "/api/projects", cookies: { [SESSION_COOKIE]: token } });
    expect(projects.json()).toEqual([]);
    // Again, with the provider remembering the person (no login page this time): the same user.
    const again = await signIn("sub-cleo", jar);
    expect(again).not.toBe(token);
    expect((await sessionOf(again)).user.name).toBe("cleo");
    expect((await store.accounts.listAccountUsers()).filter((u) => u.oidcSubject?.endsWith(" sub-cleo")).map((u) => u.name)).toEqual(["cleo"]);
    expect((await store.accounts.getUser("cleo"))?.oidcSubject).toBe(`${issuer} sub-cleo`);
  });

  it("links an invited member who has not signed in yet, who keeps their project role", async () => {
    const token = await signIn("sub-ben");
    expect((await sessionOf(token)).user).toEqual({ name: "ben", displayName: "Ben K.", admin: false });
    const members = await app.inject({ method: "GET", url: `/api/projects/${projectId}/members`, cookies: { [SESSION_COOKIE]: token } });
    expect(members.statusCode).toBe(200);
    expect(members.json().find((m: { userName: string }) => m.userName === "ben")).toMatchObject({ role: "reviewer", pending: false });
  });

  it("names a user without preferred_username after their e-mail address", async () => {
    expect((await sessionOf(await signIn("sub-mail"))).user.name).toBe("dee");
  });

  it("refuses a tampered state, a missing flow cookie and a provider's refusal, back to the sign-in page with a reason", async () => {
    const refused = (res: Awaited<ReturnType<typeof callback>>) => {
      expect(res.statusCode).toBe(302);
      const to = new URL(res.headers.location as string, PUBLIC);
      expect(to.pathname).toBe("/signin");
      expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      return to.searchParams.get("error") ?? "";
    };
    const jar = new Jar();
    const s = await start();
    const back = await atProvider(s.location, "sub-cleo", jar);
    const tampered = new URL(back);
    tampered.searchParams.set("state", "an-attackers-state-value-0123456789");
    expect(refused(await callback(tampered, s.flow.value))).toMatch(/state/i);
    // The genuine answer, but from a browser that did not start this sign-in.
    expect(refused(await callback(back, null))).toMatch(/took too long or began in another browser/);
    // Another flow's cookie with this answer: its state does not match either.
    const other = await start();
    expect(refused(await callback(back, other.flow.value))).toMatch(/state/i);
    // The provider says no (the person cancelled): its reason, in one line.
    const s2 = await start();
    const denied = new URL(CALLBACK);
    denied.search = new URLSearchParams({ error: "access_denied", error_description: "End-User aborted\ninteraction", state: s2.location.searchParams.get("state")!, iss: issuer }).toString();
    expect(refused(await callback(denied, s2.flow.value))).toBe("organisation sign-in failed: access_denied: End-User aborted interaction");
  });

  it("returns only to paths of this site", async () => {
    for (const next of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      const s = await start(next);
      expect(JSON.parse(Buffer.from(s.flow.value, "base64url").toString()).next).toBe("/");
    }
  });
});

describe("organisation sign-in, not configured", () => {
  it("answers 404 on both routes, and says it is off", async () => {
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-oidc-off-")) });
    const app = await buildServer({ store, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    try {
      for (const url of ["/api/auth/oidc/start", "/api/auth/oidc/callback?code=x&state=y"]) {
        const res = await app.inject({ method: "GET", url });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: "organisation sign-in is not configured" });
      }
      expect((await app.inject({ method: "GET", url: "/api/session" })).json().oidc).toEqual({ enabled: false, label: "" });
    } finally {
      await app.close();
      await store.close();
    }
  });
});
