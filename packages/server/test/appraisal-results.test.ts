import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { askState, getTool, type Tool } from "@homeward/appraisal";
import { drawSeniorCheck } from "@homeward/extraction";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { APPRAISAL_SENIOR_CHECK_SEED } from "../src/routes/appraisal.js";
import { signedInTeam } from "./identity.js";

/**
 * What the appraisal routes add to the study-level assessment: RoB 2
 * appraised per result (an outcome of the study), its own robvis row; the
 * study's reports with their stored PDFs beside the form; rule flags on the
 * form with their acceptance; and the senior check of a seeded sample.
 */
function fill(tool: Tool, pick: (q: { id: string; options: readonly string[] }) => string): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const d of tool.domains) for (const q of d.questions) if (askState(d, answers).asked.includes(q.id) && q.options.length > 0) answers[q.id] = pick(q);
  return answers;
}

describe("appraisal per result, reports, flags and the senior check", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let studyId: string;
  let otherStudy: string;
  let outcomeId: string;
  let foreignOutcome: string;
  const cookie = new Map<string, string>();
  const rob2 = getTool("rob2")!;
  const yes = fill(rob2, (q) => (q.options.includes("Y") ? "Y" : q.options[0]!));
  const probably = fill(rob2, (q) => (q.options.includes("PY") ? "PY" : q.options[0]!));

  const as = (user: string, write = false) => ({ cookie: cookie.get(user)!, ...(write ? { "content-type": "application/json" } : {}) });
  const base = () => `/api/projects/${project}/appraisal/studies`;
  const get = (user: string, url: string) => app.inject({ url, headers: as(user) });
  const send = (user: string, method: "PUT" | "POST", url: string, payload: unknown) => app.inject({ method, url, headers: as(user, true), payload: payload as object });

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-appraisal-results-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Per result", [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["sue", "adjudicator"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const now = new Date().toISOString();
    const [s1, s2] = await store.insert(project, "studies", [{ name: "Trial 2021", design: "RCT", createdAt: now }, { name: "Trial 2022", design: "RCT", createdAt: now }], { actor: "olive" });
    studyId = s1!.id;
    otherStudy = s2!.id;
    const [o1, o2] = await store.insert(project, "outcomes", [{ studyId, name: "Reunified at 12 months" }, { studyId: otherStudy, name: "Re-entry to care" }], { actor: "olive" });
    outcomeId = o1!.id;
    foreignOutcome = o2!.id;
    const [rec] = await store.insert(project, "records", [{ title: "Family reunification trial", authors: ["Doe, J."], year: 2021 }], { actor: "olive" });
    await store.insert(project, "studyReports", [{ studyId, recordId: rec!.id, role: "lead" }], { actor: "olive" });
    await store.insert(project, "fullTextRetrievals", [{ recordId: rec!.id, status: "retrieved", file: { name: "doe-2021.pdf", mediaType: "application/pdf", size: 10, sha256: "a".repeat(64) }, updatedBy: "olive", updatedAt: now }], { actor: "olive" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("gives the study's reports with the stored PDF beside the form, and its outcomes as results RoB 2 can judge", async () => {
    const res = await get("ana", `${base()}/${studyId}`);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json();
    expect(f.outcome).toBeNull();
    expect(f.outcomes).toEqual([{ id: outcomeId, name: "Reunified at 12 months" }]);
    expect(f.reports).toHaveLength(1);
    expect(f.reports[0]).toMatchObject({ role: "lead", pdf: "doe-2021.pdf" });
    expect(f.reports[0].citation).toContain("Family reunification trial");
    expect(f.flags).toEqual([]);
    expect(f.seniorCheck).toEqual({ sampled: false, checks: [] });
  });

  it("keeps an assessment of one result apart from the study-level one, and checks the outcome", async () => {
    const study = await send("ana", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: yes });
    expect(study.statusCode, study.body).toBe(200);
    const result = await send("ana", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", outcomeId, answers: { "1.1": "Y" } });
    expect(result.statusCode, result.body).toBe(200);
    expect(result.json().outcome).toEqual({ id: outcomeId, name: "Reunified at 12 months" });
    expect(result.json().mine).toMatchObject({ status: "draft", outcomeId, answers: { "1.1": "Y" } });
    // The study-level assessment is still the submitted one; the draft of the result is its own.
    expect((await get("ana", `${base()}/${studyId}`)).json().mine).toMatchObject({ status: "submitted", outcomeId: null });
    expect((await get("ana", `${base()}/${studyId}?outcome=${outcomeId}`)).json().mine.status).toBe("draft");
    const stored = await store.list(project, "appraisals", { studyId });
    expect(stored.map((a) => a.outcomeId).sort()).toEqual([null, outcomeId].sort());

    const foreign = await send("ana", "PUT", `${base()}/${studyId}/mine`, { tool: "rob2", outcomeId: foreignOutcome, answers: {} });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toContain("is not an outcome of this study");
    const casp = await send("ana", "PUT", `${base()}/${studyId}/mine`, { tool: "casp-qualitative", outcomeId, answers: {} });
    expect(casp.statusCode).toBe(400);
    expect(casp.json().error).toContain("judges a study, not a result");
    expect(await store.list(project, "appraisals", { studyId })).toHaveLength(2);
  });

  it("compares two assessments of the result and records its consensus; robvis gives the result a row of its own", async () => {
    expect((await send("ana", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", outcomeId, answers: yes })).statusCode).toBe(200);
    expect((await send("ben", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", outcomeId, answers: probably })).statusCode).toBe(200);
    // Ben has no study-level assessment: that comparison still waits, the result's does not.
    expect((await get("ada", `${base()}/${studyId}/comparison`)).statusCode).toBe(409);
    const cmp = await get("ada", `${base()}/${studyId}/comparison?outcome=${outcomeId}`);
    expect(cmp.statusCode, cmp.body).toBe(200);
    expect(cmp.json().outcome.id).toBe(outcomeId);
    expect(cmp.json().assessments.map((a: { reviewer: string; outcomeId: string }) => [a.reviewer, a.outcomeId])).toEqual([["ana", outcomeId], ["ben", outcomeId]]);
    const rec = await send("ada", "PUT", `${base()}/${studyId}/consensus`, { tool: "rob2", outcomeId, answers: probably });
    expect(rec.statusCode, rec.body).toBe(200);
    expect(rec.json().recorded).toMatchObject({ consensus: true, outcomeId });

    const listed = (await get("ada", base())).json().studies.find((s: { studyId: string }) => s.studyId === studyId);
    expect(listed.assessors).toEqual([{ reviewer: "ana", submitted: true }]);
    expect(listed.consensus).toBeNull();
    expect(listed.results).toEqual([
      { outcomeId, outcome: "Reunified at 12 months", assessors: [{ reviewer: "ana", submitted: true }, { reviewer: "ben", submitted: true }], consensus: { by: "ada", overall: rec.json().recorded.overall } },
    ]);

    const robvis = (await get("ada", `/api/projects/${project}/appraisal/robvis?tool=rob2`)).json();
    expect(robvis.rows.map((r: { study: string; outcomeId: string | null; consensus: boolean }) => [r.study, r.outcomeId, r.consensus])).toEqual([
      ["Trial 2021", null, false],
      ["Trial 2021 — Reunified at 12 months", outcomeId, true],
    ]);
    const csv = await get("ada", `/api/projects/${project}/appraisal/robvis?tool=rob2&format=csv`);
    expect(csv.body.split("\r\n")[2]).toMatch(/^Trial 2021 — Reunified at 12 months,/);

    // Agreement counts the result as an item of its own.
    const agreement = (await get("ada", `/api/projects/${project}/appraisal/agreement`)).json();
    expect(agreement.tools[0].domains[0].n).toBe(1);
  });

  it("shows a rule flag on the form where an overall contradicts its domains, with its acceptance once accepted", async () => {
    // An overall of Low over a High domain breaks RoB 2's rule; submitted with its reason, it is kept as recorded.
    const judgements = { D1: { judgement: "High", reason: "the schedule was foreseeable" } };
    const sub = await send("ben", "POST", `${base()}/${studyId}/mine/submit`, { tool: "rob2", answers: probably, judgements, overall: "Low", overallReason: "we judge the concern minor" });
    expect(sub.statusCode, sub.body).toBe(200);
    const f = sub.json();
    const flag = f.flags.find((x: { reviewer: string }) => x.reviewer === "ben");
    expect(flag).toMatchObject({ recorded: "Low", implied: "High", accepted: null });
    expect(flag.rule).not.toBe("");
    const accept = await send("ada", "POST", `/api/projects/${project}/review/appraisal-conflicts/accept`, { appraisalId: flag.appraisalId, rule: flag.rule, justification: "agreed at the team meeting" });
    expect(accept.statusCode, accept.body).toBe(201);
    const after = (await get("ben", `${base()}/${studyId}`)).json().flags.find((x: { reviewer: string }) => x.reviewer === "ben");
    expect(after.accepted).toMatchObject({ by: "ada", justification: "agreed at the team meeting" });
    // Nothing overwritten: the recorded overall is still Ben's.
    expect((await store.list(project, "appraisals", { id: [flag.appraisalId] }))[0]!.overall).toBe("Low");
  });

  it("draws the senior check from the appraised studies with the extraction stage's seeded draw, and records a senior's verdict with a note", async () => {
    const url = `${base()}/${studyId}/senior-check`;
    const mine = (await store.list(project, "appraisals", { studyId })).find((a) => a.reviewer === "ana" && a.outcomeId === null)!;
    // One study appraised so far: 5% of one rounds up to that study.
    expect(drawSeniorCheck([studyId], 0.05, APPRAISAL_SENIOR_CHECK_SEED).studyIds).toEqual([studyId]);
    expect((await get("ada", base())).json().studies.find((s: { studyId: string }) => s.studyId === studyId).seniorCheck).toBe(true);

    expect((await send("ana", "POST", url, { appraisalId: mine.id, verdict: "agree", note: "fine" })).statusCode).toBe(403);
    const noNote = await send("sue", "POST", url, { appraisalId: mine.id, verdict: "agree", note: " " });
    expect(noNote.statusCode).toBe(400);
    const badVerdict = await send("sue", "POST", url, { appraisalId: mine.id, verdict: "maybe", note: "x" });
    expect(badVerdict.statusCode).toBe(400);
    const wrongStudy = await send("sue", "POST", `${base()}/${otherStudy}/senior-check`, { appraisalId: mine.id, verdict: "agree", note: "x" });
    expect(wrongStudy.statusCode).toBe(404);
    expect(await store.list(project, "appraisalFlagAcceptances")).toHaveLength(1);

    const ok = await send("sue", "POST", url, { appraisalId: mine.id, verdict: "disagree", note: "D4: the assessors knew the allocation" });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ appraisalId: mine.id, verdict: "disagree", note: "D4: the assessors knew the allocation", by: "sue" });
    const row = (await get("vic", base())).json().studies.find((s: { studyId: string }) => s.studyId === studyId);
    expect(row.seniorChecks).toMatchObject([{ verdict: "disagree", by: "sue" }]);
    const f = (await get("ana", `${base()}/${studyId}`)).json();
    expect(f.seniorCheck).toMatchObject({ sampled: true, checks: [{ appraisalId: mine.id, verdict: "disagree" }] });
    // The robvis data carries it beside the study's row (robvis has no column for it).
    const robvis = (await get("ada", `/api/projects/${project}/appraisal/robvis?tool=rob2`)).json();
    expect(robvis.rows.find((r: { outcomeId: string | null }) => r.outcomeId === null).seniorChecks).toMatchObject([{ verdict: "disagree", by: "sue" }]);
    expect(robvis.rows.find((r: { outcomeId: string | null }) => r.outcomeId === outcomeId).seniorChecks).toEqual([]);

    // Only sampled studies are checked: Trial 2022 has no assessment, so it is not in the draw.
    const [other] = await store.insert(project, "appraisals", [{ studyId: otherStudy, tool: "RoB2", toolVersion: rob2.version, status: "draft", reviewer: "ana", at: new Date().toISOString() }], { actor: "ana" });
    const draft = await send("sue", "POST", `${base()}/${otherStudy}/senior-check`, { appraisalId: other!.id, verdict: "agree", note: "x" });
    expect(draft.statusCode).toBe(409);
  });

  it("gives a result appraised on its own its judgement in the analysis rows (the forest column and moderator); the study's other outcomes keep the study's", async () => {
    const [second] = await store.insert(project, "outcomes", [{ studyId, name: "Placement stability" }], { actor: "olive" });
    const now = new Date().toISOString();
    await store.insert(project, "effectSizes", [
      { outcomeId, measure: "SMD", yi: 0.3, vi: 0.04, createdBy: "olive", createdAt: now },
      { outcomeId: second!.id, measure: "SMD", yi: 0.1, vi: 0.05, createdBy: "olive", createdAt: now },
    ], { actor: "olive" });
    const consensus = (await store.list(project, "appraisals", { studyId })).find((a) => a.consensus && a.outcomeId === outcomeId)!;
    const res = await get("vic", `/api/projects/${project}/analysis/data`);
    expect(res.statusCode, res.body).toBe(200);
    const rows = res.json().rows as Record<string, unknown>[];
    const own = rows.find((r) => r.outcomeId === outcomeId)!;
    expect(own).toMatchObject({ riskOfBias: consensus.overall, riskOfBiasTool: "RoB 2" });
    // Two submitted study-level assessments without a consensus: the study has no judgement yet.
    expect(rows.find((r) => r.outcomeId === second!.id)).toMatchObject({ riskOfBias: null, riskOfBiasTool: null });
  });

  it("appraises a QED with ROBINS-I V2 (2025) once the set-up names it: section B, its proposals, an open path judged with a reason, its robvis row", async () => {
    const opened = (await get("olive", `/api/projects/${project}/protocol/versions`)).json();
    const current = (await get("olive", base())).json().setup;
    const setup = { ...current, tools: [...current.tools.filter((t: { design: string }) => t.design !== "QED"), { design: "QED", tool: "robins-i-v2", version: "2025" }] };
    const saved = await app.inject({ method: "PATCH", url: `/api/projects/${project}/protocol/appraisal`, headers: as("olive", true), payload: { value: setup, version: opened.versions.appraisal } });
    expect(saved.statusCode, saved.body).toBe(200);
    const [qed] = await store.insert(project, "studies", [{ name: "Cohort 2019", design: "QED", createdAt: new Date().toISOString() }], { actor: "olive" });
    const url = `${base()}/${qed!.id}`;
    const f = (await get("ana", url)).json();
    expect(f.tool).toMatchObject({ id: "robins-i-v2", version: "2025" });
    expect(f.tool.domains.map((d: { id: string }) => d.id)).toEqual(["B", "D1", "D2", "D3", "D4", "D5", "D6"]);
    // Until section B is answered the domains are not asked.
    expect(f.proposals.filter((p: { applies: boolean }) => p.applies).map((p: { domain: string }) => p.domain)).toEqual(["B"]);

    const answers = { B1: "Y", B3: "N", "1.1": "WN", "1.2": "Y", "1.3": "N", "1.4": "N", "2.1": "Y", "2.4": "N", "2.5": "N", "3.1": "Y", "3.2": "N", "3.3": "N", "4.1": "Y", "4.2": "Y", "4.3": "Y", "5.1": "N", "5.2": "N", "6.1": "Y", "6.2": "N", "6.3": "N", "6.4": "N" };
    const bad = await send("ana", "POST", `${url}/mine/submit`, { tool: "robins-i-v2", answers: { ...answers, "1.1": "PN" } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toContain("PN is not an allowed answer to 1.1");
    // 1.1 WN with 1.4 N/PN is a path the figure's transcriptions read differently: no proposal, the assessor judges.
    const open = await send("ana", "POST", `${url}/mine/submit`, { tool: "robins-i-v2", answers });
    expect(open.statusCode).toBe(422);
    expect(open.json().error).toContain("D1 (Bias due to confounding");
    const ok = await send("ana", "POST", `${url}/mine/submit`, { tool: "robins-i-v2", answers, judgements: { D1: { judgement: "Moderate", reason: "some confounders uncontrolled, not substantially" } } });
    expect(ok.statusCode, ok.body).toBe(200);
    const mine = ok.json().mine;
    expect(mine.judgements.B.judgement).toBe("Proceed");
    expect(mine.judgements.D2.judgement).toBe("Low");
    expect(mine.overall).toBe("Moderate");
    const stored = (await store.list(project, "appraisals", { studyId: qed!.id }))[0]!;
    expect(stored).toMatchObject({ tool: "ROBINS-I", toolVersion: "2025", variant: "intention-to-treat" });

    const robvis = (await get("ana", `/api/projects/${project}/appraisal/robvis?tool=robins-i-v2`)).json();
    expect(robvis.columns).toEqual(["Study", "D1", "D2", "D3", "D4", "D5", "D6", "Overall", "Weight"]);
    expect(robvis.rows[0]).toMatchObject({ study: "Cohort 2019", overall: "Moderate", judgements: { D1: "Moderate", D2: "Low" } });
  });
});
