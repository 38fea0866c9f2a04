/**
 * The evidence gap map names the study classification its rows read, takes
 * another on request, and keeps every cell's count inside its disc. The
 * built-in project's typology is "interventionType" (seed 000, Table 2 and
 * Appendix C); its design classes are RCT and QED (Appendix C).
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { renderSvg, textWidth } from "@homeward/figures";
import { loadProjectFile } from "@homeward/store";
import type { ProjectFile } from "@homeward/model";
import { gapMapCsv, gapMapData, gapMapFigure } from "@homeward/review";

let p: ProjectFile;
beforeAll(() => {
  p = loadProjectFile(fileURLToPath(new URL("../../../examples/reunification", import.meta.url)));
});

type Spec = {
  width: number;
  height: number;
  encoding: { y: { axis: { title: string } } };
  layer: { name: string; encoding: { size?: { scale: { range: [number, number] } } } }[];
  data: { values: { label: string }[] };
};

describe("evidence gap map rows", () => {
  it("reads the intervention typology by default and says so", () => {
    const d = gapMapData(p);
    expect(d.rows).toEqual({ code: "interventionType", label: "Intervention type", role: "typology" });
    const f = gapMapFigure(p);
    expect(f.title).toBe("Evidence gap map: intervention type by outcome domain");
    expect(f.description).toContain("the study classification “interventionType”");
    expect((f.spec as unknown as Spec).encoding.y.axis.title).toBe("Intervention type");
  });

  it("reads another study classification when asked, and refuses an unknown one", () => {
    const d = gapMapData(p, "designClass");
    expect(d.rows?.code).toBe("designClass");
    expect(d.types).toEqual(p.protocol.classifications.find((c) => c.code === "designClass")!.values.map((v) => v.label));
    expect(d.types).toHaveLength(2);
    const f = gapMapFigure(p, "designClass");
    expect(f.title).toBe("Evidence gap map: design class by outcome domain");
    expect((f.spec as unknown as Spec).encoding.y.axis.title).toBe("Design class");
    expect(gapMapCsv(p, "designClass").split("\r\n")[0]).toBe("designClass,outcome_domain,studies,outcomes,study_citations");
    expect(gapMapCsv(p).split("\r\n")[0]).toBe("intervention_type,outcome_domain,studies,outcomes,study_citations");
    expect(() => gapMapData(p, "nope")).toThrow(/no study classification "nope".*interventionType/);
  });

  it("keeps every count inside the smallest disc and every disc inside its cell", async () => {
    const f = gapMapFigure(p);
    const spec = f.spec as unknown as Spec;
    const [minArea, maxArea] = spec.layer.find((l) => l.name === "cells")!.encoding.size!.scale.range;
    const diameter = (area: number) => 2 * Math.sqrt(area / Math.PI);
    const widest = Math.max(...spec.data.values.map((v) => textWidth(v.label, 11, true)));
    expect(diameter(minArea)).toBeGreaterThan(widest);
    const d = gapMapData(p);
    expect(diameter(maxArea)).toBeLessThanOrEqual(spec.width / d.domains.length);
    expect(diameter(maxArea)).toBeLessThanOrEqual(spec.height / d.types.length);
    // Dark counts: readable over the disc and, if ever outside it, over the page.
    const svg = await renderSvg(f);
    expect(svg).toMatch(/class="mark-text role-mark counts_marks"[^>]*>(?:<text[^>]*fill="#111111"[^>]*>[^<]*<\/text>)+/);
  });
});
