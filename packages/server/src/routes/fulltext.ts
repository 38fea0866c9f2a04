import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { InputError, parseInput, RetrievalStatus, UserName, type FullTextRetrieval } from "@homeward/model";
import type { Store, WriteContext } from "@homeward/store";
import { DEFAULT_USER, USER_HEADER } from "../app.js";

const IdParams = z.object({ id: z.string().min(1) });
const RecordParams = z.object({ id: z.string().min(1), recordId: z.string().min(1) });
/** Metadata of the attached full-text file; the file itself is kept outside the database. */
const FileMeta = z.object({
  name: z.string().trim().min(1, "the attached file needs a name").max(500),
  mediaType: z.string().max(200).nullable().default(null),
  size: z.number().int().min(0).nullable().default(null),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lower-case hexadecimal digits")
    .nullable()
    .default(null),
});
const RetrievalBody = z.object({
  status: RetrievalStatus,
  note: z.string().max(20_000).nullable().optional(),
  /** Omitted: keep the current file; null: detach it. */
  file: FileMeta.nullable().optional(),
});

/**
 * Full-text retrieval tracking: one current entry per record (sought,
 * retrieved, not retrieved, author contacted; optionally the attached file's
 * name, type, size and SHA-256). Every change is an audited store write, so
 * the history of a record's retrieval is in the audit log.
 *
 *   GET /api/projects/:id/fulltext             → [retrieval], latest change last
 *   GET /api/projects/:id/fulltext/:recordId   → retrieval, or 404 if never tracked
 *   PUT /api/projects/:id/fulltext/:recordId   body {status, note?, file?} → retrieval
 */
export async function registerFullTextRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const actor = (req: FastifyRequest): WriteContext => {
    const h = req.headers[USER_HEADER];
    const name = Array.isArray(h) ? h[0] : h;
    return { actor: name === undefined || name === "" ? DEFAULT_USER : parseInput(UserName, name, `${USER_HEADER} header`) };
  };

  app.get("/api/projects/:id/fulltext", async (req) => {
    const { id } = parseInput(IdParams, req.params, "path");
    await store.getProject(id);
    return store.list(id, "fullTextRetrievals");
  });

  app.get("/api/projects/:id/fulltext/:recordId", async (req) => {
    const { id, recordId } = parseInput(RecordParams, req.params, "path");
    await store.get(id, "records", recordId);
    const current = latest(await store.list(id, "fullTextRetrievals", { recordId }));
    if (!current) throw new InputError(`the full text of record "${recordId}" has not been sought yet`, 404);
    return current;
  });

  app.put("/api/projects/:id/fulltext/:recordId", async (req) => {
    const { id, recordId } = parseInput(RecordParams, req.params, "path");
    const body = parseInput(RetrievalBody, req.body ?? {}, "full-text retrieval");
    const ctx = actor(req);
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
          [{ recordId, status: body.status, note: body.note ?? null, file: body.file ?? null, updatedBy: ctx.actor, updatedAt }],
          ctx,
        );
        return created;
      }
      const file = body.file === undefined ? current.file : body.file;
      if (body.status === "not_retrieved" && file) throw new InputError("detach the file (file: null) before marking the full text not retrieved");
      return tx.update(
        id,
        "fullTextRetrievals",
        current.id,
        { status: body.status, note: body.note === undefined ? current.note : body.note, file, updatedBy: ctx.actor, updatedAt },
        ctx,
      );
    });
  });
}

function latest(rows: FullTextRetrieval[]): FullTextRetrieval | undefined {
  // Listed by updatedAt: the last is the current state.
  return rows[rows.length - 1];
}
