import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { advances, canScreen, recordStatus, Random, reviewersNeeded, stoppingEstimate, type AssignmentMode, type Decision, type RecordStatus } from "@homeward/screening";
import type { ScreeningStage } from "@homeward/model";

/**
 * The routes answer from an in-memory state kept in step with the store's
 * audit log. These tests write through the routes and behind their back
 * (straight to the store, as other routes or the CLI do) and compare every
 * answer with statuses recomputed from scratch from the store's rows.
 */

const WORDS = "family reunification foster care trial parenting kinship cohort soil nitrogen meadow fish migration deep sea bird song".split(" ");

async function fromScratch(store: Store, project: string, stage: ScreeningStage) {
  const [all, decisionRows, recs, settings, taRows, taRecs] = await Promise.all([
    store.list(project, "records"),
    store.list(project, "screeningDecisions", { stage }),
    store.list(project, "reconciliations", { stage }),
    store.list(project, "screeningSettings", { stage }),
    store.list(project, "screeningDecisions", { stage: "title_abstract" }),
    store.list(project, "reconciliations", { stage: "title_abstract" }),
  ]);
  const s = settings.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1)).pop();
  const mode: AssignmentMode = !s || s.mode === "single" ? { kind: "single" } : s.mode === "dual" ? { kind: "dual" } : { kind: "dual_then_single", dualShare: s.dualFraction ?? 0.2 };
  const statuses = (records: typeof all, st: ScreeningStage, rows: typeof decisionRows, rc: typeof recs, m: AssignmentMode) => {
    const order = new Map<string, number>();
    for (const d of rows) if (!order.has(d.recordId)) order.set(d.recordId, order.size);
    const decisions = new Map<string, Decision[]>();
    for (const d of rows) decisions.set(d.recordId, [...(decisions.get(d.recordId) ?? []), { reviewer: d.reviewer, verdict: d.decision, reasons: d.reasons }]);
    const rec = new Map(rc.map((r) => [r.recordId, { reviewer: r.resolvedBy, verdict: r.decision, reasons: r.reasons, reason: r.reason }]));
    const out = new Map<string, { status: RecordStatus; needed: 1 | 2; decisions: Decision[] }>();
    for (const r of records) {
      const needed = reviewersNeeded(m, order.get(r.id) ?? order.size, records.length);
      out.set(r.id, { status: recordStatus(st, needed, decisions.get(r.id) ?? [], rec.get(r.id)), needed, decisions: decisions.get(r.id) ?? [] });
    }
    return out;
  };
  let records = all;
  if (stage === "full_text") {
    const ta = statuses(all, "title_abstract", taRows, taRecs, { kind: "single" });
    records = all.filter((r) => {
      const x = ta.get(r.id)!.status;
      return (x.state === "decided" || x.state === "reconciled") && advances(x.verdict);
    });
  }
  return { records, mode, decisionRows, statuses: statuses(records, stage, decisionRows, recs, mode) };
}

describe("screening state kept in step with the store", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-screening-state-")) });
    app = await buildServer({ store, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "State" }, { actor: "ana" })).id;
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
  const check = async (stage: ScreeningStage, reviewers: string[]) => {
    const ref = await fromScratch(store, project, stage);
    const status = (await app.inject({ url: url("status", stage), headers: { "x-homeward-user": "ana" } })).json();
    const counts: Record<string, number> = { unscreened: 0, awaiting_second: 0, decided: 0, conflict: 0, reconciled: 0, include: 0, exclude: 0, maybe: 0 };
    for (const { status: s } of ref.statuses.values()) {
      counts[s.state]++;
      if (s.state === "decided" || s.state === "reconciled") counts[s.verdict]++;
    }
    expect(status.records).toBe(ref.records.length);
    expect(status.mode).toEqual(ref.mode);
    expect(status.counts).toEqual(counts);
    expect(status.conflicts.map((c: { recordId: string }) => c.recordId).sort()).toEqual(
      [...ref.statuses].filter(([, x]) => x.status.state === "conflict").map(([id]) => id).sort(),
    );
    // Agreement pairs and the screening sequence behind the stopping estimate.
    const pairs = new Map<string, number>();
    for (const [, x] of ref.statuses) {
      const latest = [...new Set(x.decisions.map((d) => d.reviewer))].sort();
      for (let i = 0; i < latest.length; i++) for (let j = i + 1; j < latest.length; j++) pairs.set(`${latest[i]}+${latest[j]}`, (pairs.get(`${latest[i]}+${latest[j]}`) ?? 0) + 1);
    }
    const ag = (await app.inject({ url: url("agreement", stage), headers: { "x-homeward-user": "ana" } })).json();
    expect(Object.fromEntries(ag.byPair.map((p: { reviewers: string[]; n: number }) => [p.reviewers.join("+"), p.n]))).toEqual(Object.fromEntries(pairs));
    const sequence: number[] = [];
    const seen = new Set<string>();
    for (const d of ref.decisionRows) {
      const x = ref.statuses.get(d.recordId);
      if (seen.has(d.recordId) || !x || (x.status.state !== "decided" && x.status.state !== "reconciled")) continue;
      seen.add(d.recordId);
      sequence.push(advances(x.status.verdict) ? 1 : 0);
    }
    const stop = (await app.inject({ url: url("stopping", stage), headers: { "x-homeward-user": "ana" } })).json();
    expect(stop).toEqual(JSON.parse(JSON.stringify(stoppingEstimate(sequence, ref.records.length, { recallTarget: 0.95, confidence: 0.95 }))));
    for (const user of reviewers) {
      const n = await next(user, stage);
      const open = [...ref.statuses].filter(([, x]) => canScreen(x.needed, x.decisions, user, x.status.state === "reconciled"));
      expect(n.remaining).toBe(open.length);
      if (n.record) expect(open.map(([id]) => id)).toContain(n.record.id);
      else expect(open.length).toBe(0);
    }
  };

  it("serves reviewers different records, holds a record for its reviewer, and follows writes made behind its back", async () => {
    const rnd = new Random(5);
    const text = () => Array.from({ length: 12 }, () => WORDS[rnd.int(WORDS.length)]).join(" ");
    const recs = await store.insert(project, "records", Array.from({ length: 40 }, () => ({ title: text(), abstract: text() })), { actor: "ana" });
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
    await store.insert(project, "screeningDecisions", [{ recordId: recs[3].id, stage: "title_abstract", reviewer: "carl", decision: "exclude", reasons: [] }], { actor: "carl" });
    await check("title_abstract", ["ana", "ben", "carl"]);
    await store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode: "dual", reviewers: [] }], { actor: "ana" });
    await check("title_abstract", ["ana", "ben", "carl"]);

    // A decision on a group member covers the group.
    await decide("ben", recs[1].id, "exclude");
    await decide("ana", recs[2].id, "include");
    await check("title_abstract", ["ana", "ben"]);

    // Many writes at once (a bulk write is logged as one summary entry) and new records.
    const bulk = recs.slice(10, 30).flatMap((r) =>
      ["ana", "ben", "dee"].map((reviewer) => ({ recordId: r.id, stage: "title_abstract" as const, reviewer, decision: rnd.int(3) ? ("exclude" as const) : ("include" as const), reasons: [] })),
    );
    await store.insert(project, "screeningDecisions", bulk, { actor: "ana" });
    await store.insert(project, "records", [{ title: text(), abstract: text() }], { actor: "ana" });
    await check("title_abstract", ["ana", "ben", "dee"]);

    // Dual-then-single: the first share of records decided need two reviewers.
    await store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode: "dual_then_single", dualFraction: 0.3, reviewers: [] }], { actor: "ana" });
    for (let k = 0; k < 12; k++) {
      const user = ["ana", "ben", "carl"][k % 3];
      const n = await next(user);
      if (n.record) await decide(user, n.record.id, rnd.int(2) ? "include" : "exclude");
    }
    await check("title_abstract", ["ana", "ben", "carl"]);

    // Reconciling conflicts settles them; full text holds what title/abstract sent on.
    const status = (await app.inject({ url: url("status"), headers: { "x-homeward-user": "ana" } })).json();
    for (const c of status.conflicts.slice(0, 3)) {
      const r = await app.inject({ method: "POST", url: url("reconciliations"), headers: { "x-homeward-user": "eve" }, payload: { recordId: c.recordId, decision: "include", reason: "eligible" } });
      expect(r.statusCode, r.body).toBe(201);
    }
    await check("title_abstract", ["ana", "ben"]);
    await check("full_text", ["ana", "ben"]);
    const ft = await next("ana", "full_text");
    expect(ft.record).not.toBeNull();
    await decide("ana", ft.record!.id, "exclude", "full_text");
    await check("full_text", ["ana", "ben"]);
  });

  it("ranks the queue once both classes are decided, without making requests wait", async () => {
    for (let k = 0; k < 100; k++) {
      const n = await next("ana");
      if (n.prioritised) return;
      if (!n.record) break;
      await decide("ana", n.record.id, k % 2 ? "include" : "exclude");
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the queue was never prioritised");
  });
});
