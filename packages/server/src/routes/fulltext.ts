import type { FastifyInstance } from "fastify";
import { fullTextRoutes as r } from "@homeward/api";
import { InputError, type FullTextRetrieval } from "@homeward/model";
import type { Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";

/**
 * Full-text retrieval tracking (`fullTextRoutes` in @homeward/api): one
 * current entry per record (sought, retrieved, not retrieved, author
 * contacted; optionally the attached file's name, type, size and SHA-256).
 * Every change is an audited store write, so the history of a record's
 * retrieval is in the audit log.
 */
export async function registerFullTextRoutes(app: FastifyInstance, store: Store): Promise<void> {
  serve(app, r.list, async ({ params: { id } }) => {
    await store.getProject(id);
    return store.list(id, "fullTextRetrievals");
  });

  serve(app, r.get, async ({ params: { id, recordId } }) => {
    await store.get(id, "records", recordId);
    const current = latest(await store.list(id, "fullTextRetrievals", { recordId }));
    if (!current) throw new InputError(`the full text of record "${recordId}" has not been sought yet`, 404);
    return current;
  });

  serve(app, r.save, async ({ params: { id, recordId }, body, ctx }) => {
    const w = writer(ctx);
    if (body.status === "not_retrieved" && body.file) throw new InputError("a full text marked not retrieved cannot have a file attached");
    // Read and write in one transaction so two people updating the same
    // record leave one entry, the later change winning.
    return store.transaction(async (tx) => {
      await tx.get(id, "records", recordId);
      const current = latest(await tx.list(id, "fullTextRetrievals", { recordId }));
      const updatedAt = new Date().toISOString();
      if (!current) {
        const [created] = await tx.insert(
          id,
          "fullTextRetrievals",
          [{ recordId, status: body.status, note: body.note ?? null, file: body.file ?? null, updatedBy: w.actor, updatedAt }],
          w,
        );
        return created;
      }
      const file = body.file === undefined ? current.file : body.file;
      if (body.status === "not_retrieved" && file) throw new InputError("detach the file (file: null) before marking the full text not retrieved");
      return tx.update(
        id,
        "fullTextRetrievals",
        current.id,
        { status: body.status, note: body.note === undefined ? current.note : body.note, file, updatedBy: w.actor, updatedAt },
        w,
      );
    });
  });
}

function latest(rows: FullTextRetrieval[]): FullTextRetrieval | undefined {
  // Listed by updatedAt: the last is the current state.
  return rows[rows.length - 1];
}
