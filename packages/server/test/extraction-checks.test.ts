import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * Checks of extraction with real sessions: the owner sets the mode, one
 * reviewer extracts, a second checks (agrees or proposes a change), the
 * extractor accepts or disputes, an adjudicator settles; every step is kept
 * and an accepted outcome datum has its effect size recomputed.
 */
const PASSWORD = "correct horse battery";

describe("extraction check routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let studyId: string;
  let outcomeId: string;
  let itemN: string;
  const data: string[] = [];
  const cookie = new Map<string, string>();

  const call = async (user: string, method: "GET" | "POST" | "PUT", path: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url: `/api/projects/${project}${path}`,
      headers: { cookie: cookie.get(user)!, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body, json: () => res.json() };
  };
  const checks = async (user = "ben") => (await call(user, "GET", `/extraction/studies/${studyId}/checks`)).json();

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-checks-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const owner = await accounts.setup((await accounts.issueSetupLink()).token, { name: "olive", displayName: "Olive", password: PASSWORD });
    cookie.set("olive", `${SESSION_COOKIE}=${owner.token}`);
    project = (await store.createProject({ title: "Checks" }, { actor: "olive" })).id;
    for (const [name, role] of [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["vic", "viewer"]] as const) {
      const { link } = await accounts.addMember(project, { userName: name, displayName: "", role }, { actor: "olive" });
      cookie.set(name, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, PASSWORD)).token}`);
    }
    const studies = await store.insert(project, "studies", [{ name: "Akin 2018" }, { name: "Balsells 2015" }, { name: "Carnochan 2013" }], { actor: "olive" });
    studyId = studies[0]!.id;
    outcomeId = (await store.insert(project, "outcomes", [{ studyId, name: "Re-entry to care", higherIsBetter: false }], { actor: "olive" }))[0]!.id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("lets the owner set the mode, saved as the protocol's extraction section", async () => {
    expect((await call("ana", "PUT", "/extraction/setup", { mode: "single_checked" })).status).toBe(403);
    expect((await call("olive", "PUT", "/extraction/setup", { mode: "triple" })).status).toBe(400);
    const set = await call("olive", "PUT", "/extraction/setup", { mode: "single_checked" });
    expect(set.status, set.body).toBe(200);
    expect(set.json()).toEqual({ mode: "single_checked", seniorCheckShare: 0.05 });
    expect((await store.getProtocol(project)).extraction).toEqual({ mode: "single_checked", seniorCheckShare: 0.05 });
    expect((await call("vic", "GET", "/extraction/studies")).json().setup.mode).toBe("single_checked");
  });

  it("one reviewer extracts a value and two outcome data; the checker sees them, not the extractor's own to check", async () => {
    itemN = (await call("olive", "POST", "/extraction/codebook", { code: "n", label: "Participants", type: "integer", min: 0 })).json().id;
    expect((await call("ana", "PUT", `/extraction/studies/${studyId}/values`, { values: [{ itemId: itemN, value: 120 }] })).status).toBe(200);
    expect((await call("ana", "PUT", `/studies/${studyId}/arms`, { arms: [{ label: "Programme", n: 60 }, { label: "Usual care", n: 60 }] })).status).toBe(200);
    const arms = ["arm-1", "arm-2"] as [string, string];
    for (const inputs of [{ kind: "counts", events1: 12, n1: 60, events2: 20, n2: 60 }, { kind: "means", m1: 10, sd1: 2, n1: 60, m2: 11, sd2: 2, n2: 60 }]) {
      const r = await call("ana", "POST", `/studies/${studyId}/outcomes/${outcomeId}/data`, { armIds: arms, inputs });
      expect(r.status, r.body).toBe(201);
      data.push(r.json().id);
    }
    const view = await checks("ben");
    expect(view.values.map((v: { extractor: string; status: string; value: { value: unknown } }) => [v.extractor, v.value.value, v.status])).toEqual([["ana", 120, "unchecked"]]);
    expect(view.outcomeData).toHaveLength(2);
    expect(view.uncheckedOutcomeData).toBe(2);
    expect((await call("vic", "GET", "/extraction/studies")).json().uncheckedOutcomeData).toBe(2);

    const own = await call("ana", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[0], action: "agree" });
    expect(own.status).toBe(403);
    expect(own.json().error).toContain("you cannot check your own extraction");
    expect((await call("vic", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[0], action: "agree" })).status).toBe(403);
  });

  it("checks outcome data: agree, propose with a reason, the extractor accepts and the effect size is recomputed", async () => {
    const agree = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[1], action: "agree" });
    expect(agree.status, agree.body).toBe(201);
    expect(agree.json().uncheckedOutcomeData).toBe(1);

    expect((await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[0], action: "propose", value: { kind: "counts", events1: 12, n1: 60, events2: 24, n2: 60 } })).json().error).toContain("say why");
    const bad = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[0], action: "propose", value: { kind: "counts", events1: 80, n1: 60, events2: 24, n2: 60 }, reason: "typo" });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe('study "Akin 2018", outcome "Re-entry to care": events1: 80 events is more than the group\'s 60');

    const before = (await checks()).outcomeData.find((o: { data: { id: string } }) => o.data.id === data[0]).data.yi as number;
    const propose = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[0], action: "propose", value: { kind: "counts", events1: 12, n1: 60, events2: 24, n2: 60 }, reason: "Table 3 gives 24 re-entries in usual care" });
    expect(propose.status, propose.body).toBe(201);
    const open = propose.json().outcomeData.find((o: { data: { id: string } }) => o.data.id === data[0]);
    expect(open.status).toBe("proposed");
    expect(open.open.reviewer).toBe("ben");

    const forAna = (await call("ana", "GET", "/extraction/studies")).json().studies.find((s: { id: string }) => s.id === studyId);
    expect(forAna.proposedToYou).toBe(1);
    expect((await call("ben", "GET", "/extraction/studies")).json().studies.find((s: { id: string }) => s.id === studyId).proposedToYou).toBe(0);
    // Only the extractor answers.
    expect((await call("ben", "POST", `/extraction/studies/${studyId}/checks/${open.open.id}/answer`, { action: "accept" })).status).toBe(403);
    const accept = await call("ana", "POST", `/extraction/studies/${studyId}/checks/${open.open.id}/answer`, { action: "accept" });
    expect(accept.status, accept.body).toBe(201);
    const done = accept.json().outcomeData.find((o: { data: { id: string } }) => o.data.id === data[0]);
    expect(done.status).toBe("accepted");
    expect(done.checkedBy).toBe("ben");
    expect(done.data.inputs.events2).toBe(24);
    expect(done.data.yi).not.toBeCloseTo(before, 6);
    expect(done.history.map((c: { action: string }) => c.action)).toEqual(["propose", "accept"]);
    expect(done.history[0].basis.events2).toBe(20);
    expect(accept.json().uncheckedOutcomeData).toBe(0);

    // A later change by other means makes it unchecked again.
    const edited = await call("ana", "PUT", `/studies/${studyId}/outcomes/${outcomeId}/data/${data[1]}`, { armIds: ["arm-1", "arm-2"], inputs: { kind: "means", m1: 10, sd1: 2, n1: 60, m2: 12, sd2: 2, n2: 60 } });
    expect(edited.status, edited.body).toBe(200);
    expect((await checks()).uncheckedOutcomeData).toBe(1);
  });

  it("settles disputed outcome data: the adjudicator's choice recomputes the effect size, the extractor stays the extractor", async () => {
    const p = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[1], action: "propose", value: { kind: "means", m1: 10, sd1: 2, n1: 60, m2: 12, sd2: 2.5, n2: 60 }, reason: "SD of usual care is 2.5" });
    const open = p.json().outcomeData.find((o: { data: { id: string } }) => o.data.id === data[1]).open;
    await call("ana", "POST", `/extraction/studies/${studyId}/checks/${open.id}/answer`, { action: "dispute", reason: "2.5 is the baseline SD" });
    const yi = (await checks()).outcomeData.find((o: { data: { id: string } }) => o.data.id === data[1]).data.yi;
    const settled = await call("ada", "POST", `/extraction/studies/${studyId}/checks/${open.id}/settlement`, { keep: "proposed", reason: "Table 3 reports 2.5 at follow-up" });
    expect(settled.status, settled.body).toBe(201);
    const row = settled.json().outcomeData.find((o: { data: { id: string } }) => o.data.id === data[1]);
    expect(row).toMatchObject({ status: "settled", extractor: "ana", checkedBy: "ada" });
    expect(row.data.inputs.sd2).toBe(2.5);
    expect(row.data.yi).not.toBeCloseTo(yi, 6);
    expect(settled.json().uncheckedOutcomeData).toBe(0);
    expect((await call("ana", "POST", `/extraction/studies/${studyId}/checks`, { target: "outcomeData", id: data[1], action: "agree" })).status).toBe(403);
    // An answered proposal is answered once.
    expect((await call("ana", "POST", `/extraction/studies/${studyId}/checks/${open.id}/answer`, { action: "accept" })).status).toBe(409);
  });

  it("checks values: a proposal disputed is settled by an adjudicator; nothing is overwritten", async () => {
    const view = await checks();
    const v = view.values[0];
    const propose = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "value", id: v.value.id, action: "propose", value: 112, reason: "the flow chart says 112 randomised" });
    expect(propose.status, propose.body).toBe(201);
    const proposal = propose.json().values[0].open;
    expect((await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "value", id: v.value.id, action: "agree" })).status).toBe(409);
    expect((await call("ana", "GET", "/extraction/studies")).json().studies.find((s: { id: string }) => s.id === studyId).proposedToYou).toBe(1);
    expect((await call("ana", "POST", `/extraction/studies/${studyId}/checks/${proposal.id}/answer`, { action: "dispute" })).json().error).toContain("say why");
    const dispute = await call("ana", "POST", `/extraction/studies/${studyId}/checks/${proposal.id}/answer`, { action: "dispute", reason: "120 were enrolled" });
    expect(dispute.json().values[0].status).toBe("disputed");
    expect((await call("ben", "POST", `/extraction/studies/${studyId}/checks/${proposal.id}/settlement`, { keep: "proposed", reason: "x" })).status).toBe(403);
    const settle = await call("ada", "POST", `/extraction/studies/${studyId}/checks/${proposal.id}/settlement`, { keep: "proposed", reason: "randomised is the item's definition" });
    expect(settle.status, settle.body).toBe(201);
    const after = settle.json().values[0];
    expect(after.status).toBe("settled");
    expect(after.value.value).toBe(120);
    expect(after.history.map((c: { action: string; reviewer: string }) => `${c.action} ${c.reviewer}`)).toEqual(["propose ben", "dispute ana", "settle ada"]);
    const form = (await call("ada", "GET", `/extraction/studies/${studyId}`)).json();
    expect(form.consensus.map((c: { value: unknown; reviewer: string }) => [c.value, c.reviewer])).toEqual([[112, "ada"]]);
  });

  it("an accepted value is a new row naming the one it replaces", async () => {
    const v2 = (await call("olive", "POST", "/extraction/codebook", { code: "country", label: "Country", type: "text" })).json().id;
    await call("ana", "PUT", `/extraction/studies/${studyId}/values`, { values: [{ itemId: v2, value: "USA" }] });
    const row = (await checks()).values.find((x: { value: { itemId: string } }) => x.value.itemId === v2);
    const p = await call("ben", "POST", `/extraction/studies/${studyId}/checks`, { target: "value", id: row.value.id, action: "propose", value: "United States", reason: "spell out" });
    const open = p.json().values.find((x: { value: { itemId: string } }) => x.value.itemId === v2).open;
    const a = await call("ana", "POST", `/extraction/studies/${studyId}/checks/${open.id}/answer`, { action: "accept" });
    const after = a.json().values.find((x: { value: { itemId: string } }) => x.value.itemId === v2);
    expect(after.status).toBe("accepted");
    expect(after.value.value).toBe("United States");
    expect(after.value.reviewer).toBe("ana");
    expect(after.value.supersedes).toBe(row.value.id);
    expect(after.replaced.map((x: { value: unknown }) => x.value)).toEqual(["USA"]);
  });

  it("draws the senior check's sample once and keeps it as studies are added", async () => {
    expect((await call("vic", "GET", "/extraction/senior-sample")).json().sample).toBeNull();
    expect((await call("ana", "POST", "/extraction/senior-sample", {})).status).toBe(403);
    const drawn = await call("olive", "POST", "/extraction/senior-sample", { seed: 7 });
    expect(drawn.status, drawn.body).toBe(201);
    const sample = drawn.json().sample;
    expect(sample).toMatchObject({ fraction: 0.05, seed: 7, of: 3, drawnBy: "olive" });
    expect(sample.studyIds).toHaveLength(1);
    expect(drawn.json().studies[0].status).toMatch(/not_started|in_progress|checked/);
    await store.insert(project, "studies", [{ name: "Dawson 2020" }], { actor: "olive" });
    expect((await call("olive", "POST", "/extraction/senior-sample", {})).status).toBe(409);
    expect((await call("vic", "GET", "/extraction/senior-sample")).json().sample.studyIds).toEqual(sample.studyIds);
  });
});
