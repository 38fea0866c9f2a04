import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { hostAllowed, jsonTooDeep, safeFileName } from "../src/security.js";
import { namedUserPolicy } from "./identity.js";

const RIS = "TY  - JOUR\nTI  - Atypical hemolytic uremic syndrome\nAU  - Loirat, C.\nPY  - 2011\nER  - \n";

describe("server hardening", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-hardening-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")), allowedHosts: ["review.example.org"] });
    project = (await store.createProject({ title: "Hardening" }, { actor: "ana" })).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const user = { "x-homeward-user": "ana" };

  it("answers loopback names and configured hosts only (a DNS-rebinding name is 421)", async () => {
    for (const host of ["localhost:5170", "127.0.0.1:5170", "[::1]:5170", "app.localhost", "review.example.org", "REVIEW.example.org:8080"]) {
      const res = await app.inject({ method: "GET", url: "/api/health", headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
    for (const host of ["attacker.example", "127.0.0.1.attacker.example:5170", "review.example.org.evil"]) {
      const res = await app.inject({ method: "GET", url: "/api/projects", headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json().error).toContain("does not answer for the host");
    }
    expect(hostAllowed(undefined, [])).toBe(false);
  });

  it("refuses a cross-site text/plain POST to imports and dedupe, and writes from another origin", async () => {
    const imp = await app.inject({ method: "POST", url: `/api/projects/${project}/imports?fileName=s.ris&source=Embase`, payload: RIS, headers: { ...user, "content-type": "text/plain" } });
    expect(imp.statusCode).toBe(415);
    const val = await app.inject({ method: "POST", url: `/api/projects/${project}/imports/validate?fileName=s.ris`, payload: RIS, headers: { ...user, "content-type": "text/plain;charset=UTF-8" } });
    expect(val.statusCode).toBe(415);
    const form = await app.inject({ method: "POST", url: `/api/projects/${project}/dedupe`, payload: "a=1", headers: { ...user, "content-type": "application/x-www-form-urlencoded" } });
    expect(form.statusCode).toBe(415);
    const fromElsewhere = await app.inject({ method: "POST", url: `/api/projects/${project}/dedupe`, headers: { ...user, origin: "http://attacker.example" } });
    expect(fromElsewhere.statusCode).toBe(403);
    const referer = await app.inject({ method: "PATCH", url: `/api/projects/${project}`, payload: { title: "x" }, headers: { ...user, referer: "http://attacker.example/page" } });
    expect(referer.statusCode).toBe(403);
    const nullOrigin = await app.inject({ method: "DELETE", url: `/api/projects/${project}/collections/searches/x`, headers: { ...user, origin: "null" } });
    expect(nullOrigin.statusCode).toBe(403);
    expect(await store.list(project, "records")).toHaveLength(0);
    expect((await store.getProject(project)).title).toBe("Hardening");
  });

  it("accepts what the web app sends: same-origin JSON, empty POSTs, and files as bytes", async () => {
    const host = "127.0.0.1:5170";
    const patch = await app.inject({ method: "PATCH", url: `/api/projects/${project}`, payload: { title: "Hardening" }, headers: { ...user, host, origin: `http://${host}`, "content-type": "application/json" } });
    expect(patch.statusCode).toBe(200);
    const val = await app.inject({ method: "POST", url: `/api/projects/${project}/imports/validate?fileName=s.ris`, payload: RIS, headers: { ...user, host, referer: `http://${host}/projects/${project}/searches`, "content-type": "application/octet-stream" } });
    expect(val.statusCode).toBe(200);
    expect(val.json()).toMatchObject({ records: 1 });
    const csv = await app.inject({ method: "POST", url: `/api/projects/${project}/imports/validate?fileName=s.csv`, payload: "title\nA\n", headers: { ...user, "content-type": "text/csv" } });
    expect(csv.statusCode).toBe(200);
    const empty = await app.inject({ method: "POST", url: `/api/projects/${project}/dedupe`, headers: user });
    expect(empty.statusCode).toBeLessThan(300);
    // A JSON route does not take another type.
    const xml = await app.inject({ method: "POST", url: "/api/projects", payload: "<p/>", headers: { ...user, "content-type": "application/xml" } });
    expect(xml.statusCode).toBe(415);
  });

  it("sets security headers on API answers and the web app", async () => {
    for (const url of ["/api/health", "/api/nope", "/projects"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.headers["content-security-policy"], url).toContain("frame-ancestors 'none'");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
    }
  });

  it("bounds JSON bodies: 1 MiB by default, nesting 64 deep; a deep body is a 400, not a 500", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const res = await app.inject({ method: "POST", url: "/api/projects", payload: deep, headers: { ...user, "content-type": "application/json" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("the JSON body nests deeper than 64 levels");
    const deepObject = `{"title":"t","description":${'{"a":'.repeat(100)}1${"}".repeat(100)}}`;
    expect((await app.inject({ method: "PATCH", url: `/api/projects/${project}`, payload: deepObject, headers: { ...user, "content-type": "application/json" } })).statusCode).toBe(400);
    const big = JSON.stringify({ title: "t", description: "x".repeat(1024 * 1024 + 10) });
    const tooBig = await app.inject({ method: "POST", url: "/api/projects", payload: big, headers: { ...user, "content-type": "application/json" } });
    expect(tooBig.statusCode).toBe(413);
    // A server configured with a smaller limit applies it to routes that declare none, not to a project import.
    const small = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")), bodyLimit: 64 });
    try {
      const patch = await small.inject({ method: "PATCH", url: `/api/projects/${project}`, payload: { description: "y".repeat(100) }, headers: { ...user, "content-type": "application/json" } });
      expect(patch.statusCode).toBe(413);
      const file = await store.exportProject(project);
      const copy = await small.inject({ method: "POST", url: "/api/projects/import?copy=true", payload: file, headers: { ...user, "content-type": "application/json" } });
      expect(copy.statusCode).toBe(201);
    } finally {
      await small.close();
    }
    // Brackets inside strings are text, not nesting.
    expect(jsonTooDeep(JSON.stringify({ title: "[".repeat(200) + '\\"{' }), 64)).toBe(false);
    expect(jsonTooDeep("[".repeat(65), 64)).toBe(true);
    expect(jsonTooDeep("[".repeat(64) + "]".repeat(64), 64)).toBe(false);
  });

  it("refuses a NUL character in any JSON text before any engine sees it, so what is stored moves between engines", async () => {
    const res = await app.inject({ method: "POST", url: "/api/projects", payload: JSON.stringify({ title: "a\u0000b" }), headers: { ...user, "content-type": "application/json" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("text in the body contains a NUL character (\\u0000), which is not stored");
    const patch = await app.inject({ method: "PATCH", url: `/api/projects/${project}`, payload: JSON.stringify({ description: ["x", { y: "\u0000" }] }), headers: { ...user, "content-type": "application/json" } });
    expect(patch.statusCode).toBe(400);
    // An escaped backslash before "u0000" is text, not a NUL.
    const literal = await app.inject({ method: "POST", url: "/api/projects", payload: JSON.stringify({ title: "C:\\u0000" }), headers: { ...user, "content-type": "application/json" } });
    expect(literal.statusCode).toBe(201);
    expect(literal.json().title).toBe("C:\\u0000");
    expect((await store.listProjects()).some((p) => p.title.includes("\u0000"))).toBe(false);
  });

  it("keeps ids out of content-disposition: a quote or CRLF in a project id is not a header", async () => {
    for (const id of ['x"; filename="evil.exe', "a\r\nset-cookie: x=1", "a%0d%0aset-cookie:%20x=1"]) {
      const res = await app.inject({ method: "GET", url: `/api/projects/${encodeURIComponent(id)}/records-export?format=ris` });
      expect(res.statusCode, id).toBe(404);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(res.headers["content-disposition"]).toBeUndefined();
    }
    const ok = await app.inject({ method: "GET", url: `/api/projects/${project}/records-export?format=ris` });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["content-disposition"]).toBe(`attachment; filename="${project}.ris"`);
    // A project file may carry any id; the one it names is used, sanitised, in the file name.
    const file = await store.exportProject(project);
    const hostile = 'q"; filename="evil.exe\r\nset-cookie: x=1';
    const imported = await store.importProject({ ...file, project: { ...file.project, id: hostile, title: "Hostile" } }, { actor: "ana" });
    expect(imported.id).toBe(hostile);
    const bad = await app.inject({ method: "GET", url: `/api/projects/${encodeURIComponent(hostile)}/records-export?format=ris` });
    expect(bad.statusCode).toBe(200);
    expect(bad.headers["set-cookie"]).toBeUndefined();
    expect(bad.headers["content-disposition"]).toBe('attachment; filename="q-filename-evil.exe-set-cookie-x-1.ris"');
    expect(safeFileName('a"b\r\nc\\d/..')).toBe("a-b-c-d");
    expect(safeFileName("\r\n")).toBe("download");
  });
});
