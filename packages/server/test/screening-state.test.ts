import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { Random, ScreeningEngine } from "@homeward/screening";
import type { ScreeningStage } from "@homeward/model";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * The routes answer from an engine kept in step with the store's audit log,
 * one change at a time. These tests write through the routes and behind
 * their back (straight to the store, as other routes or the CLI do) and
 * compare every answer with an engine rebuilt from the store's rows (the
 * reload path, whose rules the engine's own tests check case by case).
 */

const WORDS = "family reunification foster care trial parenting kinship cohort soil nitrogen meadow fish migration deep sea bird song".split(" ");

async function rebuilt(store: Store, project: string): Promise<ScreeningEngine> {
  const [records, decisions, reconciliations, settings, qaSamples, members, duplicateGroups, assignments] = await Promise.all([
    store.list(project, "records"),
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

describe("screening state kept in step with the store", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-screening-state-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "State" }, { actor: "ana" })).id;
    await addMembers(store, project, ["ben", "carl", "dee", "eve"]);
    await store.setProtocol(project, { exclusionReasons: [{ code: "population", label: "Population", rank: 1 }] }, { actor: "ana" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const url = (path: string, stage: ScreeningStage = "title_abstract") => `/api/projects/${project}/screening/${stage}/${path}`;
  const next = async (user: string, stage: ScreeningStage = "title_abstract") => {
    const r = await app.inject({ url: url("next", stage), headers: { "x-homeward-user": user } });
    expect(r.statusCode).toBe(200);
    return r.json() as { record: { id: string } | null; remaining: number; awaitingSecond: number; prioritised: boolean };
  };
  const decide = async (user: string, recordId: string, decision: string, stage: ScreeningStage = "title_abstract") => {
    const r = await app.inject({
      method: "POST",
      url: url("decisions", stage),
      headers: { "x-homeward-user": user },
      payload: { recordId, decision, reasons: decision === "exclude" ? ["population"] : [] },
    });
    expect(r.statusCode, r.body).toBe(201);
  };
  const get = async (path: string, stage: ScreeningStage) => (await app.inject({ url: url(path, stage), headers: { "x-homeward-user": "ana" } })).json();

  const check = async (stage: ScreeningStage, reviewers: string[]) => {
    const ref = await rebuilt(store, project);
    const st = ref.stage(stage);
    const status = await get("status", stage);
    expect(status.records).toBe(st.total);
    expect(status.mode).toEqual(st.mode);
    expect(status.counts).toEqual({ ...st.counts });
    expect(status.conflicts.map((c: { recordId: string }) => c.recordId)).toEqual(st.conflicts().map((c) => c.recordId));
    // Agreement pairs and the screening sequence behind the stopping estimate.
    const pairs = (a: { byPair: { reviewers: string[]; n: number }[] }) => Object.fromEntries(a.byPair.map((p) => [p.reviewers.join("+"), p.n]));
    expect(pairs(await get("agreement", stage))).toEqual(pairs(ref.agreement(stage)));
    expect(await get("stopping", stage)).toEqual(JSON.parse(JSON.stringify(ref.stopping(stage, { recallTarget: 0.95, confidence: 0.95 }))));
    for (const user of reviewers) {
      const n = await next(user, stage);
      expect(n.remaining).toBe(st.remaining(user));
      // What the user may screen by status alone (the reference knows no leases).
      if (n.record) expect(st.openFor(n.record.id, user, 0)).toBe(true);
      else expect(st.candidate(user, { now: 0, prioritise: false })).toBeNull();
    }
    return ref;
  };

  it("serves reviewers different records, holds a record for its reviewer, and follows writes made behind its back", async () => {
    const rnd = new Random(5);
    const text = () => Array.from({ length: 12 }, () => WORDS[rnd.int(WORDS.length)]).join(" ");
    const recs = await store.insert(project, "records", Array.from({ length: 80 }, () => ({ title: text(), abstract: text() })), { actor: "ana" });
    await check("title_abstract", ["ana", "ben"]);

    // Single screening: two reviewers asking at once get different records; asking again gives the same one.
    const [a, b] = await Promise.all([next("ana"), next("ben")]);
    expect(a.record!.id).not.toBe(b.record!.id);
    expect((await next("ana")).record!.id).toBe(a.record!.id);
    await decide("ana", a.record!.id, "include");
    expect((await next("ana")).record!.id).not.toBe(a.record!.id);

    // Behind the routes' back: a duplicate group, a decision, then dual screening.
    const [group] = await store.insert(project, "duplicateGroups", [{ primaryRecordId: recs[1].id, method: "manual" }], { actor: "ana" });
    for (const r of [recs[1], recs[2]]) await store.update(project, "records", r.id, { duplicateGroupId: group.id }, { actor: "ana" });
    await store.insert(project, "screeningDecisions", [{ recordId: recs[3].id, stage: "title_abstract", decision: "exclude", reasons: [] }], { actor: "carl" });
    await check("title_abstract", ["ana", "ben", "carl"]);
    await store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode: "dual", reviewers: [] }], { actor: "ana" });
    const dual = await check("title_abstract", ["ana", "ben", "carl"]);
    expect(dual.stage("title_abstract").mode).toEqual({ kind: "dual" });

    // A decision on a group member covers the group; only the primary is screened (and counted), the copy follows it.
    await decide("ben", recs[1].id, "exclude");
    await decide("ana", recs[2].id, "include");
    const grouped = await check("title_abstract", ["ana", "ben"]);
    expect(grouped.stage("title_abstract").statusOf(recs[1].id)).toMatchObject({ state: "conflict" });
    expect(grouped.stage("title_abstract").statusOf(recs[2].id)).toBeUndefined();
    expect(grouped.stage("title_abstract").total).toBe(79);

    // Bulk writes (more than 50 entities are logged as one summary entry, which makes the server read the project afresh) and new records.
    for (const reviewer of ["ana", "ben", "dee"]) {
      const bulk = recs.slice(10, 70).map((r) => ({ recordId: r.id, stage: "title_abstract" as const, decision: rnd.int(3) ? ("exclude" as const) : ("include" as const), reasons: [] }));
      await store.insert(project, "screeningDecisions", bulk, { actor: reviewer });
    }
    await store.insert(project, "records", [{ title: text(), abstract: text() }], { actor: "ana" });
    const bulk = await check("title_abstract", ["ana", "ben", "dee"]);
    expect(bulk.stage("title_abstract").counts.conflict).toBeGreaterThan(0);

    // Dual-then-single: the first share of records decided need two reviewers.
    // One settings row per stage: the change is an update of it.
    const [settings] = await store.list(project, "screeningSettings", { stage: "title_abstract" });
    await store.update(project, "screeningSettings", settings!.id, { mode: "dual_then_single", dualFraction: 0.3, updatedAt: new Date().toISOString() }, { actor: "ana" });
    for (let k = 0; k < 12; k++) {
      const user = ["ana", "ben", "carl"][k % 3];
      const n = await next(user);
      if (n.record) await decide(user, n.record.id, rnd.int(2) ? "include" : "exclude");
    }
    await check("title_abstract", ["ana", "ben", "carl"]);

    // Reconciling conflicts settles them; full text holds what title/abstract sent on.
    const status = await get("status", "title_abstract");
    for (const c of status.conflicts.slice(0, 3)) {
      const r = await app.inject({ method: "POST", url: url("reconciliations"), headers: { "x-homeward-user": "eve" }, payload: { recordId: c.recordId, decision: "include", reason: "eligible" } });
      expect(r.statusCode, r.body).toBe(201);
    }
    await check("title_abstract", ["ana", "ben"]);
    const ft = await check("full_text", ["ana", "ben"]);
    expect(ft.stage("full_text").total).toBeGreaterThan(0);
    const served = await next("ana", "full_text");
    expect(served.record).not.toBeNull();
    await decide("ana", served.record!.id, "exclude", "full_text");
    await check("full_text", ["ana", "ben"]);
  });

  it("ranks the queue once both classes are decided, without making requests wait", async () => {
    // Decisions of both classes ask for a retrain job; meanwhile records are served at once, in import order.
    for (let k = 0; k < 4; k++) {
      const n = await next("ana");
      if (!n.record) break;
      await decide("ana", n.record.id, k % 2 ? "include" : "exclude");
    }
    for (let k = 0; k < 300; k++) {
      const n = await next("ana");
      if (n.prioritised) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the queue was never prioritised");
  });
});
