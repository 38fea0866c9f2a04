import { describe, expect, it } from "vitest";
import { parseProjectFile, type ProjectFileInput } from "@homeward/model";
import { flowChecks, prismaFlow } from "./prisma.js";

const T = "2025-06-03T10:00:00.000Z";
const later = "2025-06-04T10:00:00.000Z";

function project(extra: Partial<ProjectFileInput>) {
  return parseProjectFile({
    format: "homeward-project",
    version: 1,
    project: { id: "p", title: "P", createdAt: T, updatedAt: T },
    protocol: {
      exclusionReasons: [
        { code: "population", label: "Ineligible population", rank: 1 },
        { code: "design", label: "Ineligible study design", rank: 3 },
      ],
    },
    ...extra,
  });
}

const rec = (id: string, searchId: string, dup: string | null = null) => ({ id, searchId, title: id, createdAt: T, duplicateGroupId: dup });
const dec = (recordId: string, stage: "title_abstract" | "full_text", decision: "include" | "exclude" | "maybe", reviewer = "ann", at = T, reasons: string[] = []) => ({
  id: `${recordId}-${stage}-${reviewer}-${at}`,
  recordId,
  stage,
  reviewer,
  decision,
  reasons,
  at,
});

describe("PRISMA counts with provenance", () => {
  it("uses recorded counts and search results when there is no live data", () => {
    const p = project({
      searches: [
        { id: "s1", source: "PsycInfo", kind: "database", resultsCount: 100 },
        { id: "s2", source: "PubMed", kind: "database", resultsCount: 20 },
      ],
      recordedCounts: [
        { id: "c1", field: "duplicates", value: 30, recordedBy: "ann", recordedAt: T },
        { id: "c2", field: "dbr_excluded", value: 7, reasons: { design: 4, population: 2 }, recordedBy: "ann", recordedAt: T },
      ],
    });
    const { prisma, prismaSource } = prismaFlow(p);
    expect(prisma.database_results).toBe(120);
    expect(prismaSource.database_results).toBe("recorded");
    expect(prisma.duplicates).toBe(30);
    // The part of the total not broken down by reason is kept, not dropped.
    expect(prisma.dbr_excluded).toEqual({ "Ineligible study design": 4, "Ineligible population": 2, "Reason not recorded": 1 });
    expect(prisma.records_screened).toBeNull();
    expect(prismaSource.records_screened).toBe("none");
  });

  it("counts live records and decisions, and live wins over recorded", () => {
    // Five database records (r5 duplicates r1), one website record.
    // TA: r1 include, r2 exclude, r3 maybe, r4 reviewers disagree (unresolved) → screened 3, excluded 1, sought 2.
    // Retrieval: r3 not retrieved. FT: r1 exclude (design + population → population by rank).
    // Website record w1 enters at full text, included.
    const p = project({
      searches: [
        { id: "s1", source: "PsycInfo", kind: "database", resultsCount: 999 },
        { id: "s2", source: "NSPCC", kind: "website" },
      ],
      duplicateGroups: [{ id: "g1", primaryRecordId: "r1", method: "automatic", createdBy: "ann", createdAt: T }],
      records: [rec("r1", "s1", "g1"), rec("r2", "s1"), rec("r3", "s1"), rec("r4", "s1"), rec("r5", "s1", "g1"), rec("w1", "s2")],
      screeningDecisions: [
        dec("r1", "title_abstract", "include"),
        dec("r2", "title_abstract", "include"),
        dec("r2", "title_abstract", "exclude", "ann", later),
        dec("r3", "title_abstract", "maybe"),
        dec("r4", "title_abstract", "include", "ann"),
        dec("r4", "title_abstract", "exclude", "bob"),
        dec("r1", "full_text", "exclude", "ann", T, ["design", "population"]),
        dec("w1", "full_text", "include"),
      ],
      fullTextRetrievals: [{ id: "f1", recordId: "r3", status: "not_retrieved", updatedBy: "ann", updatedAt: T }],
      recordedCounts: [{ id: "c1", field: "records_screened", value: 5000, recordedBy: "ann", recordedAt: T }],
    });
    const { prisma, prismaSource } = prismaFlow(p);
    expect(prisma.database_results).toBe(5);
    expect(prismaSource.database_results).toBe("live");
    expect(prisma.duplicates).toBe(1);
    expect(prisma.records_screened).toBe(3);
    expect(prismaSource.records_screened).toBe("live");
    expect(prisma.records_excluded).toBe(1);
    expect(prisma.dbr_sought_reports).toBe(2);
    expect(prisma.dbr_notretrieved_reports).toBe(1);
    expect(prisma.dbr_assessed).toBe(1);
    expect(prisma.dbr_excluded).toEqual({ "Ineligible population": 1 });
    expect(prisma.website_results).toBe(1);
    expect(prisma.other_sought_reports).toBe(1);
    expect(prisma.other_assessed).toBe(1);
    expect(prisma.other_excluded).toEqual({});
    expect(prismaSource.new_studies).toBe("none");
  });

  it("a reconciliation settles a disagreement", () => {
    const p = project({
      searches: [{ id: "s1", source: "PsycInfo", kind: "database" }],
      records: [rec("r1", "s1")],
      screeningDecisions: [dec("r1", "title_abstract", "include", "ann"), dec("r1", "title_abstract", "exclude", "bob")],
      reconciliations: [{ id: "x", recordId: "r1", stage: "title_abstract", decision: "exclude", resolvedBy: "cat", at: later }],
    });
    expect(prismaFlow(p).prisma.records_excluded).toBe(1);
  });

  it("reports broken flow arithmetic without correcting it", () => {
    const p = project({
      recordedCounts: [
        { id: "a", field: "database_results", value: 100, recordedBy: "ann", recordedAt: T },
        { id: "b", field: "duplicates", value: 10, recordedBy: "ann", recordedAt: T },
        { id: "c", field: "records_screened", value: 91, recordedBy: "ann", recordedAt: T },
      ],
    });
    expect(flowChecks(prismaFlow(p).prisma)).toEqual([
      { identity: "records_screened = database_results + register_results − duplicates", expected: 90, actual: 91 },
    ]);
  });
});
