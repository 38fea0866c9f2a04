import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identifiedCounts } from "@homeward/review";
import type { Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

/**
 * The PRISMA flow's counts per search come from two aggregate queries
 * (`identifiedCounts`), not from the records: they must count what the
 * review package's rule counts from every record, on both engines.
 */
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
    expect(await store.flowDecisions(p)).toEqual(listed.map(({ recordId, stage, reviewer, decision, reasons, at }) => ({ recordId, stage, reviewer, decision, reasons, at })));
    const all2 = await store.recordRefs(p);
    expect((await store.flowRecords(p, some)).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(all2.filter((r) => some.includes(r.id)).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });
});
