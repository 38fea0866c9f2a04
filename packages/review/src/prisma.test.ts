import { describe, expect, it } from "vitest";
import { parseProjectFile, type ProjectFileInput } from "@homeward/model";
import { flowChecks, flowCounts, identifiedCounts, prismaFlow, type PrismaCounts } from "./prisma.js";
import { prismaFlowFigure } from "./figures/prisma-flow.js";
import { dashboardStages } from "./dashboard.js";

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

    // Counted as the server counts it: records per search, and records per search and place in the flow.
    expect(identifiedCounts(p.records, p.duplicateGroups)).toEqual([
      { searchId: "s1", records: 5, duplicates: 1 },
      { searchId: "s2", records: 1, duplicates: 0 },
    ]);
    const places = flowCounts(p).sort((a, b) => (a.searchId + a.key < b.searchId + b.key ? -1 : 1));
    expect(places).toEqual(
      [
        { searchId: "s1", key: "duplicate", n: 1 },
        { searchId: "s1", key: '{"taDecided":true,"ta":"include","ftDecided":true,"ft":"exclude","reasons":["design","population"]}', n: 1 },
        { searchId: "s1", key: '{"taDecided":true,"ta":"exclude"}', n: 1 },
        { searchId: "s1", key: '{"taDecided":true,"ta":"maybe","retrieval":"not_retrieved"}', n: 1 },
        { searchId: "s1", key: '{"taDecided":true}', n: 1 },
        { searchId: "s2", key: '{"ftDecided":true,"ft":"include"}', n: 1 },
      ].sort((a, b) => (a.searchId + a.key < b.searchId + b.key ? -1 : 1)),
    );
    const { records: _r, duplicateGroups: _g, screeningDecisions: _d, reconciliations: _c, fullTextRetrievals: _f, ...rest } = p;
    const counted = { ...rest, identified: identifiedCounts(p.records, p.duplicateGroups), flowCounts: places };
    expect(prismaFlow(counted)).toEqual(prismaFlow(p));
    // A record with no search is never counted.
    const withStray = { ...p, records: [...p.records, { id: "x", searchId: null, duplicateGroupId: null }], screeningDecisions: [...p.screeningDecisions, dec("x", "title_abstract", "exclude")] };
    expect(prismaFlow(withStray)).toEqual(prismaFlow(p));
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

  it("counts each search under its own kind: a search of kind other is not citation searching", () => {
    const p = project({
      searches: [
        { id: "gs", source: "Google Scholar", kind: "other" },
        { id: "cit", source: "Reference lists", kind: "citation" },
        { id: "web", source: "Charity websites", kind: "website", resultsCount: 9 },
        { id: "gs2", source: "Google Scholar, second run", kind: "other", resultsCount: 40 },
      ],
      records: [rec("g1", "gs"), rec("g2", "gs"), rec("g3", "gs"), rec("c1", "cit")],
    });
    const flow = prismaFlow(p);
    expect(flow.prisma.citations_results).toBe(1);
    expect(flow.prisma.other_results).toBe(3);
    expect(flow.prismaSource.other_results).toBe("live");
    expect(flow.prisma.website_results).toBe(9);
    expect(flow.prismaSource.website_results).toBe("recorded");
    // The diagram's other-methods box names each kind with its own number.
    const figure = prismaFlowFigure(p, flow);
    const labels = (figure.spec as unknown as { layer: { name: string; data: { values: { text: string }[] } }[] }).layer.find((l) => l.name === "labels")!;
    const box = labels.data.values.map((v) => v.text).find((t) => t.includes("Citation searching"))!;
    expect(box).toContain("Citation searching (n = 1)");
    expect(box).toContain("Other sources (n = 3)");
    expect(figure.description).toContain("other sources: 3");
    // Identified records on the dashboard include them once.
    expect(dashboardStages(flow).find((s) => s.stage === "identified")!.count).toBe(1 + 3 + 9);
  });

  it("without searches of kind other, the diagram has no other-sources line", () => {
    const p = project({ searches: [{ id: "cit", source: "Reference lists", kind: "citation" }], records: [rec("c1", "cit")] });
    const flow = prismaFlow(p);
    expect(flow.prismaSource.other_results).toBe("none");
    expect(JSON.stringify(prismaFlowFigure(p, flow).spec)).not.toContain("Other sources");
  });
});

describe("flow checks of the included box", () => {
  const counts = (c: Partial<Record<keyof PrismaCounts, number | Record<string, number>>>): PrismaCounts => {
    const base = prismaFlow(project({})).prisma;
    return { ...base, ...c } as PrismaCounts;
  };

  it("reports from databases only: included reports must equal assessed − excluded", () => {
    // The case a review team met: 29 assessed, 13 excluded, so 16 reports, yet 8 included; other methods not used.
    expect(flowChecks(counts({ dbr_assessed: 29, dbr_excluded: { design: 13 }, new_reports: 8, new_studies: 8 }))).toEqual([
      { identity: "new_reports = dbr_assessed − dbr_excluded", expected: 16, actual: 8 },
    ]);
    expect(flowChecks(counts({ dbr_assessed: 29, dbr_excluded: { design: 13 }, new_reports: 16, new_studies: 8 }))).toEqual([]);
  });

  it("adds both sides when both are known, and skips a side known by half", () => {
    const both = counts({ dbr_assessed: 29, dbr_excluded: { a: 13 }, other_assessed: 5, other_excluded: { b: 1 }, new_reports: 16, new_studies: 10 });
    expect(flowChecks(both)).toEqual([
      { identity: "new_reports = dbr_assessed − dbr_excluded + other_assessed − other_excluded", expected: 20, actual: 16 },
    ]);
    // other_excluded unknown: the sum cannot be formed, so nothing is claimed.
    expect(flowChecks(counts({ dbr_assessed: 29, dbr_excluded: { a: 13 }, other_assessed: 5, new_reports: 16 }))).toEqual([]);
  });

  it("without a count of reports, more included studies than eligible reports is flagged", () => {
    expect(flowChecks(counts({ dbr_assessed: 10, dbr_excluded: { a: 4 }, new_studies: 8 }))).toEqual([
      { identity: "new_studies ≤ dbr_assessed − dbr_excluded", expected: 6, actual: 8, relation: "at most" },
    ]);
    expect(flowChecks(counts({ dbr_assessed: 10, dbr_excluded: { a: 4 }, new_studies: 6 }))).toEqual([]);
  });

  it("more included studies than reports of them is flagged", () => {
    expect(flowChecks(counts({ dbr_assessed: 10, dbr_excluded: { a: 4 }, new_reports: 6, new_studies: 7 }))).toEqual([
      { identity: "new_studies ≤ new_reports", expected: 6, actual: 7, relation: "at most" },
    ]);
  });
});
