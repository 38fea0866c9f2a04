import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

describe("full-text retrieval routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let ids: string[];
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-fulltext-routes-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "Retrieval" }, { actor: "ana" })).id;
    ids = (await store.insert(project, "records", [{ title: "Kinship care trial" }, { title: "Return home cohort" }], { actor: "ana" })).map((r) => r.id);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const url = (recordId?: string) => `/api/projects/${project}/fulltext${recordId ? `/${recordId}` : ""}`;
  const put = (recordId: string, payload: unknown, user = "ana") =>
    app.inject({ method: "PUT", url: url(recordId), headers: { "x-homeward-user": user }, payload: payload as object });

  it("tracks a record from sought to retrieved with a file, one entry per record, every change audited", async () => {
    expect((await app.inject({ url: url(ids[0]) })).statusCode).toBe(404);
    const sought = await put(ids[0]!, { status: "sought" });
    expect(sought.statusCode).toBe(200);
    expect(sought.json()).toMatchObject({ recordId: ids[0], status: "sought", file: null, updatedBy: "ana" });

    const contacted = await put(ids[0]!, { status: "author_contacted", note: "emailed the first author" }, "ben");
    expect(contacted.json()).toMatchObject({ status: "author_contacted", note: "emailed the first author", updatedBy: "ben" });

    const file = { name: "smith-2020.pdf", mediaType: "application/pdf", size: 183_204, sha256: "a".repeat(64) };
    const retrieved = await put(ids[0]!, { status: "retrieved", file });
    // The note is kept when a change does not mention it.
    expect(retrieved.json()).toMatchObject({ status: "retrieved", file, note: "emailed the first author", id: sought.json().id });

    const list = (await app.inject({ url: url() })).json();
    expect(list).toHaveLength(1);
    const audit = await store.listAudit(project, { offset: 0, limit: 50 });
    const actions = audit.items.filter((a) => a.entity === "fullTextRetrievals").map((a) => [a.action, a.actor]);
    expect(actions).toEqual([
      ["fullTextRetrievals.update", "ana"],
      ["fullTextRetrievals.update", "ben"],
      ["fullTextRetrievals.create", "ana"],
    ]);
  });

  it("refuses bad input with a reason and writes nothing", async () => {
    const before = (await store.listAudit(project, { offset: 0, limit: 1 })).total;
    const bad = [
      await put(ids[1]!, { status: "lost" }),
      await put(ids[1]!, { status: "retrieved", file: { name: "x.pdf", sha256: "not-a-hash" } }),
      await put(ids[1]!, { status: "not_retrieved", file: { name: "x.pdf" } }),
      // Still holds a file from the previous test.
      await put(ids[0]!, { status: "not_retrieved" }),
    ];
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 400, 400]);
    for (const r of bad) expect(r.json().error).toMatch(/\S/);
    expect((await put("no-such-record", { status: "sought" })).statusCode).toBe(404);
    expect((await store.listAudit(project, { offset: 0, limit: 1 })).total).toBe(before);
    const detached = await put(ids[0]!, { status: "not_retrieved", file: null });
    expect(detached.json()).toMatchObject({ status: "not_retrieved", file: null });
  });
});
