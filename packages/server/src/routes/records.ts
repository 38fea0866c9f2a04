import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance } from "fastify";
import { MAX_RECORDS_FILE_BYTES, recordsRoutes as r, type FileQuery } from "@homeward/api";
import { exportProjectRecords, ImportRefused, importRecordsFile, importsOverview, validate, type ParseOptions } from "@homeward/records";
import type { Store } from "@homeward/store";
import type { z } from "zod";
import { serve } from "../contract.js";
import { attachment, safeFileName } from "../security.js";

const CONTENT_TYPE: Record<string, string> = { ris: "application/x-research-info-systems", csv: "text/csv", bibtex: "application/x-bibtex", "endnote-xml": "application/xml" };
const EXTENSION: Record<string, string> = { ris: "ris", csv: "csv", bibtex: "bib", "endnote-xml": "xml" };

const size = (n: number): string => (n >= 1 << 30 && n % (1 << 30) === 0 ? `${n / (1 << 30)} GiB` : n >= 1 << 20 ? `${Math.round(n / (1 << 20))} MiB` : `${n} bytes`);

/** A 413 answered through Fastify's error handler (not an input error, so the parser does not turn it into a report). */
class TooLarge extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(`the file is larger than ${size(limit)}, the most one import reads; split it into smaller files`);
  }
}

/** The request body's chunks as they arrive, refused past `limit` bytes. */
async function* limited(body: unknown, limit: number): AsyncGenerator<Uint8Array> {
  if (!(body instanceof Readable)) return;
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) throw new TooLarge(limit);
    yield chunk;
  }
}

/**
 * Records file routes (`recordsRoutes` in @homeward/api). The file is the
 * request body as sent, read as a stream of bytes whatever its content type:
 * validation reads it as it arrives; an import, which reads the file twice
 * (validate, then write), spools it to a temporary file first, so no upload is
 * ever held whole in memory. A refused import answers 422 `{error, report}`
 * with the validation report.
 */
export async function registerRecordsRoutes(app: FastifyInstance, store: Store, opts: { maxFileBytes?: number } = {}): Promise<void> {
  const maxBytes = opts.maxFileBytes ?? MAX_RECORDS_FILE_BYTES;
  await app.register(async (scope) => {
    // Within these routes only: every body is the raw request stream (a JSON report is a file, not an API body).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    const parseOpts = (q: z.output<typeof FileQuery>): ParseOptions & { fileName: string } => ({ fileName: q.fileName, format: q.format, preset: q.preset, columns: q.columns, encoding: q.encoding });

    serve(scope, r.validateImport, async ({ params: { id }, query, body }) => {
      await store.getProject(id);
      return validate(limited(body, maxBytes), parseOpts(query));
    });

    serve(scope, r.importsOverview, async ({ params: { id } }) => {
      await store.getProject(id);
      return importsOverview(store, id);
    });

    serve(scope, r.getImportBatch, async ({ params: { id, batchId } }) => store.get(id, "importBatches", batchId));

    serve(scope, r.importRecords, async ({ params: { id }, query: q, body, ctx, reply }) => {
      await store.getProject(id);
      const dir = await mkdtemp(join(tmpdir(), "homeward-import-"));
      try {
        const file = join(dir, "upload");
        await pipeline(Readable.from(limited(body, maxBytes)), createWriteStream(file));
        return await importRecordsFile(store, {
          projectId: id,
          open: () => createReadStream(file),
          parse: parseOpts(q),
          search: q.search ? { id: q.search } : { source: q.source!, kind: q.kind, date: q.date ?? null, query: q.query },
          skipInvalid: q.skipInvalid === "true",
          actor: ctx.actor,
        });
      } catch (e) {
        if (e instanceof ImportRefused) return reply.code(422).send({ error: e.message, report: e.report });
        throw e;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    serve(scope, r.exportRecords, async ({ params: { id }, query: { format }, reply }) => {
      await store.getProject(id);
      // Streamed as it is written: the records are read a page at a time (see exportProjectRecords).
      return reply
        .header("content-type", `${CONTENT_TYPE[format]}; charset=utf-8`)
        .header("content-disposition", attachment(`${safeFileName(id, "records")}.${EXTENSION[format]}`))
        .send(Readable.from(exportProjectRecords(store, id, format)));
    });
  });
}
