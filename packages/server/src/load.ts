import { loadPrisma, type FlowRecord, type PrismaInput, type ReportRecord, type ReviewSource } from "@homeward/review";
import type { Store } from "@homeward/store";

/** The records table's largest page. */
const PAGE = 1000;

/**
 * The review views' reads of one project, over the store. Records come as
 * pages of the records table's summaries, never as whole rows with their
 * abstracts and raw text; the audit log is never read.
 */
export function storeReviewSource(store: Store, projectId: string): ReviewSource {
  return {
    protocol: () => store.getProtocol(projectId),
    list: (c) => store.list(projectId, c),
    flowRecords: async () => {
      // Records are never removed, so a write while paging can only push rows later: a row may come
      // twice (kept once, by id), none is skipped.
      const seen = new Set<string>();
      const out: FlowRecord[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await store.queryRecords(projectId, { sort: "createdAt", offset, limit: PAGE });
        for (const r of page.items) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          out.push({ id: r.id, searchId: r.searchId, duplicateGroupId: r.duplicateGroupId });
        }
        if (page.items.length < PAGE) return out;
      }
    },
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
