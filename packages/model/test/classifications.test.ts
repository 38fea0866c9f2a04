import { describe, expect, it } from "vitest";
import {
  InputError,
  parseProjectFile,
  PROJECT_FORMAT_VERSION,
  Protocol,
  schemeWithRole,
  Study,
  studyClassificationIssues,
  upgradeProjectFile,
  validateStudyClassifications,
} from "@homeward/model";

const at = "2025-01-02T03:04:05.000Z";
const project = { id: "p1", title: "A review", createdAt: at, updatedAt: at };

const protocol = Protocol.parse({
  classifications: [
    { code: "strand", label: "Strand", multiple: true, role: "strand", values: [{ code: "eff", label: "Effectiveness" }, { code: "impl" }] },
    { code: "design", role: "design", values: [{ code: "RCT" }, { code: "QED" }] },
  ],
});

describe("classification schemes in the protocol", () => {
  it("fills defaults and finds the scheme of a role", () => {
    expect(protocol.classifications[1]).toEqual({
      code: "design", label: "", description: null, appliesTo: "study", multiple: false, role: "design",
      values: [{ code: "RCT", label: "", description: null }, { code: "QED", label: "", description: null }],
    });
    expect(schemeWithRole(protocol, "strand")?.code).toBe("strand");
    expect(schemeWithRole(protocol, "typology")).toBeUndefined();
  });

  it("rejects repeated scheme codes, repeated values and a role given to two schemes", () => {
    const bad = (classifications: unknown[]) => Protocol.safeParse({ classifications }).error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(bad([{ code: "a" }, { code: "a" }])).toEqual([["classifications.1.code", 'duplicate code "a"']]);
    expect(bad([{ code: "a", values: [{ code: "x" }, { code: "x" }] }])).toEqual([["classifications.0.values.1.code", 'duplicate code "x"']]);
    expect(bad([{ code: "a", role: "typology" }, { code: "b", role: "typology" }])).toEqual([
      ["classifications.1.role", 'schemes "a" and "b" both have the role "typology" (one scheme per role)'],
    ]);
    expect(bad([{ code: "a", role: "colour" }])?.[0]?.[0]).toBe("classifications.0.role");
  });
});

describe("a study's classifications against the protocol", () => {
  const issues = (c: Record<string, string | string[]>) => studyClassificationIssues(protocol, c).map((i) => i.message);

  it("accepts values of declared schemes, one or a list as the scheme says", () => {
    expect(issues({ strand: ["eff", "impl"], design: "RCT" })).toEqual([]);
    expect(issues({ strand: [] })).toEqual([]);
  });

  it("names an unknown scheme, an unknown or repeated value, and a list where one value goes (or the reverse)", () => {
    expect(issues({ colour: "red" })).toEqual(['the protocol has no study classification "colour"']);
    expect(issues({ design: "cohort" })).toEqual(['"cohort" is not a value of "design" (RCT, QED)']);
    expect(issues({ strand: ["eff", "eff"] })).toEqual(['"eff" is listed twice in "strand"']);
    expect(issues({ design: ["RCT"] })).toEqual(['"design" takes one value code, not a list']);
    expect(issues({ strand: "eff" })).toEqual(['"strand" takes a list of value codes']);
  });

  it("as a write rule: throws an input error naming the study, and reads the protocol only when a study is classified", async () => {
    let reads = 0;
    const ctx = { protocol: async () => (reads++, protocol) };
    const study = (id: string, classifications: Record<string, string | string[]>) => Study.parse({ id, name: id, classifications, createdAt: at });
    await validateStudyClassifications([study("s1", {})], ctx);
    expect(reads).toBe(0);
    await validateStudyClassifications([study("s1", { design: "QED" })], ctx);
    const err = await validateStudyClassifications([study("s1", {}), study("s2", { design: "cohort" })], ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('study "s2": classifications.design: "cohort" is not a value of "design" (RCT, QED)');
  });

  it("is checked when a project file is read", () => {
    const file = {
      format: "homeward-project", version: PROJECT_FORMAT_VERSION, project, protocol,
      studies: [{ id: "s1", name: "Smith 2020", classifications: { design: "cohort" }, createdAt: at }],
    };
    expect(() => parseProjectFile(file)).toThrow(/studies\.0\.classifications\.design: studies\[0\]: "cohort" is not a value of "design"/);
  });
});

describe("version 1 project files", () => {
  // What version 1 held: a fixed strand, a free-text design, three protocol lists, characteristics in extraction or attributes.
  const v1 = {
    format: "homeward-project",
    version: 1,
    project,
    protocol: {
      question: "Does it work?",
      outcomeDomains: [{ code: "home", label: "Remain at home" }],
      interventionTypology: [{ code: "skills", label: "Parent skills" }, { code: "courts", label: "Courts" }],
      componentLevels: [{ code: "parent", label: "Parent-level" }],
      equityCharacteristics: [{ code: "place", label: "Place of residence" }, { code: "sex", label: "Gender/sex" }],
    },
    studies: [
      { id: "a", name: "A", design: "Randomised trial", strand: "effectiveness", attributes: { interventionType: "skills", componentLevels: ["parent", "parent"], progressPlus: ["place"], year: 2001 }, createdAt: at },
      { id: "b", name: "B", design: "Quasi-experimental", strand: "both", attributes: { interventionType: "courts", progressPlus: ["place", "sex"] }, createdAt: at },
      { id: "c", name: "C", design: "RCT with process insights", strand: "implementation", attributes: { interventionType: "skills", progressPlus: ["sex"] }, createdAt: at },
      { id: "d", name: "D", design: "Qualitative", strand: "other", createdAt: at },
      { id: "e", name: "E", design: "Cohort", strand: "effectiveness", attributes: { interventionType: "family_finding" }, createdAt: at },
      { id: "f", name: "F", design: "RCT", strand: "effectiveness", attributes: { interventionType: "skills" }, createdAt: at },
    ],
    // Extraction wins over the attribute, as version 1 read it.
    codebookItems: [{ id: "cb1", code: "interventionType", label: "Type", type: "single" }],
    extractedValues: [
      { id: "v1", studyId: "f", itemId: "cb1", value: "skills", reviewer: "ana", at },
      { id: "v2", studyId: "f", itemId: "cb1", value: "courts", reviewer: "ana", at: "2025-01-03T00:00:00.000Z" },
    ],
  };

  it("are upgraded on reading: the fixed fields become schemes, each study's values move into its classifications", () => {
    const f = parseProjectFile(v1);
    expect(f.version).toBe(2);
    expect(f.protocol.question).toBe("Does it work?");
    expect(f.protocol.classifications.map((c) => [c.code, c.role, c.multiple, c.values.map((v) => v.code)])).toEqual([
      ["strand", "strand", true, ["effectiveness", "implementation"]],
      ["designClass", "design", false, ["RCT", "QED"]],
      // A code a study used that the list lacked becomes a value, labelled by its code as version 1 showed it.
      ["interventionType", "typology", false, ["skills", "courts", "family_finding"]],
      ["componentLevels", "components", true, ["parent"]],
      ["progressPlus", "equity", true, ["place", "sex"]],
    ]);
    expect(f.protocol.classifications[2]!.values[0]).toEqual({ code: "skills", label: "Parent skills", description: null });
    expect(f.protocol.classifications[2]!.values[2]).toEqual({ code: "family_finding", label: "", description: null });
    const byId = Object.fromEntries(f.studies.map((s) => [s.id, s]));
    expect(byId.a!.classifications).toEqual({ strand: ["effectiveness"], designClass: "RCT", interventionType: "skills", componentLevels: ["parent"], progressPlus: ["place"] });
    expect(byId.a!.attributes).toEqual({ year: 2001 });
    expect(byId.b!.classifications).toEqual({ strand: ["effectiveness", "implementation"], designClass: "QED", interventionType: "courts", progressPlus: ["place", "sex"] });
    // Version 1 counted types and designs of effectiveness studies only: an implementation study keeps its attribute, unclassified.
    expect(byId.c!.classifications).toEqual({ strand: ["implementation"], progressPlus: ["sex"] });
    expect(byId.c!.attributes).toEqual({ interventionType: "skills" });
    expect(byId.d!.classifications).toEqual({ strand: [] });
    expect(byId.e!.classifications).toEqual({ strand: ["effectiveness"], interventionType: "family_finding" });
    // The latest extracted value; the attribute it overrode stays where it was.
    expect(byId.f!.classifications).toMatchObject({ designClass: "RCT", interventionType: "courts" });
    expect(byId.f!.attributes).toEqual({ interventionType: "skills" });
    expect("strand" in byId.a!).toBe(false);
    expect("interventionTypology" in f.protocol).toBe(false);
  });

  it("without strands or lists gain no schemes", () => {
    const f = parseProjectFile({ format: "homeward-project", version: 1, project, studies: [{ id: "s", name: "S", design: "RCT", createdAt: at }] });
    expect(f.protocol.classifications).toEqual([]);
    expect(f.studies[0]!.classifications).toEqual({});
  });

  it("gain the schemes their studies need even without a protocol", () => {
    const f = parseProjectFile({ format: "homeward-project", version: 1, project, studies: [{ id: "s", name: "S", strand: "implementation", createdAt: at }] });
    expect(f.protocol.classifications.map((c) => c.code)).toEqual(["strand"]);
    expect(f.studies[0]!.classifications).toEqual({ strand: ["implementation"] });
  });

  it("are the only older version read; other values pass through to validation unchanged", () => {
    expect(upgradeProjectFile("text")).toBe("text");
    const v2 = { format: "homeward-project", version: 2, project };
    expect(upgradeProjectFile(v2)).toBe(v2);
    expect(() => parseProjectFile({ ...v2, version: 3 })).toThrow(/unsupported project file version \(this Homeward reads versions 1 to 2\)/);
  });
});
