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
  loadFlow,
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

/** A source over the project that records every read: "protocol", a collection name, "identifiedCounts", "flowCounts", "flowDecisions", "recordsById:<n>". */
function loggingSource(): { src: ReviewSource; reads: string[] } {
  const inner = fileReviewSource(p);
  const reads: string[] = [];
  return {
    reads,
    src: {
      protocol: () => (reads.push("protocol"), inner.protocol()),
      list: (c) => (reads.push(c), inner.list(c)),
      identifiedCounts: () => (reads.push("identifiedCounts"), inner.identifiedCounts()),
      flowCounts: () => (reads.push("flowCounts"), inner.flowCounts()),
      flowDecisions: () => (reads.push("flowDecisions"), inner.flowDecisions()),
      recordsById: (ids) => (reads.push(`recordsById:${ids.length}`), inner.recordsById(ids)),
    },
  };
}

/** The flow reads counts (records per search, records per search and place in the flow) and a few small collections; never a record or a decision. */
const FLOW_READS = ["protocol", "identifiedCounts", "flowCounts", "searches", "recordedCounts", "studies", "studyReports"];

describe("per-view loaders", () => {
  it("PRISMA flow and figure (and the dashboard): counts and the flow's small collections, once each; no record, decision or retrieval", async () => {
    const { src, reads } = loggingSource();
    const input = await loadFlow(src);
    expect(reads.sort()).toEqual([...FLOW_READS].sort());
    // The same flow as counted from every record of the project.
    expect(prismaFlow(input)).toEqual(prismaFlow(p));
    expect(prismaFlowFigure(input)).toEqual(prismaFlowFigure(p));
    expect(Object.keys(input)).not.toContain("records");
  });

  it("the flow with the screening (the report's): the flow's reads plus decisions, reconciliations and retrievals, still no record", async () => {
    const { src, reads } = loggingSource();
    const input = await loadPrisma(src);
    expect(reads.sort()).toEqual([...FLOW_READS, "flowDecisions", "reconciliations", "fullTextRetrievals"].sort());
    expect(prismaFlow(input)).toEqual(prismaFlow(p));
    expect(input.records).toEqual([]);
    expect(input.screeningDecisions.length).toBe(p.screeningDecisions.length);
  });

  it("summary: the flow's reads plus appraisals, accepted flags and findings; never extraction or outcomes", async () => {
    const { src, reads } = loggingSource();
    const input = await loadSummary(src);
    expect(reads.sort()).toEqual([...FLOW_READS, "appraisals", "appraisalFlagAcceptances", "qualitativeFindings"].sort());
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
