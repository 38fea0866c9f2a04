import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { EffectSize, Outcome, SavedAnalysis, Study } from "@homeward/model";
import { buildReproducibilityBundle, effectSizeRows, prisma2020Csv, PRISMA2020_COLUMNS, robvisCsv } from "@homeward/review";

const at = "2025-01-01T00:00:00.000Z";
const studies = [
  Study.parse({ id: "s1", name: "Smith 2001", design: "RCT", classifications: { strand: ["effectiveness"] }, attributes: { year: 2001 }, createdAt: at }),
  Study.parse({ id: "s2", name: "Jones, \"B\" 2005", attributes: { year: 2005 }, createdAt: at }),
];
const outcomes = [Outcome.parse({ id: "o1", studyId: "s1", name: "Reunified" }), Outcome.parse({ id: "o2", studyId: "s2", name: "Reunified" })];
const effectSizes = [
  EffectSize.parse({ id: "e1", outcomeId: "o1", measure: "SMD", inputs: { kind: "means", m1: 1, sd1: 1, n1: 20, m2: 0.5, sd2: 1, n2: 20 }, yi: 0.49, vi: 0.103, formula: "g = J·d", createdBy: "ana", createdAt: at }),
  EffectSize.parse({ id: "e2", outcomeId: "o2", measure: "SMD", inputs: {}, yi: 0.1, vi: 0.05, createdBy: "ben", createdAt: at }),
];
const saved = SavedAnalysis.parse({
  id: "a1", name: "Overall (random effects)", version: 2, spec: { data: "effectSizes", method: "DL", figures: ["forest"] },
  result: { k: 2, coefficients: [{ term: "intrcpt" }] }, rows: [], savedBy: "ana", savedAt: at,
});
const broken = SavedAnalysis.parse({ id: "a2", name: "Old", version: 1, spec: { data: "effectSizes", method: "XX" }, result: {}, rows: [], savedBy: "ana", savedAt: at });

const input = {
  project: { id: "p1", title: "Kinship care" },
  data: effectSizeRows({ studies, outcomes, effectSizes }),
  effectSizes, studies, savedAnalyses: [saved, broken],
  robvis: [{ tool: { id: "rob2", name: "RoB 2" }, domains: [{ id: "D1" }, { id: "D2" }], rows: [{ study: "Smith 2001", judgements: { D1: "Low", D2: null }, overall: "Some concerns", weight: 1 }] }],
  prisma: { counts: { database_results: 120, duplicates: 20, records_screened: 100, dbr_excluded: { pop: 3, design: 2 }, new_studies: 2, previous_studies: null }, databases: [{ name: "MEDLINE", n: 80 }, { name: "ERIC", n: 40 }], reasonLabels: { pop: "Wrong population" } },
  generatedAt: "2025-02-01T00:00:00.000Z",
};

describe("buildReproducibilityBundle", () => {
  const files = buildReproducibilityBundle(input);
  const file = (path: string) => files.find((f) => f.path === path)?.content;

  it("writes the data, the script, the robvis and PRISMA2020 CSVs, a README and the manifest last", () => {
    expect(files.map((f) => f.path)).toEqual([
      "data/effect-sizes.csv", "data/study-characteristics.csv", "analysis.R", "homeward-results.json",
      "robvis/robvis-rob2.csv", "prisma/PRISMA.csv", "README.md", "manifest.json",
    ]);
    const manifest = JSON.parse(file("manifest.json")!);
    expect(manifest).toMatchObject({ format: "homeward-reproducibility-bundle", version: 1, project: input.project, generatedAt: input.generatedAt });
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(files.slice(0, -1).map((f) => f.path));
    for (const f of manifest.files) {
      const body = file(f.path)!;
      expect(f.sha256).toBe(createHash("sha256").update(body, "utf8").digest("hex"));
      expect(f.bytes).toBe(Buffer.byteLength(body));
    }
    // Pure: the same input gives the same bytes.
    expect(buildReproducibilityBundle(input)).toEqual(files);
  });

  it("keeps each effect size's provenance beside its analysis columns", () => {
    const rows = parse(file("data/effect-sizes.csv")!, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.effectSizeId, r.study, r.yi, r.vi, r["es.createdBy"], r["es.formula"]])).toEqual([
      ["e1", "Smith 2001", "0.49", "0.103", "ana", "g = J·d"],
      ["e2", 'Jones, "B" 2005', "0.1", "0.05", "ben", ""],
    ]);
    expect(JSON.parse(rows[0]!["es.inputs"]!)).toEqual(effectSizes[0]!.inputs);
    const st = parse(file("data/study-characteristics.csv")!, { columns: true }) as Record<string, string>[];
    expect(st.map((r) => [r.studyId, r.name, r["class.strand"], r["attr.year"]])).toEqual([["s1", "Smith 2001", "effectiveness", "2001"], ["s2", 'Jones, "B" 2005', "", "2005"]]);
  });

  it("writes the R code of each saved analysis and says which it cannot reproduce", () => {
    const r = file("analysis.R")!;
    expect(r).toContain('## Overall (random effects) (version 2), saved by ana');
    expect(r).toMatch(/fit_model <- function\(d\) rma\(yi, vi, data = d, method = "DL", test = "z", level = 95, control = uni_control\)/);
    expect(r).toContain('results$analyses[["overall-random-effects-v2"]]');
    expect(r).toContain('draw_figure("forest", fit, d, "overall-random-effects-v2")');
    expect(r).toMatch(/# "Old" \(version 1\) is not reproduced: spec "method" must be one of/);
    expect(r).toContain("coef_test(fit, vcov = \"CR2\"");
  });

  it("writes robvis's columns through the one robvis CSV writer", () => {
    expect(file("robvis/robvis-rob2.csv")).toBe(robvisCsv(input.robvis[0]!));
    expect(file("robvis/robvis-rob2.csv")).toBe("Study,D1,D2,Overall,Weight\r\nSmith 2001,Low,,Some concerns,1\r\n");
  });

  it("fills the PRISMA2020 package's template: its columns, counts where the project has them, empty where not", () => {
    const text = prisma2020Csv(input.prisma);
    expect(file("prisma/PRISMA.csv")).toBe(text);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...PRISMA2020_COLUMNS]);
    const n = (data: string) => rows.find((r) => r.data === data)!.n;
    expect(n("database_results")).toBe("120");
    expect(n("duplicates")).toBe("20");
    expect(n("database_specific_results")).toBe("MEDLINE, 80; ERIC, 40");
    expect(n("dbr_excluded")).toBe("Wrong population, 3; design, 2");
    expect(n("previous_studies")).toBe("");
    expect(n("register_results")).toBe("");
    expect(n("total_studies")).toBe("2");
    // The template's structural rows: the package reads boxes by these names.
    expect(rows.find((r) => r.data === "records_screened")).toMatchObject({ node: "node9", box: "box4", boxtext: "Records screened" });
    expect(rows.filter((r) => r.data === "NA").map((r) => r.box)).toEqual(["prevstud", "newstud", "othstud"]);
  });
});
