import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { addMembers, namedUserPolicy } from "./identity.js";

const TITLES = [
  "Family reunification after foster care: a randomised trial",
  "Parenting programme for reunified families: quasi-experimental evaluation",
  "Soil nitrogen in alpine meadows",
  "Reunification outcomes for children leaving care",
  "Deep-sea fish migration patterns",
  "Kinship care and return home: cohort study",
];

describe("screening routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let ids: string[];
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-screening-routes-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    const ctx = { actor: "ana" };
    project = (await store.createProject({ title: "Reunification" }, ctx)).id;
    await store.setProtocol(
      project,
      {
        exclusionReasons: [
          { code: "population", label: "Does not target children, young people, parents, or families", rank: 1 },
          { code: "design", label: "Study design is not eligible", rank: 3 },
          { code: "outcomes", label: "Outcomes not relevant", rank: 6 },
        ],
      },
      ctx,
    );
    const recs = await store.insert(project, "records", TITLES.map((title) => ({ title, abstract: title })), ctx);
    ids = recs.map((r) => r.id);
    // Records 0 and 3 are one report found twice.
    const [group] = await store.insert(project, "duplicateGroups", [{ primaryRecordId: ids[0], method: "manual" }], ctx);
    await store.update(project, "records", ids[3], { duplicateGroupId: group.id }, ctx);
    await store.update(project, "records", ids[0], { duplicateGroupId: group.id }, ctx);
    await store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode: "dual", reviewers: ["ana", "ben"] }], ctx);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const as = (user: string) => ({ "x-homeward-user": user });
  const url = (path: string, stage = "title_abstract") => `/api/projects/${project}/screening/${stage}/${path}`;
  const decide = (user: string, recordId: string, decision: string, reasons: string[] = [], stage = "title_abstract") =>
    app.inject({ method: "POST", url: url("decisions", stage), headers: as(user), payload: { recordId, decision, reasons } });

  it("dual-screens blind, applies decisions to duplicate groups, lists and reconciles a conflict, reports kappa", async () => {
    const first = await app.inject({ url: url("next"), headers: as("ana") });
    expect(first.statusCode).toBe(200);
    expect(first.json().record).not.toBeNull();

    const r = await decide("ana", ids[0], "include");
    expect(r.statusCode).toBe(201);
    // The duplicate record 3 got the same decision.
    expect(r.json().decisions.map((d: { recordId: string }) => d.recordId).sort()).toEqual([ids[0], ids[3]].sort());

    let status = (await app.inject({ url: url("status"), headers: as("ana") })).json();
    // Only the group's primary is screened: 6 records, 5 reports; the copy is not counted again.
    expect(status.records).toBe(5);
    expect(status.counts.awaiting_second).toBe(1);

    // Both reviewers decide at the same moment on different records: neither is lost.
    const [a, b] = await Promise.all([decide("ana", ids[1], "include"), decide("ben", ids[2], "exclude", ["population"])]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);

    await decide("ben", ids[0], "exclude", ["design", "population"]);
    await decide("ben", ids[1], "maybe");
    await decide("ana", ids[2], "exclude");
    await decide("ana", ids[4], "exclude");
    await decide("ben", ids[4], "exclude");

    status = (await app.inject({ url: url("status"), headers: as("ana") })).json();
    expect(status.conflicts.map((c: { recordId: string }) => c.recordId)).toEqual([ids[0]]);
    expect(status.counts.decided).toBe(3);

    const ag = (await app.inject({ url: url("agreement"), headers: as("ana") })).json();
    expect(ag.byPair).toHaveLength(1);
    expect(ag.byPair[0].reviewers).toEqual(["ana", "ben"]);
    // 4 reports both decided (record 3 is record 0's copy): 0 include/exclude, 1 include/maybe, 2 and 4 exclude/exclude.
    expect(ag.byPair[0].n).toBe(4);
    expect(ag.byPair[0].percent).toBeCloseTo(2 / 4, 12);
    expect(typeof ag.byPair[0].kappa).toBe("number");

    const noReason = await app.inject({ method: "POST", url: url("reconciliations"), headers: as("carl"), payload: { recordId: ids[0], decision: "include", reason: "" } });
    expect(noReason.statusCode).toBe(400);
    const rec = await app.inject({
      method: "POST",
      url: url("reconciliations"),
      headers: as("carl"),
      payload: { recordId: ids[0], decision: "include", reason: "targets families; design is an RCT" },
    });
    expect(rec.statusCode).toBe(201);
    status = (await app.inject({ url: url("status"), headers: as("ana") })).json();
    expect(rec.json().map((x: { recordId: string }) => x.recordId).sort()).toEqual([ids[0], ids[3]].sort());
    expect(status.conflicts).toEqual([]);
    expect(status.counts.reconciled).toBe(1);

    const stop = (await app.inject({ url: url("stopping"), headers: as("ana") })).json();
    expect(stop.targetLikelyReached).toBe(false);
    expect(stop.assumptions.length).toBeGreaterThan(0);
  });

  it("records the protocol's highest-ranked reason first and requires a reason at full text", async () => {
    const ft = await decide("ana", ids[0], "exclude", [], "full_text");
    expect(ft.statusCode).toBe(400);
    expect(ft.json().error).toMatch(/needs a reason/);
    const ok = await decide("ana", ids[0], "exclude", ["outcomes", "design"], "full_text");
    expect(ok.statusCode).toBe(201);
    expect(ok.json().recordedReason).toBe("design");
    expect(ok.json().decisions[0].reasons).toEqual(["design", "outcomes"]);
    const unknown = await decide("ana", ids[0], "exclude", ["too old"], "full_text");
    expect(unknown.statusCode).toBe(400);
  });

  it("serves records only to the stage's reviewers, refusing anyone else with a 403 that holds nothing", async () => {
    const other = (await store.createProject({ title: "Members" }, { actor: "olu" })).id;
    const [rec] = await store.insert(other, "records", [{ title: "Kinship care and return home", abstract: "A cohort study." }], { actor: "olu" });
    const at = (path: string, stage = "title_abstract") => `/api/projects/${other}/screening/${stage}/${path}`;
    // A decision from before zoe left the team.
    await store.insert(other, "screeningDecisions", [{ recordId: rec.id, stage: "title_abstract", decision: "include", reasons: [] }], { actor: "zoe" });
    const [more] = await store.insert(other, "records", [{ title: "Parenting after reunification", abstract: "A trial." }], { actor: "olu" });
    // olu, who created the project, is its owner.
    await store.insert(
      other,
      "members",
      [
        { userName: "ana", role: "reviewer" },
        { userName: "vic", role: "viewer" },
      ],
      { actor: "olu" },
    );
    for (const user of ["vic", "zoe"]) {
      const r = await app.inject({ url: at("next"), headers: as(user) });
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toMatch(new RegExp(`^${user} is not a reviewer of title/abstract screening`));
      const d = await app.inject({ method: "POST", url: at("decisions"), headers: as(user), payload: { recordId: more.id, decision: "include" } });
      expect(d.statusCode).toBe(403);
    }
    // Nothing was held for them: the one open record goes to a reviewer, and the status tells each user where they stand.
    const leases = await store.leases.list(other, "title_abstract", Date.now());
    expect(leases.filter((l) => l.reviewer === "vic" || l.recordId === more.id)).toEqual([]);
    const status = (await app.inject({ url: at("status"), headers: as("vic") })).json();
    expect(status.you).toMatchObject({ user: "vic", allowed: false, remaining: 1 });
    expect(status.you.refusal).toMatch(/they are a viewer of this project/);
    expect((await app.inject({ url: at("status"), headers: as("ana") })).json().you).toEqual({ user: "ana", allowed: true, refusal: null, remaining: 1 });
    const served = await app.inject({ url: at("next"), headers: as("ana") });
    expect(served.json().record.id).toBe(more.id);
    // A stage's own list of reviewers decides.
    await store.insert(other, "screeningSettings", [{ stage: "title_abstract", mode: "single", reviewers: ["olu"] }], { actor: "olu" });
    const listed = await app.inject({ url: at("next"), headers: as("ana") });
    expect(listed.statusCode).toBe(403);
    expect(listed.json().error).toBe("ana is not a reviewer of title/abstract screening: the screening set-up lists olu");
    // Screening assignments list their reviewers too.
    const [assignment] = await store.insert(other, "screeningAssignments", [{ recordId: more.id, stage: "title_abstract", reviewer: "ana" }], { actor: "olu" });
    expect((await app.inject({ url: at("next"), headers: as("ana") })).statusCode).toBe(200);
    expect((await app.inject({ url: at("next"), headers: as("zoe") })).json().error).toBe(
      "zoe is not a reviewer of title/abstract screening: the screening set-up and assignments list olu and ana",
    );
    await store.remove(other, "screeningAssignments", assignment.id, { actor: "olu" });
    expect((await app.inject({ url: at("next"), headers: as("ana") })).statusCode).toBe(403);
    // The QA sample's named checker re-checks a sampled record without being a reviewer of the stage.
    await store.insert(
      other,
      "qaSamples",
      [{ stage: "title_abstract", decision: "exclude", recordIds: [rec.id], method: "random", fraction: 1, seed: 1, checker: "vic", createdBy: "olu" }],
      { actor: "olu" },
    );
    const recheck = await app.inject({ method: "POST", url: at("decisions"), headers: as("vic"), payload: { recordId: rec.id, decision: "exclude" } });
    expect(recheck.statusCode, recheck.body).toBe(201);
    const samples = (await app.inject({ url: at("qa-samples"), headers: as("olu") })).json();
    expect(samples[0].items[0]).toMatchObject({ title: "Kinship care and return home", abstract: "A cohort study.", check: { reviewer: "vic" } });
  });

  it("gives a held record back when its reviewer stops screening", async () => {
    const other = (await store.createProject({ title: "Stop" }, { actor: "ana" })).id;
    await addMembers(store, other, ["ben", "carl"]);
    await store.insert(other, "records", [{ title: "One" }, { title: "Two" }], { actor: "ana" });
    const at = (path: string) => `/api/projects/${other}/screening/title_abstract/${path}`;
    const served = async (user: string) => (await app.inject({ url: at("next?prioritise=false"), headers: as(user) })).json().record?.id ?? null;
    const held = await served("ana");
    const second = await served("ben");
    expect(held).not.toBeNull();
    expect(second).not.toBe(held);
    expect(await served("carl")).toBeNull();
    const stop = await app.inject({ method: "DELETE", url: at("lease"), headers: as("ana") });
    expect(stop.statusCode).toBe(204);
    expect(await served("carl")).toBe(held);
  });
});
