import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ClassificationScheme, ReportedResult, Study } from "@homeward/model";
import { equalityAnnex } from "../src/index.js";

const example = (f: string) => JSON.parse(readFileSync(new URL(`../../../examples/reunification/${f}.json`, import.meta.url), "utf8"));
const studies = example("studies") as Study[];
const results = example("reportedResults") as ReportedResult[];
const classifications = example("project").protocol.classifications as ClassificationScheme[];

describe("equality annex", () => {
  it("counts PROGRESS-Plus reporting per characteristic from the studies' classifications", () => {
    const a = equalityAnnex({ studies, classifications, reportedResults: results, sampleKeys: ["ethnicityComposition"] });
    expect(a.scheme).toEqual({ code: "progressPlus", label: "Equity characteristics (PROGRESS-Plus)" });
    // Seed 002: "Across the 10 studies that reported place of residence".
    expect(a.characteristics.find((c) => c.code === "place_of_residence")!.studies).toBe(10);
    const tagged = studies.filter((s) => ((s.classifications.progressPlus as string[] | undefined) ?? []).length > 0);
    expect(a.studies).toHaveLength(tagged.length);
    // Seed 002: 12 majority-white samples.
    expect(a.samples[0]!.values.find((v) => v.value === "Majority white")?.studies).toBe(12);
  });

  it("finds the review's RQ2 moderators (for whom) by the characteristics they name, or takes the team's list", () => {
    const a = equalityAnnex({ studies, classifications, reportedResults: results });
    expect(a.moderators.map((m) => m.id)).toEqual(results.filter((r) => r.id.startsWith("rq2-")).map((r) => r.id));
    expect(equalityAnnex({ studies, classifications, reportedResults: results, moderatorIds: ["overall"] }).moderators.map((m) => m.id)).toEqual(["overall"]);
  });
});
