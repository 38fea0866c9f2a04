import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BibRecord } from "@homeward/model";
import { dedupe, dedupeInWorker, dedupeProject, type DedupeInput } from "@homeward/records";
import { flowCounts } from "@homeward/review";
import { syntheticRecords, type Store } from "@homeward/store";
import { storeEngines } from "../../store/test/scratch-database.js";

/**
 * Duplicate detection of a project on a real store, against the pure
 * detector: records read a page at a time and handed to the detector as they
 * come, groups and links written in batches (one audit entry per batch naming
 * every record it changed), and the same groups, primaries and questions as
 * `dedupe` over every record at once. The flow counts and the audit chain
 * stay right; nothing is deleted.
 */

const ana = { actor: "ana" };

/** What the rules read of a stored record, as a caller of `dedupe` would give it. */
const asInput = (r: BibRecord): DedupeInput => ({
  id: r.id,
  title: r.title || undefined,
  authors: r.authors,
  year: r.year === null ? undefined : String(r.year),
  journal: r.journal ?? undefined,
  volume: r.volume ?? undefined,
  issue: r.issue ?? undefined,
  pages: r.pages ?? undefined,
  doi: r.doi ?? undefined,
  pmid: r.pmid ?? undefined,
  abstract: r.abstract ?? undefined,
  type: "other",
});

/** N synthetic records (more than a page of the run's read): exact copies, copies on other pages (uncertain), and copies without their DOI. */
function generated(n: number) {
  const recs: Record<string, unknown>[] = syntheticRecords(n, 11).map((r, i) => ({ ...r, id: `r${String(i).padStart(5, "0")}` }));
  for (let i = 40; i < n; i += 29) {
    const from = recs[i - 17]!;
    const kind = (i / 29) % 3 | 0;
    recs[i] = {
      ...from,
      id: recs[i]!.id,
      createdAt: recs[i]!.createdAt,
      ...(kind === 1 ? { pages: "900-950" } : kind === 2 ? { doi: null, title: `${from.title as string}.` } : {}),
    };
  }
  return recs;
}

const byGroup = (records: { id: string; duplicateGroupId: string | null }[]) => {
  const m = new Map<string, string[]>();
  for (const r of records) if (r.duplicateGroupId) m.set(r.duplicateGroupId, [...(m.get(r.duplicateGroupId) ?? []), r.id]);
  return m;
};

describe.each(storeEngines("dedupe_detect"))("duplicate detection on %s", (_engine, open) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await open());
  });
  afterAll(async () => {
    await store?.close();
    await done?.();
  });

  it("links the groups the pure detector finds, in batches audited by name, with the flow counts kept", async () => {
    const p = (await store.createProject({ title: "Detection" }, ana)).id;
    const [search] = await store.insert(p, "searches", [{ source: "Synthetic", kind: "database" }], ana);
    await store.insert(p, "records", generated(4500).map((r) => ({ ...r, searchId: search!.id })) as never, ana);
    const records = await store.list(p, "records");
    const pure = dedupe(records.map(asInput));
    const pureGroups = pure.groups.filter((g) => g.length > 1);
    // Enough groups that linking takes several batches, and questions as well.
    expect(pureGroups.length).toBeGreaterThan(100);
    expect(pure.maybe.length).toBeGreaterThan(10);
    const before = (await store.listAudit(p, { limit: 1 })).total;

    const phases = new Set<string>();
    const result = await dedupeProject(store, p, ana, { run: dedupeInWorker, onProgress: (x) => phases.add(x.phase) });
    expect([...phases]).toEqual(expect.arrayContaining(["reading", "comparing", "grouping", "saving"]));

    // The same groups, each with the same primary.
    const after = await store.list(p, "records");
    expect(after).toHaveLength(records.length);
    const groups = await store.list(p, "duplicateGroups");
    const members = byGroup(after);
    const stored = groups.map((g) => [g.primaryRecordId, ...members.get(g.id)!.filter((id) => id !== g.primaryRecordId).sort()].join(" ")).sort();
    const expected = pureGroups.map((g) => [g[0], ...g.slice(1).sort()].join(" ")).sort();
    expect(stored).toEqual(expected);
    expect(result.groups).toBe(pureGroups.length);
    expect(result.grouped).toBe(pureGroups.reduce((n, g) => n + g.length, 0));
    // The same questions: one per two groups (or records) the detector found uncertain.
    const groupOf = new Map(after.map((r) => [r.id, r.duplicateGroupId ?? r.id]));
    const key = (a: string, b: string) => [groupOf.get(a), groupOf.get(b)].sort().join(" ");
    const pairs = await store.list(p, "duplicatePairs");
    expect(pairs.map((x) => key(x.recordIdA, x.recordIdB)).sort()).toEqual([...new Set(pure.maybe.map(([a, b]) => key(a, b)))].sort());
    expect(pairs.every((x) => x.status === "pending")).toBe(true);
    expect(result.maybe).toBe(pairs.length);

    // Audited a batch at a time: one records.update entry per 500 records, naming each with its group.
    const log = await store.auditSince(p, 0, 100_000);
    const fresh = log.slice(before).map((x) => x.entry);
    const updates = fresh.filter((e) => e.action === "records.update");
    expect(updates).toHaveLength(Math.ceil(result.grouped / 500));
    const named = new Map<string, unknown>();
    for (const e of updates) {
      const a = e.after as { count: number; ids: string[]; duplicateGroupId: Record<string, string | null> };
      const b = e.before as { ids: string[]; duplicateGroupId: Record<string, string | null> };
      expect(a.ids).toHaveLength(a.count);
      expect(a.count).toBeLessThanOrEqual(500);
      for (const id of a.ids) {
        expect(named.has(id)).toBe(false);
        named.set(id, a.duplicateGroupId[id]);
        expect(b.duplicateGroupId[id]).toBeNull();
      }
    }
    expect(named).toEqual(new Map(after.filter((r) => r.duplicateGroupId).map((r) => [r.id, r.duplicateGroupId])));
    // The groups are a bulk insert (parts and a summary), not an entry per group.
    expect(fresh.filter((e) => e.action === "duplicateGroups.create").length).toBeLessThan(groups.length);
    expect((await store.verifyAudit(p)).break).toBeNull();

    // The PRISMA flow's counts, kept by the store, are what the rule counts from every record.
    const [refs, dg] = await Promise.all([store.recordRefs(p), store.list(p, "duplicateGroups")]);
    const sorted = <T extends { searchId: string; key: string }>(xs: T[]) => [...xs].sort((x, y) => (x.searchId + x.key < y.searchId + y.key ? -1 : 1));
    const fromRecords = sorted(flowCounts({ records: refs, duplicateGroups: dg, screeningDecisions: [], reconciliations: [], fullTextRetrievals: [] }));
    expect(sorted((await store.flowCounts(p)).filter((c) => c.searchId !== ""))).toEqual(fromRecords);
    expect(fromRecords.some((c) => c.key === "duplicate" && c.n > 0)).toBe(true);

    // A second run finds nothing new and writes nothing.
    const end = (await store.listAudit(p, { limit: 1 })).total;
    const again = await dedupeProject(store, p, ana, { run: dedupeInWorker });
    expect(again).toMatchObject({ groups: 0, grouped: 0, maybe: 0 });
    expect((await store.listAudit(p, { limit: 1 })).total).toBe(end);
  });

  it("refuses a link to a group or a record that is not there, writing nothing", async () => {
    const p = (await store.createProject({ title: "Links" }, ana)).id;
    const recs = await store.insert(p, "records", Array.from({ length: 60 }, (_, i) => ({ title: `Record ${i}` })), ana);
    const [g] = await store.insert(p, "duplicateGroups", [{ primaryRecordId: recs[0]!.id, method: "manual" }], ana);
    const mark = (await store.listAudit(p, { limit: 1 })).total;
    const all = recs.map((r) => ({ id: r.id, duplicateGroupId: g!.id }));
    await expect(store.setDuplicateGroups(p, [...all.slice(1), { id: recs[0]!.id, duplicateGroupId: "no-such-group" }], ana)).rejects.toThrow(/unknown duplicate group "no-such-group"/);
    await expect(store.setDuplicateGroups(p, [...all, { id: "no-such-record", duplicateGroupId: g!.id }], ana)).rejects.toThrow(/record "no-such-record" not found/);
    expect((await store.list(p, "records")).filter((r) => r.duplicateGroupId)).toHaveLength(0);
    expect((await store.listAudit(p, { limit: 1 })).total).toBe(mark);
    // Fifty or fewer: an entry per record, the whole record before and after, as `update` writes.
    await store.setDuplicateGroups(p, all.slice(0, 2), ana);
    const last = (await store.listAudit(p, { limit: 2 })).items;
    expect(last.map((e) => [e.action, e.entityId, (e.after as BibRecord).duplicateGroupId])).toEqual([
      ["records.update", recs[1]!.id, g!.id],
      ["records.update", recs[0]!.id, g!.id],
    ]);
  });
});
