import { describe, expect, it } from "vitest";
import {
  CodebookItem,
  collectionInfo,
  collectionNames,
  ExtractedValue,
  extractedValueIssue,
  fileRuleContext,
  prismaField,
  Protocol,
  ProtocolFields,
  rankExclusionReasons,
  RecordedCount,
  recordedCountIssue,
  signedBy,
  stageExclusionReasons,
  validateCodebookItems,
  validateExtractedValues,
  validateRecordedCounts,
  type ScreeningDecision,
} from "@homeward/model";
// From its module: protocol.ts re-exports it.
import { recordedExclusionReason } from "../src/rules/exclusion-reasons.js";

const at = "2025-01-02T03:04:05.000Z";

describe("exclusion reasons", () => {
  // Two reasons of rank 2: a protocol saved before ranks had to be unique still reads, and ties go by protocol order.
  const p = ProtocolFields.parse({
    exclusionReasons: [
      { code: "design", rank: 2 },
      { code: "population", rank: 1, stage: "title_abstract" },
      { code: "language", rank: 3 },
      { code: "outcomes", rank: 2, stage: "full_text" },
    ],
  });

  it("lists a stage's reasons by rank, equal ranks in protocol order", () => {
    expect(stageExclusionReasons(p, "title_abstract").map((r) => r.code)).toEqual(["population", "design", "language"]);
    expect(stageExclusionReasons(p, "full_text").map((r) => r.code)).toEqual(["design", "outcomes", "language"]);
  });

  it("ranks the reasons of one exclusion: the recorded one first, the others in rank order", () => {
    expect(rankExclusionReasons(p, "title_abstract", ["language", "design", "population", "design"])).toEqual({ recorded: "population", others: ["design", "language"] });
    expect(rankExclusionReasons(p, "full_text", ["outcomes", "design"])).toEqual({ recorded: "design", others: ["outcomes"] });
    expect(rankExclusionReasons(p, "full_text", [])).toEqual({ recorded: null, others: [] });
  });

  it("refuses a code that is not one of the stage's reasons", () => {
    expect(() => rankExclusionReasons(p, "full_text", ["design", "population"])).toThrow(/"population" is not one of the protocol's exclusion reasons for full-text screening/);
    expect(() => rankExclusionReasons(p, "title_abstract", ["nope"])).toThrow(expect.objectContaining({ kind: "input", status: 400 }));
  });

  it("reports the highest-ranked reason of a stored exclusion, codes no longer in the protocol last", () => {
    expect(recordedExclusionReason(p, ["gone", "language", "population"])).toBe("population");
    expect(recordedExclusionReason(p, ["gone", "other-gone"])).toBe("gone");
    expect(recordedExclusionReason(p, ["outcomes", "design"])).toBe("design");
  });

  it("agrees with a brute-force minimum over many protocols", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 8);
      const reasons = Array.from({ length: n }, (_, i) => ({ code: `r${i}`, rank: Math.floor(rnd() * 4), stage: (["any", "title_abstract", "full_text"] as const)[Math.floor(rnd() * 3)]! }));
      const protocol = ProtocolFields.parse({ exclusionReasons: reasons });
      const stage = rnd() < 0.5 ? ("title_abstract" as const) : ("full_text" as const);
      const usable = reasons.filter((r) => r.stage === "any" || r.stage === stage);
      const chosen = usable.filter(() => rnd() < 0.5).map((r) => r.code).reverse();
      // Lowest rank; among equal ranks the one listed first in the protocol.
      const expected = chosen.length ? usable.filter((r) => chosen.includes(r.code)).reduce((a, b) => (b.rank < a.rank ? b : a)).code : null;
      expect(rankExclusionReasons(protocol, stage, chosen).recorded).toBe(expected);
      expect(recordedExclusionReason(protocol, chosen)).toBe(expected);
    }
  });
});

describe("recorded count rules", () => {
  const protocol = Protocol.parse({ exclusionReasons: [{ code: "pop", rank: 1 }, { code: "design", rank: 2 }] });
  const count = (c: object) => RecordedCount.parse({ id: "c1", recordedBy: "ana", recordedAt: at, ...c });

  it("knows the PRISMA 2020 fields", () => {
    expect(prismaField("dbr_excluded")).toBe("dbr_excluded");
    expect(() => prismaField("records_screend")).toThrow(/unknown PRISMA 2020 field "records_screend" \(one of previous_studies, /);
  });

  it("checks a breakdown by reason on its own", () => {
    expect(recordedCountIssue(count({ field: "records_screened", value: 5 }))).toBeNull();
    expect(recordedCountIssue(count({ field: "dbr_excluded", value: 5, reasons: { pop: 2, design: 3 } }))).toBeNull();
    expect(recordedCountIssue(count({ field: "records_screened", value: 5, reasons: { pop: 1 } }))).toMatch(/applies to dbr_excluded and other_excluded only, not records_screened/);
    expect(recordedCountIssue(count({ field: "other_excluded", value: 5, reasons: { pop: 4, design: 2 } }))).toMatch(/add up to 6, more than the other_excluded count 5/);
  });

  it("needs the protocol's reason codes and one count per field and source", async () => {
    const existing = [count({ id: "old", field: "database_results", value: 10, source: "MEDLINE" })];
    const ctx = fileRuleContext({ protocol, recordedCounts: existing });
    await expect(validateRecordedCounts([count({ field: "dbr_excluded", value: 3, reasons: { "wrong-pop": 1 } })], ctx)).rejects.toThrow(
      /"wrong-pop" is not an exclusion reason code of the protocol \(pop, design\)/,
    );
    await expect(validateRecordedCounts([count({ field: "database_results", value: 3, source: "MEDLINE" })], ctx)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/database_results from MEDLINE is already recorded \("old"\)/),
    });
    await expect(validateRecordedCounts([count({ id: "a", field: "duplicates", value: 1 }), count({ id: "b", field: "duplicates", value: 2 })], ctx)).rejects.toThrow(/duplicates is counted twice/);
    // Another source, or the same count changed (its own id), is fine.
    await validateRecordedCounts([count({ field: "database_results", value: 3, source: "Embase" })], ctx);
    await validateRecordedCounts([count({ id: "old", field: "database_results", value: 11, source: "MEDLINE" })], ctx);
  });
});

describe("extracted value rules", () => {
  const item = (type: string, options: string[] = []) => CodebookItem.parse({ id: "i", code: "x", type, options: options.map((code) => ({ code })) });

  it.each([
    ["text", "six", 6],
    ["number", 6.5, "6.5"],
    ["number", -1e-3, Number.NaN],
    ["integer", 6, 6.5],
    ["boolean", false, "false"],
    ["date", "2024-02-29", "2023-02-29"],
    ["date", "2024-01-31", "31/01/2024"],
  ])("a %s item takes %j, not %j", (type, good, bad) => {
    expect(extractedValueIssue(item(type), good)).toBeNull();
    expect(extractedValueIssue(item(type), bad)).toMatch(/^must be /);
    expect(extractedValueIssue(item(type), null)).toBeNull();
  });

  it("takes a choice among the item's options only", () => {
    const single = item("single", ["uk", "us"]);
    expect(extractedValueIssue(single, "uk")).toBeNull();
    expect(extractedValueIssue(single, "fr")).toBe('must be one of the item\'s options (uk, us) or null, not "fr"');
    expect(extractedValueIssue(single, ["uk"])).not.toBeNull();
    const multiple = item("multiple", ["a", "b", "c"]);
    expect(extractedValueIssue(multiple, ["c", "a"])).toBeNull();
    expect(extractedValueIssue(multiple, [])).toBeNull();
    expect(extractedValueIssue(multiple, ["a", "a"])).toMatch(/without repeats/);
    expect(extractedValueIssue(multiple, ["a", "z"])).not.toBeNull();
    expect(extractedValueIssue(multiple, "a")).not.toBeNull();
    expect(extractedValueIssue(item("json"), { any: ["thing"] })).toBeNull();
  });

  it("checks values against their items, and item changes against the values", async () => {
    const age = CodebookItem.parse({ id: "age", code: "mean_age", type: "number" });
    const value = (v: unknown, id = "v1") => ExtractedValue.parse({ id, studyId: "s", itemId: "age", value: v, reviewer: "ana", at });
    const ctx = fileRuleContext({ protocol: Protocol.parse({}), codebookItems: [age], extractedValues: [value(7.5)] });
    await validateExtractedValues([value(8, "v2")], ctx);
    await expect(validateExtractedValues([value(8, "v2"), value("eight", "v3")], ctx)).rejects.toThrow(
      /extracted value "v3" for codebook item "mean_age" \(number\): must be a number or null, not "eight"/,
    );
    await validateCodebookItems([{ ...age, type: "json" }], ctx);
    await expect(validateCodebookItems([{ ...age, type: "boolean" }], ctx)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/extracted value "v1" would not fit codebook item "mean_age" \(boolean\)/),
    });
  });
});

describe("signatures", () => {
  const rule = signedBy<ScreeningDecision>("reviewer", "screening decision");
  const d = (reviewer: string) => ({ reviewer }) as ScreeningDecision;
  const ana = { name: "ana", roles: [] };

  it("lets a user sign only for themselves", () => {
    expect(() => rule("create", null, d("ana"), ana)).not.toThrow();
    expect(() => rule("create", null, d("ben"), ana)).toThrow(expect.objectContaining({ status: 403, message: expect.stringMatching(/signed by "ben" cannot be recorded by "ana"/) }));
    // Another's signature may stay on an entity someone else changes, but not be put there.
    expect(() => rule("update", d("ben"), d("ben"), ana)).not.toThrow();
    expect(() => rule("update", d("ana"), d("ben"), ana)).toThrow(/signed by "ben"/);
    expect(() => rule("remove", d("ben"), null, ana)).not.toThrow();
  });

  it("is declared on the collections whose entities are signed decisions or records", () => {
    const signed = collectionNames.filter((c) => collectionInfo(c).permit);
    expect(signed).toEqual(expect.arrayContaining(["screeningDecisions", "reconciliations", "appraisalFlagAcceptances", "recordedCounts", "extractedValues"]));
    expect(signed).not.toContain("screeningAssignments");
    expect(signed).not.toContain("records");
  });
});

describe("file rule context", () => {
  it("finds entities by equality, a list matching any of its values", async () => {
    const ctx = fileRuleContext({
      protocol: Protocol.parse({ question: "q" }),
      studies: [
        { id: "a", name: "A", shortCitation: null, design: "RCT", country: null, arms: [], strand: null, attributes: {}, createdAt: at },
        { id: "b", name: "B", shortCitation: null, design: null, country: null, arms: [], strand: null, attributes: {}, createdAt: at },
      ],
    });
    expect((await ctx.protocol()).question).toBe("q");
    expect((await ctx.find("studies", { id: ["b", "zz"] })).map((s) => s.id)).toEqual(["b"]);
    expect((await ctx.find("studies", { design: null })).map((s) => s.id)).toEqual(["b"]);
    expect((await ctx.find("studies", { design: "RCT", id: "b" })).map((s) => s.id)).toEqual([]);
    expect(await ctx.find("outcomes", {})).toEqual([]);
  });
});
