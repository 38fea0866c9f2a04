import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { askState, getTool, NON_BLINDING_NOT_A_CONCERN, type Tool } from "@homeward/appraisal";
import { DEFAULT_APPRAISAL_SETUP } from "@homeward/model";
import { createAccounts } from "@homeward/accounts";
import { openStore, readProjectSource, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * The appraisal stage through its routes, with real sessions: two reviewers
 * assess one RCT with RoB 2 independently (neither sees the other's answers
 * until both have submitted; a draft does not count), an adjudicator
 * compares and records the consensus, which the robvis data then shows.
 */
const SECRET = "ana-override-reason-5c1e";

/** Answers every question the tool asks, in order, by `pick` (skip logic read as it goes). */
function fill(tool: Tool, pick: (q: { id: string; options: readonly string[] }) => string): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const d of tool.domains) {
    for (const q of d.questions) {
      if (askState(d, answers).asked.includes(q.id) && q.options.length > 0) answers[q.id] = pick(q);
    }
  }
  return answers;
}

describe("appraisal routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let studyId: string;
  const cookie = new Map<string, string>();
  const rob2 = getTool("rob2")!;
  // Ana answers "Yes" wherever she can; Ben "Probably yes": every disagreement is minor.
  const anaAnswers = fill(rob2, (q) => (q.options.includes("Y") ? "Y" : q.options[0]!));
  const benAnswers = fill(rob2, (q) => (q.options.includes("PY") ? "PY" : q.options[0]!));

  const as = (user: string, write = false) => ({ cookie: cookie.get(user)!, ...(write ? { "content-type": "application/json" } : {}) });
  const base = () => `/api/projects/${project}/appraisal/studies`;
  const get = (user: string, url: string) => app.inject({ url, headers: as(user) });
  const send = (user: string, method: "PUT" | "POST", url: string, payload: unknown) => app.inject({ method, url, headers: as(user, true), payload: payload as object });

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-appraisal-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Appraisal", [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const [study] = await store.insert(project, "studies", [{ name: "Trial 2020", design: "RCT", createdAt: new Date().toISOString() }], { actor: "olive" });
    studyId = study!.id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("defaults to the reunification review's set-up, its departure the engine's", async () => {
    expect(DEFAULT_APPRAISAL_SETUP.departures[0]).toEqual(NON_BLINDING_NOT_A_CONCERN);
    const res = await get("vic", base());
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.setup.tools.map((t: { design: string; tool: string }) => `${t.design}:${t.tool}`)).toEqual(["RCT:rob2", "QED:robins-i", "qualitative:casp-qualitative", "process_evaluation:assess"]);
    expect(body.setup.seniorCheckShare).toBe(0.05);
    // The senior check draws from appraised studies: none yet.
    expect(body.studies).toMatchObject([{ studyId, tool: "rob2", assessors: [], consensus: null, agreement: null, mine: "none", seniorCheck: false, seniorChecks: [], results: [] }]);
  });

  it("keeps the set-up as a protocol section the owner saves against its version", async () => {
    const opened = (await get("olive", `/api/projects/${project}/protocol/versions`)).json();
    const setup = { ...DEFAULT_APPRAISAL_SETUP, tools: [...DEFAULT_APPRAISAL_SETUP.tools, { design: "cluster RCT", tool: "rob2", version: null }], seniorCheckShare: 0.1 };
    const url = `/api/projects/${project}/protocol/appraisal`;
    expect((await app.inject({ method: "PATCH", url, headers: as("ana", true), payload: { value: setup, version: opened.versions.appraisal } })).statusCode).toBe(403);
    const bad = await app.inject({ method: "PATCH", url, headers: as("olive", true), payload: { value: { ...setup, seniorCheckShare: 2 }, version: opened.versions.appraisal } });
    expect(bad.statusCode).toBe(400);
    const saved = await app.inject({ method: "PATCH", url, headers: as("olive", true), payload: { value: setup, version: opened.versions.appraisal } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().versions.appraisal).not.toBe(opened.versions.appraisal);
    expect((await get("vic", base())).json().setup).toEqual(setup);
  });

  it("gives the form of the study's tool, with the project's departure", async () => {
    const res = await get("ana", `${base()}/${studyId}`);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json();
    expect(f.tool.id).toBe("rob2");
    expect(f.tool.domains.map((d: { id: string }) => d.id)).toEqual(["D1", "D2", "D3", "D4", "D5"]);
    expect(f.departures.map((d: { id: string }) => d.id)).toEqual(["non-blinding-not-a-concern"]);
    expect(f.mine).toBeNull();
    expect(f.proposals.every((p: { proposed: string | null }) => p.proposed === null)).toBe(true);
  });

  it("takes identity from the session, never from the body, and refuses viewers", async () => {
    const forged = await send("ana", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", answers: {}, reviewer: "ben" });
    expect(forged.statusCode).toBe(400);
    const viewer = await send("vic", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", answers: {} });
    expect(viewer.statusCode).toBe(403);
  });

  it("saves a draft, refuses an incomplete submission with what is missing, and an override without its reason", async () => {
    const draft = await send("ana", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", answers: { "1.1": "Y" } });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json().mine).toMatchObject({ reviewer: "ana", status: "draft", answers: { "1.1": "Y" } });
    const incomplete = await send("ana", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: { "1.1": "Y" } });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.json().error).toContain("1.2");
    const bad = await send("ana", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: { ...anaAnswers, "1.1": "Maybe" } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toContain("Maybe is not an allowed answer to 1.1");
    const noReason = await send("ana", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: anaAnswers, judgements: { D1: { judgement: "High" } } });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().error).toContain("needs a reason");
  });

  it("submits with the engine's proposals, the departure reported where it changed one, and an override with its reason", async () => {
    const res = await send("ana", "POST", `${base()}/${studyId}/mine/submit`, {
      tool: "rob2",
      answers: anaAnswers,
      judgements: { D1: { judgement: "High", reason: SECRET } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json();
    expect(f.mine.status).toBe("submitted");
    expect(f.mine.judgements.D1).toEqual({ judgement: "High", reason: SECRET, proposed: f.proposals[0].proposed });
    const d2 = f.proposals.find((p: { domain: string }) => p.domain === "D2");
    // Ana said participants were aware (2.1 Y); the project's departure reads it as "Probably no".
    expect([...d2.departures.map((d: { id: string }) => d.id), ...d2.departuresWithoutEffect]).toContain("non-blinding-not-a-concern");
    expect(f.mine.overall).toBe("High");
    const stored = await store.list(project, "appraisals", { studyId });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ tool: "RoB2", toolVersion: rob2.version, variant: "assignment", status: "submitted", reviewer: "ana", consensus: false });
    expect(stored[0]!.domains[0]).toMatchObject({ domain: rob2.domains[0]!.name, judgement: "High", support: SECRET });
  });

  it("keeps Ana's answers from Ben until he has submitted his own; his draft does not count", async () => {
    const leaks = async (user: string) => {
      const urls = [`${base()}`, `${base()}/${studyId}`, `/api/projects/${project}/collections/appraisals`, `/api/projects/${project}/audit?limit=1000`];
      const out: string[] = [];
      for (const u of urls) if ((await get(user, u)).body.includes(SECRET)) out.push(u);
      return out;
    };
    const before = (await get("ben", `${base()}/${studyId}`)).json();
    expect(before.others).toEqual([]);
    expect(before.hiddenOthers).toBe(1);
    expect(await leaks("ben")).toEqual([]);

    const draft = await send("ben", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", answers: benAnswers });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json().hiddenOthers).toBe(1);
    expect(await leaks("ben")).toEqual([]);
    expect((await get("ben", base())).json().studies[0].agreement).toBeNull();

    const submitted = await send("ben", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: benAnswers });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().others.map((o: { reviewer: string }) => o.reviewer)).toEqual(["ana"]);
    expect(submitted.json().hiddenOthers).toBe(0);
    expect(await leaks("ben")).not.toEqual([]);
    // A submitted assessment is not turned back into a draft.
    expect((await send("ben", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", answers: benAnswers })).statusCode).toBe(409);
  });

  it("lets an adjudicator (not a reviewer) compare the two and record the consensus, which robvis then shows", async () => {
    expect((await get("ben", `${base()}/${studyId}/comparison`)).statusCode).toBe(403);
    const cmp = await get("ada", `${base()}/${studyId}/comparison`);
    expect(cmp.statusCode, cmp.body).toBe(200);
    const c = cmp.json();
    expect(c.assessments.map((a: { reviewer: string }) => a.reviewer)).toEqual(["ana", "ben"]);
    expect(c.consensus.questions.length).toBeGreaterThan(0);
    expect(c.consensus.questions.every((q: { kind: string }) => q.kind === "minor")).toBe(true);
    expect(c.consensus.domains.map((d: { domain: string }) => d.domain)).toContain("D1");
    expect(c.recorded).toBeNull();

    const listed = (await get("ada", base())).json().studies[0];
    expect(listed.assessors).toEqual([{ reviewer: "ana", submitted: true }, { reviewer: "ben", submitted: true }]);
    expect(listed.agreement.compared).toBeGreaterThan(listed.agreement.agreed);
    // The list's figures are the comparison's, whether computed for this list or kept from an earlier one.
    const figures = { agreed: c.consensus.agreedQuestions, compared: c.consensus.comparedQuestions, domainsDiffering: c.consensus.domains.length };
    expect(listed.agreement).toEqual(figures);
    expect((await get("ada", base())).json().studies[0].agreement).toEqual(figures);

    expect((await send("ben", "PUT", `${base()}/${studyId}/consensus`, { tool: "rob2", answers: benAnswers })).statusCode).toBe(403);
    const rec = await send("ada", "PUT", `${base()}/${studyId}/consensus`, { tool: "rob2", answers: benAnswers, overall: "High", overallReason: "some concerns in several domains lower confidence" });
    expect(rec.statusCode, rec.body).toBe(200);
    expect(rec.json().recorded).toMatchObject({ reviewer: "ada", consensus: true, overall: "High" });
    const again = await send("ada", "PUT", `${base()}/${studyId}/consensus`, { tool: "rob2", answers: benAnswers });
    expect(again.statusCode, again.body).toBe(200);
    expect((await store.list(project, "appraisals", { studyId })).filter((a) => a.consensus)).toHaveLength(1);

    const csv = await get("vic", `/api/projects/${project}/review/figures/rob-traffic-light?tool=RoB2&format=csv`);
    expect(csv.statusCode, csv.body).toBe(200);
    const overall = again.json().recorded.overall;
    expect(csv.body).toContain(overall);
    expect((await get("ana", base())).json().studies[0].consensus).toEqual({ by: "ada", overall });
  });

  it("reports agreement per domain between the two assessments, to those not blind to either", async () => {
    const url = `/api/projects/${project}/appraisal/agreement`;
    // The viewer has done no assessment of the study, so both stay hidden: counted, not shown.
    const blind = (await get("vic", url)).json();
    expect(blind.tools).toMatchObject([{ tool: { id: "rob2" }, studies: 0, hidden: 1 }]);
    expect(blind.tools[0].domains.every((d: { n: number }) => d.n === 0)).toBe(true);
    const res = await get("ada", url);
    expect(res.statusCode, res.body).toBe(200);
    const [rob] = res.json().tools;
    expect(rob).toMatchObject({ tool: { id: "rob2", version: rob2.version }, studies: 1, hidden: 0 });
    expect(rob.domains.map((d: { domain: string }) => d.domain)).toEqual(["D1", "D2", "D3", "D4", "D5", "overall"]);
    const d1 = rob.domains[0];
    // Ana overrode D1 to High; Ben kept the proposal. One study: no agreement, kappa 0 (chance agreement 0).
    expect(d1).toMatchObject({ n: 1, agreed: 0, percent: 0, kappa: 0, disagreements: [{ item: studyId, a: "High" }] });
    expect(d1.disagreements[0].b).not.toBe("High");
    // Ana, having submitted her own, sees both.
    expect((await get("ana", url)).json().tools[0]).toMatchObject({ studies: 1, hidden: 0 });
  });

  it("exports the tool's judgements as robvis reads them (Study, D1…D5, Overall, Weight), overrides listed beside it", async () => {
    const url = (tool: string, format = "json") => `/api/projects/${project}/appraisal/robvis?tool=${tool}&format=${format}`;
    const rec = await send("ada", "PUT", `${base()}/${studyId}/consensus`, {
      tool: "rob2",
      answers: benAnswers,
      judgements: { D1: { judgement: "High", reason: "allocation was foreseeable from the schedule" } },
    });
    expect(rec.statusCode, rec.body).toBe(200);
    const proposedD1 = rec.json().recorded.judgements.D1.proposed;
    expect(proposedD1).not.toBe("High");

    const json = await get("ada", url("rob2"));
    expect(json.statusCode, json.body).toBe(200);
    const body = json.json();
    expect(body.columns).toEqual(["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"]);
    expect(body.hidden).toBe(0);
    expect(body.rows).toHaveLength(1);
    const row = body.rows[0];
    expect(row).toMatchObject({ studyId, study: "Trial 2020", consensus: true, reviewer: "ada", weight: 1, overall: "High" });
    expect(row.judgements.D1).toBe("High");
    // The overall follows the domains (High), so only D1 departs from the tool's proposal.
    expect(row.overrides).toEqual([{ domain: "D1", proposed: proposedD1, judgement: "High", reason: "allocation was foreseeable from the schedule" }]);

    const csv = await get("ada", url("rob2", "csv"));
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toContain("robvis-rob2.csv");
    const lines = csv.body.trimEnd().split("\r\n").map((l) => l.split(","));
    expect(lines).toEqual([
      ["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"],
      ["Trial 2020", ...["D1", "D2", "D3", "D4", "D5"].map((d) => row.judgements[d]), "High", "1"],
    ]);
    // robvis reads every judgement by its first letter on the tool's scale; none may be blank in a complete row.
    expect(lines[1]!.slice(1, 7).every((j) => ["Low", "Some concerns", "High", "No information"].includes(j!))).toBe(true);

    // The viewer has done no assessment of the study: the row is kept from them, counted.
    expect((await get("vic", url("rob2"))).json()).toMatchObject({ rows: [], hidden: 1 });
    expect((await get("vic", url("casp-qualitative"))).statusCode).toBe(400);
    expect((await get("vic", url("casp-qualitative"))).json().error).toContain("robvis has no template");
    expect((await get("vic", url("rob3"))).statusCode).toBe(400);
  });

  it("asks for the assessor's judgements where the tool proposes none: ROBINS-I domains, the CASP rating", async () => {
    const [qed, qual] = await store.insert(
      project,
      "studies",
      [
        { name: "Comparison 2018", design: "QED", createdAt: new Date().toISOString() },
        { name: "Interviews 2019", design: "qualitative", createdAt: new Date().toISOString() },
      ],
      { actor: "olive" },
    );
    const robins = getTool("robins-i")!;
    const answers = fill(robins, (q) => (q.options.includes("PN") ? "PN" : q.options[0]!));
    const noJudgement = await send("ana", "POST", `${base()}/${qed!.id}/mine/submit`, { tool: "robins-i", answers });
    expect(noJudgement.statusCode).toBe(422);
    expect(noJudgement.json().error).toContain("D1 (Bias due to confounding) needs a judgement");
    const judgements = Object.fromEntries(robins.domains.map((d) => [d.id, { judgement: d.id === "D1" ? "Moderate" : "Low" }]));
    const ok = await send("ana", "POST", `${base()}/${qed!.id}/mine/submit`, { tool: "robins-i", answers, judgements });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().mine.overall).toBe("Moderate");

    const casp = getTool("casp-qualitative")!;
    const yes = fill(casp, () => "Yes");
    const unrated = await send("ana", "POST", `${base()}/${qual!.id}/mine/submit`, { tool: "casp-qualitative", answers: yes });
    expect(unrated.statusCode).toBe(422);
    expect(unrated.json().error).toContain("the overall rating is needed");
    const rated = await send("ana", "POST", `${base()}/${qual!.id}/mine/submit`, { tool: "casp-qualitative", answers: { ...yes, Q10: "Useful for practice" }, overall: "Positive/methodologically sound" });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json().mine).toMatchObject({ status: "submitted", overall: "Positive/methodologically sound" });
    expect((await store.list(project, "appraisals", { studyId: qual!.id }))[0]).toMatchObject({ tool: "CASP", variant: null });
  });

  it("reads the reunification example's recorded appraisals as submitted assessments under the set-up's tools", async () => {
    await store.importProject(readProjectSource(fileURLToPath(new URL("../../../examples/reunification/", import.meta.url))), { actor: "olive" });
    const res = await get("olive", "/api/projects/reunification/appraisal/studies");
    expect(res.statusCode, res.body).toBe(200);
    const rows = res.json().studies as { studyId: string; design: string | null; tool: string | null; assessors: { reviewer: string; submitted: boolean }[] }[];
    const rct = rows.find((r) => r.studyId === "akin-mcdonald-2018")!;
    expect(rct).toMatchObject({ design: "RCT", tool: "rob2", assessors: [{ reviewer: "ncb-review-team", submitted: true }] });
    expect(rows.filter((r) => r.design === "QED").every((r) => r.tool === "robins-i")).toBe(true);
    const form = await get("olive", "/api/projects/reunification/appraisal/studies/akin-mcdonald-2018");
    expect(form.statusCode, form.body).toBe(200);
    expect(form.json().tool.id).toBe("rob2");
    // The recorded assessment loads into the form: every domain judged on the tool's scale, no signalling answers.
    const recorded = form.json().others as { reviewer: string; answers: Record<string, string>; judgements: Record<string, { judgement: string | null }>; overall: string | null }[];
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.answers).toEqual({});
    expect(Object.keys(recorded[0]!.judgements)).toEqual(["D1", "D2", "D3", "D4", "D5"]);
    const scale = ["Low", "Some concerns", "High"];
    for (const j of Object.values(recorded[0]!.judgements)) expect(scale).toContain(j.judgement);
    const stored = (await store.list("reunification", "appraisals", { studyId: "akin-mcdonald-2018" })).find((a) => a.tool === "RoB2")!;
    // "Low risk" as recorded reads as the scale's "Low"; the stored entity is unchanged.
    expect(stored.domains[0]!.judgement).toBe("Low risk");
    expect(recorded[0]!.judgements.D1!.judgement).toBe("Low");
    // A ROBINS-I study and a CASP study load likewise (CASP's per-question entries as its answers).
    const qed = rows.find((r) => r.design === "QED")!;
    const robins = (await get("olive", `/api/projects/reunification/appraisal/studies/${qed.studyId}`)).json();
    expect(Object.keys(robins.others[0].judgements)).toEqual(["D1", "D2", "D3", "D4", "D5", "D6", "D7"]);
    const qual = rows.find((r) => r.tool === "casp-qualitative")!;
    const casp = (await get("olive", `/api/projects/reunification/appraisal/studies/${qual.studyId}`)).json();
    expect(Object.keys(casp.others[0].answers).length).toBeGreaterThanOrEqual(9);
    expect(casp.others[0].answers.Q1).toMatch(/^(Yes|No|Can't tell)$/);
    // robvis shows the recorded judgements of the example's RCTs.
    const robvis = (await get("olive", "/api/projects/reunification/appraisal/robvis?tool=rob2")).json();
    expect(robvis.rows.length).toBe(11);
    expect(robvis.rows.every((r: { judgements: Record<string, string | null> }) => Object.values(r.judgements).every((j) => j !== null))).toBe(true);
  });
});
