import type { FastifyInstance } from "fastify";
import { recordsRoutes as r, type FileQuery } from "@homeward/api";
import { exportProjectRecords, ImportRefused, importRecordsFile, validate, type ParseOptions } from "@homeward/records";
import type { Store } from "@homeward/store";
import type { z } from "zod";
import { serve } from "../contract.js";

const CONTENT_TYPE: Record<string, string> = { ris: "application/x-research-info-systems", csv: "text/csv", bibtex: "application/x-bibtex", "endnote-xml": "application/xml" };
const EXTENSION: Record<string, string> = { ris: "ris", csv: "csv", bibtex: "bib", "endnote-xml": "xml" };

/**
 * Records file routes (`recordsRoutes` in @homeward/api). The file is the
 * request body as sent, read as bytes: a refused import answers 422
 * `{error, report}` with the validation report.
 */
export async function registerRecordsRoutes(app: FastifyInstance, store: Store): Promise<void> {
  await app.register(async (scope) => {
    // Within these routes only: every body is raw bytes (a JSON report is a file, not an API body).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    const bytes = (body: unknown): Buffer => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    const parseOpts = (q: z.output<typeof FileQuery>): ParseOptions & { fileName: string } => ({ fileName: q.fileName, format: q.format, preset: q.preset, encoding: q.encoding });

    serve(scope, r.validateImport, async ({ params: { id }, query, body }) => {
      await store.getProject(id);
      return validate(bytes(body), parseOpts(query));
    });

    serve(scope, r.importRecords, async ({ params: { id }, query: q, body, ctx, reply }) => {
      const file = bytes(body);
      try {
        return await importRecordsFile(store, {
          projectId: id,
          open: () => file,
          parse: parseOpts(q),
          search: q.search ? { id: q.search } : { source: q.source!, kind: q.kind, date: q.date ?? null, query: q.query },
          skipInvalid: q.skipInvalid === "true",
          actor: ctx.actor,
        });
      } catch (e) {
        if (e instanceof ImportRefused) return reply.code(422).send({ error: e.message, report: e.report });
        throw e;
      }
    });

    serve(scope, r.exportRecords, async ({ params: { id }, query: { format }, reply }) => {
      await store.getProject(id);
      let text = "";
      for await (const c of exportProjectRecords(store, id, format)) text += c;
      return reply
        .header("content-type", `${CONTENT_TYPE[format]}; charset=utf-8`)
        .header("content-disposition", `attachment; filename="${id}.${EXTENSION[format]}"`)
        .send(text);
    });
  });
}
