import { describe, expect, it } from "vitest";
import { ALL_MEASURES, buildSpec, distinctValues, initialForm, measureCounts, num, parseCsv, pooledMeasure, pValue, rowsOfMeasure } from "./model";

describe("analysis form model", () => {
  it("reads CSV with comma, semicolon or tab separators and quoted cells", () => {
    expect(parseCsv('study,yi,vi\n"Smith, 2001",0.5,0.1\r\nJones 2003,-0.2,0.05\n')).toEqual({
      columns: ["study", "yi", "vi"],
      rows: [
        { study: "Smith, 2001", yi: "0.5", vi: "0.1" },
        { study: "Jones 2003", yi: "-0.2", vi: "0.05" },
      ],
    });
    expect(parseCsv("a;b\n1,5;2\n").rows).toEqual([{ a: "1,5", b: "2" }]);
    expect(parseCsv("a\tb\n1\t2\n").columns).toEqual(["a", "b"]);
    expect(parseCsv("  ")).toEqual({ columns: [], rows: [] });
    expect(() => parseCsv("a,a\n1,2\n")).toThrow(/names the column "a" twice/);
    expect(() => parseCsv("a,b\n1,2,3\n")).toThrow();
  });

  it("builds the meta spec of `homeward meta` from the form", () => {
    expect(buildSpec(initialForm, null)).toEqual({ data: "effectSizes", yi: "yi", vi: "vi", method: "REML", test: "z", figures: ["forest", "funnel"] });
    // Forest rows are labelled by a study-like column unless the model groups them by study.
    expect(buildSpec(initialForm, null, ["yi", "vi", "Trial"]).figureOptions).toEqual({ label: "Trial" });
    expect(buildSpec({ ...initialForm, outer: "study" }, null, ["yi", "vi", "study"]).figureOptions).toBeUndefined();
    expect(buildSpec({ ...initialForm, label: "author" }, null, ["study", "author"]).figureOptions).toEqual({ label: "author" });
    const rows = [{ yi: "1", vi: "0.1" }];
    const spec = buildSpec(
      {
        ...initialForm, source: "csv", method: "ML", test: "t", outer: "study", inner: "esid", intercept: false, cluster: "study",
        moderators: [
          { key: 1, column: "year", categorical: false, levels: "" },
          { key: 2, column: "design", categorical: true, levels: " rct, qed ,," },
          { key: 3, column: "", categorical: false, levels: "" },
        ],
        diagnostics: ["subgroups"], subgroup: "design", figures: [], measure: " SMD ", contour: true,
      },
      rows,
    );
    expect(spec).toEqual({
      data: rows, yi: "yi", vi: "vi", method: "ML", test: "t", random: ["study", "esid"],
      moderators: [{ name: "year" }, { name: "design", levels: ["rct", "qed"] }],
      intercept: false, robust: { cluster: "study" }, diagnostics: ["subgroups"], subgroup: "design",
      figureOptions: { measure: "SMD", contour: true },
    });
  });

  it("formats numbers at fixed precision with a true minus sign", () => {
    expect(num(-0.71453234)).toBe("−0.7145");
    expect(num(0.31324, 2)).toBe("0.31");
    expect(num(-0.00001)).toBe("0.0000");
    expect(num(null)).toBe("—");
    expect(num(Infinity)).toBe("∞");
    expect(pValue(7.05e-5)).toBe("< 0.0001");
    expect(pValue(0.0185689)).toBe("0.0186");
    expect(distinctValues([{ g: "10" }, { g: "9" }, { g: null }, { g: "9" }], "g")).toEqual(["9", "10"]);
  });

  it("pools the most frequent measure unless another (or none) is chosen, and keeps only its rows", () => {
    const rows = [
      { yi: "1", measure: "OR" }, { yi: "2", measure: "SMD" }, { yi: "3", measure: "SMD" }, { yi: "4", measure: "" }, { yi: "5", measure: "SMD" },
    ];
    const counts = measureCounts(rows);
    expect(counts).toEqual([{ measure: "SMD", rows: 3 }, { measure: "OR", rows: 1 }, { measure: "no measure", rows: 1 }]);
    expect(measureCounts([{ yi: "1" }])).toEqual([]);
    expect(pooledMeasure(initialForm, counts)).toBe("SMD");
    expect(pooledMeasure({ poolMeasure: "OR" }, counts)).toBe("OR");
    // A choice the data no longer have (another source) falls back to the most frequent.
    expect(pooledMeasure({ poolMeasure: "RR" }, counts)).toBe("SMD");
    expect(pooledMeasure({ poolMeasure: ALL_MEASURES }, counts)).toBeUndefined();
    expect(rowsOfMeasure(rows, "SMD").map((r) => r.yi)).toEqual(["2", "3", "5"]);
    expect(rowsOfMeasure(rows, "no measure").map((r) => r.yi)).toEqual(["4"]);
    expect(rowsOfMeasure(rows, undefined)).toHaveLength(5);
    expect(buildSpec(initialForm, null, [], "SMD").measure).toBe("SMD");
    expect(buildSpec(initialForm, null, [])).not.toHaveProperty("measure");
  });
});
