import { describe, expect, it } from "vitest";
import type { CodebookItem, ExtractedValue } from "@homeward/model";
import { toCsv } from "@homeward/review";
import {
  characteristicsRows,
  characteristicsTable,
  csvSafe,
  extractionLong,
  extractionWide,
  LONG_HEADER,
  newItem,
  retireItem,
  settledValues,
  slotKey,
} from "@homeward/extraction";

function book(): Record<string, CodebookItem> & { all: CodebookItem[] } {
  const all: CodebookItem[] = [];
  const add = (d: Parameters<typeof newItem>[1]) => {
    const x = newItem(all, d, `it-${d.code}`);
    all.push(x);
    return x;
  };
  const study = add({ code: "study", label: "Study characteristics", type: "section" });
  const design = add({ code: "study_design", label: "Study design", type: "single", parentId: study.id, options: [{ code: "rct", label: "Randomised controlled trial" }, { code: "qed", label: "Quasi-experimental design" }] });
  const country = add({ code: "country", label: "Country", type: "text", parentId: study.id });
  const n = add({ code: "n_participants", label: "Participants", type: "integer", parentId: study.id, min: 0 });
  const empty = add({ code: "funding", label: "Source of funding", type: "text", parentId: study.id });
  const out = add({ code: "outcomes", label: "Outcome data", type: "section", scope: "outcome" });
  const p = add({ code: "p_value", label: "p value", type: "number", parentId: out.id, min: 0, max: 1, scope: "outcome" });
  return { all, design, country, n, empty, p } as never;
}

let k = 0;
const val = (v: Partial<ExtractedValue> & Pick<ExtractedValue, "studyId" | "itemId" | "reviewer" | "value">): ExtractedValue => ({
  id: `v${++k}`, outcomeId: null, note: null, at: `2026-01-01T00:00:${String(k).padStart(2, "0")}.000Z`, itemVersion: 1, source: null, supersedes: null, consensus: null, ...v,
});

const studies = [
  { id: "s1", name: "Akin 2017: SFP", shortCitation: "Akin et al., 2017", attributes: { country: "US", funding: { nested: true } } },
  { id: "s2", name: "Berry 2007", attributes: { country: "US", n_participants: 31 } },
];
const outcomes = [{ id: "o1", studyId: "s1", name: "Re-entry" }, { id: "o2", studyId: "s1", name: "Wellbeing" }];

describe("settled values", () => {
  it("takes consensus over extractions, one extraction or agreeing ones, and leaves differing ones unresolved", () => {
    const b = book();
    const values = [
      val({ studyId: "s1", itemId: b.design.id, reviewer: "ana", value: "qed" }),
      val({ studyId: "s1", itemId: b.design.id, reviewer: "ben", value: "rct" }),
      val({ studyId: "s1", itemId: b.country.id, reviewer: "ana", value: "US" }),
      val({ studyId: "s1", itemId: b.country.id, reviewer: "ben", value: " us " }),
      val({ studyId: "s2", itemId: b.design.id, reviewer: "ana", value: "rct" }),
      val({ studyId: "s2", itemId: b.country.id, reviewer: "ana", value: "UK" }),
      val({ studyId: "s2", itemId: b.country.id, reviewer: "ben", value: "US" }),
      val({ studyId: "s2", itemId: b.country.id, reviewer: "cy", value: "US", consensus: true }),
    ];
    const s = settledValues(b.all, values);
    const at = (studyId: string, itemId: string) => s.get(slotKey({ studyId, itemId, outcomeId: null }));
    expect(at("s1", b.design.id)).toEqual({ value: null, source: "unresolved", reviewers: ["ana", "ben"] });
    expect(at("s1", b.country.id)).toMatchObject({ value: "US", source: "agreed" });
    expect(at("s2", b.design.id)).toEqual({ value: "rct", source: "single", reviewers: ["ana"] });
    expect(at("s2", b.country.id)).toEqual({ value: "US", source: "consensus", reviewers: ["cy"] });
  });
});

describe("characteristics table", () => {
  it("has a row per study and a column per study-level item with a value, labels shown, attributes as fallback", () => {
    const b = book();
    const values = [
      val({ studyId: "s1", itemId: b.design.id, reviewer: "ana", value: "qed" }),
      val({ studyId: "s1", itemId: b.n.id, reviewer: "ana", value: null }),
      val({ studyId: "s1", itemId: b.p.id, outcomeId: "o1", reviewer: "ana", value: 0.04 }),
      val({ studyId: "s2", itemId: b.design.id, reviewer: "ana", value: "rct" }),
      val({ studyId: "s2", itemId: b.design.id, reviewer: "ben", value: "qed" }),
    ];
    const t = characteristicsTable({ items: b.all, values, studies });
    expect(t.caption).toBe("Characteristics of included studies");
    // "funding" has no value anywhere (a nested attribute is documentation), and p value is asked per outcome.
    expect(t.columns.map((c) => [c.code, c.section])).toEqual([["study_design", "Study characteristics"], ["country", "Study characteristics"], ["n_participants", "Study characteristics"]]);
    expect(t.rows.map((r) => [r.study, ...r.cells.map((c) => `${c.text} [${c.source}]`)])).toEqual([
      ["Akin et al., 2017", "Quasi-experimental design [single]", "US [attribute]", "not reported [single]"],
      ["Berry 2007", "unresolved (2 extractions differ) [unresolved]", "US [attribute]", "31 [attribute]"],
    ]);
    expect(characteristicsRows(t)).toEqual({
      header: ["Study", "Study design", "Country", "Participants"],
      rows: [["Akin et al., 2017", "Quasi-experimental design", "US", "not reported"], ["Berry 2007", "unresolved (2 extractions differ)", "US", "31"]],
    });
  });

  it("takes the items named, in their order, empty ones kept, and refuses an unknown or per-outcome code", () => {
    const b = book();
    const t = characteristicsTable({ items: b.all, values: [], studies, codes: ["funding", "country"], caption: "Appendix C" });
    expect(t.columns.map((c) => c.code)).toEqual(["funding", "country"]);
    expect(t.rows[0]!.cells).toEqual([{ text: "", source: "none" }, { text: "US", source: "attribute" }]);
    expect(t.caption).toBe("Appendix C");
    expect(() => characteristicsTable({ items: b.all, values: [], studies, codes: ["nope"] })).toThrow(/codebook item "nope" is not a live item asked once per study/);
    expect(() => characteristicsTable({ items: b.all, values: [], studies, codes: ["p_value"] })).toThrow(/"p_value"/);
  });

  it("leaves retired items out", () => {
    const b = book();
    const items = b.all.map((i) => (i.id === b.country.id ? retireItem(i, "2026-01-02T00:00:00.000Z") : i));
    expect(characteristicsTable({ items, values: [], studies }).columns.map((c) => c.code)).toEqual(["n_participants"]);
  });
});

describe("studies × items exports", () => {
  const b = book();
  const values = [
    val({ studyId: "s1", itemId: b.design.id, reviewer: "ana", value: "qed", source: { reportId: "r1", page: "4", quote: "a quasi-experimental, design" } }),
    val({ studyId: "s1", itemId: b.design.id, reviewer: "ben", value: "rct" }),
    val({ studyId: "s1", itemId: b.design.id, reviewer: "cy", value: "qed", consensus: true }),
    val({ studyId: "s1", itemId: b.p.id, outcomeId: "o2", reviewer: "ana", value: 0.5 }),
    val({ studyId: "s1", itemId: b.p.id, outcomeId: "o1", reviewer: "ana", value: 0.04 }),
    val({ studyId: "s1", itemId: b.country.id, reviewer: "ana", value: "=HYPERLINK(\"x\")\nline two" }),
  ];

  it("wide: one row per outcome when items are asked per outcome, study values repeated, codes not labels", () => {
    const w = extractionWide({ items: b.all, values, studies, outcomes });
    expect(w.header).toEqual(["study_id", "study", "outcome_id", "outcome", "study_design", "country", "n_participants", "funding", "p_value"]);
    expect(w.rows).toEqual([
      ["s1", "Akin et al., 2017", "o1", "Re-entry", "qed", "=HYPERLINK(\"x\")\nline two", null, null, 0.04],
      ["s1", "Akin et al., 2017", "o2", "Wellbeing", "qed", "=HYPERLINK(\"x\")\nline two", null, null, 0.5],
      ["s2", "Berry 2007", null, null, null, "US", 31, null, null],
    ]);
  });

  it("wide: one row per study without per-outcome items", () => {
    const items = b.all.filter((i) => i.scope !== "outcome");
    const w = extractionWide({ items, values: values.filter((v) => v.outcomeId === null), studies, outcomes });
    expect(w.header).toEqual(["study_id", "study", "study_design", "country", "n_participants", "funding"]);
    expect(w.rows).toHaveLength(2);
  });

  it("long: each value in force with its reviewer, status and source; transcribed attributes marked", () => {
    const l = extractionLong({ items: b.all, values, studies, outcomes, reports: new Map([["r1", "Akin (2017) Title"]]) });
    expect(l.header).toEqual([...LONG_HEADER]);
    const cols = (r: unknown[]) => [r[0], r[2], r[4], r[6], r[7], r[8], r[9]];
    expect(l.rows.map(cols)).toEqual([
      ["s1", "study_design", null, "qed", "ana", "disagreed", "Akin (2017) Title, p. 4, \"a quasi-experimental, design\""],
      ["s1", "study_design", null, "rct", "ben", "disagreed", null],
      ["s1", "study_design", null, "qed", "cy", "consensus", null],
      ["s1", "country", null, "=HYPERLINK(\"x\")\nline two", "ana", "single", null],
      ["s1", "p_value", "o1", 0.04, "ana", "single", null],
      ["s1", "p_value", "o2", 0.5, "ana", "single", null],
      ["s2", "country", null, "US", null, "transcribed", "study attribute"],
      ["s2", "n_participants", null, 31, null, "transcribed", "study attribute"],
    ]);
  });

  it("writes CSV quoted where needed, formulas defused, numbers as numbers", () => {
    const l = extractionLong({ items: b.all, values, studies, outcomes, reports: new Map([["r1", "Akin (2017) Title"]]) });
    const csv = toCsv(l.header, l.rows.map((r) => r.map(csvSafe)));
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("study_id,study,item,item_label,outcome_id,outcome,value,reviewer,status,source,at");
    expect(lines[1]).toBe('s1,"Akin et al., 2017",study_design,Study design,,,qed,ana,disagreed,"Akin (2017) Title, p. 4, ""a quasi-experimental, design""",2026-01-01T00:00:01.000Z');
    expect(csv).toContain('"\'=HYPERLINK(""x"")\nline two"');
    expect(csv).toContain(",0.04,ana,single,");
    expect(csvSafe("-3")).toBe("-3");
    expect(csvSafe("+x")).toBe("'+x");
    expect(csvSafe(-3)).toBe(-3);
  });
});
