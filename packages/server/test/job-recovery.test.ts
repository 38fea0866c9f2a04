import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { openStore, syntheticRecords, type Store, type StoreOptions } from "@homeward/store";
import { buildServer, type AccessPolicy } from "@homeward/server";
import { utf8Pieces } from "../src/jobs.js";
import { scratchDatabase } from "../../store/test/scratch-database.js";

/**
 * A backup job and a report job that fail on their first attempt are run
 * again and finish; a server stopped while running one leaves it to the next
 * server on the database, which takes it over and finishes it. On both
 * engines, through the routes the app uses, the file checked against what
 * the project holds. The killed server is another process (running the
 * built packages: `npx tsc -b` first), killed with SIGKILL.
 *
 * The fault is the store's answer to the job's first read of the project
 * (`getProject`, the first thing both kinds read): it throws, or it is held
 * until the test lets it go. The route starting a job reads the project
 * before queueing it, so that read is let through and the next one is the
 * job's.
 */

const policy: AccessPolicy = {
  async identify(req: FastifyRequest) {
    const h = req.headers["x-homeward-user"];
    return { user: (Array.isArray(h) ? h[0] : h) || "ana", displayName: "", admin: false };
  },
  roleOf: async () => "owner",
  projectExists: async () => true,
};

/** After `pass` calls go through: throw (`times` calls in a row, default 1), or hold one call until `release`. */
type Fault = { pass: number; then: "throw"; times?: number } | { pass: number; then: "hold"; held: () => void; release: Promise<void> };

/** `store` with its `getProject` answering `fault` once armed; every other call goes to the store as it is. */
function faulty(store: Store): { store: Store; arm: (f: Fault) => void; fired: () => number } {
  let fault: Fault | null = null;
  let fired = 0;
  const proxy = new Proxy(store, {
    get(target, key) {
      const v = Reflect.get(target, key, target);
      if (key !== "getProject") return typeof v === "function" ? v.bind(target) : v;
      return async (...args: Parameters<Store["getProject"]>) => {
        const f = fault;
        if (f && f.pass-- <= 0) {
          fired++;
          if (f.then === "throw") {
            f.times = (f.times ?? 1) - 1;
            if (f.times <= 0) fault = null;
            throw new Error("the database went away for a moment");
          }
          fault = null;
          f.held();
          await f.release;
        }
        return target.getProject(...args);
      };
    },
  });
  return { store: proxy, arm: (f) => (fault = f), fired: () => fired };
}

/**
 * A server in another process on the store at `where`, answering over HTTP,
 * whose store holds forever the second read of the project (the first is
 * the route's, before it queues the job): a job it runs stops there, its
 * heartbeat going on, until the process is killed.
 */
async function killableServer(where: StoreOptions) {
  const dir = mkdtempSync(join(tmpdir(), "homeward-killable-"));
  const script = join(dir, "server.mjs");
  const dist = (p: string) => JSON.stringify(fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url)));
  writeFileSync(
    script,
    `import { openStore } from ${dist("store")};
import { buildServer } from ${dist("server")};
const store = await openStore(${JSON.stringify(where)});
let reads = 0;
const held = new Proxy(store, {
  get(t, k) {
    const v = Reflect.get(t, k, t);
    if (k !== "getProject") return typeof v === "function" ? v.bind(t) : v;
    return async (...a) => {
      if (++reads === 2) {
        process.stdout.write("holding\\n");
        await new Promise(() => {});
      }
      return t.getProject(...a);
    };
  },
});
const policy = {
  identify: async (req) => ({ user: req.headers["x-homeward-user"] || "ana", displayName: "", admin: false }),
  roleOf: async () => "owner",
  projectExists: async () => true,
};
const app = await buildServer({ store: held, policy, version: "0", webDir: ${JSON.stringify(dir)}, jobs: { pollMs: 50, heartbeatMs: 100 } });
await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write("listening " + app.server.address().port + "\\n");
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((r) => child.once("exit", r));
  let out = "";
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
      if (out.includes("holding")) holding();
    });
    child.once("exit", (code) => reject(new Error(`the server process exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, holding: held, exited, kill: () => child.kill("SIGKILL") };
}

/** SQLite in a folder of its own, and PostgreSQL in a scratch database when HOMEWARD_TEST_DATABASE_URL is set. */
const engines: [string, () => Promise<{ where: StoreOptions; drop: () => Promise<void> }>][] = [
  ["SQLite", async () => ({ where: { dataDir: mkdtempSync(join(tmpdir(), "homeward-job-recovery-")) }, drop: async () => {} })],
  ...(process.env.HOMEWARD_TEST_DATABASE_URL
    ? [["PostgreSQL", async () => {
        const db = await scratchDatabase(process.env.HOMEWARD_TEST_DATABASE_URL!, `job_recovery_${process.pid}`);
        return { where: { databaseUrl: db.url }, drop: db.drop };
      }] as [string, () => Promise<{ where: StoreOptions; drop: () => Promise<void> }>]]
    : []),
];

describe("a project file saved a piece at a time", () => {
  it("never splits a character between two pieces, and reports its progress to the end", async () => {
    // Every character after the first is a surrogate pair, so a piece's boundary falls inside one unless it is moved.
    const text = "a" + "😀é".repeat(200_000);
    const pieces: Buffer[] = [];
    const reported: number[] = [];
    for await (const p of utf8Pieces(text, async (at) => void reported.push(at))) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(2);
    for (const p of pieces) expect(p.toString("utf8")).not.toContain("\uFFFD");
    expect(Buffer.concat(pieces).toString("utf8")).toBe(text);
    expect(reported[reported.length - 1]).toBe(text.length);
  });
});

describe.each(engines)("backup and report jobs after a failure or a killed server (%s)", (_engine, open) => {
  let store: Store;
  let where: StoreOptions;
  let done: () => Promise<void>;
  let projectId: string;
  const servers: FastifyInstance[] = [];
  const web = mkdtempSync(join(tmpdir(), "homeward-web-"));

  beforeAll(async () => {
    const db = await open();
    where = db.where;
    done = db.drop;
    store = await openStore(where);
    projectId = (await store.createProject({ title: "Recovered jobs" }, { actor: "ana" })).id;
    await store.insert(projectId, "records", syntheticRecords(1_500), { actor: "ana" });
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await store?.close();
    await done?.();
  });

  /** A server on the store (through `s`), running jobs with short heartbeats, retry delays and, for a takeover, a short staleness. */
  const server = async (s: Store) => {
    const app = await buildServer({ store: s, policy, version: "0", webDir: web, jobs: { pollMs: 50, heartbeatMs: 100, staleMs: 1_500, retryDelayMs: 200 } });
    servers.push(app);
    return app;
  };
  const req = async (app: FastifyInstance, method: "GET" | "POST", url: string, payload?: unknown) => {
    const res = await app.inject({ method, url: `/api/projects/${projectId}${url}`, headers: { "x-homeward-user": "ana" }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, raw: res.rawPayload, body: res.headers["content-type"]?.toString().startsWith("application/json") ? res.json() : res.body };
  };
  const until = async (app: FastifyInstance, jobId: string, ok: (j: { state: string; message: string }) => boolean) => {
    for (let i = 0; i < 1200; i++) {
      const j = (await req(app, "GET", `/jobs/${jobId}`)).body;
      if (ok(j)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${jobId} did not get there`);
  };
  const finished = (j: { state: string }) => !["queued", "running"].includes(j.state);
  const projectFile = () => store.transaction(async (tx) => JSON.stringify(await tx.exportProject(projectId)));

  it("runs a backup and a report again after a failure on their first attempt, and keeps the second run's file", async () => {
    const f = faulty(store);
    const app = await server(f.store);

    f.arm({ pass: 1, then: "throw" });
    const backup = await req(app, "POST", "/backups/jobs");
    expect(backup.status).toBe(201);
    const b = await until(app, backup.body.id, finished);
    expect(f.fired()).toBe(1);
    expect(b).toMatchObject({ state: "done", attempts: 2, error: null });
    const file = await req(app, "GET", `/jobs/${b.id}/file`);
    expect(file.raw.length).toBe(b.result.file.size);
    expect(gunzipSync(file.raw).toString("utf8")).toBe(await projectFile());

    f.arm({ pass: 1, then: "throw" });
    const report = await req(app, "POST", "/report/jobs", { format: "html" });
    expect(report.status).toBe(201);
    const r = await until(app, report.body.id, finished);
    expect(f.fired()).toBe(2);
    expect(r).toMatchObject({ state: "done", attempts: 2, error: null, result: { format: "html", version: null, file: { name: "report-draft.html" } } });
    const html = await req(app, "GET", `/jobs/${r.id}/file`);
    expect(html.raw.toString("utf8")).toBe((await req(app, "GET", "/report/html")).body);
    await app.close();
  }, 120_000);

  it("fails a job whose every attempt fails, saying why", async () => {
    const f = faulty(store);
    const app = await server(f.store);
    // An export allows three attempts; each of them meets the fault.
    f.arm({ pass: 1, then: "throw", times: 3 });
    const started = await req(app, "POST", "/exports/jobs");
    expect(started.status).toBe(201);
    const j = await until(app, started.body.id, finished);
    expect(f.fired()).toBe(3);
    expect(j).toMatchObject({ state: "failed", attempts: 3, error: "the database went away for a moment" });
    expect((await req(app, "GET", `/jobs/${j.id}/file`)).status).toBe(409);
    await app.close();
  }, 120_000);

  for (const kind of ["backup", "report"] as const) {
    it(`takes over a ${kind} job from a server process killed while running it, and finishes it on the next server`, async () => {
      const child = await killableServer(where);
      try {
        const started = await fetch(`${child.url}/api/projects/${projectId}/${kind === "backup" ? "backups" : "report"}/jobs`, {
          method: "POST",
          headers: { "x-homeward-user": "ana", ...(kind === "report" ? { "content-type": "application/json" } : {}) },
          ...(kind === "report" ? { body: JSON.stringify({ format: "html" }) } : {}),
        });
        expect(started.status).toBe(201);
        const id = ((await started.json()) as { id: string }).id;
        await child.holding;
        child.kill();
        await child.exited;
        // Its heartbeat stops with it; the next server finds it stale and runs the job again.
        const next = await server(store);
        expect((await req(next, "GET", `/jobs/${id}`)).body).toMatchObject({ state: "running", attempts: 1 });
        const j = await until(next, id, finished);
        expect(j).toMatchObject({ state: "done", attempts: 2, error: null });
        const file = await req(next, "GET", `/jobs/${j.id}/file`);
        expect(file.raw.length).toBe(j.result.file.size);
        if (kind === "backup") expect(gunzipSync(file.raw).toString("utf8")).toBe(await projectFile());
        else expect(file.raw.toString("utf8")).toBe((await req(next, "GET", "/report/html")).body);
        await next.close();
      } finally {
        child.kill();
      }
    }, 120_000);
  }
});
