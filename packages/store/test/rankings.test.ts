import { afterAll, describe, expect, it } from "vitest";
import { screeningRankings, type Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

describe.each(storeEngines("rankings"))("screening rankings and keys (%s)", (_engine, open) => {
  const opened: { store: Store; done: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const o of opened) {
      await o.store.close();
      await o.done();
    }
  });

  it("reads records' ids, duplicate groups and times in list's order (all, a page after a place, the undecided, by id, the grouped), their number, and their texts by id", async () => {
    const o = await open();
    opened.push(o);
    const { store } = o;
    const p = await store.createProject({ title: "Keys" }, { actor: "ana" });
    // Ids out of creation order, two records created at the same moment (then ordered by id), one in a group.
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
    await store.insert(p.id, "records", [
      { id: "z1", title: "Zeta", authors: [], createdAt: at(1) },
      { id: "a2", title: "Alpha", abstract: "first", authors: [], createdAt: at(2) },
      { id: "b2", title: "Beta", authors: [], createdAt: at(2) },
      { id: "c0", title: "Gamma", authors: [], createdAt: at(0) },
    ] as never, { actor: "ana" });
    const [g] = await store.insert(p.id, "duplicateGroups", [{ primaryRecordId: "a2", method: "manual" }], { actor: "ana" });
    await store.update(p.id, "records", "b2", { duplicateGroupId: g!.id }, { actor: "ana" });
    const rankings = screeningRankings(store);
    const keys = await rankings.screeningKeys(p.id);
    const listed = (await store.list(p.id, "records")).map((r) => ({ id: r.id, duplicateGroupId: r.duplicateGroupId ?? null, createdAt: r.createdAt }));
    expect(keys).toEqual(listed);
    expect(keys.find((k) => k.id === "b2")?.duplicateGroupId).toBe(g!.id);
    // Pages after a place in that order, by id, and the grouped records alone, each in the same order.
    const pages: string[][] = [];
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      const page = await rankings.screeningKeys(p.id, { after, limit: 3 });
      pages.push(page.map((k) => k.id));
      if (page.length < 3) break;
      after = { createdAt: page[2]!.createdAt, id: page[2]!.id };
    }
    expect(pages).toEqual([["c0", "z1", "a2"], ["b2"]]);
    expect(await rankings.screeningKeys(p.id, { ids: ["b2", "nope", "c0"] })).toEqual([listed[0], listed[3]]);
    expect(await rankings.screeningKeys(p.id, { ids: [] })).toEqual([]);
    expect((await rankings.screeningKeys(p.id, { grouped: true })).map((k) => k.id)).toEqual(["b2"]);
    expect(await rankings.recordCount(p.id)).toBe(4);
    await store.insert(p.id, "screeningDecisions", [{ recordId: "z1", stage: "title_abstract", decision: "exclude", reasons: [] }], { actor: "ana" });
    expect((await rankings.screeningKeys(p.id, { after: null, limit: 3, undecided: true })).map((k) => k.id)).toEqual(["c0", "a2", "b2"]);
    expect((await rankings.screeningKeys(p.id, { after: { createdAt: listed[0]!.createdAt, id: "c0" }, limit: 3, undecided: true })).map((k) => k.id)).toEqual(["a2", "b2"]);
    const texts = await rankings.texts(p.id, ["a2", "z1", "nope"]);
    expect(Object.fromEntries(texts)).toEqual({ a2: { title: "Alpha", abstract: "first" }, z1: { title: "Zeta", abstract: null } });
  });

  it("writes versions counting up per project and stage, answers the newest, and keeps the newest five", async () => {
    const o = await open();
    opened.push(o);
    const rankings = screeningRankings(o.store);
    const base = { projectId: "p1", model: "elas_u4", servedBy: "elas_u4 (svm C=0.11)", trained: true, labelled: 2, labelsHash: "h", unscreened: 3, trainMs: 1.5, jobId: null };
    expect(await rankings.latestVersion("p1", "title_abstract")).toBe(0);
    for (let k = 1; k <= 7; k++) {
      const w = await rankings.write({ ...base, stage: "title_abstract", recordIds: [`r${k}`, "x"] });
      expect(w.version).toBe(k);
    }
    await rankings.write({ ...base, stage: "full_text", recordIds: ["f"] });
    expect(await rankings.latestVersion("p1", "title_abstract")).toBe(7);
    expect(await rankings.latestVersion("p1", "full_text")).toBe(1);
    expect(await rankings.latest("p1", "title_abstract")).toMatchObject({ version: 7, recordIds: ["r7", "x"], trained: true, labelled: 2, model: "elas_u4" });
    expect((await rankings.latest("p1", "title_abstract", false))!.recordIds).toEqual([]);
    const kept = await (o.store as any).db.selectFrom("screening_rankings").select("version").where("stage", "=", "title_abstract").execute();
    expect(kept.map((r: { version: number }) => Number(r.version)).sort()).toEqual([3, 4, 5, 6, 7]);
    expect(await rankings.projects()).toEqual(["p1"]);
  });
});
