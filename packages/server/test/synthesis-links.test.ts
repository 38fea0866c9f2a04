import { describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec } from "@homeward/meta";
import { effectSizeRows } from "@homeward/review";
import { storeEngines } from "../../store/test/scratch-database.js";
import { exampleServer } from "./example-server.js";

/**
 * GRADE, the joint display and the guide resting on a saved analysis of the
 * assink2016 example (its "Overall effect, three-level model", version 1):
 * the numbers are the saved spec refitted to today's effect sizes, so the
 * suggestions and the U3 sentence move when an effect size does, and each
 * says which version it was computed from.
 */
describe.each(storeEngines("synthesis_links"))("synthesis links to saved analyses (%s)", (_engine, open) => {
  const pid = "assink2016";
  const base = `/api/projects/${pid}`;
  const saved = "saved-1";
  const server = exampleServer(open);
  const { call } = server;
  /** The saved spec fitted directly to the project's rows as they stand: what the links must show. */
  const direct = async () => {
    const sa = await server.store.get(pid, "savedAnalyses", saved);
    const rows = effectSizeRows({ studies: await server.store.list(pid, "studies"), outcomes: await server.store.list(pid, "outcomes"), effectSizes: await server.store.list(pid, "effectSizes") }).rows;
    return fitMetaSpec(parseMetaSpec(sa.spec, ["figures", "figureOptions"]), rows).fit.coefficients[0]!;
  };

  it("grades a saved analysis with suggestions computed from its refit: CI, I² and the prediction interval, Egger's test on its rows", async () => {
    const g = await call("GET", `${base}/synthesis/grade?analysis=${saved}`);
    expect(g.status, JSON.stringify(g.body)).toBe(200);
    expect(g.body.savedAnalyses.map((a: { name: string }) => a.name)).toContain("Overall effect, three-level model");
    const a = g.body.analyses[0];
    expect(a.analysis).toMatchObject({ id: saved, name: "Overall effect, three-level model", version: 1 });
    expect(a.analysis.computedFrom).toBe("Overall effect, three-level model, version 1, refitted to today's data (k = 100)");
    const c = await direct();
    expect(a.result.estimate).toBeCloseTo(c.estimate, 4);
    expect(a.suggestions.imprecision.basis).toContain(`95% CI ${a.result.ciLower} to ${a.result.ciUpper}`);
    expect(a.suggestions.inconsistency.basis).toMatch(/^I² = \d+(\.\d)?%; 95% prediction interval/);
    // Egger's test computed on the 100 rows (the example has no result labelled Egger's for it).
    expect(a.analysis.egger.p).toBeLessThan(0.01);
    expect(a.suggestions.publicationBias).toMatchObject({ value: "serious" });
    expect(a.suggestions.publicationBias.basis).toContain("computed on the analysis's 100 rows");
    // No appraisals in the example: the risk-of-bias suggestion says there is nothing to read.
    expect(a.suggestions.riskOfBias.value).toBeNull();

    const bad = await call("POST", `${base}/collections/gradeAssessments`, { certainty: "low" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/exactly one/);
    const ok = await call("POST", `${base}/collections/gradeAssessments`, {
      analysisId: saved, certainty: "low",
      domains: { publicationBias: { judgement: "serious", reason: "Egger's test" } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const after = (await call("GET", `${base}/synthesis/grade`)).body;
    expect(after.analyses).toHaveLength(1);
    expect(after.summary.find((r: { resultId: string }) => r.resultId === saved)).toMatchObject({ certainty: "Low", outcome: "Overall effect, three-level model (version 1)" });
  });

  it("a recommendation and a joint-display row rest on the saved analysis; the U3 sentence changes when an effect size does", async () => {
    const row = await call("POST", `${base}/collections/jointDisplayRows`, { question: "Does the programme reduce delinquency?", analysisIds: [saved] });
    expect(row.status, JSON.stringify(row.body)).toBe(201);
    const joint = (await call("GET", `${base}/synthesis/joint-display`)).body;
    const cell = joint.find((r: { id: string }) => r.id === row.body.id).quantitative[0];
    expect(cell).toMatchObject({ id: saved, label: "Overall effect, three-level model (version 1)", strength: "Low" });

    const rec = await call("POST", `${base}/collections/recommendations`, { text: "Offer the programme", kind: "recommendation", analysisIds: [saved], effectAnalysisId: saved });
    expect(rec.status, JSON.stringify(rec.body)).toBe(201);
    const trail = async () => (await call("GET", `${base}/synthesis/guide`)).body.trail.find((t: { id: string }) => t.id === rec.body.id);
    const before = await trail();
    const c = await direct();
    const pnorm = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    expect(before.statement.percent).toBe(Math.round(100 * pnorm(c.estimate)));
    expect(before.statement.from).toBe("Overall effect, three-level model, version 1, refitted to today's data (k = 100)");
    expect(before.results.map((r: { id: string; certainty: string }) => [r.id, r.certainty])).toEqual([[saved, "Low"]]);

    // One effect size far larger: the refit's pooled SMD and its sentence move.
    const es = (await server.store.list(pid, "effectSizes"))[0]!;
    const patched = await call("PATCH", `${base}/collections/effectSizes/${es.id}`, { yi: es.yi! + 25 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const after = await trail();
    const c2 = await direct();
    expect(c2.estimate).toBeGreaterThan(c.estimate);
    expect(after.statement.percent).toBe(Math.round(100 * pnorm(c2.estimate)));
    expect(after.statement.text).not.toBe(before.statement.text);
  });
});

/** erf (Abramowitz & Stegun 7.1.26, error < 1.5e-7): enough to check a whole percentage. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496735) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
