import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportProjectJson, openStore, syntheticRecords, type Store } from "@homeward/store";

/**
 * SQLite (a data folder): a snapshot is read on a read-only connection of its
 * own, so the store's one connection goes on writing while it is open; the
 * project file as JSON text is read in a worker thread and is the same text
 * as the export read on the store's own connection.
 */
describe("snapshots on SQLite", () => {
  let store: Store;
  let projectId: string;
  const ctx = { actor: "ana" };
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-snapshot-")) });
    projectId = (await store.createProject({ title: "Snapshot" }, ctx)).id;
    await store.insert(projectId, "records", syntheticRecords(500), ctx);
    await store.insert(projectId, "searches", [{ id: "s-before", source: "Before", kind: "database", date: null, query: "" }], ctx);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("lets a write through while a snapshot is open, and the snapshot does not see it", async () => {
    const seen = await store.snapshot(async (tx) => {
      const before = (await tx.list(projectId, "searches")).map((s) => s.id);
      // On the store's one connection this write would wait for the snapshot, which waits for it.
      await store.insert(projectId, "searches", [{ id: "s-during", source: "During", kind: "database", date: null, query: "" }], ctx);
      const after = (await tx.list(projectId, "searches")).map((s) => s.id);
      return { before, after };
    });
    expect(seen.before).toEqual(["s-before"]);
    expect(seen.after).toEqual(["s-before"]);
    expect((await store.list(projectId, "searches")).map((s) => s.id).sort()).toEqual(["s-before", "s-during"]);
  });

  it("exports the project as JSON text off the main thread, the same text as the export on the store's connection", async () => {
    const onConnection = await store.transaction(async (tx) => JSON.stringify(await tx.exportProject(projectId)));
    const text = await exportProjectJson(store, projectId);
    expect(text).toBe(onConnection);
    expect(JSON.parse(text).records).toHaveLength(500);
  });

  it("answers a missing project as the export does", async () => {
    await expect(exportProjectJson(store, "no-such-project")).rejects.toMatchObject({ kind: "input", status: 404 });
  });
});

describe("a project file's text written a piece at a time", () => {
  it("is the text JSON.stringify writes, long arrays included, and gives the event loop turns meanwhile", async () => {
    const { jsonInTurns } = await import("../src/snapshot.js");
    const records = syntheticRecords(20_321).map((r, i) => ({ ...r, note: i % 7 === 0 ? undefined : `é ${i} "q" \u2028` }));
    const value = { format: "homeward-project", version: 3, project: { id: "p", title: "T", skip: undefined }, gone: undefined, records, audit: [...records.slice(0, 2_000)], empty: [], files: [null, 1] };
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const text = await jsonInTurns(value);
    clearInterval(counting);
    expect(text).toBe(JSON.stringify(value));
    expect(turns).toBeGreaterThan(0);
    expect(await jsonInTurns({})).toBe("{}");
    const stop = new AbortController();
    stop.abort(new Error("cancelled"));
    await expect(jsonInTurns(value, stop.signal)).rejects.toThrow(/cancelled/);
  });
});
