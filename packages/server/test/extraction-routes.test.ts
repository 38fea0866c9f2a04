import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * The extraction routes with real sessions: an owner sets up the codebook,
 * two reviewers extract a study blind, an adjudicator compares and records
 * consensus; values are checked, signed from the session and never
 * overwritten.
 */
const SECRET = "ana-quote-5d2e";

describe("extraction routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let studyId: string;
  let studyB: string;
  let outcomeId: string;
  const item: Record<string, string> = {};
  const cookie = new Map<string, string>();

  const call = async (user: string, method: "GET" | "POST" | "PUT" | "PATCH", path: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url: `/api/projects/${project}/extraction${path}`,
      headers: { cookie: cookie.get(user)!, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body, json: () => res.json() };
  };

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-extraction-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Extraction", [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const [rec] = await store.insert(project, "records", [{ title: "Family reunification therapy: a trial", authors: ["Akin, B."], year: 2018 }], { actor: "olive" });
    const studies = await store.insert(project, "studies", [{ name: "Akin 2018" }, { name: "Balsells 2015" }], { actor: "olive" });
    studyId = studies[0]!.id;
    studyB = studies[1]!.id;
    await store.insert(project, "studyReports", [{ studyId, recordId: rec!.id, role: "lead" }], { actor: "olive" });
    outcomeId = (await store.insert(project, "outcomes", [{ studyId, name: "Re-entry to care", timing: "12 months" }], { actor: "olive" }))[0]!.id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("lets an owner build the codebook: items, order, versions, retirement", async () => {
    const sec = await call("olive", "POST", "/codebook", { code: "sample", label: "Sample", type: "section" });
    expect(sec.status, sec.body).toBe(201);
    item.sample = sec.json().id;
    const add = async (body: object) => {
      const res = await call("olive", "POST", "/codebook", body);
      expect(res.status, res.body).toBe(201);
      return res.json().id as string;
    };
    item.age = await add({ code: "age", label: "Mean age", type: "number", unit: "years", min: 0, max: 18, parentId: item.sample });
    item.n = await add({ code: "n", label: "Participants", type: "integer", min: 0, parentId: item.sample });
    item.design = await add({ code: "design", label: "Design", type: "single", options: [{ code: "rct", label: "RCT" }, { code: "qed", label: "QED" }] });
    item.blind = await add({ code: "blind", label: "Assessors blinded", type: "yesno", help: "As the report says" });
    item.old = await add({ code: "old", label: "Dropped item", type: "text" });

    expect((await call("olive", "POST", "/codebook", { code: "x", label: "X", type: "single" })).body).toContain('codebook item \\"x\\": a choice item needs at least one option');
    expect((await call("olive", "POST", "/codebook", { code: "age", label: "X", type: "text" })).status).toBe(409);
    expect((await call("ana", "POST", "/codebook", { code: "y", label: "Y", type: "text" })).status).toBe(403);

    const order = await call("olive", "PUT", "/codebook/order", { parentId: item.sample, ids: [item.n, item.age] });
    expect(order.status, order.body).toBe(200);
    expect(order.json().items.map((i: { code: string; number: string }) => `${i.number} ${i.code}`)).toEqual(["1 sample", "1.1 n", "1.2 age", "2 design", "3 blind", "4 old"]);

    const retired = await call("olive", "PUT", `/codebook/${item.old}/retired`, { retired: true });
    expect(retired.json().retiredAt).toEqual(expect.any(String));
    const list = await call("vic", "GET", "/codebook");
    expect(list.json().items.find((i: { code: string }) => i.code === "old").retiredAt).not.toBeNull();
    const exported = (await call("vic", "GET", "/codebook/export")).json();
    expect(exported.items.map((i: { code: string }) => i.code)).toEqual(["sample", "n", "age", "design", "blind"]);
  });

  it("imports a codebook file all or none and adds the seed review's template", async () => {
    const clash = await call("olive", "POST", "/codebook/import", { format: "homeward-codebook", version: 1, items: [{ code: "new1", label: "New", type: "text" }, { code: "age", label: "Again", type: "text" }] });
    expect(clash.status).toBe(409);
    expect(clash.json().error).toContain('item 2: codebook item "age": the codebook has an item with this code already');
    expect((await call("vic", "GET", "/codebook")).json().items.some((i: { code: string }) => i.code === "new1")).toBe(false);

    // The template goes to a project of its own, so codes do not clash.
    const other = (await store.createProject({ title: "Template" }, { actor: "olive" })).id;
    const res = await app.inject({ method: "POST", url: `/api/projects/${other}/extraction/codebook/template`, headers: { cookie: cookie.get("olive")! } });
    expect(res.statusCode, res.body).toBe(201);
    const items = res.json().items as { code: string; depth: number; type: string }[];
    expect(items.filter((i) => i.depth === 0).map((i) => i.code)).toEqual(["reference", "study", "intervention", "method_quant", "comparison", "method_qual", "sample", "equity", "outcomes", "implementation"]);
    expect(items.find((i) => i.code === "proctor")?.type).toBe("grid");
  });

  it("checks values against their item, naming study and item, and saves nothing of a bad batch", async () => {
    const bad = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 120 }, { itemId: item.age, value: 19 }] });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe('study "Akin 2018", item "age" (Mean age): must be at most 18 years, not 19');
    expect((await call("ana", "GET", `/studies/${studyId}`)).json().mine).toEqual([]);
    const wrong = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.design, value: "cohort" }] });
    expect(wrong.json().error).toContain('item "design" (Design): must be one of the item\'s options (rct, qed)');
    const retired = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.old, value: "x" }] });
    expect(retired.json().error).toContain("retired");
    // Identity and time come from the session.
    const forged = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 1, reviewer: "ben" }] });
    expect(forged.status).toBe(400);
    expect((await call("vic", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 1 }] })).status).toBe(403);
    const source = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 1, source: { reportId: "elsewhere", page: "2", quote: null } }] });
    expect(source.json().error).toBe('study "Akin 2018", item "n": the source "elsewhere" is not a report of this study');
  });

  it("keeps one extractor's values from the other until they have extracted the study", async () => {
    const saved = await call("ana", "PUT", `/studies/${studyId}/values`, {
      values: [
        { itemId: item.n, value: 120 },
        { itemId: item.age, value: 9.5, source: { reportId: null, page: "4", quote: SECRET } },
        { itemId: item.design, value: "rct" },
        { itemId: item.blind, value: "unclear" },
      ],
    });
    expect(saved.status, saved.body).toBe(200);
    const form = saved.json();
    expect(form.mine).toHaveLength(4);
    expect(form.mine.every((v: { reviewer: string }) => v.reviewer === "ana")).toBe(true);
    expect(form.reports[0].citation).toContain("Family reunification therapy");

    const before = await call("ben", "GET", `/studies/${studyId}`);
    expect(before.json()).toMatchObject({ others: [], hiddenOthers: 1, mine: [] });
    expect(before.body).not.toContain(SECRET);
    for (const path of ["/studies", `/studies/${studyB}`, "/codebook"]) expect((await call("ben", "GET", path)).body).not.toContain(SECRET);
    expect((await call("ben", "GET", "/studies")).json().studies.find((s: { id: string }) => s.id === studyId)).toMatchObject({ extractors: ["ana"], mine: 0 });
    // A viewer who extracts nothing sees nothing while the stage is blind.
    expect((await call("vic", "GET", `/studies/${studyId}`)).json().hiddenOthers).toBe(1);
    // The adjudicator's comparison waits for a second extraction.
    expect((await call("ada", "GET", `/studies/${studyId}/comparison`)).status).toBe(409);

    const ben = await call("ben", "PUT", `/studies/${studyId}/values`, {
      values: [{ itemId: item.n, value: 120 }, { itemId: item.age, value: 10.5 }, { itemId: item.design, value: "qed" }, { itemId: item.blind, value: "unclear" }],
    });
    expect(ben.status, ben.body).toBe(200);
    expect(ben.json().hiddenOthers).toBe(0);
    expect(ben.json().others).toEqual([{ reviewer: "ana", values: expect.any(Array) }]);
    expect(ben.body).toContain(SECRET);
  });

  it("never overwrites: a changed value is a new row naming the one it replaces; an unchanged one is not written", async () => {
    const rows = async () => store.list(project, "extractedValues", { studyId });
    const count = (await rows()).length;
    const again = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 120 }] });
    expect(again.status).toBe(200);
    expect((await rows()).length).toBe(count);
    const changed = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, value: 118, note: "Table 1, not the abstract" }] });
    const now = await rows();
    expect(now.length).toBe(count + 1);
    const latest = changed.json().mine.find((v: { itemId: string }) => v.itemId === item.n);
    expect(latest).toMatchObject({ value: 118, reviewer: "ana", note: "Table 1, not the abstract", itemVersion: 1 });
    const replaced = now.find((v) => v.id === latest.supersedes)!;
    expect(replaced.value).toBe(120);
    expect(changed.json().replaced).toEqual([expect.objectContaining({ id: replaced.id, value: 120, reviewer: "ana" })]);
    // The generic collections route cannot rewrite history.
    const generic = await app.inject({
      method: "PATCH",
      url: `/api/projects/${project}/collections/extractedValues/${replaced.id}`,
      headers: { cookie: cookie.get("ana")!, "content-type": "application/json" },
      payload: { value: 1 },
    });
    expect(generic.statusCode).toBe(405);
    expect(generic.json().error).toContain("use the extraction routes");
  });

  it("lets an adjudicator compare value by value and record a consensus with its note", async () => {
    const cmp = await call("ada", "GET", `/studies/${studyId}/comparison`);
    expect(cmp.status, cmp.body).toBe(200);
    const c = cmp.json();
    expect([c.first, c.second]).toEqual(["ana", "ben"]);
    expect(c.rows.map((r: { code: string; status: string }) => [r.code, r.status])).toEqual([["n", "disagree"], ["age", "disagree"], ["design", "disagree"], ["blind", "agree"]]);
    expect(c.open).toBe(3);
    expect((await call("ana", "GET", `/studies/${studyId}/comparison`)).status).toBe(403);
    const noNote = await call("ada", "PUT", `/studies/${studyId}/consensus`, { itemId: item.design, value: "rct" });
    expect(noNote.status).toBe(400);
    expect(noNote.json().error).toContain("say how the consensus was reached");
    expect((await call("ada", "PUT", `/studies/${studyId}/consensus`, { itemId: item.age, value: 30, note: "x" })).json().error).toContain("at most 18 years");
    const agreed = await call("ada", "PUT", `/studies/${studyId}/consensus`, { itemId: item.design, value: "rct", note: "Randomised by family, p. 3" });
    expect(agreed.status, agreed.body).toBe(200);
    const row = agreed.json().rows.find((r: { code: string }) => r.code === "design");
    expect(row.consensus).toMatchObject({ value: "rct", reviewer: "ada", consensus: true, note: "Randomised by family, p. 3" });
    expect(agreed.json().open).toBe(2);
    const audit = await store.listAudit(project, { limit: 1000 });
    expect(audit.items.find((e) => e.entity === "extractedValues" && e.actor === "ada")?.reason).toBe("Randomised by family, p. 3");
    // The extractors read the consensus on their forms.
    expect((await call("ana", "GET", `/studies/${studyId}`)).json().consensus).toEqual([expect.objectContaining({ value: "rct" })]);

    const ag = await call("ada", "GET", "/agreement");
    expect(ag.status, ag.body).toBe(200);
    expect(ag.json().find((x: { code: string }) => x.code === "blind")).toMatchObject({ n: 1, agreed: 1, percent: 100, categorical: true });
    expect(ag.json().find((x: { code: string }) => x.code === "age")).toMatchObject({ n: 1, agreed: 0, percent: 0, kappa: null, categorical: false });
  });

  it("keeps values entered under an earlier version readable when the item changes", async () => {
    const edited = await call("olive", "PATCH", `/codebook/${item.age}`, { max: 9 });
    expect(edited.status, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ version: 2, versions: [expect.objectContaining({ version: 1, max: 18 })] });
    const form = (await call("ana", "GET", `/studies/${studyId}`)).json();
    expect(form.mine.find((v: { itemId: string }) => v.itemId === item.age)).toMatchObject({ value: 9.5, itemVersion: 1 });
    expect((await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.age, value: 9.5 }] })).json().error).toContain("at most 9 years");
    const ok = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.age, value: 8 }] });
    expect(ok.json().mine.find((v: { itemId: string }) => v.itemId === item.age)).toMatchObject({ value: 8, itemVersion: 2 });
  });

  it("shows every value to anyone once an owner lifts blinding for extraction", async () => {
    const lifted = await app.inject({
      method: "PUT",
      url: `/api/projects/${project}/blinding/extraction`,
      headers: { cookie: cookie.get("olive")!, "content-type": "application/json" },
      payload: { blinded: false, reason: "extraction finished" },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    const vic = (await call("vic", "GET", `/studies/${studyId}`)).json();
    expect(vic.hiddenOthers).toBe(0);
    expect(vic.others.map((o: { reviewer: string }) => o.reviewer)).toEqual(["ana", "ben"]);
  });

  it("asks an outcome's items once per outcome and compares them per outcome", async () => {
    const added = await call("olive", "POST", "/codebook", { code: "events", label: "Children re-entering care", type: "integer", min: 0, scope: "outcome" });
    expect(added.status, added.body).toBe(201);
    const events = added.json().id as string;
    expect((await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: events, value: 12 }] })).json().error).toBe(
      'study "Akin 2018", item "events": the item is asked per outcome; name the outcome',
    );
    expect((await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: item.n, outcomeId, value: 12 }] })).json().error).toContain("asked once per study");
    const ana = await call("ana", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: events, outcomeId, value: 12 }] });
    expect(ana.status, ana.body).toBe(200);
    expect(ana.json().outcomes).toEqual([{ id: outcomeId, name: "Re-entry to care", timing: "12 months" }]);
    await call("ben", "PUT", `/studies/${studyId}/values`, { values: [{ itemId: events, outcomeId, value: 13 }] });
    const cmp = (await call("ada", "GET", `/studies/${studyId}/comparison`)).json();
    expect(cmp.rows.find((r: { code: string }) => r.code === "events")).toMatchObject({ outcomeId, status: "disagree", first: { value: 12 }, second: { value: 13 } });
    expect(cmp.outcomes.map((o: { name: string }) => o.name)).toEqual(["Re-entry to care"]);
    // Its scope stays what it was created with.
    expect((await call("olive", "PATCH", `/codebook/${events}`, { scope: "study" })).status).toBe(400);
  });

  it("draws the senior-check sample from a seed", async () => {
    const s = await call("vic", "GET", "/senior-check?fraction=0.05&seed=3");
    expect(s.status, s.body).toBe(200);
    expect(s.json()).toMatchObject({ of: 2, fraction: 0.05, seed: 3 });
    expect(s.json().studyIds).toHaveLength(1);
    expect((await call("vic", "GET", "/senior-check?seed=3")).json()).toEqual(s.json());
    expect((await call("vic", "GET", "/senior-check?fraction=2")).status).toBe(400);
  });
});
