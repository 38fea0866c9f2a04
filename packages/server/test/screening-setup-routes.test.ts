import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { addMembers, namedUserPolicy } from "./identity.js";

describe("screening settings and QA sample routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let ids: string[];
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-screening-setup-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "QA" }, { actor: "ana" })).id;
    await addMembers(store, project, ["ben", "carl", "senior"]);
    const recs = await store.insert(project, "records", Array.from({ length: 20 }, (_, i) => ({ title: `Record ${i + 1}` })), { actor: "ana" });
    ids = recs.map((r) => r.id);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const as = (user: string) => ({ "x-homeward-user": user });
  const url = (path: string) => `/api/projects/${project}/screening/title_abstract/${path}`;

  it("reads single screening until set, validates and stores the mode, and the screening routes follow it", async () => {
    expect((await app.inject({ url: url("settings") })).json()).toMatchObject({ mode: "single", reviewers: [] });
    const missingShare = await app.inject({ method: "PUT", url: url("settings"), headers: as("ana"), payload: { mode: "dual_then_single" } });
    expect(missingShare.statusCode).toBe(400);
    expect(missingShare.json().error).toMatch(/dual-screened share/);
    const set = await app.inject({ method: "PUT", url: url("settings"), headers: as("ana"), payload: { mode: "dual", reviewers: ["ana", "ben"] } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ mode: "dual", reviewers: ["ana", "ben"] });
    const again = await app.inject({ method: "PUT", url: url("settings"), headers: as("ben"), payload: { mode: "dual_then_single", dualFraction: 0.2 } });
    // Still one settings row per stage.
    expect(again.json().id).toBe(set.json().id);
    expect((await store.list(project, "screeningSettings")).length).toBe(1);
    expect((await app.inject({ url: url("status"), headers: as("ana") })).json().mode).toEqual({ kind: "dual_then_single", dualShare: 0.2 });
    await app.inject({ method: "PUT", url: url("settings"), headers: as("ana"), payload: { mode: "single" } });
  });

  it("names the records of a large QA sample", async () => {
    const ctx = { actor: "ana" };
    const big = (await store.createProject({ title: "Large QA" }, ctx)).id;
    const recs = await store.insert(big, "records", Array.from({ length: 260 }, (_, i) => ({ title: `Large ${i}` })), ctx);
    await store.insert(big, "screeningDecisions", recs.map((r) => ({ recordId: r.id, stage: "title_abstract" as const, decision: "exclude" as const })), ctx);
    const drawn = await app.inject({ method: "POST", url: `/api/projects/${big}/screening/title_abstract/qa-samples`, headers: as("ana"), payload: { fraction: 1, seed: 1 } });
    expect(drawn.json().recordIds).toHaveLength(260);
    const [view] = (await app.inject({ url: `/api/projects/${big}/screening/title_abstract/qa-samples` })).json();
    const title = new Map(recs.map((r) => [r.id, r.title]));
    expect(view.items.map((it: { title: string }) => it.title)).toEqual(view.recordIds.map((rid: string) => title.get(rid)));
  });

  it("shows a QA sample's records with the original decision, the senior re-check and their agreement", async () => {
    // Single screening: ana excludes all 20.
    for (const rid of ids) {
      const r = await app.inject({ method: "POST", url: url("decisions"), headers: as("ana"), payload: { recordId: rid, decision: "exclude" } });
      expect(r.statusCode).toBe(201);
    }
    const drawn = await app.inject({ method: "POST", url: url("qa-samples"), headers: as("ana"), payload: { fraction: 0.25, seed: 7, checker: "senior" } });
    expect(drawn.statusCode).toBe(201);
    const sampled: string[] = drawn.json().recordIds;
    expect(sampled).toHaveLength(5);

    let view = (await app.inject({ url: url("qa-samples") })).json();
    expect(view[0].checked).toBe(0);
    expect(view[0].agreement).toBeNull();
    expect(view[0].items.map((it: { title: string }) => it.title)).toEqual(sampled.map((rid) => `Record ${ids.indexOf(rid) + 1}`));

    // The senior agrees on three, includes one; someone else's decision is not the check.
    const verdicts = ["exclude", "exclude", "include", "exclude"];
    for (let i = 0; i < 4; i++) {
      await app.inject({ method: "POST", url: url("decisions"), headers: as("senior"), payload: { recordId: sampled[i], decision: verdicts[i] } });
    }
    await app.inject({ method: "POST", url: url("decisions"), headers: as("carl"), payload: { recordId: sampled[4], decision: "include" } });

    view = (await app.inject({ url: url("qa-samples") })).json();
    expect(view[0].checked).toBe(4);
    expect(view[0].items[4].check).toBeNull();
    expect(view[0].items[2]).toMatchObject({ original: { reviewer: "ana", decision: "exclude" }, check: { reviewer: "senior", decision: "include" } });
    // 3 of 4 agree; the original ratings are all "exclude", so chance agreement is
    // p_e = 1 · 3/4 and kappa = (3/4 − 3/4)/(1 − 3/4) = 0.
    expect(view[0].agreement.percent).toBeCloseTo(0.75, 12);
    expect(view[0].agreement.kappa).toBeCloseTo(0, 12);
    // Who decided a record, without the verdicts.
    const who = (await app.inject({ url: url(`records/${sampled[2]}/reviewers`) })).json();
    expect(who).toEqual({ reviewers: ["ana", "senior"] });
    expect((await app.inject({ url: url("records/nope/reviewers") })).statusCode).toBe(404);
    // Each reviewer's current decisions, newest first; a changed mind replaces the earlier one.
    await app.inject({ method: "POST", url: url("decisions"), headers: as("senior"), payload: { recordId: sampled[0], decision: "maybe" } });
    const mine = (await app.inject({ url: url("my-decisions?limit=3"), headers: as("senior") })).json();
    expect(mine.total).toBe(4);
    expect(mine.items.map((d: { recordId: string; decision: string }) => [d.recordId, d.decision])).toEqual([
      [sampled[0], "maybe"],
      [sampled[3], "exclude"],
      [sampled[2], "include"],
    ]);
    await app.inject({ method: "POST", url: url("decisions"), headers: as("senior"), payload: { recordId: sampled[0], decision: "exclude" } });
    // The disagreeing re-check is now a conflict to reconcile.
    const status = (await app.inject({ url: url("status"), headers: as("ana") })).json();
    expect(status.conflicts.map((c: { recordId: string }) => c.recordId).sort()).toEqual([sampled[2], sampled[4]].sort());
  });
});
