import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

describe("collection routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let pid: string;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-collections-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    pid = (await store.createProject({ title: "Collections" }, { actor: "setup" })).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const url = (name: string, rest = "") => `/api/projects/${pid}/collections/${name}${rest}`;
  type Headers = Record<string, string>;
  const send = (method: "GET" | "POST" | "PATCH" | "DELETE", u: string, payload?: unknown, headers: Headers = {}) =>
    app.inject({
      method, url: u,
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      headers: { "x-homeward-user": "ana", ...(payload === undefined ? {} : { "content-type": "application/json" }), ...headers },
    });
  /** Audit entries of the project, oldest first. */
  const audit = async () => (await store.listAudit(pid, { limit: 1000 })).items.reverse();

  it("inserts, lists with filters and paging, reads, changes and removes studies", async () => {
    const created = await send("POST", url("studies"), [
      { id: "s1", name: "Alpha 2019", design: "RCT", country: "UK" },
      { id: "s2", name: "Beta 2020", design: "QED", country: "UK" },
      { id: "s3", name: "Gamma 2021", shortCitation: "Gamma et al., 2021", design: "RCT", country: "US" },
    ]);
    expect(created.statusCode, created.body).toBe(201);
    const saved = created.json();
    expect(saved.map((s: { id: string }) => s.id)).toEqual(["s1", "s2", "s3"]);
    // Defaults applied by the schema, time filled by the store.
    expect(saved[0]).toMatchObject({ arms: [], shortCitation: null, classifications: {}, attributes: {} });
    expect(saved[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const all = (await send("GET", url("studies"))).json();
    expect(all).toMatchObject({ total: 3, offset: 0, limit: 100 });
    // Listed by name (the collection's order).
    expect(all.items.map((s: { name: string }) => s.name)).toEqual(["Alpha 2019", "Beta 2020", "Gamma 2021"]);
    const rct = (await send("GET", url("studies", "?design=RCT&country=UK"))).json();
    expect(rct.items.map((s: { id: string }) => s.id)).toEqual(["s1"]);
    const noCitation = (await send("GET", url("studies", "?shortCitation=null"))).json();
    expect(noCitation.items.map((s: { id: string }) => s.id)).toEqual(["s1", "s2"]);
    const page = (await send("GET", url("studies", "?offset=1&limit=1"))).json();
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.items.map((s: { id: string }) => s.id)).toEqual(["s2"]);

    expect((await send("GET", url("studies", "/s2"))).json().name).toBe("Beta 2020");
    const patched = await send("PATCH", url("studies", "/s2"), { design: "RCT", reason: "design checked against the full text" });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ id: "s2", name: "Beta 2020", design: "RCT" });
    expect((await send("GET", url("studies", "?design=RCT"))).json().total).toBe(3);

    const del = await send("DELETE", url("studies", "/s3"), undefined, { "x-homeward-reason": encodeURIComponent("duplicate of s1 — merged") });
    expect(del.statusCode, del.body).toBe(204);
    expect((await send("GET", url("studies", "/s3"))).statusCode).toBe(404);

    const log = await audit();
    const last = log.slice(-5);
    expect(last.map((e) => [e.action, e.entityId, e.actor])).toEqual([
      ["studies.create", "s1", "ana"],
      ["studies.create", "s2", "ana"],
      ["studies.create", "s3", "ana"],
      ["studies.update", "s2", "ana"],
      ["studies.remove", "s3", "ana"],
    ]);
    expect(last[3].reason).toBe("design checked against the full text");
    expect(last[3].before).toMatchObject({ design: "QED" });
    expect(last[3].after).toMatchObject({ design: "RCT" });
    expect(last[4].reason).toBe("duplicate of s1 — merged");
    expect(last[0].reason).toBeNull();
  });

  it("enters recorded PRISMA counts, outcomes and effect sizes with references checked", async () => {
    const count = await send("POST", url("recordedCounts"), { field: "records_screened", value: 1234, source: "Medline", reason: "from the 2019 search log" });
    expect(count.statusCode, count.body).toBe(201);
    expect(count.json()).toMatchObject({ field: "records_screened", value: 1234, recordedBy: "ana" });
    const entry = (await audit()).at(-1)!;
    expect([entry.action, entry.reason]).toEqual(["recordedCounts.create", "from the 2019 search log"]);
    expect((await send("GET", url("recordedCounts", "?value=1234"))).json().total).toBe(1);
    expect((await send("GET", url("recordedCounts", "?value=1235"))).json().total).toBe(0);

    expect((await send("POST", url("outcomes"), { id: "o1", studyId: "s1", name: "Reunified at 12 months", higherIsBetter: true })).statusCode).toBe(201);
    expect((await send("GET", url("outcomes", "?higherIsBetter=true"))).json().total).toBe(1);
    expect((await send("GET", url("outcomes", "?higherIsBetter=false"))).json().total).toBe(0);
    const es = await send("POST", url("effectSizes"), { id: "e1", outcomeId: "o1", measure: "SMD", yi: 0.21, vi: 0.014 });
    expect(es.statusCode, es.body).toBe(201);
    expect(es.json().createdBy).toBe("ana");
  });

  it.each([
    ["POST", "studies", "", { id: "bad", name: "" }, 400, /invalid study: name: study name must not be empty/],
    ["POST", "studies", "", { id: "bad", name: "X", desgin: "RCT" }, 400, /unknown field "desgin"/],
    ["POST", "studies", "", { id: "s1", name: "Again" }, 409, /s1/],
    ["POST", "outcomes", "", { id: "o9", studyId: "nope", name: "Y" }, 400, /outcome\.studyId refers to unknown study "nope"/],
    ["POST", "studies", "", "text", 400, /JSON object/],
    ["POST", "studies", "", [], 400, /no entities/],
    ["PATCH", "studies", "/s1", { classifications: "sideways" }, 400, /classifications/],
    ["PATCH", "studies", "/s1", { id: "s7" }, 400, /id cannot change/],
    ["PATCH", "studies", "/nope", { name: "Z" }, 404, /study "nope" not found/],
    ["PATCH", "outcomes", "/o1", { studyId: "nope" }, 400, /refers to unknown study "nope"/],
    ["DELETE", "studies", "/s1", undefined, 409, /referred to by outcome "o1"/],
    ["PATCH", "screeningDecisions", "/d1", { decision: "include" }, 405, /screeningDecisions are not written through the collections routes: use the screening routes/],
    ["POST", "screeningDecisions", "", { recordId: "r1", stage: "title_abstract", decision: "include" }, 405, /use the screening routes/],
    ["DELETE", "reconciliations", "/r1", undefined, 405, /use the screening routes/],
    ["DELETE", "records", "/r1", undefined, 405, /use an import/],
    ["POST", "appraisals", "", { studyId: "s1", tool: "RoB2", domains: [], overall: "Low", consensus: false }, 405, /appraisals are not written through the collections routes: use the appraisal routes/],
    ["PATCH", "appraisals", "/a1", { overall: "High" }, 405, /use the appraisal routes/],
    ["DELETE", "appraisals", "/a1", undefined, 405, /use the appraisal routes/],
    ["POST", "members", "", { userName: "eve", role: "owner" }, 405, /members routes/],
    ["POST", "recordedCounts", "", { field: "records_screened", value: 3, recordedBy: "ben" }, 403, /signed-in user \(ana\)/],
    ["POST", "recordedCounts", "", { field: "records_screened", value: 3, recordedAt: "2020-01-01T00:00:00.000Z" }, 400, /"recordedAt" is set by the server/],
    ["GET", "widgets", "", undefined, 404, /no such collection "widgets"/],
    ["POST", "widgets", "", { id: "w" }, 404, /no such collection "widgets"/],
    ["GET", "studies", "?colour=red", undefined, 400, /cannot filter studies by "colour"/],
    ["GET", "studies", "?arms=1", undefined, 400, /only text, number and true\/false/],
    ["GET", "recordedCounts", "?value=abc", undefined, 400, /must be a number/],
    ["GET", "studies", "?limit=5000", undefined, 400, /limit/],
  ] as const)("%s %s%s is refused with a one-line reason", async (method, name, rest, body, status, reason) => {
    const before = (await audit()).length;
    const res = await send(method, url(name, rest), body);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error).toMatch(reason);
    expect(res.json().error).not.toContain("\n");
    expect((await audit()).length).toBe(before);
  });

  it("takes the reason of a removal from the body", async () => {
    expect((await send("POST", url("studies"), { id: "s4", name: "Delta 2022" })).statusCode).toBe(201);
    const del = await send("DELETE", url("studies", "/s4"), { reason: "not a study of the intervention" });
    expect(del.statusCode, del.body).toBe(204);
    const entry = (await audit()).at(-1)!;
    expect([entry.action, entry.entityId, entry.reason]).toEqual(["studies.remove", "s4", "not a study of the intervention"]);
    expect(entry.before).toMatchObject({ name: "Delta 2022" });
    const extra = await send("DELETE", url("studies", "/s1"), { reason: "x", force: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error).toMatch(/takes only "reason"/);
  });

  it("answers 405 with the methods the collection allows", async () => {
    const res = await send("DELETE", url("screeningDecisions", "/x"));
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe("GET");
    expect((await send("PATCH", url("importBatches", "/x"), { note: "x" })).headers.allow).toBe("GET");
  });

  it("an unknown project is a 404", async () => {
    const res = await send("GET", "/api/projects/nope/collections/studies");
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatch(/project "nope" not found|not found/);
  });

  it("a batch failing on its last entity writes nothing", async () => {
    const before = { studies: (await store.list(pid, "studies")).length, audit: (await audit()).length };
    const res = await send("POST", url("studies"), [
      { id: "b1", name: "Batch one" },
      { id: "b2", name: "Batch two" },
      { id: "s1", name: "Taken id" },
    ]);
    expect(res.statusCode).toBe(409);
    expect((await store.list(pid, "studies")).length).toBe(before.studies);
    expect((await audit()).length).toBe(before.audit);
    // A reference failure inside a batch likewise.
    const refs = await send("POST", url("outcomes"), [
      { id: "o2", studyId: "s1", name: "Fine" },
      { id: "o3", studyId: "missing", name: "Broken" },
    ]);
    expect(refs.statusCode).toBe(400);
    expect(refs.json().error).toMatch(/refers to unknown study "missing"/);
    expect((await store.list(pid, "outcomes")).map((o) => o.id)).toEqual(["o1"]);
  });

  it("signs and times a write from the session and the server's clock, and records the reason given in the header", async () => {
    const started = new Date().toISOString();
    const res = await send("POST", url("recordedCounts"), { field: "records_screened", value: 12 }, { "x-homeward-reason": "entered from the paper log" });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().recordedBy).toBe("ana");
    expect(res.json().recordedAt >= started).toBe(true);
    const entry = (await audit()).at(-1)!;
    expect([entry.action, entry.entityId, entry.actor, entry.reason]).toEqual(["recordedCounts.create", res.json().id, "ana", "entered from the paper log"]);
  });
});
