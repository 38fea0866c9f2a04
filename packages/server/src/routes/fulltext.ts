import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance } from "fastify";
import { fullTextRoutes as r, MAX_FULL_TEXT_BYTES } from "@homeward/api";
import { InputError, type FullTextRetrieval } from "@homeward/model";
import type { Store } from "@homeward/store";
import { writer } from "../context.js";
import { serve } from "../contract.js";
import { attachment } from "../security.js";

const PDF_MAGIC = Buffer.from("%PDF-");

class TooLarge extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`the file is larger than ${Math.round(limit / (1 << 20)) || limit} ${limit >= 1 << 20 ? "MiB" : "bytes"}, the most a full text may be`);
  }
}

/**
 * Full-text retrieval tracking (`fullTextRoutes` in @homeward/api): one
 * current entry per record (sought, retrieved, not retrieved, author
 * contacted; optionally the attached file's name, type, size and SHA-256).
 * Every change is an audited store write, so the history of a record's
 * retrieval is in the audit log.
 */
export async function registerFullTextRoutes(app: FastifyInstance, store: Store, opts: { maxFileBytes?: number } = {}): Promise<void> {
  const maxBytes = opts.maxFileBytes ?? MAX_FULL_TEXT_BYTES;
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

  await app.register(async (scope) => {
    // The upload's body is the raw request stream, whatever file type it is sent as.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

    serve(scope, r.uploadFile, async ({ params: { id, recordId }, query: { fileName }, body, ctx }) => {
      const w = writer(ctx);
      await store.get(id, "records", recordId);
      // Spooled to a temporary file while hashed: the content's SHA-256 keys the
      // stored file and is known only once the last byte has arrived.
      const dir = await mkdtemp(join(tmpdir(), "homeward-fulltext-"));
      try {
        const path = join(dir, "upload");
        const hash = createHash("sha256");
        let size = 0;
        let head = Buffer.alloc(0);
        const check = new Transform({
          transform(chunk: Buffer, _enc, next) {
            size += chunk.length;
            if (size > maxBytes) return next(new TooLarge(maxBytes));
            if (head.length < PDF_MAGIC.length) head = Buffer.concat([head, chunk.subarray(0, PDF_MAGIC.length - head.length)]);
            hash.update(chunk);
            next(null, chunk);
          },
        });
        if (!(body instanceof Readable)) throw new InputError("send the full text as the request body");
        await pipeline(body, check, createWriteStream(path));
        if (!head.equals(PDF_MAGIC)) throw new InputError(`"${fileName}" is not a PDF (a PDF starts with %PDF-)`, 415);
        const sha256 = hash.digest("hex");
        await store.putFile(id, { sha256, size, mediaType: "application/pdf", open: () => createReadStream(path) });
        const file = { name: fileName, mediaType: "application/pdf", size, sha256 };
        return store.transaction(async (tx) => {
          const current = latest(await tx.list(id, "fullTextRetrievals", { recordId }));
          const updatedAt = new Date().toISOString();
          if (!current) {
            const [created] = await tx.insert(id, "fullTextRetrievals", [{ recordId, status: "retrieved", note: null, file, updatedBy: w.actor, updatedAt }], w);
            return created!;
          }
          return tx.update(id, "fullTextRetrievals", current.id, { status: "retrieved", file, updatedBy: w.actor, updatedAt }, w);
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  serve(app, r.downloadFile, async ({ params: { id, recordId }, reply }) => {
    await store.get(id, "records", recordId);
    const file = latest(await store.list(id, "fullTextRetrievals", { recordId }))?.file;
    const stored = file?.sha256 ? await store.getFile(id, file.sha256) : null;
    if (!file || !stored) throw new InputError(`no full text of record "${recordId}" is stored`, 404);
    return reply
      .header("content-type", stored.mediaType ?? "application/octet-stream")
      .header("content-length", String(stored.size))
      .header("content-disposition", attachment(file.name, "full-text.pdf"))
      .send(Readable.from(store.readFile(id, stored.sha256)));
  });
}

function latest(rows: FullTextRetrieval[]): FullTextRetrieval | undefined {
  // Listed by updatedAt: the last is the current state.
  return rows[rows.length - 1];
}
