import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { storeEngines } from "../../store/test/scratch-database.js";
import { namedUserPolicy } from "./identity.js";

const tmp = () => mkdtempSync(join(tmpdir(), "homeward-protocol-"));



const engines = storeEngines("protocol");

describe.each(engines)("protocol sections (%s)", (_engine, open) => {
  let done: () => Promise<void>;
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: tmp() });
    project = (await store.createProject({ title: "Protocol sections" }, { actor: "ana" })).id;
    await store.setProtocol(project, { exclusionReasons: [{ code: "population", label: "Population", rank: 1 }, { code: "design", label: "Design", rank: 2 }] }, { actor: "ana" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });

  const call = async (method: "GET" | "PATCH" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url: `/api/projects/${project}${url}`, payload: body as object, headers: { "x-homeward-user": "ana", ...headers } });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };

  it("saves one section against the version it was opened at, audited with who and why", async () => {
    const opened = (await call("GET", "/protocol/versions")).body;
    const reasons = [...opened.protocol.exclusionReasons, { code: "language", label: "Not in English", rank: 3 }];
    const saved = await call("PATCH", "/protocol/exclusionReasons", { value: reasons, version: opened.versions.exclusionReasons, reason: "agreed at the team meeting" });
    expect(saved.status).toBe(200);
    expect(saved.body.protocol.exclusionReasons.map((r: { code: string }) => r.code)).toEqual(["population", "design", "language"]);
    expect(saved.body.versions.exclusionReasons).not.toBe(opened.versions.exclusionReasons);
    expect(saved.body.versions.question).toBe(opened.versions.question);
    const [entry] = (await call("GET", "/audit?limit=1")).body.items;
    expect(entry).toMatchObject({ action: "protocol.update", actor: "ana", reason: "agreed at the team meeting" });
    expect(entry.before).toEqual({ exclusionReasons: opened.protocol.exclusionReasons });
    expect(entry.after.exclusionReasons).toHaveLength(3);

    // Someone else's section saved meanwhile does not stand in the way of this one.
    const q = await call("PATCH", "/protocol/question", { value: "Does it work?", version: opened.versions.question });
    expect(q.status).toBe(200);
    expect(q.body.protocol.exclusionReasons).toHaveLength(3);

    // The same section, from the version opened before the save: refused, nothing written.
    const stale = await call("PATCH", "/protocol/exclusionReasons", { value: [], version: opened.versions.exclusionReasons });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe("the protocol's exclusion reasons changed since you opened them; reload to see the change (your edit is kept on screen)");
    expect((await store.getProtocol(project)).exclusionReasons).toHaveLength(3);
  });

  it("refuses two reasons of one rank with the protocol's message", async () => {
    const { versions } = (await call("GET", "/protocol/versions")).body;
    const res = await call("PATCH", "/protocol/exclusionReasons", {
      value: [{ code: "a", rank: 1 }, { code: "b", rank: 1 }],
      version: versions.exclusionReasons,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('exclusion reasons "a" and "b" both have rank 1 (each reason needs its own rank)');
  });

  it("refuses to remove a reason stored decisions give, saying how many", async () => {
    const [rec] = await store.insert(project, "records", [{ title: "A trial", authors: ["Ng, A."], year: 2020 }], { actor: "ana" });
    await store.insert(project, "screeningDecisions", [{ recordId: rec!.id, stage: "title_abstract", decision: "exclude", reasons: ["design"] }], { actor: "ana" });
    const opened = (await call("GET", "/protocol/versions")).body;
    const res = await call("PATCH", "/protocol/exclusionReasons", {
      value: opened.protocol.exclusionReasons.filter((r: { code: string }) => r.code !== "design"),
      version: opened.versions.exclusionReasons,
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('exclusion reason "design" is given on 1 stored screening decision; it cannot be removed (change its label instead)');
    // The whole-protocol PUT meets the same rule.
    const put = await app.inject({ method: "PUT", url: `/api/projects/${project}/protocol`, payload: { ...opened.protocol, exclusionReasons: [] } });
    expect(put.statusCode).toBe(409);
  });

  it("saves one of several saves of a section made at once from the same version", async () => {
    const { protocol, versions } = (await call("GET", "/protocol/versions")).body;
    const save = (label: string) =>
      call("PATCH", "/protocol/outcomeDomains", { value: [...protocol.outcomeDomains, { code: "stability", label }], version: versions.outcomeDomains });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => save(`Placement stability ${i}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await store.getProtocol(project)).outcomeDomains).toHaveLength(protocol.outcomeDomains.length + 1);
  });

  it("names an unknown section", async () => {
    const res = await call("PATCH", "/protocol/searches", { value: [], version: "x" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/section/);
  });
});
