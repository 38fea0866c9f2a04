import { loadPrisma, type PrismaInput, type ReportRecord, type ReviewSource } from "@homeward/review";
import type { Store } from "@homeward/store";

/**
 * The review views' reads of one project, over the store. Records come as
 * counts per search, as the ids, searches and duplicate groups of those with
 * a decision or a retrieval, or a few by id; never as whole rows with their
 * abstracts and raw text, and never all of them; the audit log is never read.
 */
export function storeReviewSource(store: Store, projectId: string): ReviewSource {
  return {
    protocol: () => store.getProtocol(projectId),
    list: (c) => store.list(projectId, c),
    flowRecords: (ids) => store.flowRecords(projectId, ids),
    identifiedCounts: () => store.identifiedCounts(projectId),
    flowDecisions: () => store.flowDecisions(projectId),
    duplicateGroupsById: (ids) => store.list(projectId, "duplicateGroups", { id: [...ids] }),
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

/** Reads just what the PRISMA flow counts from. */
export async function loadPrismaInput(store: Store, projectId: string): Promise<PrismaInput> {
  return loadPrisma(await reviewSource(store, projectId));
}
