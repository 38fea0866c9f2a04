import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowCounts, identifiedCounts } from "@homeward/review";
import { openStore, type Store } from "@homeward/store";
import { scratchDatabase, storeEngines } from "./scratch-database.js";

/**
 * The PRISMA flow's counts come from counts the store keeps in step with its
 * writes (records per search, `identifiedCounts`; records per search and
 * place in the flow, `flowCounts`), not from the records: they must count
 * what the review package's rule counts from every record, on both engines,
 * after every kind of write that moves a record, and under concurrent
 * writers.
 */

/** The flow's places counted from every record and the whole screening, as the review package counts a project in memory. */
async function countedFromEveryRecord(store: Store, p: string) {
  const [records, duplicateGroups, screeningDecisions, reconciliations, fullTextRetrievals] = await Promise.all([
    store.recordRefs(p),
    store.list(p, "duplicateGroups"),
    store.list(p, "screeningDecisions"),
    store.list(p, "reconciliations"),
    store.list(p, "fullTextRetrievals"),
  ]);
  return sorted(flowCounts({ records, duplicateGroups, screeningDecisions, reconciliations, fullTextRetrievals }));
}
const sorted = <T extends { searchId: string; key: string }>(xs: T[]) => [...xs].sort((a, b) => (a.searchId + "\n" + a.key < b.searchId + "\n" + b.key ? -1 : 1));
const kept = async (store: Store, p: string) => sorted((await store.flowCounts(p)).filter((c) => c.searchId !== ""));
describe.each(storeEngines("counts"))("counts per search on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await open());
  });
  afterAll(async () => {
    await store?.close();
    await done?.();
  });

  it("counts records and duplicates per search as the review package does from the records", async () => {
    const ana = { actor: "ana" };
    const p = (await store.createProject({ title: "Counts" }, ana)).id;
    const [s1, s2] = await store.insert(p, "searches", [{ source: "PsycInfo", kind: "database" }, { source: "NSPCC", kind: "website" }], ana);
    const recs = await store.insert(
      p,
      "records",
      Array.from({ length: 30 }, (_, i) => ({ title: `R${i}`, searchId: i % 7 === 6 ? null : i % 3 ? s1!.id : s2!.id })),
      ana,
    );
    // Groups across searches; one primary has no search; one group's primary is a copy of another search.
    const groups = [[0, 1, 2], [3, 4], [6, 7, 13], [9, 10]];
    for (const members of groups) {
      const [g] = await store.insert(p, "duplicateGroups", [{ primaryRecordId: recs[members[0]!]!.id, method: "manual" }], ana);
      for (const m of members) await store.update(p, "records", recs[m]!.id, { duplicateGroupId: g!.id }, ana);
    }
    const all = await store.recordRefs(p);
    const expected = identifiedCounts(all, await store.list(p, "duplicateGroups")).sort((a, b) => (a.searchId < b.searchId ? -1 : 1));
    expect(expected.reduce((a, c) => a + c.duplicates, 0)).toBeGreaterThan(3);
    expect(await store.identifiedCounts(p)).toEqual(expected);
    // The counts kept per search follow a record moved to another search, and travel with an import.
    await store.update(p, "records", recs[5]!.id, { searchId: s2!.id }, ana);
    await store.update(p, "records", recs[6]!.id, { searchId: s1!.id }, ana);
    const moved = identifiedCounts(await store.recordRefs(p), await store.list(p, "duplicateGroups")).sort((a, b) => (a.searchId < b.searchId ? -1 : 1));
    expect(moved).not.toEqual(expected);
    expect(await store.identifiedCounts(p)).toEqual(moved);
    const copy = await store.importProject(await store.exportProject(p), { actor: "ana", copy: true });
    expect(await store.identifiedCounts(copy.id)).toEqual(moved);
    for (const id of [p, copy.id]) {
      expect((await store.getProjectSummary(id)).counts.records).toBe(30);
      expect((await store.listProjects()).find((x) => x.id === id)?.counts.records).toBe(30);
    }
    // A write that fails leaves the counts as they were.
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(p, "records", [{ title: "written, then rolled back", searchId: s1!.id }], ana);
        throw new Error("a later step fails");
      }),
    ).rejects.toThrow("a later step fails");
    expect(await store.identifiedCounts(p)).toEqual(moved);
    const some = [recs[1]!.id, recs[6]!.id, "missing"];
    // Decisions as the flow reads them: the listed ones, in the same order, without notes and labels.
    for (const [k, reviewer] of ["ana", "ben", "ana"].entries())
      await store.insert(p, "screeningDecisions", recs.slice(0, 12).map((r, i) => ({ recordId: r.id, stage: "title_abstract" as const, decision: (i + k) % 3 ? ("include" as const) : ("exclude" as const), reasons: (i + k) % 3 ? [] : ["population"], note: "n", labels: ["l"] })), { actor: reviewer });
    const listed = await store.list(p, "screeningDecisions");
    expect(await store.flowDecisions(p)).toEqual(listed.map(({ id, recordId, stage, reviewer, decision, reasons, at }) => ({ id, recordId, stage, reviewer, decision, reasons, at })));
    const all2 = await store.recordRefs(p);
    expect((await store.flowRecords(p, some)).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(all2.filter((r) => some.includes(r.id)).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it("keeps each search's records per place in the flow equal to the count from every record, through every write that moves a record", async () => {
    const ana = { actor: "ana" };
    const p = (await store.createProject({ title: "Flow counts" }, ana)).id;
    await store.setProtocol(p, { ...(await store.getProtocol(p)), exclusionReasons: [{ code: "pop", label: "Population", rank: 1 }, { code: "design", label: "Design", rank: 2 }] }, ana);
    const [s1, s2] = await store.insert(p, "searches", [{ source: "PsycInfo", kind: "database" }, { source: "NSPCC", kind: "website" }], ana);
    const recs = await store.insert(p, "records", Array.from({ length: 40 }, (_, i) => ({ title: `R${i}`, searchId: i % 9 === 8 ? null : i % 4 ? s1!.id : s2!.id })), ana);
    const id = (i: number) => recs[i]!.id;
    const check = async (what: string) => {
      const expected = await countedFromEveryRecord(store, p);
      expect(await kept(store, p), what).toEqual(expected);
      return expected;
    };
    expect(await check("nothing screened")).toEqual([]);
    // Duplicates: a group made, its members linked, its primary changed, a member unlinked.
    const [g] = await store.insert(p, "duplicateGroups", [{ primaryRecordId: id(0), method: "manual" }], ana);
    for (const i of [0, 1, 2]) await store.update(p, "records", id(i), { duplicateGroupId: g!.id }, ana);
    await check("a group of three");
    await store.update(p, "duplicateGroups", g!.id, { primaryRecordId: id(1) }, ana);
    await check("another primary");
    await store.update(p, "records", id(2), { duplicateGroupId: null }, ana);
    // Title/abstract: two reviewers agree, disagree, one changes their mind; a reconciliation settles one.
    const ta = (i: number, decision: "include" | "exclude" | "maybe", reasons: string[] = []) => ({ recordId: id(i), stage: "title_abstract" as const, decision, reasons });
    await store.insert(p, "screeningDecisions", [ta(1, "include"), ta(3, "include"), ta(4, "exclude", ["pop"]), ta(5, "maybe"), ta(6, "include"), ta(7, "include"), ta(9, "include")], ana);
    await store.insert(p, "screeningDecisions", [ta(3, "include"), ta(4, "exclude", ["design"]), ta(6, "exclude"), ta(7, "include")], { actor: "ben" });
    await check("two reviewers");
    await store.insert(p, "screeningDecisions", [ta(6, "include")], { actor: "ben" });
    await store.insert(p, "screeningDecisions", [ta(3, "exclude")], { actor: "ana" });
    await check("minds changed");
    await store.insert(p, "reconciliations", [{ ...ta(3, "include"), reason: "settled" }], { actor: "cat" });
    await check("a reconciliation");
    // Full text: retrievals made, changed and removed; decisions with reasons; a record that enters at full text.
    const [f5] = await store.insert(p, "fullTextRetrievals", [{ recordId: id(5), status: "not_retrieved" }], ana);
    const [f7] = await store.insert(p, "fullTextRetrievals", [{ recordId: id(7), status: "retrieved" }, { recordId: id(12), status: "sought" }], ana);
    await check("retrievals");
    await store.update(p, "fullTextRetrievals", f5!.id, { status: "retrieved" }, ana);
    await store.update(p, "fullTextRetrievals", f7!.id, { recordId: id(9) }, ana);
    await check("a retrieval changed and moved");
    const ft = (i: number, decision: "include" | "exclude" | "maybe", reasons: string[] = []) => ({ recordId: id(i), stage: "full_text" as const, decision, reasons });
    await store.insert(p, "screeningDecisions", [ft(3, "exclude", ["design", "pop"]), ft(5, "include"), ft(7, "exclude", ["design"]), ft(13, "include"), ft(9, "maybe")], ana);
    await check("full-text decisions");
    const [f12] = await store.list(p, "fullTextRetrievals", { recordId: id(12) });
    await store.remove(p, "fullTextRetrievals", f12!.id, ana);
    // A screened record moved to another search takes its place with it; a duplicate's decisions do not count.
    await store.update(p, "records", id(3), { searchId: s2!.id }, ana);
    await store.update(p, "records", id(9), { searchId: null }, ana);
    await store.insert(p, "screeningDecisions", [ta(0, "exclude")], ana);
    const final = await check("moves");
    expect(final.length).toBeGreaterThan(6);
    // The counts travel with an export and import; a write that fails leaves them as they were.
    const copy = await store.importProject(await store.exportProject(p), { actor: "ana", copy: true });
    expect(await kept(store, copy.id)).toEqual(final);
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(p, "screeningDecisions", [ta(20, "exclude"), ft(21, "include")], ana);
        throw new Error("a later step fails");
      }),
    ).rejects.toThrow("a later step fails");
    expect(await kept(store, p)).toEqual(final);
  });

  it("keeps the flow's counts right under concurrent writers on one project", async () => {
    const ana = { actor: "ana" };
    const p = (await store.createProject({ title: "Concurrent flow counts" }, ana)).id;
    const [s1] = await store.insert(p, "searches", [{ source: "PsycInfo", kind: "database" }], ana);
    const recs = await store.insert(p, "records", Array.from({ length: 12 }, (_, i) => ({ title: `C${i}`, searchId: s1!.id })), ana);
    const reviewers = ["ana", "ben", "cat", "dan"];
    // Every reviewer decides every record at once, half of them differently, in separate transactions.
    const writes = reviewers.flatMap((reviewer, k) =>
      recs.map((r, i) => () =>
        store.insert(p, "screeningDecisions", [{ recordId: r.id, stage: "title_abstract" as const, decision: (i + k) % 3 === 0 ? ("exclude" as const) : ("include" as const), reasons: [] }], { actor: reviewer }),
      ),
    );
    const retrievals = recs.slice(0, 6).map((r) => () => store.insert(p, "fullTextRetrievals", [{ recordId: r.id, status: "retrieved" as const }], ana));
    const results = await Promise.allSettled([...writes, ...retrievals].map((w) => w()));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const expected = await countedFromEveryRecord(store, p);
    expect(expected.reduce((a, c) => a + c.n, 0)).toBe(12);
    expect(await kept(store, p)).toEqual(expected);
  });
});

/** Migration 0025 fills the flow's counts for a project written before it, by the rule the writes keep them by. */
describe.each([
  ["SQLite", async () => ({ where: { dataDir: mkdtempSync(join(tmpdir(), "homeward-flow-migration-")) }, drop: async () => {} })],
  ...(process.env.HOMEWARD_TEST_DATABASE_URL
    ? [["PostgreSQL", async () => {
        const d = await scratchDatabase(process.env.HOMEWARD_TEST_DATABASE_URL!, `flow_migration_${process.pid}`);
        return { where: { databaseUrl: d.url }, drop: d.drop };
      }] as const]
    : []),
] as const)("migration 0025 on %s", (_name, make) => {
  it("backfills each record's place and the counts of a project already there", async () => {
    const { where, drop } = await make();
    try {
      const store = await openStore(where as Parameters<typeof openStore>[0]);
      const ana = { actor: "ana" };
      const p = (await store.createProject({ title: "Before 0025" }, ana)).id;
      const [s1] = await store.insert(p, "searches", [{ source: "PsycInfo", kind: "database" }], ana);
      const recs = await store.insert(p, "records", Array.from({ length: 10 }, (_, i) => ({ title: `M${i}`, searchId: s1!.id })), ana);
      const [g] = await store.insert(p, "duplicateGroups", [{ primaryRecordId: recs[0]!.id, method: "manual" }], ana);
      for (const i of [0, 1]) await store.update(p, "records", recs[i]!.id, { duplicateGroupId: g!.id }, ana);
      await store.insert(p, "screeningDecisions", [0, 2, 3].map((i) => ({ recordId: recs[i]!.id, stage: "title_abstract" as const, decision: i === 3 ? ("exclude" as const) : ("include" as const), reasons: [] })), ana);
      await store.insert(p, "fullTextRetrievals", [{ recordId: recs[2]!.id, status: "not_retrieved" }], ana);
      const expected = await countedFromEveryRecord(store, p);
      expect(expected.length).toBeGreaterThan(2);
      // As a database before the migration: no counts, the migration not run.
      const db = (store as unknown as { db: Kysely<any> }).db;
      await sql`DROP TABLE record_flow`.execute(db);
      await sql`DROP TABLE flow_counts`.execute(db);
      await sql`DELETE FROM homeward_migrations WHERE name = '0025_flow_counts'`.execute(db);
      await store.close();
      const reopened = await openStore(where as Parameters<typeof openStore>[0]);
      try {
        expect(await kept(reopened, p)).toEqual(expected);
      } finally {
        await reopened.close();
      }
    } finally {
      await drop();
    }
  });
});
