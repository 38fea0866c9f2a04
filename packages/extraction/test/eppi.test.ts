import { describe, expect, it } from "vitest";
import { InputError } from "@homeward/model";
import { codebookTree, eppiCodebookFile, flatten, importEppiCodeSets, isEppiCodeSets, seedCodebookTemplate } from "@homeward/extraction";

const NS = "Not selectable (no checkbox)";
const SEL = "Selectable (show checkbox)";
const attr = (AttributeId: number, AttributeName: string, AttributeType = SEL, children: unknown[] = [], AttributeDescription = "") => ({
  AttributeSetId: AttributeId + 1000,
  AttributeId,
  AttributeName,
  AttributeDescription,
  AttributeType,
  Attributes: { AttributesList: children },
});

/** A data-extraction set as EPPI-Reviewer exports it: headings, checkboxes, outcome codes, nesting. */
const dataSet = {
  SetId: 7,
  ReviewSetId: 70,
  SetName: "Data extraction",
  SetDescription: "Study-level codes",
  SetType: { SetTypeId: 3, SetTypeName: "Standard" },
  Attributes: {
    AttributesList: [
      attr(101, "Country", NS, [attr(102, "UK", SEL, [], "England, Scotland, Wales, Northern Ireland"), attr(103, "USA")], "Where the study took place"),
      attr(110, "Population", NS, [
        attr(111, "Children in care"),
        attr(112, "Age group", NS, [attr(113, "0-5"), attr(114, "6-11"), attr(115, "12-17")]),
        attr(116, "Kinship care", SEL, [attr(117, "Formal"), attr(118, "Informal")]),
      ]),
      attr(120, "Outcomes", NS, [attr(121, "Reunification", "Outcome"), attr(122, "Re-entry", "Outcome")]),
      attr(130, "Notes to follow up", NS),
    ],
  },
};

let k = 0;
const newId = () => `e${++k}`;

describe("EPPI-Reviewer code sets", () => {
  it("tells a code set export from a codebook file by its shape", () => {
    expect(isEppiCodeSets({ CodeSets: [] })).toBe(true);
    expect(isEppiCodeSets({ CodeSets: [dataSet], References: [] })).toBe(true);
    expect(isEppiCodeSets(dataSet)).toBe(true);
    expect(isEppiCodeSets(seedCodebookTemplate())).toBe(false);
    expect(isEppiCodeSets(null)).toBe(false);
    expect(isEppiCodeSets([dataSet])).toBe(false);
  });

  it("maps the set and headings to sections, the checkboxes under one parent to one multiple-choice item, keeping nesting and ids", () => {
    const items = importEppiCodeSets([], { CodeSets: [dataSet], References: [{ ItemId: 1 }] }, newId);
    const rows = flatten(codebookTree(items)).map(({ item, depth }) => [depth, item.code, item.type, item.label, item.options.map((o) => o.code).join(",")]);
    expect(rows).toEqual([
      [0, "eppi-set-7", "section", "Data extraction", ""],
      [1, "eppi-101", "multiple", "Country", "eppi-102,eppi-103"],
      [1, "eppi-110", "section", "Population", ""],
      [2, "eppi-110-codes", "multiple", "Population", "eppi-111,eppi-116"],
      [2, "eppi-112", "multiple", "Age group", "eppi-113,eppi-114,eppi-115"],
      [2, "eppi-116", "multiple", "Kinship care", "eppi-117,eppi-118"],
      [1, "eppi-120", "multiple", "Outcomes", "eppi-121,eppi-122"],
      [1, "eppi-130", "section", "Notes to follow up", ""],
    ]);
    const byCode = new Map(items.map((i) => [i.code, i]));
    expect(byCode.get("eppi-set-7")!.description).toBe("Study-level codes");
    expect(byCode.get("eppi-101")!.help).toBe("Where the study took place");
    expect(byCode.get("eppi-101")!.options[0]).toEqual({ code: "eppi-102", label: "UK", description: "England, Scotland, Wales, Northern Ireland" });
    expect(byCode.get("eppi-101")!.options[1]!.description).toBeNull();
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });

  it("makes a screening set's include/exclude codes a single choice", () => {
    const set = { SetId: 3, SetName: "Screening", SetType: { SetTypeName: "Screening" }, Attributes: { AttributesList: [attr(1, "Include", "Include"), attr(2, "Exclude: not a study", "Exclude")] } };
    const { file } = eppiCodebookFile({ CodeSets: [set] });
    expect(file!.items.map((i) => [i.code, i.type, i.parent])).toEqual([
      ["eppi-set-3", "section", null],
      ["eppi-set-3-codes", "single", "eppi-set-3"],
    ]);
  });

  it("reads a lone set, an attribute list given directly, and an empty set (a heading alone)", () => {
    const lone = eppiCodebookFile({ SetId: 9, SetName: "Empty", Attributes: { AttributesList: [] } });
    expect(lone.problems).toEqual([]);
    expect(lone.file!.items).toEqual([{ code: "eppi-set-9", label: "Empty", type: "section", description: null, parent: null }]);
    const bare = eppiCodebookFile({ CodeSets: [{ SetId: 4, SetName: "Bare", Attributes: [attr(1, "A")] }, { SetId: 5, SetName: "No list" }] });
    expect(bare.file!.items.map((i) => i.code)).toEqual(["eppi-set-4", "eppi-set-4-codes", "eppi-set-5"]);
  });

  it("refuses a malformed export with one line per reason naming the set or attribute, importing nothing", () => {
    expect(eppiCodebookFile("x").problems).toEqual(["EPPI-Reviewer code sets: the file is not a JSON object"]);
    expect(eppiCodebookFile({ References: [] }).problems).toEqual(['EPPI-Reviewer code sets: no "CodeSets" list']);
    expect(eppiCodebookFile({ CodeSets: [] }).problems).toEqual(["EPPI-Reviewer code sets: the file holds no code set"]);
    const bad = {
      CodeSets: [
        { SetName: "No id", Attributes: { AttributesList: [] } },
        {
          SetId: 2,
          SetName: "Broken",
          Attributes: {
            AttributesList: [
              attr(10, "Fine", NS, [{ AttributeName: "Lost id" }, "oops", attr(11, "")]),
              attr(10, "Twice"),
              { ...attr(12, "Odd list"), Attributes: { AttributesList: 5 } },
              { ...attr(13, "Typed"), AttributeType: 2 },
              attr(14, "x".repeat(501)),
            ],
          },
        },
      ],
    };
    const { file, problems } = eppiCodebookFile(bad);
    expect(file).toBeNull();
    expect(problems).toEqual([
      'code set 1 ("No id"): no SetId (a whole number)',
      'attribute at set 2, 1.1 ("Lost id"): no AttributeId (a whole number)',
      "attribute at set 2, 1.2: not an object",
      "attribute 11: no AttributeName",
      'attribute 10 ("Twice"): its id is used already by attribute 10 ("Fine")',
      'attribute 12 ("Odd list"): "Attributes" is not a list of attributes',
      'attribute 13 ("Typed"): AttributeType is not text',
      `attribute 14 ("${"x".repeat(57)}…"): the name is longer than 500 characters`,
    ]);
    expect(problems.every((p) => !p.includes("\n"))).toBe(true);
    let thrown: unknown;
    try {
      importEppiCodeSets([], bad, newId);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message.split("\n")).toEqual(problems);
  });

  it("refuses a second import of the same set by its kept ids", () => {
    const items = importEppiCodeSets([], { CodeSets: [dataSet] }, newId);
    expect(() => importEppiCodeSets(items, { CodeSets: [dataSet] }, newId)).toThrow(/item 1 \("eppi-set-7"\)|"eppi-set-7": the codebook has an item with this code already/);
  });
});
