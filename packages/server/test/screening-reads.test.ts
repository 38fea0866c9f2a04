import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScreeningRankings, Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { ScreeningEngine } from "@homeward/screening";
import { storeEngines } from "../../store/test/scratch-database.js";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * What the screening state reads of the records: a project's screening is
 * read without reading its records (the store's count of them, and the
 * records decided or grouped, by id), and records are read on a page at a
 * time as they are served. Every answer meanwhile is checked against an
 * engine rebuilt from every record and row of the store (the old reload).
 */

const N = 6000;
const PAGE = 1000;

// Every row the screening state reads of the records table passes through `screeningKeys`; a read of whole records through `list`.
let keyRows = 0;
let recordLists = 0;
const keysBefore = ScreeningRankings.prototype.screeningKeys;
const listBefore = Store.prototype.list;
ScreeningRankings.prototype.screeningKeys = async function (this: ScreeningRankings, ...args: Parameters<ScreeningRankings["screeningKeys"]>) {
  const rows = await keysBefore.apply(this, args);
  keyRows += rows.length;
  return rows;
};
Store.prototype.list = function (this: Store, ...args: unknown[]) {
  if (args[1] === "records") recordLists++;
  return (listBefore as (...a: unknown[]) => unknown).apply(this, args);
} as typeof Store.prototype.list;
afterAll(() => {
  ScreeningRankings.prototype.screeningKeys = keysBefore;
  Store.prototype.list = listBefore;
});

async function rebuilt(store: Store, project: string): Promise<ScreeningEngine> {
  const [records, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments] = await Promise.all([
    listBefore.call(store, project, "records"),
    store.list(project, "screeningDecisions"),
    store.list(project, "reconciliations"),
    store.list(project, "screeningSettings"),
    store.list(project, "qaSamples"),
    store.list(project, "members"),
    store.list(project, "duplicateGroups"),
    store.list(project, "screeningAssignments"),
  ]);
  return ScreeningEngine.fromProject({ records, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments });
}

describe.each(storeEngines("screening_reads"))("the screening state's reads of records (%s)", (_engine, open) => {
  let store: Store;
  let done: () => Promise<void>;
  let app: FastifyInstance;
  let project: string;
  let ids: string[];
  beforeAll(async () => {
    ({ store, done } = await open());
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "Reads" }, { actor: "ana" })).id;
    await addMembers(store, project, ["ben", "carl", "dee"]);
    // Created a second apart in blocks of ten (so record order is by time, then id).
    const t0 = Date.UTC(2026, 0, 1);
    await store.insert(project, "records", Array.from({ length: N }, (_, i) => ({ title: `Record ${i}`, abstract: "text", createdAt: new Date(t0 + Math.floor(i / 10) * 1000).toISOString() })) as never, { actor: "ana" });
    ids = (await listBefore.call(store, project, "records")).map((r) => r.id);
    keyRows = 0;
    recordLists = 0;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await done?.();
  });
  const url = (path: string) => `/api/projects/${project}/screening/title_abstract/${path}`;
  const get = async (user: string, path: string) => {
    const r = await app.inject({ url: url(path), headers: { "x-homeward-user": user } });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const decide = async (user: string, recordId: string, decision: string) => {
    const r = await app.inject({ method: "POST", url: url("decisions"), headers: { "x-homeward-user": user }, payload: { recordId, decision, reasons: [] } });
    expect(r.statusCode, r.body).toBe(201);
  };
  /** The status and what `user` is served next in import order, against the rebuilt reference. */
  const serve = async (user: string) => {
    const ref = (await rebuilt(store, project)).stage("title_abstract");
    const status = await get(user, "status");
    expect(status.records).toBe(ref.total);
    expect(status.counts).toEqual({ ...ref.counts });
    expect(status.conflicts.map((c: { recordId: string }) => c.recordId)).toEqual(ref.conflicts().map((c) => c.recordId));
    expect(status.you.remaining).toBe(ref.remaining(user));
    const next = await get(user, "next?prioritise=false");
    // The reference knows no leases: the user's own lease aside, the first open record in import order.
    expect(next.record?.id ?? null).toBe(ref.candidate(user, { now: 0, prioritise: false })?.recordId ?? null);
    return next.record?.id as string;
  };

  it("reads no record to answer the status, a page of them to serve, and the decided and grouped ones by id after a bulk write", async () => {
    const status = await get("ana", "status");
    expect(status.records).toBe(N);
    expect(status.counts.unscreened).toBe(N);
    expect(keyRows).toBe(0);
    expect(await get("ana", "next?prioritise=false")).toMatchObject({ record: { id: ids[0] }, remaining: N });
    expect(keyRows).toBe(PAGE);

    // Excludes only: a ranking (retrained once both classes are decided) would name its top records too.
    // Behind the routes' back, in bulk (one summary entry: the state is read afresh): the first 1,995 records
    // decided by two reviewers, two records grouped; then dual screening.
    for (const actor of ["carl", "dee"])
      await store.insert(project, "screeningDecisions", ids.slice(0, 1995).map((recordId, i) => ({ recordId, stage: "title_abstract" as const, decision: "exclude" as const, reasons: [] })), { actor });
    const [group] = await store.insert(project, "duplicateGroups", [{ primaryRecordId: ids[1996]!, method: "manual" }], { actor: "ana" });
    for (const id of [ids[1996]!, ids[1997]!]) await store.update(project, "records", id, { duplicateGroupId: group!.id }, { actor: "ana" });
    await store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode: "dual", reviewers: [] }], { actor: "ana" });
    keyRows = 0;
    recordLists = 0;
    // Ana and Ben each screen past the end of the second page: both see the same records, in import order,
    // the copy of the group never, the state reading on a page at a time.
    const served: string[] = [];
    for (let k = 0; k < 14; k++) {
      const user = k % 2 ? "ben" : "ana";
      const id = await serve(user);
      served.push(id);
      await decide(user, id, "exclude");
    }
    const open = ids.slice(1995).filter((id) => id !== ids[1997]);
    expect(open[4]).toBe(ids[2000]);
    expect(served.filter((_, k) => k % 2 === 0)).toEqual(open.slice(0, 7));
    expect(served.filter((_, k) => k % 2 === 1)).toEqual(open.slice(0, 7));
    await serve("carl");
    // Read: the decided records and the grouped ones by id, and one page of undecided records (the decided
    // ones before them are not read again).
    expect(keyRows).toBeLessThanOrEqual(1995 + 2 + PAGE);
    expect(keyRows).toBeLessThan(N);
    expect(recordLists).toBe(0);
  }, 120_000);
});
