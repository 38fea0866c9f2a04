import { describe, expect, it } from "vitest";
import {
  assembleBundle,
  collectionNames,
  InputError,
  parseProjectFile,
  Protocol,
  recordedExclusionReason,
  ProjectPatch,
  RecordsQuery,
} from "@homeward/model";

const at = "2025-01-02T03:04:05.000Z";
const base = {
  format: "homeward-project",
  version: 1,
  project: { id: "p1", title: "A review", createdAt: at, updatedAt: at },
};

describe("project file", () => {
  it("fills every collection and the protocol with defaults", () => {
    const f = parseProjectFile(base);
    for (const c of collectionNames) expect(f[c]).toEqual([]);
    expect(f.protocol.picot.population).toBe("");
    expect(f.project.description).toBe("");
  });

  it("rejects another format or version with a one-line reason", () => {
    expect(() => parseProjectFile({ ...base, format: "x" })).toThrow(/format must be "homeward-project"/);
    expect(() => parseProjectFile({ ...base, version: 3 })).toThrow(/version/);
    expect(() => parseProjectFile({ ...base, version: 3 })).toThrow(InputError);
  });

  it("reports unresolved references and duplicate ids", () => {
    const f = {
      ...base,
      studies: [{ id: "s1", name: "Smith 2020", createdAt: at }],
      studyReports: [
        { id: "r1", studyId: "s1", citation: "Smith J. 2020", role: "lead" },
        { id: "r2", studyId: "s9", citation: "x", role: "linked" },
      ],
    };
    expect(() => parseProjectFile(f)).toThrow(/studyReports\[1\]\.studyId refers to unknown studies id "s9"/);
    const dup = { ...base, studies: [{ id: "s1", name: "a", createdAt: at }, { id: "s1", name: "b", createdAt: at }] };
    expect(() => parseProjectFile(dup)).toThrow(/duplicate id "s1"/);
  });

  it("allows one lead report per study", () => {
    const f = {
      ...base,
      studies: [{ id: "s1", name: "Smith 2020", createdAt: at }],
      studyReports: [
        { id: "r1", studyId: "s1", citation: "a", role: "lead" },
        { id: "r2", studyId: "s1", citation: "b", role: "lead" },
      ],
    };
    expect(() => parseProjectFile(f)).toThrow(/2 lead reports/);
  });

  it("needs a record or a citation for a study report", () => {
    const f = {
      ...base,
      studies: [{ id: "s1", name: "Smith 2020", createdAt: at }],
      studyReports: [{ id: "r1", studyId: "s1", role: "lead" }],
    };
    expect(() => parseProjectFile(f)).toThrow(/recordId or a citation/);
  });

  it("assembles a bundle and refuses a collection given twice", () => {
    const studies = [{ id: "s1", name: "Smith 2020", createdAt: at }];
    expect(parseProjectFile(assembleBundle(base, { studies })).studies[0]!.name).toBe("Smith 2020");
    expect(() => assembleBundle({ ...base, studies }, { studies })).toThrow(/both in project.json and in studies.json/);
    expect(() => assembleBundle(base, { nonsense: [] })).toThrow(/unknown bundle file nonsense.json/);
  });
});

describe("protocol", () => {
  it("records the lowest-ranked exclusion reason", () => {
    const p = Protocol.parse({
      exclusionReasons: [
        { code: "design", label: "Wrong design", rank: 2 },
        { code: "population", label: "Wrong population", rank: 1 },
        { code: "language", label: "Not English", rank: 3 },
      ],
    });
    expect(recordedExclusionReason(p, ["language", "design"])).toBe("design");
    expect(recordedExclusionReason(p, ["design", "population", "language"])).toBe("population");
    expect(recordedExclusionReason(p, ["unknown", "language"])).toBe("language");
    expect(recordedExclusionReason(p, [])).toBeNull();
  });

  it("rejects duplicate codes in a list", () => {
    const r = Protocol.safeParse({ outcomeDomains: [{ code: "a" }, { code: "a" }] });
    expect(r.success).toBe(false);
  });
});

describe("api schemas", () => {
  it("coerces and bounds record query strings", () => {
    expect(RecordsQuery.parse({ offset: "20", limit: "50", sort: "year", dir: "desc" })).toMatchObject({ offset: 20, limit: 50 });
    expect(RecordsQuery.safeParse({ limit: "5000" }).success).toBe(false);
    expect(RecordsQuery.safeParse({ sort: "abstract" }).success).toBe(false);
  });
  it("refuses an empty patch", () => {
    expect(ProjectPatch.safeParse({}).success).toBe(false);
    expect(ProjectPatch.safeParse({ title: "  " }).success).toBe(false);
  });
});
