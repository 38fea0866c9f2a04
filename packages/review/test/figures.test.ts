/**
 * Review figures and exports drawn from the built-in project. Expected values
 * are hand counts from the seed's tables (../shared/seeds/000_727b90ba171410e5.txt,
 * line numbers cited), not outputs of this package.
 */
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { renderSvg } from "@homeward/figures";
import { loadProjectFile } from "@homeward/store";
import type { ProjectFile } from "@homeward/model";
import {
  cerqualCsv,
  evidenceTrailCsv,
  gapMapFigure,
  prismaCsv,
  prismaFlow,
  prismaFlowFigure,
  robSummaryFigure,
  toCsv,
  trafficLightFigure,
} from "@homeward/review";

let p: ProjectFile;
beforeAll(() => {
  p = loadProjectFile(fileURLToPath(new URL("../../../examples/reunification", import.meta.url)));
});

/** The <path> elements of one named mark group in a rendered SVG. */
function marks(svg: string, name: string): string[] {
  const start = svg.indexOf(`role-mark ${name}_marks`);
  expect(start, name).toBeGreaterThan(0);
  const end = svg.indexOf("</g>", start);
  return svg.slice(start, end).match(/<path [^>]*>/g) ?? [];
}

describe("risk-of-bias plots", () => {
  it("traffic light: one disc per study and column, coloured with robvis's palette", async () => {
    const svg = await renderSvg(trafficLightFigure(p, "RoB2"));
    const discs = marks(svg, "discs");
    expect(discs).toHaveLength(11 * 6); // Appendix E: 11 RCTs × (5 domains + overall)
    // Appendix E (lines 3683–3695): 32 low domain judgements plus 2 low overall.
    expect(discs.filter((d) => d.includes('fill="#02C100"'))).toHaveLength(34);
    // Overall: 4 high (Miller, Rushovich, Trout 2012, Trout 2020).
    expect(discs.filter((d) => /Overall/.test(d) && d.includes('fill="#BF0000"'))).toHaveLength(4);
    const cb = await renderSvg(trafficLightFigure(p, "RoB2", "colourblind"));
    expect(marks(cb, "discs").filter((d) => d.includes('fill="#FED98E"'))).toHaveLength(34);
  });

  it("traffic light description lists every study's judgements and the domain key", () => {
    const f = trafficLightFigure(p, "ROBINS-I");
    expect(f.description).toContain("D1: Confounding");
    // Appendix F line 3720.
    expect(f.description).toContain("Pine et al., 2009: Moderate, Low, Low, Moderate, Moderate, Low, Moderate; overall Low");
    // 1 low, 10 moderate, 4 serious (Appendix F): 14 of 15 above low.
    expect(f.description).toContain("14 of 15 were judged at more than low risk of bias");
  });

  it("summary plot: shares per domain, and weights when given", () => {
    const f = robSummaryFigure(p, "RoB2");
    // Appendix E: overall 2 low, 5 some concerns, 4 high of 11.
    expect(f.description).toContain("Overall: 18.2% low, 45.5% some concerns, 36.4% high");
    // Weighting one study only gives its judgements 100%: Miller 2008 is High overall (line 3688).
    const miller = p.studies.find((s) => s.shortCitation === "Miller, 2008")!;
    const w = robSummaryFigure(p, "RoB2", { weights: { [miller.id]: 1 } });
    expect(w.description).toContain("Overall: 0.0% low, 0.0% some concerns, 100.0% high");
  });
});

describe("PRISMA flow diagram", () => {
  it("draws every box with its number and marks recorded counts", async () => {
    const f = prismaFlowFigure(p);
    const svg = await renderSvg(f);
    const text = svg.replace(/<[^>]+>/g, " ");
    for (const s of ["Records screened", "(n = 7,669) †", "Duplicate records removed", "(n = 2,594) †", "Studies included in review", "(n = 73)"])
      expect(text.replace(/\u00a0/g, " ")).toContain(s);
    // The live count of included studies carries no dagger.
    expect(text).not.toContain("(n = 73)\u00a0†");
    expect(f.description).toContain("Records screened: 7,669");
    expect(f.description).toContain("expected 95, shown 83");
  });

  it("CSV holds one row per field and per exclusion reason, with the source", () => {
    const rows = parse(prismaCsv(prismaFlow(p)), { columns: true }) as Record<string, string>[];
    // Appendix A line 3184: eight reasons.
    expect(rows.filter((r) => r.field === "dbr_excluded")).toHaveLength(8);
    expect(rows.find((r) => r.field === "records_excluded")).toEqual({ field: "records_excluded", reason: "", n: "7311", source: "recorded" });
  });
});

describe("evidence gap map", () => {
  it("counts effectiveness studies per type and domain", () => {
    const f = gapMapFigure(p);
    // Line 3492: Akin 2017 (parent-focused skills building) reports only remain-at-home outcomes; Table 10 line 1382:
    // 17 studies report them. Parent-focused studies among the 17 (footnote 35, lines 1386–1388, with line 1100):
    // Akin 2017, Berry 2007, Degarmo 2013, Landsman 2001, Trout 2012 = 5.
    expect(f.description).toMatch(/- Parent-focused skills building: [^\n]*Supporting children to remain at home and not return to care 5 \(/);
    expect(f.description).toMatch(/^The image is an evidence gap map/);
  });
});

describe("CSV exports", () => {
  it("quote what needs quoting and read back unchanged", () => {
    const text = toCsv(["a", "b"], [["x, y", 'say "hi"'], ["line\nbreak", null]]);
    expect(text).toBe('a,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n');
    expect(parse(text)).toEqual([["a", "b"], ["x, y", 'say "hi"'], ["line\nbreak", ""]]);
  });

  it("CERQual table and evidence trail read back with their columns", () => {
    const cq = parse(cerqualCsv(p), { columns: true }) as Record<string, string>[];
    expect(cq).toHaveLength(18); // Table 13
    expect(cq.find((r) => r.finding === "Cost.1")?.confidence).toBe("Low"); // line 1706
    const trail = parse(evidenceTrailCsv(p), { columns: true }) as Record<string, string>[];
    // Practice guide (seed 001) line 509: recommendation 2 is rated good evidence.
    const rec2 = trail.filter((r) => r.recommendation === "recommendation-2");
    expect(rec2.length).toBeGreaterThan(0);
    expect(new Set(rec2.map((r) => r.rating))).toEqual(new Set(["Good evidence"]));
  });
});
