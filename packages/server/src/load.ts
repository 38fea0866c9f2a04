import { loadFlow, loadPrisma, type FlowInput, type PrismaInput, type ReportRecord, type ReviewSource } from "@homeward/review";
import type { Store } from "@homeward/store";

/**
 * The review views' reads of one project, over the store. Records come as
 * counts (per search, and per search and place in the PRISMA flow) or a few
 * by id; never as whole rows with their abstracts and raw text, and never all
 * of them; the audit log is never read.
 */
export function storeReviewSource(store: Store, projectId: string): ReviewSource {
  return {
    protocol: () => store.getProtocol(projectId),
    list: (c) => store.list(projectId, c),
    identifiedCounts: () => store.identifiedCounts(projectId),
    flowCounts: () => store.flowCounts(projectId),
    flowDecisions: () => store.flowDecisions(projectId),
    recordsById: async (ids) => {
      const out: ReportRecord[] = [];
      for (const id of ids) {
        const r = await store.get(projectId, "records", id).catch(() => null);
        if (r) out.push({ id: r.id, authors: r.authors, year: r.year, title: r.title });
      }
      return out;
    },
  };
}

/** A project's review source, once the project is known to exist (an unknown one is a 404 here, before any read). */
export async function reviewSource(store: Store, projectId: string): Promise<ReviewSource> {
  await store.getProject(projectId);
  return storeReviewSource(store, projectId);
}

/** Reads just what the PRISMA flow counts from: counts, however large the project (the dashboard). */
export async function loadFlowInput(store: Store, projectId: string): Promise<FlowInput> {
  return loadFlow(await reviewSource(store, projectId));
}

/** The flow's counts with the screening's decisions, reconciliations and retrievals (the report's screening facts). */
export async function loadPrismaInput(store: Store, projectId: string): Promise<PrismaInput & FlowInput> {
  return loadPrisma(await reviewSource(store, projectId));
}
