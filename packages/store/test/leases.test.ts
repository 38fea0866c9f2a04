import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type LeaseRequest, type Store } from "@homeward/store";
import { scratchDatabase } from "./scratch-database.js";

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;


const engines: { name: string; open: () => Promise<{ stores: Store[]; done: () => Promise<void> }> }[] = [
  {
    name: "sqlite",
    open: async () => {
      const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-leases-")) });
      return { stores: [store], done: () => store.close() };
    },
  },
];
if (pgUrl) {
  engines.push({
    name: "postgres",
    open: async () => {
      const db = await scratchDatabase(pgUrl, `leases_${process.pid}`);
      // Two connection pools, as two server processes would have.
      const a = await openStore({ databaseUrl: db.url });
      const b = await openStore({ databaseUrl: db.url });
      return {
        stores: [a, b],
        done: async () => {
          await a.close();
          await b.close();
          await db.drop();
        },
      };
    },
  });
}

describe.each(engines)("screening leases on $name", ({ open }) => {
  let stores: Store[];
  let done: () => Promise<void>;
  let project: string;
  beforeAll(async () => {
    ({ stores, done } = await open());
    project = (await stores[0].createProject({ title: "Leases" }, { actor: "ana" })).id;
  });
  afterAll(async () => done?.());
  const store = () => stores[0];
  const req = (reviewer: string, key: string, over: Partial<LeaseRequest> = {}): LeaseRequest => ({
    projectId: project,
    stage: "title_abstract",
    key,
    recordId: key,
    reviewer,
    capacity: 1,
    now: 1_000_000,
    ttlMs: 60_000,
    ...over,
  });

  it("grants while fewer than `capacity` others hold the key, renews a holder's own, and moves a reviewer's one lease", async () => {
    const l = store().leases;
    expect(await l.acquire(req("ana", "k1"))).toMatchObject({ granted: true, holders: [{ reviewer: "ana", key: "k1", expiresAt: 1_060_000 }] });
    expect(await l.acquire(req("ben", "k1"))).toMatchObject({ granted: false, holders: [{ reviewer: "ana" }] });
    // Two places (dual screening): ben gets one.
    expect((await l.acquire(req("ben", "k1", { capacity: 2 }))).granted).toBe(true);
    expect((await l.acquire(req("carl", "k1", { capacity: 2 }))).granted).toBe(false);
    // ana decided already: her lease takes no place.
    expect((await l.acquire(req("carl", "k1", { capacity: 1, ignore: ["ana"] }))).granted).toBe(false);
    expect((await l.acquire(req("carl", "k1", { capacity: 2, ignore: ["ana"] }))).granted).toBe(true);
    // Asking again renews.
    const renewed = await l.acquire(req("ana", "k1", { capacity: 3, now: 1_030_000 }));
    expect(renewed.holders.find((h) => h.reviewer === "ana")?.expiresAt).toBe(1_090_000);
    // A reviewer holds one lease per stage: ana moving to k2 frees her place on k1.
    expect((await l.acquire(req("ana", "k2"))).granted).toBe(true);
    const listed = await l.list(project, "title_abstract", 1_000_000);
    expect(listed.map((x) => `${x.reviewer}@${x.key}`).sort()).toEqual(["ana@k2", "ben@k1", "carl@k1"]);
    // Stages are apart.
    expect((await l.acquire(req("ana", "k1", { stage: "full_text" }))).granted).toBe(true);
    expect(await l.list(project, "full_text", 1_000_000)).toHaveLength(1);
    await l.release(project, "title_abstract", "ben");
    await l.release(project, "title_abstract", "carl");
    expect((await l.list(project, "title_abstract", 1_000_000)).map((x) => x.reviewer)).toEqual(["ana"]);
  });

  it("ignores expired leases, and removes them when their key is next acquired", async () => {
    const l = store().leases;
    expect((await l.acquire(req("dee", "k3", { now: 2_000_000, ttlMs: 1000 }))).granted).toBe(true);
    expect(await l.list(project, "title_abstract", 2_000_500)).toContainEqual({ key: "k3", recordId: "k3", reviewer: "dee", expiresAt: 2_001_000 });
    expect((await l.list(project, "title_abstract", 2_001_000)).some((x) => x.reviewer === "dee")).toBe(false);
    expect((await l.acquire(req("eve", "k3", { now: 2_000_999 }))).granted).toBe(false);
    const after = await l.acquire(req("eve", "k3", { now: 2_001_000 }));
    expect(after).toMatchObject({ granted: true, holders: [{ reviewer: "eve" }] });
  });

  it("grants one place to one of many reviewers asking at once (two connection pools on PostgreSQL)", async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => stores[i % stores.length].leases.acquire(req(`r${i}`, key, { capacity: round % 2 ? 2 : 1, now: 3_000_000 }))),
      );
      expect(answers.filter((a) => a.granted)).toHaveLength(round % 2 ? 2 : 1);
      expect((await store().leases.list(project, "title_abstract", 3_000_000)).filter((x) => x.key === key)).toHaveLength(round % 2 ? 2 : 1);
    }
  });

  it("keeps leases out of the audit log and the project file", async () => {
    const before = (await store().listAudit(project)).total;
    await store().leases.acquire(req("fay", "k9", { now: 4_000_000 }));
    await store().leases.release(project, "title_abstract", "fay");
    expect((await store().listAudit(project)).total).toBe(before);
    const file = (await store().exportProject(project)) as unknown as Record<string, unknown>;
    expect(Object.keys(file).filter((k) => /lease/i.test(k))).toEqual([]);
  });
});
