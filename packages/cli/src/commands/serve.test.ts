import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Io } from "../index.js";
import { stopServers } from "./serve.js";

let saved: string | undefined;
beforeAll(() => {
  saved = process.env.HOMEWARD_EXAMPLES_DIR;
  process.env.HOMEWARD_EXAMPLES_DIR = "";
});
afterAll(async () => {
  await stopServers();
  if (saved === undefined) delete process.env.HOMEWARD_EXAMPLES_DIR;
  else process.env.HOMEWARD_EXAMPLES_DIR = saved;
});

describe("homeward serve", () => {
  it("serves the API on 127.0.0.1, creating the data folder, and prints a one-time set-up link until there is an owner", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "homeward-serve-"));
    let out = "";
    const io: Io = { out: (t) => void (out += t), err: () => {}, cwd };
    expect(await run(["serve", "--port", "0", "--data", "d"], io)).toBe(0);
    const url = out.match(/running at (http:\/\/127\.0\.0\.1:\d+\/)/)![1]!;
    expect((await (await fetch(new URL("api/health", url))).json()).ok).toBe(true);
    // No project data without a session, on loopback too.
    expect((await fetch(new URL("api/projects", url))).status).toBe(401);
    const link = out.match(/one-time link to set up Homeward: (http:\/\/127\.0\.0\.1:\d+)\/setup#token=([\w-]+)/)!;
    expect(link[1]).toBe(url.replace(/\/$/, ""));
    const setup = await fetch(new URL("api/session/setup", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: link[2], name: "ana", displayName: "Ana", password: "a long enough password" }),
    });
    expect(setup.status).toBe(200);
    const cookie = setup.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(";")[0]!;
    const created = await fetch(new URL("api/projects", url), {
      method: "POST",
      headers: { "content-type": "application/json", cookie: session },
      body: JSON.stringify({ title: "Served" }),
    });
    expect(created.status).toBe(201);
    expect(((await (await fetch(new URL("api/projects", url), { headers: { cookie: session } })).json()) as { title: string }[]).map((p) => p.title)).toEqual(["Served"]);
    // The link made its owner once; a second start prints none.
    const again = await fetch(new URL("api/session/setup", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: link[2], name: "eve", password: "a long enough password" }),
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    await stopServers();
    out = "";
    expect(await run(["serve", "--port", "0", "--data", "d"], io)).toBe(0);
    expect(out).not.toMatch(/set up Homeward/);
    await stopServers();
  });

  it("answers a host name given with --allowed-host, and no other", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "homeward-serve-"));
    let out = "";
    const io: Io = { out: (t) => void (out += t), err: () => {}, cwd };
    expect(await run(["serve", "--port", "0", "--data", "d", "--allowed-host", "Review.Example.org"], io)).toBe(0);
    const url = new URL(out.match(/running at (http:\/\/127\.0\.0\.1:\d+\/)/)![1]!);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: url.hostname, port: url.port, path: "/api/health", headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on("error", reject)
          .end();
      });
    expect(await status(`review.example.org:${url.port}`)).toBe(200);
    expect(await status(`localhost:${url.port}`)).toBe(200);
    expect(await status(`rebound.example:${url.port}`)).toBe(421);
    await stopServers();
    let err = "";
    expect(await run(["serve", "--port", "0", "--allowed-host", "http://x.org"], { out: () => {}, err: (t) => void (err += t), cwd })).toBe(2);
    expect(err).toMatch(/--allowed-host takes a host name without scheme or port, not "http:\/\/x.org"/);
  });

  it("refuses a bad port with exit 2", async () => {
    let err = "";
    const io: Io = { out: () => {}, err: (t) => void (err += t), cwd: tmpdir() };
    expect(await run(["serve", "--port", "http"], io)).toBe(2);
    expect(err).toMatch(/--port must be an integer/);
  });
});
