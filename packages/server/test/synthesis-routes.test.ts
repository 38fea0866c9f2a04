import { describe, expect, it } from "vitest";
import { storeEngines } from "../../store/test/scratch-database.js";
import { exampleServer } from "./example-server.js";

/**
 * The synthesis chain over the built-in reunification project (seed 000):
 * code excerpts of two studies, write a finding, assess CERQual, join it to
 * the pooled result in the joint display and rest a rated recommendation on
 * it; bad input at each step answers 4xx and writes nothing.
 */
describe.each(storeEngines("synthesis_routes"))("synthesis routes (%s)", (_engine, open) => {
  const pid = "reunification";
  const base = `/api/projects/${pid}`;
  const server = exampleServer(open);
  const { call } = server;
  const auditCount = async () => (await server.store.listAudit(pid, { limit: 1 })).total;

  it("loads the example's Table 13 and recommendations into the new structures, its tables unchanged", async () => {
    const isoq = (await call("GET", `${base}/synthesis/isoq`)).body;
    expect(isoq.summary).toHaveLength(18);
    // Seed 000, Table 13, first row.
    expect(isoq.summary[0]).toMatchObject({ id: "Acceptability.1", confidence: "Moderate" });
    expect(isoq.profile[0].components[0]).toMatchObject({ label: "Methodological limitations", judgement: "Moderate concerns" });
    // Assessed outside Homeward: nothing marks them for re-assessment.
    expect(isoq.summary.every((r: { reassess: { needed: boolean } }) => !r.reassess.needed)).toBe(true);
    const cerqual = (await call("GET", `${base}/review/cerqual`)).body;
    expect(cerqual.map((r: { id: string; confidence: string }) => [r.id, r.confidence])).toEqual(isoq.summary.map((r: { id: string; confidence: string }) => [r.id, r.confidence]));
    const guide = (await call("GET", `${base}/synthesis/guide`)).body;
    expect(guide.trail).toHaveLength(12);
    expect(guide.summary.map((r: { rating: string }) => r.rating)).toEqual(["No rating", "Good evidence", "Promising evidence", "Promising evidence"]);
    // The guide's "around 60%" from the review's overall model (SMD 0.253; seed 001 line 481).
    expect(guide.statements.find((s: { resultId: string }) => s.resultId === "overall").percent).toBe(60);
  });

  it("codes excerpts of two studies against Proctor's outcomes and draws the matrix", async () => {
    // The example carries Proctor's outcomes, the codes its Table 13 findings sit under.
    const proctor = await call("POST", `${base}/synthesis/frameworks/proctor`);
    expect([proctor.status, proctor.body.error]).toEqual([409, "the framework's codes are already in the project"]);
    const bf = await call("POST", `${base}/synthesis/frameworks/barriers_facilitators`);
    expect(bf.body.map((c: { label: string }) => c.label)).toEqual(["Barrier", "Facilitator"]);
    const trust = await call("POST", `${base}/synthesis/codes`, { label: "Trust in workers" });
    expect(trust.status).toBe(201);
    const ex = async (studyId: string, text: string, page: number, codeIds: string[]) =>
      call("POST", `${base}/collections/codedExcerpts`, { studyId, text, page, codeIds });
    const e1 = await ex("berry-2007", "Parents described the worker as someone they could trust", 12, ["proctor.acceptability", trust.body.id]);
    const e2 = await ex("jivanjee-1999", "Families valued being listened to", 5, ["proctor.acceptability"]);
    expect([e1.status, e2.status]).toEqual([201, 201]);
    expect(e1.body.codedBy).toBe("ana");
    // An excerpt without a code, or of no study, is refused.
    expect((await ex("berry-2007", "uncoded", 1, [])).body.error).toMatch(/code it with at least one code/);
    const m = (await call("GET", `${base}/synthesis/coding`)).body.matrix;
    expect(m.cells["proctor.acceptability"]["berry-2007"]).toEqual({ count: 1, excerptIds: [e1.body.id] });
    expect(m.cells["proctor.acceptability"]["jivanjee-1999"].count).toBe(1);
  });

  it("renames, merges and splits codes with history, moving excerpts in one transaction", async () => {
    const codes = (await call("GET", `${base}/synthesis/coding`)).body.codes as { id: string; label: string }[];
    const trust = codes.find((c) => c.label === "Trust in workers")!;
    const renamed = await call("POST", `${base}/synthesis/codes/${trust.id}/rename`, { label: "Trusting relationships" });
    expect(renamed.body.history.map((h: { action: string }) => h.action)).toEqual(["created", "renamed"]);
    const split = await call("POST", `${base}/synthesis/codes/${trust.id}/split`, { parts: [{ label: "Parents' trust" }, { label: "Children's trust" }] });
    expect(split.status).toBe(201);
    const [a, b] = split.body as { id: string }[];
    const merged = await call("POST", `${base}/synthesis/codes/merge`, { fromIds: [b!.id], intoId: a!.id });
    expect(merged.body.history.at(-1).action).toBe("merged_from");
    const excerpts = (await call("GET", `${base}/collections/codedExcerpts?studyId=berry-2007`)).body.items;
    expect(excerpts[0].codeIds).toEqual(["proctor.acceptability", a!.id]);
    // A code merged away cannot be renamed; nothing is written.
    const before = await auditCount();
    expect((await call("POST", `${base}/synthesis/codes/${b!.id}/rename`, { label: "x" })).status).toBe(400);
    expect(await auditCount()).toBe(before);
    // Codes are written only through these routes, which keep the history.
    expect((await call("POST", `${base}/collections/synthesisCodes`, { framework: "x", label: "y" })).status).toBe(405);
  });

  it("refuses a finding with no contributing study, a confidence outside the scale and a recommendation with no evidence; nothing saved", async () => {
    const before = await auditCount();
    const noStudy = await call("POST", `${base}/collections/qualitativeFindings`, { statement: "Orphan finding", studyIds: [] });
    expect(noStudy.status).toBe(400);
    expect(noStudy.body.error).toMatch(/has no contributing study/);
    const badConf = await call("PUT", `${base}/synthesis/findings/Acceptability.1/cerqual`, { confidence: "certain" });
    expect(badConf.status).toBe(400);
    expect(badConf.body.error).toMatch(/"certain" is not a level of confidence/);
    const badConcern = await call("PUT", `${base}/synthesis/findings/Acceptability.1/cerqual`, { components: { coherence: { judgement: "huge" } } });
    expect(badConcern.body.error).toMatch(/Coherence: "huge" is not a level of concern/);
    const noEvidence = await call("POST", `${base}/collections/recommendations`, { text: "Do more", kind: "recommendation", rating: "good" }, "ana");
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.body.error).toMatch(/has no evidence/);
    const noReason = await call("POST", `${base}/collections/recommendations`, { text: "Do more", kind: "recommendation", rating: "no_rating", resultIds: ["overall"] });
    expect(noReason.body.error).toMatch(/say why in ratingReason/);
    expect(await auditCount()).toBe(before);
  });

  it("writes a finding, assesses CERQual with suggestions, joins it to the pooled result and drafts a rated recommendation whose trail reaches each excerpt", async () => {
    const excerpts = (await call("GET", `${base}/collections/codedExcerpts`)).body.items as { id: string; studyId: string }[];
    const f = await call("POST", `${base}/collections/qualitativeFindings`, {
      statement: "Parents accept support from workers they trust",
      studyIds: ["berry-2007", "jivanjee-1999"],
      excerptIds: excerpts.map((e) => e.id),
      codeIds: ["proctor.acceptability"],
      order: 100,
    });
    expect(f.status).toBe(201);
    const listed = (await call("GET", `${base}/synthesis/findings`)).body.findings.find((x: { id: string }) => x.id === f.body.id);
    // Two studies, two excerpts: moderate concerns about adequacy, as a suggestion.
    expect(listed.suggestions.adequacy.value).toBe("moderate");
    const components = {
      methodologicalLimitations: { judgement: "minor", explanation: "one study with concerns" },
      coherence: { judgement: "no", explanation: "" },
      adequacy: { judgement: "moderate", explanation: "two studies" },
      relevance: { judgement: "no", explanation: "" },
    };
    const assessed = await call("PUT", `${base}/synthesis/findings/${f.body.id}/cerqual`, { components, confidence: "moderate", explanation: "" });
    expect(assessed.status).toBe(200);
    expect(assessed.body.assessedBy).toBe("ana");
    // Adding a contributing study marks it for re-assessment.
    await call("PATCH", `${base}/collections/qualitativeFindings/${f.body.id}`, { studyIds: ["berry-2007", "jivanjee-1999", "harwin-2011"] });
    const again = (await call("GET", `${base}/synthesis/findings`)).body.findings.find((x: { id: string }) => x.id === f.body.id);
    expect(again.suggestions.reassess).toEqual({ needed: true, reasons: ["contributing study added: harwin-2011"] });

    const row = await call("POST", `${base}/collections/jointDisplayRows`, { question: "Is support acceptable and effective?", resultIds: ["overall"], findingIds: [f.body.id], judgement: "complements", note: "effects and acceptance agree" });
    expect(row.status).toBe(201);
    const joint = (await call("GET", `${base}/synthesis/joint-display`)).body;
    expect(joint[0]).toMatchObject({ question: "Is support acceptable and effective?", judgement: "Complements" });
    expect(joint[0].quantitative[0]).toMatchObject({ id: "overall", detail: "SMD 0.25 (95% CI 0.08 to 0.42)" });
    expect(joint[0].qualitative[0]).toMatchObject({ strength: "Moderate confidence" });

    const rec = await call("POST", `${base}/collections/recommendations`, { text: "Build trusting relationships", kind: "recommendation", rating: "promising", rowIds: [row.body.id], effectResultId: "overall", order: 20 });
    expect(rec.status).toBe(201);
    const t = (await call("GET", `${base}/synthesis/guide`)).body.trail.find((x: { id: string }) => x.id === rec.body.id);
    expect(t.rating).toEqual({ code: "promising", label: "Promising evidence" });
    expect(t.findings[0].excerpts.map((e: { studyId: string; page: number }) => [e.studyId, e.page]).sort()).toEqual([["berry-2007", 12], ["jivanjee-1999", 5]]);
    expect(t.statement.percent).toBe(60);
  });

  it("imports a survey against its dictionary (a bad row → 400 naming it, nothing saved) and tabulates it by group", async () => {
    const dictionary = "question,text,type,answer,label\npolicy,Written policy,single,yes,Yes\npolicy,Written policy,single,no,No\n";
    const before = await auditCount();
    const bad = await call("POST", `${base}/synthesis/survey`, { dictionary, responses: "respondent,group,policy\nR1,LA,yes\nR2,LA,perhaps\n" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('1 problem in the responses; nothing was imported: line 3 (respondent R2): "perhaps" is not an answer of policy (allowed: yes, no)');
    expect(await auditCount()).toBe(before);
    expect((await call("GET", `${base}/synthesis/survey`)).body.respondents).toBe(0);
    const ok = await call("POST", `${base}/synthesis/survey`, { dictionary, responses: "respondent,group,policy\nR1,LA,yes\nR2,LA,no\nR3,Other,yes\n" });
    expect(ok.status).toBe(201);
    const yes = ok.body.table.questions[0].options[0].counts;
    expect([yes.all.n, yes.LA.percent, yes.Other.percent]).toEqual([2, 50, 100]);
    // A figure per closed question, drawn by @homeward/figures, and the tables as CSV.
    expect(ok.body.figures).toHaveLength(1);
    expect(ok.body.figures[0]).toMatchObject({ question: "policy", title: "Written policy" });
    expect(ok.body.figures[0].svg).toContain("<svg");
    expect(ok.body.figures[0].description).toContain("- Yes: All respondents 2 (66.7%), LA 1 (50.0%), Other 1 (100.0%).");
    const csv = await server.app.inject({ method: "GET", url: `${base}/synthesis/survey?format=csv`, headers: { "x-homeward-user": "ana" } });
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.body.split("\r\n").slice(0, 3)).toEqual([
      "question,question_text,answer,All respondents (n = 3): n,All respondents (n = 3): %,LA (n = 2): n,LA (n = 2): %,Other (n = 1): n,Other (n = 1): %",
      "policy,Written policy,Yes,2,66.7,1,50,1,100",
      "policy,Written policy,No,1,33.3,1,50,0,0",
    ]);
  });

  it("suggests GRADE domains from the data and builds the equality annex from live data", async () => {
    const g = (await call("GET", `${base}/synthesis/grade`)).body;
    const overall = g.results.find((x: { result: { id: string } }) => x.result.id === "overall");
    // I² 86.1% with a prediction interval of −0.476 to 0.824 (seed 000, overall model).
    expect(overall.suggestions.inconsistency.value).toBe("very_serious");
    expect(overall.suggestions.imprecision.value).toBe("not_serious");
    const eq = (await call("GET", `${base}/synthesis/equality`)).body;
    expect(eq.scheme.code).toBe("progressPlus");
    expect(eq.studies.length).toBeGreaterThan(0);
  });
});
