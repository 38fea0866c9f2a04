import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Several `homeward serve` processes (the built CLI) on one PostgreSQL
 * behind a round-robin loopback proxy, as a team would run them behind a load
 * balancer: for the two-server test and the load benchmark. Needs the CLI
 * built (`npx tsc -b`).
 *
 * HOMEWARD_SERVE_NODE_ARGS: extra Node options for every server process,
 * split on spaces (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
 * the servers under the load benchmark; profiles are written when they stop).
 */

const CLI = fileURLToPath(new URL("../../../cli/bin/homeward.js", import.meta.url));
/** Extra Node options for each `homeward serve` (profiling, a preloaded probe). */
const NODE_ARGS = (process.env.HOMEWARD_SERVE_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
const SETUP_LINE = /Open this one-time link to set up Homeward: (\S+)/;

export const OWNER = { name: "owner", displayName: "Olive Owner", password: "owner passphrase 1" } as const;
export const PASSWORD = "reviewer passphrase 1";

export interface ServeProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface Cluster {
  /** The proxy's address: requests alternate between the servers. */
  url: string;
  servers: ServeProcess[];
  /** Requests the proxy sent to each server. */
  forwarded: number[];
  /** The owner's session cookie ("name=value"). */
  owner: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `homeward serve` on DATABASE_URL; resolves once /api/health answers. */
export async function startServe(databaseUrl: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "homeward-cluster-"));
  const url = `http://127.0.0.1:${port}`;
  let out = "";
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, CLI, "serve", "--port", String(port), "--data", dataDir], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.on("exit", (code) => ((exited = code), resolve())));
  const stop = async () => {
    if (exited === undefined) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`homeward serve exited (code ${exited}) before answering:\n${out}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`homeward serve did not answer within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => out, stop };
}

/** A loopback proxy sending each request to the next target in turn (hand-written: a few lines, no load balancer to install for a test). */
export async function roundRobinProxy(targets: string[]): Promise<{ url: string; forwarded: number[]; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const forwarded = targets.map(() => 0);
  let next = 0;
  const server = http.createServer((req, res) => {
    const i = next++ % targets.length;
    forwarded[i]!++;
    const t = new URL(targets[i]!);
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `proxy: ${e.message}` }));
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/** An API call with a session cookie and the Origin writes need; throws on an error status unless `raw`. */
export async function callApi<T = any>(url: string, session: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(url, session, method, path, body);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function request(url: string, session: string | null, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response> {
  const headers: Record<string, string> = { origin: url };
  if (session) headers.cookie = session;
  if (body !== undefined) headers["content-type"] = contentType;
  return fetch(`${url}/api${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}

function sessionCookie(res: Response): string {
  const c = (res.headers.getSetCookie?.() ?? []).map((x) => x.split(";")[0]!.trim()).find((x) => x.includes("=") && !x.endsWith("="));
  if (!c) throw new Error(`answered ${res.status} without a session cookie`);
  return c;
}

async function postPublic(url: string, path: string, body: unknown): Promise<Response> {
  const res = await request(url, null, "POST", path, body);
  if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
  return res;
}

/** Makes the first owner with the set-up link `first` printed (an empty database), or signs them in. */
async function ownerSession(url: string, first: ServeProcess): Promise<string> {
  const view = (await (await fetch(`${url}/api/session`)).json()) as { setupNeeded: boolean };
  if (!view.setupNeeded) return sessionCookie(await postPublic(url, "/session", { name: OWNER.name, password: OWNER.password }));
  const deadline = Date.now() + 10_000;
  let m: RegExpExecArray | null;
  while (!(m = SETUP_LINE.exec(first.output()))) {
    if (Date.now() > deadline) throw new Error(`no set-up link printed:\n${first.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = new URLSearchParams(new URL(m[1]!).hash.slice(1)).get("token");
  return sessionCookie(await postPublic(url, "/session/setup", { token, name: OWNER.name, displayName: OWNER.displayName, password: OWNER.password }));
}

/** Adds `userName` to the project with `role` as the owner; they set their password from the invitation link. Answers their session. */
export async function signUp(c: Pick<Cluster, "url" | "owner">, project: string, userName: string, role: string): Promise<string> {
  const added = await callApi<{ link: { path: string } | null }>(c.url, c.owner, "POST", `/projects/${project}/members`, { userName, displayName: "", role });
  if (!added.link) throw new Error(`${userName} already has an account`);
  const token = new URLSearchParams(added.link.path.split("#")[1] ?? "").get("token");
  return sessionCookie(await postPublic(c.url, "/session/link", { token, password: PASSWORD }));
}

/** `n` servers on `databaseUrl` (an empty database: the first start prints the set-up link) behind a round-robin proxy, the owner signed in. */
export async function startCluster(databaseUrl: string, n = 2, env: Record<string, string> = {}): Promise<Cluster> {
  const servers: ServeProcess[] = [];
  try {
    // One after the other: the first creates the schema, the others find it made.
    for (let i = 0; i < n; i++) servers.push(await startServe(databaseUrl, env));
    const proxy = await roundRobinProxy(servers.map((s) => s.url));
    const owner = await ownerSession(proxy.url, servers[0]!);
    return {
      url: proxy.url,
      servers,
      forwarded: proxy.forwarded,
      owner,
      stop: async () => {
        await proxy.close();
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}

/** A RIS file of `n` distinct records (titles and abstracts from a seeded vocabulary). */
export function risFile(n: number, seed = 1): string {
  const words = "school attendance mentoring programme adolescent outcome trial cohort reading literacy numeracy parent support foster care wellbeing bullying tutoring summer learning early years teacher coaching feedback homework class size behaviour".split(" ");
  let s = seed >>> 0;
  const rnd = (k: number) => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % k;
  const pick = (k: number) => Array.from({ length: k }, () => words[rnd(words.length)]).join(" ");
  let out = "";
  for (let i = 0; i < n; i++) {
    out += `TY  - JOUR\nTI  - Study ${i + 1}: ${pick(6)}\nAU  - Author${rnd(500)}, A.\nPY  - ${2000 + rnd(24)}\nT2  - Journal of ${pick(2)}\nAB  - ${pick(40)}\nER  - \n\n`;
  }
  return out;
}
