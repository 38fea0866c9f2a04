import { describe, expect, it } from "vitest";
import { fitMetaSpec, parseMetaSpec } from "@homeward/meta";
import { EffectSize, Outcome, Protocol, Study } from "@homeward/model";
import { EFFECT_SIZE_COLUMNS, effectSizeRows } from "./analysis-data.js";

const at = "2025-01-01T00:00:00.000Z";
const study = (id: string, name: string, attributes: Record<string, unknown> = {}) => Study.parse({ id, name, attributes, createdAt: at });
const outcome = (id: string, studyId: string, name: string, attributes: Record<string, unknown> = {}) => Outcome.parse({ id, studyId, name, attributes });
const es = (id: string, outcomeId: string, yi: number | null, vi: number | null, measure = "SMD") => EffectSize.parse({ id, outcomeId, measure, yi, vi, createdBy: "ana", createdAt: at });

describe("effectSizeRows", () => {
  it("joins effect sizes to outcomes and studies, with names unique where they are used as groups", () => {
    const d = effectSizeRows({
      studies: [
        study("s1", "Smith 2001", { year: 2001, itype: "mentoring", appendix: { line: 3 } }),
        study("s2", "Smith 2001", { year: 2003 }),
        study("s3", "Jones 2005", { year: 2005, design: "cluster RCT" }),
      ],
      outcomes: [
        outcome("o1", "s1", "Reunified", { months: 12, year: "follow-up year 1" }),
        outcome("o2", "s1", "Reunified", { months: 24 }),
        outcome("o3", "s2", "Reunified"),
        outcome("o4", "s3", "Re-entry"),
      ],
      effectSizes: [es("e1", "o1", 0.2, 0.01), es("e2", "o2", 0.3, 0.02), es("e3", "o3", -0.1, 0.05), es("e4", "o4", 0.4, null), es("e5", "o4", 0.1, 0.03)],
    });
    expect(d.rows.map((r) => [r.effectSizeId, r.study, r.outcome])).toEqual([
      ["e1", "Smith 2001 (s1)", "Reunified (o1)"],
      ["e2", "Smith 2001 (s1)", "Reunified (o2)"],
      // Outcome names need only be unique within their study.
      ["e3", "Smith 2001 (s2)", "Reunified"],
      ["e5", "Jones 2005", "Re-entry"],
    ]);
    expect(d.skipped).toEqual([{ effectSizeId: "e4", reason: "no vi" }]);
    // Scalar attributes become columns; a name already taken gets its entity's prefix; nested objects are left out.
    expect(d.columns.slice(EFFECT_SIZE_COLUMNS.length)).toEqual(["year", "itype", "study.design", "months", "outcome.year"]);
    expect(d.rows[0]).toMatchObject({ yi: 0.2, vi: 0.01, studyId: "s1", outcomeId: "o1", year: 2001, itype: "mentoring", months: 12, "outcome.year": "follow-up year 1", design: null });
    expect(d.rows[3]).toMatchObject({ year: 2005, "study.design": "cluster RCT", itype: null, months: null });
  });

  it("gives each classification scheme a column of value codes, several values joined in the scheme's order", () => {
    const protocol = Protocol.parse({
      classifications: [
        { code: "strand", multiple: true, values: [{ code: "effectiveness" }, { code: "implementation" }] },
        { code: "design", values: [{ code: "RCT" }, { code: "QED" }] },
        { code: "unused", values: [{ code: "x" }] },
      ],
    });
    const classified = (id: string, classifications: Record<string, string | string[]>, attributes: Record<string, unknown> = {}) =>
      Study.parse({ id, name: id, classifications, attributes, createdAt: at });
    const studies = [
      classified("s1", { strand: ["implementation", "effectiveness"], design: "RCT" }, { design: "free text" }),
      classified("s2", { strand: ["effectiveness"] }),
      classified("s3", { strand: [] }),
    ];
    const outcomes = studies.map((s) => outcome(`o-${s.id}`, s.id, "Reunified"));
    const effectSizes = studies.map((s) => es(`e-${s.id}`, `o-${s.id}`, 0.1, 0.01));
    const d = effectSizeRows({ studies, outcomes, effectSizes, protocol });
    // A scheme no study uses has no column; one named like a fixed column is prefixed, and so is an attribute after it.
    expect(d.columns.slice(EFFECT_SIZE_COLUMNS.length)).toEqual(["strand", "study.design", "study.attributes.design"]);
    expect(d.rows.map((r) => [r.strand, r["study.design"], r.design])).toEqual([
      ["effectiveness+implementation", "RCT", null],
      ["effectiveness", null, null],
      [null, null, null],
    ]);
    expect(d.columns).not.toContain("unused");
    // Without the protocol the columns follow the studies' own codes.
    const bare = effectSizeRows({ studies, outcomes, effectSizes });
    expect(bare.columns.slice(EFFECT_SIZE_COLUMNS.length)).toEqual(["study.design", "strand", "study.attributes.design"]);
    expect(bare.rows[0]!.strand).toBe("effectiveness+implementation");
  });

  it("lists the rows' effect measures, most frequent first, and a model of the rows pools one of them", () => {
    const studies = ["s1", "s2", "s3"].map((id) => study(id, `Study ${id}`));
    const outcomes = studies.flatMap((s) => [outcome(`${s.id}-a`, s.id, "Reunified"), outcome(`${s.id}-b`, s.id, "Re-entry")]);
    const effectSizes = [
      es("e1", "s1-a", 0.2, 0.01), es("e2", "s2-a", 0.3, 0.02), es("e3", "s3-a", 0.1, 0.03),
      es("e4", "s1-b", -0.4, 0.09, "OR"), es("e5", "s2-b", -0.2, 0.12, "OR"),
      // Without yi it is no row, so it is not counted either.
      es("e6", "s3-b", null, 0.1, "OR"),
    ];
    const d = effectSizeRows({ studies, outcomes, effectSizes });
    expect(d.measures).toEqual([{ measure: "SMD", rows: 3 }, { measure: "OR", rows: 2 }]);
    expect(() => fitMetaSpec(parseMetaSpec({ method: "DL" }), d.rows)).toThrow("the rows mix effect measures: SMD (3 rows), OR (2 rows)");
    const smd = fitMetaSpec(parseMetaSpec({ method: "DL", measure: d.measures[0]!.measure }), d.rows);
    expect(smd.rows.map((r) => r.effectSizeId)).toEqual(["e1", "e2", "e3"]);
    expect(smd.fit.k).toBe(3);
  });
});
