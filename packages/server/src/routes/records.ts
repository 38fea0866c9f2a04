import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseInput, SearchKind, UserName } from "@homeward/model";
import { compareFields, comparePair, dedupeProject, EXPORT_FORMATS, exportProjectRecords, fromBibRecord, FORMATS, ImportRefused, importRecordsFile, validate, type ParseOptions } from "@homeward/records";
import type { Store } from "@homeward/store";
import { DEFAULT_USER, USER_HEADER } from "../app.js";

const IdParams = z.object({ id: z.string().min(1) });
const PairParams = z.object({ id: z.string().min(1), pairId: z.string().min(1) });
const FileQuery = z.object({
  fileName: z.string().min(1),
  format: z.enum(FORMATS as [string, ...string[]]).optional(),
  preset: z.string().min(1).optional(),
  encoding: z.string().min(1).optional(),
});
const ImportQuery = FileQuery.extend({
  search: z.string().min(1).optional(),
  source: z.string().trim().min(1).optional(),
  kind: SearchKind.default("database"),
  date: z.iso.date().optional(),
  query: z.string().default(""),
  skipInvalid: z.enum(["true", "false"]).optional(),
}).refine((q) => !q.search !== !q.source, { message: "give either search (an existing search id) or source (a new search)" });
const ExportQuery = z.object({ format: z.enum(EXPORT_FORMATS as [string, ...string[]]) });

const CONTENT_TYPE: Record<string, string> = { ris: "application/x-research-info-systems", csv: "text/csv", bibtex: "application/x-bibtex", "endnote-xml": "application/xml" };
const EXTENSION: Record<string, string> = { ris: "ris", csv: "csv", bibtex: "bib", "endnote-xml": "xml" };

/**
 * Records file routes. The file is the request body as sent (any content
 * type, read as bytes: the records package detects encoding and format):
 *   POST /api/projects/:id/imports/validate?fileName=…   → the validation report, nothing written
 *   POST /api/projects/:id/imports?fileName=…&source=…|search=…[&skipInvalid=true]
 *        → 201 {search, importBatch, imported, skipped, …}; 422 {error, report} when refused
 *   POST /api/projects/:id/dedupe → {groups, grouped, maybe, leftToReviewers} (duplicate groups and the maybe queue)
 *   GET  /api/projects/:id/duplicate-pairs/:pairId → the pair, both records and a field-by-field comparison
 *   GET  /api/projects/:id/records-export?format=ris|csv|bibtex|endnote-xml
 */
export async function registerRecordsRoutes(app: FastifyInstance, store: Store): Promise<void> {
  await app.register(async (scope) => {
    // Within these routes only: every body is raw bytes (a JSON report is a file, not an API body).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    const actor = (req: FastifyRequest): string => {
      const h = req.headers[USER_HEADER];
      const name = Array.isArray(h) ? h[0] : h;
      return name === undefined || name === "" ? DEFAULT_USER : parseInput(UserName, name, `${USER_HEADER} header`);
    };
    const body = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    const parseOpts = (q: z.infer<typeof FileQuery>): ParseOptions & { fileName: string } => ({ fileName: q.fileName, format: q.format as ParseOptions["format"], preset: q.preset, encoding: q.encoding });

    scope.post("/api/projects/:id/imports/validate", async (req) => {
      const { id } = parseInput(IdParams, req.params, "path");
      await store.getProject(id);
      return validate(body(req), parseOpts(parseInput(FileQuery, req.query, "query")));
    });

    scope.post("/api/projects/:id/imports", async (req, reply) => {
      const { id } = parseInput(IdParams, req.params, "path");
      const q = parseInput(ImportQuery, req.query, "query");
      const bytes = body(req);
      try {
        const result = await importRecordsFile(store, {
          projectId: id,
          open: () => bytes,
          parse: parseOpts(q),
          search: q.search ? { id: q.search } : { source: q.source!, kind: q.kind, date: q.date ?? null, query: q.query },
          skipInvalid: q.skipInvalid === "true",
          actor: actor(req),
        });
        return reply.code(201).send(result);
      } catch (e) {
        if (e instanceof ImportRefused) return reply.code(422).send({ error: e.message, report: e.report });
        throw e;
      }
    });

    scope.post("/api/projects/:id/dedupe", async (req) => {
      const { id } = parseInput(IdParams, req.params, "path");
      await store.getProject(id);
      return dedupeProject(store, id, actor(req));
    });

    scope.get("/api/projects/:id/duplicate-pairs/:pairId", async (req) => {
      const { id, pairId } = parseInput(PairParams, req.params, "path");
      const pair = await store.get(id, "duplicatePairs", pairId);
      const [a, b] = await Promise.all([store.get(id, "records", pair.recordIdA), store.get(id, "records", pair.recordIdB)]);
      const ra = { ...fromBibRecord(a), id: a.id };
      const rb = { ...fromBibRecord(b), id: b.id };
      return { pair, a, b, fields: compareFields(ra, rb), verdict: comparePair(ra, rb) };
    });

    scope.get("/api/projects/:id/records-export", async (req, reply) => {
      const { id } = parseInput(IdParams, req.params, "path");
      const { format } = parseInput(ExportQuery, req.query, "query");
      await store.getProject(id);
      let text = "";
      for await (const c of exportProjectRecords(store, id, format as (typeof EXPORT_FORMATS)[number])) text += c;
      return reply
        .header("content-type", `${CONTENT_TYPE[format]}; charset=utf-8`)
        .header("content-disposition", `attachment; filename="${id}.${EXTENSION[format]}"`)
        .send(text);
    });
  });
}
