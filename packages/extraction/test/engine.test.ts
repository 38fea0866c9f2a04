import { describe, expect, it } from "vitest";
import { CodebookItem, ExtractedValue, InputError, validateExtractedValues, validateCodebookItems } from "@homeward/model";
import {
  agreementByItem,
  codebookTree,
  compareExtractions,
  drawSeniorCheck,
  editItem,
  exportCodebook,
  flatten,
  importCodebook,
  newItem,
  reorder,
  retireItem,
  sameValue,
  seedCodebookTemplate,
  currentValues,
  historyOf,
  scopeIssue,
  valueIssue,
  definitionOf,
  showValue,
  PROGRESS_PLUS,
  PROCTOR_OUTCOMES,
} from "@homeward/extraction";

const study = { id: "s1", name: "Akin 2018" };
let n = 0;
const id = () => `i${++n}`;

function book(): CodebookItem[] {
  const items: CodebookItem[] = [];
  const add = (d: Parameters<typeof newItem>[1]) => {
    const x = newItem(items, d, id());
    items.push(x);
    return x;
  };
  const sec = add({ code: "sample", label: "Sample", type: "section" });
  add({ code: "n", label: "Participants", type: "integer", parentId: sec.id, min: 0 });
  add({ code: "age", label: "Mean age", type: "number", parentId: sec.id, unit: "years", min: 0, max: 18 });
  add({ code: "design", label: "Design", type: "single", options: [{ code: "rct", label: "RCT" }, { code: "qed", label: "QED" }] });
  add({ code: "targets", label: "Targets", type: "multiple", options: [{ code: "child", label: "Child" }, { code: "parent", label: "Parent" }] });
  add({ code: "blinded", label: "Assessors blinded", type: "yesno" });
  add({ code: "when", label: "Start", type: "date" });
  add({ code: "aims", label: "Aims", type: "text" });
  add({ code: "arms", label: "Arms", type: "grid", rows: [{ code: "int", label: "Intervention" }, { code: "cmp", label: "Comparison" }], columns: [{ code: "n", label: "N" }, { code: "mean", label: "Mean" }] });
  return items;
}
const at = (items: CodebookItem[], code: string) => items.find((i) => i.code === code)!;

describe("codebook items", () => {
  it("are created in order under their parent, a yes/no item with its three answers", () => {
    const items = book();
    expect(at(items, "n").order).toBe(1);
    expect(at(items, "age").order).toBe(2);
    expect(at(items, "design").order).toBe(2); // after the section at the top
    expect(at(items, "blinded").options.map((o) => o.code)).toEqual(["yes", "no", "unclear"]);
    const tree = codebookTree(items);
    expect(tree.map((x) => x.number + " " + x.item.code).slice(0, 2)).toEqual(["1 sample", "2 design"]);
    expect(tree[0].children.map((x) => x.number)).toEqual(["1.1", "1.2"]);
    expect(flatten(tree).map((x) => x.item.code)).toEqual(["sample", "n", "age", "design", "targets", "blinded", "when", "aims", "arms"]);
  });

  it("refuse what could hold no value, a repeated code, a missing parent", () => {
    const items = book();
    const bad: [Parameters<typeof newItem>[1], RegExp][] = [
      [{ code: "x", label: "X", type: "single" }, /needs at least one option/],
      [{ code: "x", label: "X", type: "number", min: 5, max: 1 }, /range is empty \(5 to 1\)/],
      [{ code: "x", label: "X", type: "text", unit: "kg" }, /only number items have a unit/],
      [{ code: "x", label: "X", type: "grid", rows: [{ code: "a", label: "" }] }, /one row and one column/],
      [{ code: "x", label: "X", type: "single", options: [{ code: "a", label: "" }, { code: "a", label: "" }] }, /option "a" is listed twice/],
      [{ code: "age", label: "X", type: "text" }, /has an item with this code/],
      [{ code: "x", label: "X", type: "text", parentId: "nope" }, /parent "nope" is not in the codebook/],
      [{ code: "x", label: "", type: "text" }, /label/],
    ];
    for (const [d, msg] of bad) expect(() => newItem(items, d, "new")).toThrow(msg);
  });

  it("keep their former definition when what values must fit changes, and not when only the wording does", () => {
    const items = book();
    const age = at(items, "age");
    const worded = editItem(items, age, { help: "At baseline", label: "Mean age at baseline" });
    expect(worded.version).toBeNull();
    const wider = editItem(items, worded, { max: 25 });
    expect(wider.version).toBe(2);
    expect(wider.versions).toEqual([expect.objectContaining({ version: 1, max: 18, unit: "years" })]);
    const v3 = editItem(items, wider, { unit: "months", max: 300 });
    expect(v3.version).toBe(3);
    expect(definitionOf(v3, { itemVersion: 1 }).max).toBe(18);
    expect(definitionOf(v3, { itemVersion: null }).max).toBe(18);
    expect(definitionOf(v3, { itemVersion: 3 }).max).toBe(300);
    expect(() => editItem(items, age, { parentId: age.id })).toThrow(/under itself/);
  });

  it("retire (no new values, no edits) and reorder among siblings", () => {
    const items = book();
    const r = retireItem(at(items, "aims"), "2026-01-01T00:00:00.000Z");
    expect(valueIssue(study, r, "x")).toBe('study "Akin 2018", item "aims" (Aims): the item is retired and takes no new values');
    expect(() => editItem(items, r, { label: "y" })).toThrow(/retired/);
    expect(() => retireItem(r, "2026-01-02T00:00:00.000Z")).toThrow(/retired already/);
    const sec = at(items, "sample");
    expect(reorder(items, sec.id, [at(items, "age").id, at(items, "n").id])).toEqual([
      { id: at(items, "age").id, order: 1 },
      { id: at(items, "n").id, order: 2 },
    ]);
    expect(() => reorder(items, sec.id, [at(items, "age").id])).toThrow(/each of the 2 items/);
    expect(() => reorder(items, sec.id, [at(items, "age").id, at(items, "design").id])).toThrow(/"i\d+" is not under/);
    const withRetired = [...items.filter((i) => i.code !== "aims"), r];
    expect(flatten(codebookTree(withRetired, { retired: false })).map((x) => x.item.code)).not.toContain("aims");
  });
});

describe("values", () => {
  const items = book();
  const ok: [string, unknown][] = [
    ["n", 120], ["age", 9.5], ["age", null], ["design", "rct"], ["targets", ["parent", "child"]], ["blinded", "unclear"], ["when", "2019-04-01"], ["aims", "x"],
    ["arms", { int: { n: 60, mean: "12.1" }, cmp: { n: null } }],
  ];
  it.each(ok)("%s takes %j", (code, v) => expect(valueIssue(study, at(items, code), v)).toBeNull());

  const bad: [string, unknown, string][] = [
    ["age", 19, 'study "Akin 2018", item "age" (Mean age): must be at most 18 years, not 19'],
    ["age", -1, "must be at least 0 years, not -1"],
    ["age", "nine", "must be a number or null"],
    ["n", 1.5, "must be a whole number"],
    ["design", "cohort", 'must be one of the item\'s options (rct, qed) or null, not "cohort"'],
    ["targets", ["child", "child"], "without repeats"],
    ["blinded", "maybe", "must be yes, no or unclear"],
    ["when", "01/04/2019", "a date (YYYY-MM-DD)"],
    ["arms", { arm3: {} }, 'has a row "arm3" the item does not define (int, cmp)'],
    ["arms", { int: { sd: 1 } }, 'row "int" has a column "sd"'],
    ["arms", [1], "must be a grid"],
    ["sample", "x", "is a section heading"],
  ];
  it.each(bad)("%s refuses %j", (code, v, msg) => expect(valueIssue(study, at(items, code), v)).toContain(msg));

  it("entered under an older version stay readable and valid in the store's rules", async () => {
    const age = at(items, "age");
    const old: ExtractedValue = ExtractedValue.parse({ id: "v1", studyId: "s1", itemId: age.id, value: 17, reviewer: "ana", at: "2026-01-01T00:00:00.000Z" });
    const v2 = editItem(items, age, { max: 12 });
    const ctx = { find: async (c: string) => (c === "codebookItems" ? [v2] : [old]) } as never;
    // The old value was entered under version 1 (max 18): it stays valid, and the item's change is allowed.
    await expect(validateExtractedValues([old], ctx)).resolves.toBeUndefined();
    await expect(validateCodebookItems([v2], ctx)).resolves.toBeUndefined();
    // A new value is read against version 2.
    await expect(validateExtractedValues([{ ...old, id: "v2", itemVersion: 2 }], ctx)).rejects.toThrow(/at most 12 years, not 17/);
    expect(showValue(at(items, "arms"), { int: { n: 60, mean: null } })).toBe("Intervention: N 60");
    expect(showValue(at(items, "targets"), ["child", "parent"])).toBe("Child; Parent");
  });

  it("in force: the latest per reviewer and slot; a replaced row is history; consensus apart", () => {
    const v = (id: string, reviewer: string, value: unknown, t: number, extra: Partial<ExtractedValue> = {}) =>
      ExtractedValue.parse({ id, studyId: "s1", itemId: "x", value, reviewer, at: `2026-01-0${t}T00:00:00.000Z`, ...extra });
    const rows = [v("a1", "ana", 1, 1), v("a2", "ana", 2, 2, { supersedes: "a1" }), v("b1", "ben", 3, 1), v("c1", "cat", 2, 3, { consensus: true })];
    const { byReviewer, consensus } = currentValues(rows);
    expect([...byReviewer.get("ana")!.values()].map((x) => x.id)).toEqual(["a2"]);
    expect([...byReviewer.get("ben")!.values()].map((x) => x.id)).toEqual(["b1"]);
    expect([...consensus.values()].map((x) => x.id)).toEqual(["c1"]);
    expect(historyOf(rows, { studyId: "s1", itemId: "x", outcomeId: null }, "ana").map((x) => x.value)).toEqual([1, 2]);
  });
});

describe("codebook files", () => {
  it("round-trip a codebook with its hierarchy; refuse a clash or an unknown parent with the item's position", () => {
    const items = book();
    const file = exportCodebook(items, "Pilot");
    expect(file.items.map((i) => [i.code, i.parent])).toContainEqual(["age", "sample"]);
    let k = 0;
    const copy = importCodebook([], JSON.parse(JSON.stringify(file)), () => `c${++k}`);
    expect(exportCodebook(copy, "Pilot")).toEqual(file);
    expect(() => importCodebook(items, file, () => "z")).toThrow(/item 1: codebook item "sample": the codebook has an item with this code already/);
    expect(() => importCodebook([], { ...file, items: [{ code: "a", label: "A", type: "text", parent: "nope" }] }, () => "z")).toThrow(/item 1 \("a"\): its parent "nope" does not come before it/);
    expect(() => importCodebook([], { format: "homeward-codebook", version: 1, items: [{ code: "a", label: "A", type: "colour" }] }, () => "z")).toThrow(/^item 1 \("a"\): type: /);
    expect(() => importCodebook([], { format: "x" }, () => "z")).toThrow(InputError);
  });

  it("the seed review's data items import as a template: nine sections, PROGRESS-Plus and Proctor's outcomes as grids", () => {
    let k = 0;
    const items = importCodebook([], seedCodebookTemplate(), () => `t${++k}`);
    const top = codebookTree(items).map((x) => x.item.label);
    expect(top).toEqual([
      "Reference",
      "Study characteristics",
      "Intervention details",
      "Study method (quantitative studies only)",
      "Comparison details (quantitative studies only)",
      "Study method (qualitative studies and process evaluations)",
      "Study sample details",
      "Equity information (PROGRESS-Plus)",
      "Outcome data (quantitative studies only)",
      "Implementation details",
    ]);
    expect(at(items, "equity_differences").rows).toHaveLength(PROGRESS_PLUS.length);
    expect(at(items, "proctor").rows!.map((r) => r.code)).toEqual(PROCTOR_OUTCOMES.map((r) => r.code));
    expect(new Set(items.map((i) => i.type))).toEqual(new Set(["section", "text", "integer", "number", "single", "multiple", "yesno", "grid"]));
    expect(valueIssue(study, at(items, "p_value"), 1.2)).toContain("must be at most 1");
    expect(items.filter((i) => i.scope === "outcome").map((i) => i.code)).toContain("outcome_statistics");
    expect(at(items, "country").scope).toBeNull();
    expect(scopeIssue(study, at(items, "outcome_statistics"), null)).toBe('study "Akin 2018", item "outcome_statistics": the item is asked per outcome; name the outcome');
    expect(scopeIssue(study, at(items, "country"), "o1")).toContain("asked once per study");
    expect(scopeIssue(study, at(items, "outcome_statistics"), "o1")).toBeNull();
    expect(() => editItem(items, at(items, "country"), { scope: "outcome" } as never)).toThrow(/scope/);
  });
});

describe("comparison and agreement", () => {
  const items = book();
  const v = (reviewer: string, studyId: string, code: string, value: unknown, extra: Partial<ExtractedValue> = {}) =>
    ExtractedValue.parse({ id: `${reviewer}-${studyId}-${code}-${extra.supersedes ?? ""}${extra.consensus ? "c" : ""}`, studyId, itemId: at(items, code).id, value, reviewer, at: "2026-01-01T00:00:00.000Z", ...extra });

  it("lists every slot with both values, disagreements and their consensus", () => {
    const values = [
      v("ana", "s1", "design", "rct"), v("ben", "s1", "design", "rct"),
      v("ana", "s1", "aims", " Reunify  families "), v("ben", "s1", "aims", "reunify families"),
      v("ana", "s1", "age", 9), v("ben", "s1", "age", 10),
      v("ana", "s1", "targets", ["child", "parent"]), v("ben", "s1", "targets", ["parent", "child"]),
      v("ben", "s1", "blinded", "no"),
      v("cat", "s1", "age", 9.5, { consensus: true, note: "Table 2" }),
    ];
    const c = compareExtractions(items, values, "s1", "ana", "ben");
    expect(c.rows.map((r) => [r.code, r.status])).toEqual([
      ["age", "disagree"], ["design", "agree"], ["targets", "agree"], ["blinded", "only_second"], ["aims", "agree"],
    ]);
    expect(c.rows[0].consensus?.value).toBe(9.5);
    expect([c.agreed, c.disagreed, c.open]).toEqual([3, 2, 1]);
    expect(sameValue(at(items, "arms"), { int: { n: 1, mean: "" } }, { int: { n: 1 } })).toBe(true);
    expect(sameValue(at(items, "age"), null, 0)).toBe(false);
  });

  it("reports percentage and Cohen's kappa per categorical item", () => {
    // design over 10 studies: 4 rct/rct, 4 qed/qed, 1 rct/qed, 1 qed/rct → po = .8, pe = .5, κ = .6
    const values: ExtractedValue[] = [];
    const pairs = [];
    const plan = [..."RRRRQQQQ"].map((x) => [x, x]).concat([["R", "Q"], ["Q", "R"]]);
    plan.forEach(([a, b], k) => {
      const s = `s${k}`;
      values.push(v("ana", s, "design", a === "R" ? "rct" : "qed"), v("ben", s, "design", b === "R" ? "rct" : "qed"));
      values.push(v("ana", s, "age", 9), v("ben", s, "age", k < 5 ? 9 : 8));
      pairs.push({ studyId: s, first: "ana", second: "ben" });
    });
    const ag = agreementByItem(items, values, pairs);
    const design = ag.find((x) => x.code === "design")!;
    expect(design).toMatchObject({ n: 10, agreed: 8, percent: 80, categorical: true });
    expect(design.kappa).toBeCloseTo(0.6, 12);
    expect(ag.find((x) => x.code === "age")).toMatchObject({ n: 10, agreed: 5, percent: 50, kappa: null, categorical: false });
  });
});

describe("senior-check sample", () => {
  const ids = Array.from({ length: 112 }, (_, k) => `study-${k}`);
  it("draws 5% rounded up, the same for the same seed whatever the order", () => {
    const s = drawSeniorCheck(ids, 0.05, 7);
    expect(s.studyIds).toHaveLength(6);
    expect(drawSeniorCheck([...ids].reverse(), 0.05, 7).studyIds.sort()).toEqual([...s.studyIds].sort());
    expect(drawSeniorCheck(ids, 0.05, 8).studyIds).not.toEqual(s.studyIds);
    expect(drawSeniorCheck(ids.slice(0, 3), 0.05, 1).studyIds).toHaveLength(1);
    expect(drawSeniorCheck([], 0.05, 1).studyIds).toEqual([]);
    expect(() => drawSeniorCheck(ids, 0, 1)).toThrow(/above 0 and at most 1/);
    expect(() => drawSeniorCheck(ids, 0.05, 1.5)).toThrow(/whole number/);
  });
});
