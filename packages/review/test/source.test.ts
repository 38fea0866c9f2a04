/**
 * Each view's loader reads what its view needs and nothing else: checked
 * with a source that logs every read, over the built-in project, and the
 * view drawn from the loaded parts is the view drawn from the whole project.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadProjectFile } from "@homeward/store";
import type { ProjectFile } from "@homeward/model";
import {
  appraisalConflictDetails,
  cerqualTable,
  evidenceTrail,
  fileReviewSource,
  gapMapData,
  loadAppraisals,
  loadCerqual,
  loadConflicts,
  loadEvidence,
  loadGapMap,
  loadPrisma,
  loadSummary,
  prismaFlow,
  prismaFlowFigure,
  reviewSummary,
  robPlotData,
  type ReviewSource,
} from "@homeward/review";

let p: ProjectFile;
beforeAll(() => {
  p = loadProjectFile(fileURLToPath(new URL("../../../examples/reunification", import.meta.url)));
});

/** A source over the project that records every read: "protocol", a collection name, "identifiedCounts", "flowRecords:<n>", "recordsById:<n>". */
function loggingSource(): { src: ReviewSource; reads: string[] } {
  const inner = fileReviewSource(p);
  const reads: string[] = [];
  return {
    reads,
    src: {
      protocol: () => (reads.push("protocol"), inner.protocol()),
      list: (c) => (reads.push(c), inner.list(c)),
      flowRecords: (ids) => (reads.push(`flowRecords:${ids.length}`), inner.flowRecords(ids)),
      identifiedCounts: () => (reads.push("identifiedCounts"), inner.identifiedCounts()),
      flowDecisions: () => (reads.push("flowDecisions"), inner.flowDecisions()),
      duplicateGroupsById: (ids) => (reads.push(`duplicateGroupsById:${ids.length}`), inner.duplicateGroupsById(ids)),
      recordsById: (ids) => (reads.push(`recordsById:${ids.length}`), inner.recordsById(ids)),
    },
  };
}

/** Records with a decision or a retrieval: the only ones the flow reads past the counts per search. */
const followedIds = () => new Set([...p.screeningDecisions.map((d) => d.recordId), ...p.fullTextRetrievals.map((r) => r.recordId)]);
const followed = () => followedIds().size;
/** Their duplicate groups, read by id. */
const followedGroups = () => new Set(p.records.filter((r) => followedIds().has(r.id) && r.duplicateGroupId !== null).map((r) => r.duplicateGroupId)).size;
const PRISMA_READS = () => [
  "protocol", "identifiedCounts", ...(followed() ? [`flowRecords:${followed()}`] : []), ...(followedGroups() ? [`duplicateGroupsById:${followedGroups()}`] : []), "searches", "flowDecisions", "reconciliations",
  "fullTextRetrievals", "recordedCounts", "studies", "studyReports",
];

describe("per-view loaders", () => {
  it("PRISMA flow and figure: the flow's collections, counts per search and the followed records' keys, once each", async () => {
    const { src, reads } = loggingSource();
    const input = await loadPrisma(src);
    expect(reads.sort()).toEqual(PRISMA_READS().sort());
    // The same flow as counted from every record of the project.
    expect(prismaFlow(input)).toEqual(prismaFlow(p));
    expect(prismaFlowFigure(input)).toEqual(prismaFlowFigure(p));
    expect(input.records.length).toBe(followed());
    // Only the three fields the flow counts with travel.
    for (const r of input.records) expect(Object.keys(r).sort()).toEqual(["duplicateGroupId", "id", "searchId"]);
  });

  it("summary: the flow's reads plus appraisals, accepted flags and findings; never extraction or outcomes", async () => {
    const { src, reads } = loggingSource();
    const input = await loadSummary(src);
    expect(reads.sort()).toEqual([...PRISMA_READS(), "appraisals", "appraisalFlagAcceptances", "qualitativeFindings"].sort());
    expect(reviewSummary(input)).toEqual(reviewSummary(p));
  });

  it("gap map: protocol, studies, outcomes and extraction; no records, screening or appraisals", async () => {
    const { src, reads } = loggingSource();
    const input = await loadGapMap(src);
    expect(reads.sort()).toEqual(["codebookItems", "extractedValues", "outcomes", "protocol", "studies"]);
    expect(gapMapData(input)).toEqual(gapMapData(p));
  });

  it("risk of bias, conflicts and CERQual: studies and their own collection, not even the protocol", async () => {
    const rob = loggingSource();
    expect(robPlotData(await loadAppraisals(rob.src), "RoB2")).toEqual(robPlotData(p, "RoB2"));
    expect(rob.reads.sort()).toEqual(["appraisals", "studies"]);
    const conflicts = loggingSource();
    expect(appraisalConflictDetails(await loadConflicts(conflicts.src))).toEqual(appraisalConflictDetails(p));
    expect(conflicts.reads.sort()).toEqual(["appraisalFlagAcceptances", "appraisals", "studies"]);
    const cerqual = loggingSource();
    expect(cerqualTable(await loadCerqual(cerqual.src))).toEqual(cerqualTable(p));
    expect(cerqual.reads.sort()).toEqual(["qualitativeFindings", "studies"]);
  });

  it("evidence trail: the records its reports link to, by id, and no other record", async () => {
    const { src, reads } = loggingSource();
    const input = await loadEvidence(src);
    const linked = new Set(p.studyReports.map((r) => r.recordId).filter((id) => id !== null));
    expect(reads.sort()).toEqual(["protocol", "qualitativeFindings", "recommendations", "reportedResults", `recordsById:${linked.size}`, "studies", "studyReports"].sort());
    expect(input.records.length).toBe(linked.size);
    expect(evidenceTrail(input)).toEqual(evidenceTrail(p));
  });
});
