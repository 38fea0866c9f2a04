import type { FastifyInstance } from "fastify";
import { studiesRoutes as r } from "@homeward/api";
import type { RecordSummary } from "@homeward/model";
import { formStudies, linkReport, mergeStudies, setLead, splitReport, type StudiesStore, type StudiesTx } from "@homeward/review";
import type { Store, WriteContext } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { screeningProjects } from "./screening-state.js";
import type { StageEngine } from "@homeward/screening";

/**
 * The studies stage's adaptor: the use cases (@homeward/review `studies`)
 * over the store, with the full-text includes read from the project's
 * screening engine (kept in memory and in step with the store by the
 * screening routes), so no request reads every record or decision.
 */
export async function registerStudiesRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const screening = screeningProjects(app, store);

  const settled = (stage: Pick<StageEngine, "statusOf">, id: string, verdict: "include" | "exclude") => {
    const s = stage.statusOf(id);
    return (s?.state === "decided" || s?.state === "reconciled") && s.verdict === verdict;
  };
  const fullTextStage = async (projectId: string) => (await screening.synced(projectId)).engine.stage("full_text");
  const fullTextIncludes = async (projectId: string): Promise<string[]> => {
    const stage = await fullTextStage(projectId);
    return stage.memberIds((id) => settled(stage, id, "include"));
  };

  const studiesStore = (projectId: string, ctx: WriteContext): StudiesStore => ({
    fullTextIncludes: () => fullTextIncludes(projectId),
    transaction: (fn) =>
      store.transaction((tx) => {
        const t: StudiesTx = {
          lock: () => tx.lockProject(projectId),
          study: (id) => tx.get(projectId, "studies", id),
          studies: () => tx.list(projectId, "studies"),
          reportsOfStudies: (ids) => tx.list(projectId, "studyReports", { studyId: ids }),
          reportsOfRecords: (ids) => tx.list(projectId, "studyReports", { recordId: ids }),
          records: async (ids) => (await tx.list(projectId, "records", { id: ids })).map((x) => ({ id: x.id, title: x.title, authors: x.authors, year: x.year })),
          insertStudies: (xs) => tx.insert(projectId, "studies", xs, ctx),
          insertReports: (xs) => tx.insert(projectId, "studyReports", xs, ctx),
          updateReport: (id, patch) => tx.update(projectId, "studyReports", id, patch, ctx),
          removeStudy: (id) => tx.remove(projectId, "studies", id, ctx),
          note: async (action, entityId, before, after) => {
            await tx.audit(projectId, ctx, { action, entity: "studies", entityId, before, after });
          },
        };
        return fn(t);
      }),
  });

  serve(app, r.includes, async ({ params: { id }, query }) => {
    await store.getProject(id);
    const stage = await fullTextStage(id);
    const included = stage.memberIds((x) => settled(stage, x, "include"));
    // Study reports are few (one or a handful per included study), unlike records.
    const reports = await store.list(id, "studyReports");
    const linked = new Set(reports.map((x) => x.recordId));
    const excludedReports = [...new Set(reports.flatMap((x) => (x.recordId && settled(stage, x.recordId, "exclude") ? [x.recordId] : [])))];
    const open = included.filter((x) => !linked.has(x));
    const ids = open.slice(query.offset, query.offset + query.limit);
    const rows = new Map((await store.list(id, "records", { id: ids })).map((x) => [x.id, x]));
    const items: RecordSummary[] = ids
      .map((x) => rows.get(x))
      .filter((x) => x !== undefined)
      .map((x) => ({
        id: x.id, title: x.title, authors: x.authors, year: x.year, journal: x.journal, doi: x.doi, pmid: x.pmid,
        searchId: x.searchId, duplicateGroupId: x.duplicateGroupId, createdAt: x.createdAt,
      }));
    return { total: open.length, offset: query.offset, limit: query.limit, items, included: included.length, excludedReports };
  });

  serve(app, r.form, async ({ params: { id }, ctx }) => {
    await store.getProject(id);
    return formStudies(studiesStore(id, writer(ctx)));
  });
  serve(app, r.link, async ({ params: { id, studyId }, body, ctx }) => linkReport(studiesStore(id, writer(ctx)), studyId, body.recordId));
  serve(app, r.lead, async ({ params: { id, studyId }, body, ctx }) => setLead(studiesStore(id, writer(ctx)), studyId, body.reportId));
  serve(app, r.split, async ({ params: { id, studyId }, body, ctx }) => splitReport(studiesStore(id, writer(ctx, body.reason)), studyId, body.reportId));
  serve(app, r.merge, async ({ params: { id, studyId }, body, ctx }) => mergeStudies(studiesStore(id, writer(ctx, body.reason)), studyId, body.fromStudyId));
}
