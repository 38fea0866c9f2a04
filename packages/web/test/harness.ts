/**
 * Shared harness for browser tests and benchmarks: starts the real Homeward
 * server (the built CLI, `homeward serve`) on a free port with a temporary
 * data directory, and drives Debian's Chromium through playwright-core.
 *
 *   const app = await startApp();
 *   const page = await app.newPage();
 *   await page.goto(app.url);
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
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `homeward serve` on a free port; resolves once /api/health answers. */
export async function startServer(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ServerHandle> {
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
  return { url, dataDir, output: () => out, stop };
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

export interface AppHarness {
  url: string;
  server: ServerHandle;
  browser: Browser;
  /** A page in a fresh context; uncaught page errors are collected in `errors`. */
  newPage(options?: BrowserContextOptions): Promise<Page & { errors: string[] }>;
  /** Calls the server's API directly (for seeding and checks), throwing on an error status. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

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
  return {
    url: server.url,
    server,
    browser,
    async newPage(options) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
      contexts.push(ctx);
      const page = (await ctx.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on("pageerror", (e) => page.errors.push(String(e)));
      page.on("console", (m) => {
        if (m.type() === "error") page.errors.push(m.text());
      });
      return page;
    },
    api: (method, path, body) => callApi(server.url, method, path, body),
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

export async function callApi<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
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

/** Switches the acting user in the app's header, as a reviewer would, and waits until the header shows them. */
export async function actAs(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "Change user" }).click();
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("banner").getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("banner").locator("strong", { hasText: name }).waitFor();
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
