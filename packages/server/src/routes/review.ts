import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { InputError, parseInput, UserName } from "@homeward/model";
import { renderPng, renderSvg, type Figure } from "@homeward/figures";
import {
  appraisalConflictDetails,
  cerqualCsv,
  cerqualTable,
  evidenceTrail,
  evidenceTrailCsv,
  flowChecks,
  gapMapCsv,
  gapMapFigure,
  loadAppraisals,
  loadCerqual,
  loadConflicts,
  loadEvidence,
  loadGapMap,
  loadPrisma,
  loadSummary,
  prismaCsv,
  prismaFlow,
  prismaFlowFigure,
  reviewSummary,
  robCsv,
  robPlotData,
  robSummaryFigure,
  trafficLightFigure,
  type ReviewSource,
} from "@homeward/review";
import type { Store, WriteContext } from "@homeward/store";
import { reviewSource } from "../load.js";

const USER_HEADER = "x-homeward-user";
const IdParams = z.object({ id: z.string().min(1) });
const FigureParams = z.object({ id: z.string().min(1), name: z.enum(["prisma", "rob-traffic-light", "rob-summary", "gap-map"]) });
const FigureQuery = z.object({
  format: z.enum(["json", "svg", "png", "csv"]).default("json"),
  tool: z.string().min(1).optional(),
  palette: z.enum(["cochrane", "colourblind"]).default("cochrane"),
  download: z.enum(["true", "false"]).optional(),
});
const CsvQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });
const AcceptBody = z.object({
  appraisalId: z.string().min(1),
  rule: z.string().min(1),
  justification: z.string().trim().min(1, "a justification is required"),
});

/**
 * Review-level views of a project (package @homeward/review): the summary,
 * PRISMA counts, figures as SVG/PNG/CSV or as a figure object, CERQual table,
 * evidence trail, and appraisal flags with their acceptance. Each view reads
 * only the parts of the project it draws (a loader of @homeward/review over
 * the store): never the audit log, and of the records only the PRISMA flow's
 * three fields or the few that reports cite.
 */
export async function registerReviewRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const source = (req: FastifyRequest): Promise<ReviewSource> => reviewSource(store, parseInput(IdParams, req.params, "path").id);
  const actor = (req: FastifyRequest): WriteContext => {
    const h = req.headers[USER_HEADER];
    const name = Array.isArray(h) ? h[0] : h;
    return { actor: name === undefined || name === "" ? "local" : parseInput(UserName, name, `${USER_HEADER} header`) };
  };
  const attachment = (reply: FastifyReply, name: string, download: boolean) =>
    download ? reply.header("content-disposition", `attachment; filename="${name}"`) : reply;
  const csv = (reply: FastifyReply, name: string, body: string) =>
    attachment(reply, name, true).type("text/csv; charset=utf-8").send(body);

  app.get("/api/projects/:id/review/summary", async (req) => reviewSummary(await loadSummary(await source(req))));

  app.get("/api/projects/:id/review/prisma", async (req) => {
    const flow = prismaFlow(await loadPrisma(await source(req)));
    return { ...flow, checks: flowChecks(flow.prisma) };
  });

  app.get("/api/projects/:id/review/rob-tools", async (req) => {
    const p = await loadAppraisals(await source(req));
    const tools = [...new Set(p.appraisals.map((a) => a.tool))];
    return tools.map((tool) => {
      const d = robPlotData(p, tool);
      return { tool, studies: d.rows.length, domains: d.domains };
    });
  });

  app.get("/api/projects/:id/review/figures/:name", async (req, reply) => {
    const { name } = parseInput(FigureParams, req.params, "path");
    const q = parseInput(FigureQuery, req.query, "figure query");
    const src = await source(req);
    const needTool = name === "rob-traffic-light" || name === "rob-summary";
    if (needTool && !q.tool) throw new InputError("the tool query parameter is required for risk-of-bias figures (e.g. tool=RoB2)");
    const base = needTool ? `${name}-${q.tool!.replace(/[^A-Za-z0-9-]/g, "")}` : name;
    let figure: Figure;
    if (name === "prisma") {
      const p = await loadPrisma(src);
      const flow = prismaFlow(p);
      if (q.format === "csv") return csv(reply, `${base}.csv`, prismaCsv(flow));
      figure = prismaFlowFigure(p, flow);
    } else if (name === "gap-map") {
      const p = await loadGapMap(src);
      if (q.format === "csv") return csv(reply, `${base}.csv`, gapMapCsv(p));
      figure = gapMapFigure(p);
    } else {
      const p = await loadAppraisals(src);
      if (!p.appraisals.some((a) => a.tool === q.tool)) throw new InputError(`no appraisals with tool "${q.tool}" in this project`, 404);
      if (q.format === "csv") return csv(reply, `${base}.csv`, robCsv(p, q.tool!));
      figure = name === "rob-traffic-light" ? trafficLightFigure(p, q.tool!, q.palette) : robSummaryFigure(p, q.tool!, { palette: q.palette });
    }
    const download = q.download === "true";
    if (q.format === "svg") return attachment(reply, `${base}.svg`, download).type("image/svg+xml; charset=utf-8").send(await renderSvg(figure));
    if (q.format === "png") return attachment(reply, `${base}.png`, download).type("image/png").send(await renderPng(figure));
    return figure;
  });

  app.get("/api/projects/:id/review/cerqual", async (req, reply) => {
    const q = parseInput(CsvQuery, req.query, "query");
    const p = await loadCerqual(await source(req));
    return q.format === "csv" ? csv(reply, "cerqual-summary-of-findings.csv", cerqualCsv(p)) : cerqualTable(p);
  });

  app.get("/api/projects/:id/review/recommendations", async (req, reply) => {
    const q = parseInput(CsvQuery, req.query, "query");
    const p = await loadEvidence(await source(req));
    return q.format === "csv" ? csv(reply, "evidence-trail.csv", evidenceTrailCsv(p)) : evidenceTrail(p);
  });

  app.get("/api/projects/:id/review/appraisal-conflicts", async (req) => appraisalConflictDetails(await loadConflicts(await source(req))));

  /** Accepts a rule flag on an appraisal with a justification; the recorded judgement is left as it is. */
  app.post("/api/projects/:id/review/appraisal-conflicts/accept", async (req, reply) => {
    const { id } = parseInput(IdParams, req.params, "path");
    const body = parseInput(AcceptBody, req.body ?? {}, "flag acceptance");
    const flag = appraisalConflictDetails(await loadConflicts(await reviewSource(store, id))).find(
      (c) => c.appraisalId === body.appraisalId && c.rule === body.rule,
    );
    if (!flag) throw new InputError(`appraisal "${body.appraisalId}" has no such flag (it may have been resolved)`, 409);
    const [saved] = await store.insert(
      id,
      "appraisalFlagAcceptances",
      [{ appraisalId: body.appraisalId, flag: body.rule, justification: body.justification }],
      { ...actor(req), reason: body.justification },
    );
    return reply.code(201).send(saved);
  });
}
