/**
 * Shared harness for browser tests and benchmarks: starts the real Homeward
 * server (the built CLI, `homeward serve`) on a free port with a temporary
 * data directory, sets it up as a person would at first start (the one-time
 * link the server prints makes the first owner, `OWNER`), and drives Debian's
 * Chromium through playwright-core.
 *
 *   const app = await startApp();
 *   const page = await app.newPage();            // signed in as the owner
 *   await page.goto(app.url);
 *   const ana = await app.newPageAs("ana", { project: "p1", role: "reviewer" });
 *   ...
 *   await app.close();
 *
 * It needs `npm run build` first (packages/web/dist and packages/cli/dist).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

/** The first owner, made at first start from the server's one-time set-up link. */
export const OWNER = { name: "owner", displayName: "Olive Owner", password: "owner passphrase 1" } as const;
/** The password the harness gives every other user it signs up. */
export const PASSWORD = "reviewer passphrase 1";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const CHROMIUM = process.env.HOMEWARD_CHROMIUM ?? "/usr/bin/chromium";
const CLI = join(repoRoot, "packages/cli/bin/homeward.js");
const CLI_MAIN = join(repoRoot, "packages/cli/dist/main.js");
const WEB_INDEX = join(repoRoot, "packages/web/dist/index.html");

/** Fails with an actionable message when the pieces the browser tests run are not built. */
export function assertBuilt(): void {
  const missing = [
    [WEB_INDEX, "the web app (packages/web/dist)"],
    [CLI_MAIN, "the CLI (packages/cli/dist)"],
  ].filter(([f]) => !existsSync(f!));
  if (missing.length)
    throw new Error(
      `Browser tests need a build: missing ${missing.map(([, what]) => what).join(" and ")}. Run \`npm run build\` first.`,
    );
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (install Debian's chromium package).`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerHandle {
  url: string;
  dataDir: string;
  /**
   * The owner's session cookie ("name=value"), once `signInOwner` has run
   * (startServer runs it unless told `signIn: false`).
   */
  session: string | null;
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  /** The set-up link the server printed at first start; waits for it up to `timeoutMs`. */
  setupLink(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const SETUP_LINE = /Open this one-time link to set up Homeward: (\S+)/;

/**
 * Starts `homeward serve` on a free port; resolves once /api/health answers
 * and, unless `signIn: false`, the owner is set up (first start) or signed in.
 */
export async function startServer(opts: { dataDir?: string; env?: Record<string, string>; signIn?: boolean } = {}): Promise<ServerHandle> {
  assertBuilt();
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "homeward-web-test-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, "serve", "--port", String(port), "--data", dataDir],
    { cwd: repoRoot, env: serverEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on("exit", (code) => {
      exited = code;
      resolve();
    }),
  );

  const stop = async () => {
    if (exited === undefined) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`homeward serve exited (code ${exited}) before answering:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`homeward serve did not answer /api/health within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const setupLink = async (timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = SETUP_LINE.exec(out);
      if (m) return m[1]!;
      if (Date.now() > until) throw new Error(`homeward serve printed no set-up link within ${timeoutMs} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const handle: ServerHandle = { url, dataDir, session: null, output: () => out, setupLink, stop };
  if (opts.signIn !== false) {
    try {
      await signInOwner(handle);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return handle;
}

/** The "name=value" part of the session cookie a sign-in answer sets. */
function sessionCookie(res: Response, what: string): string {
  const set = res.headers.getSetCookie?.() ?? [];
  const cookie = set.map((c) => c.split(";")[0]!.trim()).find((c) => c.includes("=") && !c.endsWith("="));
  if (!cookie) throw new Error(`${what} answered ${res.status} without a session cookie`);
  return cookie;
}

async function postPublic(url: string, path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${url}/api${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
  return res;
}

/**
 * Makes `OWNER` the first owner with the set-up link the server printed (a
 * new data folder), or signs them in (a folder set up before); keeps the
 * session on the handle for `callApi` and `newContext`.
 */
export async function signInOwner(server: ServerHandle): Promise<string> {
  const view = (await (await fetch(`${server.url}/api/session`)).json()) as { setupNeeded: boolean };
  let res: Response;
  if (view.setupNeeded) {
    const link = new URL(await server.setupLink());
    const token = new URLSearchParams(link.hash.slice(1)).get("token");
    if (!token) throw new Error(`The set-up link has no token: ${link.href}`);
    res = await postPublic(server.url, "/session/setup", { token, name: OWNER.name, displayName: OWNER.displayName, password: OWNER.password });
  } else {
    res = await postPublic(server.url, "/session", { name: OWNER.name, password: OWNER.password });
  }
  server.session = sessionCookie(res, "sign-in");
  return server.session;
}

/**
 * Signs a user up over the API, for benchmarks (tests do it in the browser,
 * `AppHarness.newPageAs`): the owner adds them to `project`, and the
 * invitation link's token sets `PASSWORD`. Answers their session cookie.
 */
export async function signUp(server: ServerHandle, project: string, userName: string, role: Role): Promise<string> {
  const added = await callApi<{ link: { path: string } | null }>(server, "POST", `/projects/${project}/members`, { userName, displayName: "", role });
  if (!added.link) throw new Error(`${userName} already has an account`);
  const token = new URLSearchParams(added.link.path.split("#")[1] ?? "").get("token");
  return sessionCookie(await postPublic(server.url, "/session/link", { token, password: PASSWORD }), "the invitation link");
}

/** A browser context signed in with `session` (by default the server's owner session, shared by every such context). */
export async function newContext(
  browser: Browser,
  server: ServerHandle,
  options?: BrowserContextOptions,
  session: string | null = server.session,
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  if (session) {
    const eq = session.indexOf("=");
    await ctx.addCookies([{ name: session.slice(0, eq), value: session.slice(eq + 1), url: server.url, httpOnly: true, sameSite: "Strict" }]);
  }
  return ctx;
}

/** The server's environment: SQLite in the given data folder unless the caller passes DATABASE_URL itself. */
function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  return { ...env, ...extra };
}

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export type TestPage = Page & { errors: string[] };

/** Requests each harness page has made and not yet seen answered (see `settled`). */
const inFlight = new WeakMap<Page, Set<unknown>>();

function track(page: Page): void {
  const open = new Set<unknown>();
  inFlight.set(page, open);
  page.on("request", (r) => open.add(r));
  page.on("requestfinished", (r) => open.delete(r));
  page.on("requestfailed", (r) => open.delete(r));
}

/**
 * Waits for the page's level-one heading named `name`, as a person waits for
 * the page they opened. Checked on every frame first: a locator's own wait
 * polls at widening intervals up to 500 ms, which across a tour of twenty
 * pages adds seconds of waiting on pages that were already drawn. The
 * locator then confirms it by role and accessible name.
 */
export async function pageHeading(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => Array.from(document.querySelectorAll("h1")).some((h) => h.textContent?.includes(n)), name);
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/**
 * Waits until the page has had no request open for `quietMs`: what the page
 * asked for has been answered and drawn. Playwright's "networkidle" waits a
 * fixed 500 ms of quiet, which across the suites' page tours is most of their
 * time; a harness page counts its own requests, so it can stop sooner.
 * Pages the harness did not make fall back to "networkidle".
 */
export async function settled(page: Page, quietMs = 100, timeoutMs = 30_000): Promise<void> {
  const open = inFlight.get(page);
  if (!open) return page.waitForLoadState("networkidle");
  await page.waitForLoadState("load");
  const start = Date.now();
  let quietSince = Date.now();
  for (;;) {
    const now = Date.now();
    if (open.size) quietSince = now;
    else if (now - quietSince >= quietMs) return;
    if (now - start > timeoutMs) throw new Error(`page still waiting on ${open.size} request(s) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface AppHarness {
  url: string;
  server: ServerHandle;
  browser: Browser;
  /** A page in a fresh context signed in as `OWNER`; uncaught page errors are collected in `errors`. */
  newPage(options?: BrowserContextOptions): Promise<TestPage>;
  /** A page in a fresh context with no session, as a stranger (or someone signed out) sees the app. */
  newAnonymousPage(options?: BrowserContextOptions): Promise<TestPage>;
  /**
   * A page signed in as `userName`, as that person would get there: the
   * owner adds them to `project` with `role`; someone new opens the
   * invitation link in their own browser and sets `PASSWORD`; someone who
   * has set it before signs in with it. Waits until the header names them.
   */
  newPageAs(userName: string, opts?: { project?: string; role?: Role; displayName?: string; options?: BrowserContextOptions }): Promise<TestPage>;
  /** Opens an invitation link (a full URL or the app path) in a new browser and sets `PASSWORD`, as `userName` would. */
  acceptInvitation(link: string, userName: string, options?: BrowserContextOptions): Promise<TestPage>;
  /**
   * Imports records as a search's RIS export, as the owner (the server writes
   * records only through imports); answers their ids in file order.
   */
  importRecords(project: string, records: { title: string; authors?: string[]; year?: number; abstract?: string }[]): Promise<string[]>;
  /** Adds (or re-roles) a project member as the owner; answers the invitation link for a new user, else null. */
  addMember(project: string, userName: string, role: Role, displayName?: string): Promise<string | null>;
  /** Calls the server's API as the owner (for seeding and checks), throwing on an error status. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The same as a user `newPageAs` or `signUp` signed in (their session). */
  apiAs<T = unknown>(userName: string, method: string, path: string, body?: unknown): Promise<T>;
  /** A raw request under /api with a user's session (the owner's by default) and the Origin writes need. */
  request(path: string, init?: RequestInit & { as?: string }): Promise<Response>;
  /**
   * Makes `userName` a member of `project` with `role` and gives the harness
   * a session for them over the API (no browser: the invitation link's token
   * sets `PASSWORD`), for tests in which they act only through the API.
   */
  signUp(project: string, userName: string, role?: Role): Promise<void>;
  close(): Promise<void>;
}

export type Role = "owner" | "adjudicator" | "reviewer" | "viewer";

export async function startApp(opts: { dataDir?: string } = {}): Promise<AppHarness> {
  const server = await startServer(opts);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  /** Users who have set their password (they sign in with it). */
  const signedUp = new Set<string>([OWNER.name]);
  /** Each user's latest session cookie, for API calls made as them. */
  const sessions = new Map<string, string>([[OWNER.name, server.session!]]);
  const sessionOf = (userName: string) => {
    const s = sessions.get(userName);
    if (!s) throw new Error(`${userName} is not signed in: use newPageAs or signUp first`);
    return s;
  };
  const watch = async (ctx: BrowserContext): Promise<TestPage> => {
    contexts.push(ctx);
    const page = (await ctx.newPage()) as TestPage;
    page.errors = [];
    track(page);
    page.on("pageerror", (e) => page.errors.push(String(e)));
    page.on("console", (m) => {
      // A 401 or 403 the page shows as an alert is the app working, not a page error.
      if (m.type() === "error" && !/status of 40[13]/.test(m.text())) page.errors.push(m.text());
    });
    return page;
  };
  const api = <T,>(method: string, path: string, body?: unknown) => callApi<T>(server, method, path, body);
  const apiAs = <T,>(userName: string, method: string, path: string, body?: unknown) =>
    callApi<T>({ url: server.url, session: sessionOf(userName) }, method, path, body);
  const addMember = async (project: string, userName: string, role: Role, displayName = ""): Promise<string | null> => {
    const members = await api<{ userName: string; role: string; pending: boolean }[]>("GET", `/projects/${project}/members`);
    const found = members.find((m) => m.userName === userName);
    if (found) {
      if (found.role !== role) await api("PATCH", `/projects/${project}/members/${encodeURIComponent(userName)}`, { role });
      if (!found.pending) return null;
      return (await api<{ path: string }>("POST", `/projects/${project}/members/${encodeURIComponent(userName)}/link`)).path;
    }
    const added = await api<{ link: { path: string } | null }>("POST", `/projects/${project}/members`, { userName, displayName, role });
    return added.link?.path ?? null;
  };
  const signedIn = async (page: TestPage, userName: string): Promise<TestPage> => {
    await page.getByRole("banner").locator(`strong[data-user="${userName}"]`).waitFor();
    const cookie = (await page.context().cookies(server.url)).find((c) => c.httpOnly);
    if (cookie) sessions.set(userName, `${cookie.name}=${cookie.value}`);
    return page;
  };
  const acceptInvitation = async (link: string, userName: string, options?: BrowserContextOptions): Promise<TestPage> => {
    const page = await watch(await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options }));
    await page.goto(link.startsWith("/") ? `${server.url}${link}` : link);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    signedUp.add(userName);
    return signedIn(page, userName);
  };
  return {
    url: server.url,
    server,
    browser,
    newPage: async (options) => watch(await newContext(browser, server, options)),
    newAnonymousPage: async (options) => watch(await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options })),
    async newPageAs(userName, { project, role = "reviewer", displayName = "", options } = {}) {
      const link = project ? await addMember(project, userName, role, displayName) : null;
      if (link && !signedUp.has(userName)) return acceptInvitation(link, userName, options);
      if (!signedUp.has(userName)) throw new Error(`${userName} has no password yet: pass the project to invite them to`);
      const page = await watch(await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options }));
      await page.goto(`${server.url}/signin`);
      await page.getByLabel("User name").fill(userName);
      await page.getByLabel("Password").fill(userName === OWNER.name ? OWNER.password : PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      return signedIn(page, userName);
    },
    acceptInvitation,
    addMember,
    async importRecords(project, records) {
      const ris = records
        .map((r) =>
          [["TY", "JOUR"], ["TI", r.title], ...(r.authors ?? []).map((a) => ["AU", a]), ...(r.year ? [["PY", String(r.year)]] : []), ...(r.abstract ? [["AB", r.abstract]] : []), ["ER", ""]]
            .map(([k, v]) => `${k}  - ${v}`)
            .join("\n"),
        )
        .join("\n\n");
      const source = `Test search ${Date.now()}`;
      const res = await fetch(`${server.url}/api/projects/${project}/imports?fileName=records.ris&source=${encodeURIComponent(source)}`, {
        method: "POST",
        headers: { origin: server.url, cookie: server.session!, "content-type": "application/octet-stream" },
        body: ris,
      });
      if (res.status !== 201) throw new Error(`import into ${project}: ${res.status} ${await res.text()}`);
      const listed = await api<{ items: { id: string; title: string }[] }>("GET", `/projects/${project}/records?offset=0&limit=1000&sort=createdAt&dir=asc`);
      return records.map((r) => {
        const found = listed.items.find((x) => x.title === r.title);
        if (!found) throw new Error(`imported record "${r.title}" not found`);
        return found.id;
      });
    },
    api,
    apiAs,
    request(path, { as = OWNER.name, headers, ...init } = {}) {
      return fetch(`${server.url}/api${path}`, { ...init, headers: { origin: server.url, cookie: sessionOf(as), ...(headers as Record<string, string>) } });
    },
    async signUp(project, userName, role = "reviewer") {
      const link = await addMember(project, userName, role);
      if (link && !signedUp.has(userName)) {
        const token = new URLSearchParams(link.split("#")[1] ?? "").get("token");
        sessions.set(userName, sessionCookie(await postPublic(server.url, "/session/link", { token, password: PASSWORD }), "the invitation link"));
        signedUp.add(userName);
      } else if (!sessions.has(userName)) {
        const password = userName === OWNER.name ? OWNER.password : PASSWORD;
        sessions.set(userName, sessionCookie(await postPublic(server.url, "/session", { name: userName, password }), "sign-in"));
      }
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/** Calls the server's API with the owner's session (Origin set, as the server asks of every write). */
export async function callApi<T>(server: Pick<ServerHandle, "url" | "session">, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { origin: server.url };
  if (server.session) headers.cookie = server.session;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${server.url}/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Width the document is wider than the viewport by (0 = no horizontal
 * scrolling). Measured on the root scroller, which is what the user scrolls.
 */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * On a screening page: waits until a record other than `previous` is ready to
 * screen (or none is left) and returns its id. Opening the page holds nothing,
 * so on a page not yet screening it takes a record with S, as a reviewer would.
 */
export async function nextRecord(page: Page, previous: string | null): Promise<string | null> {
  for (;;) {
    const handle = await page.waitForFunction((prev) => {
      const a = document.querySelector("article.screening-record");
      if (a && a.getAttribute("aria-busy") === "false" && a.getAttribute("data-record-id") !== prev) return a.getAttribute("data-record-id");
      if (!a && document.body.textContent?.includes("Nothing left for you to screen")) return "none";
      if (!a && document.querySelector(".start-screening button")) return "start";
      return false;
    }, previous);
    const v = (await handle.jsonValue()) as string;
    if (v === "start") {
      await page.keyboard.press("s");
      await page.getByRole("region", { name: "Ready to screen" }).waitFor({ state: "detached" });
      continue;
    }
    return v === "none" ? null : v;
  }
}
