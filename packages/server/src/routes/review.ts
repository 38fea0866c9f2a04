import type { FastifyInstance, FastifyReply } from "fastify";
import { reviewRoutes as r } from "@homeward/api";
import { InputError } from "@homeward/model";
import { renderPng, renderSvg, type Figure } from "@homeward/figures";
import {
  appraisalConflictDetails,
  appraisalTableCsv,
  appraisalTables,
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
  loadFlow,
  loadGapMap,
  loadSummary,
  orderRobTools,
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
import type { Store } from "@homeward/store";
import { blindView } from "../blinding.js";
import { writer } from "../context.js";
import { attachment } from "../security.js";
import { serve } from "../contract.js";
import { reviewSource } from "../load.js";

/**
 * Review-level views of a project (package @homeward/review): the summary,
 * PRISMA counts, figures as SVG/PNG/CSV or as a figure object, CERQual table,
 * evidence trail, and appraisal flags with their acceptance. Each view reads
 * only the parts of the project it draws (a loader of @homeward/review over
 * the store): never the audit log, and records only as the counts the store
 * keeps (per search, and per place in the PRISMA flow) or the few that
 * reports cite.
 */
export async function registerReviewRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const source = (id: string): Promise<ReviewSource> => reviewSource(store, id);
  const asFile = (reply: FastifyReply, name: string, download: boolean) =>
    download ? reply.header("content-disposition", attachment(name)) : reply;
  const csv = (reply: FastifyReply, name: string, body: string) =>
    asFile(reply, name, true).type("text/csv; charset=utf-8").send(body);

  serve(app, r.summary, async ({ params: { id } }) => reviewSummary(await loadSummary(await source(id))));

  serve(app, r.prisma, async ({ params: { id } }) => {
    const flow = prismaFlow(await loadFlow(await source(id)));
    return { ...flow, checks: flowChecks(flow.prisma) };
  });

  serve(app, r.robTools, async ({ params: { id } }) => {
    const p = await loadAppraisals(await source(id));
    const tools = [...new Set(p.appraisals.map((a) => a.tool))];
    // First the tool a page should open on (most appraised studies; ties RoB 2 first).
    return orderRobTools(
      tools.map((tool) => {
        const d = robPlotData(p, tool);
        return { tool, studies: d.rows.length, domains: d.domains, hasOverall: d.hasOverall };
      }),
    );
  });

  serve(app, r.figure, async ({ params: { id, name }, query: q, reply }) => {
    const src = await source(id);
    const needTool = name === "rob-traffic-light" || name === "rob-summary";
    if (needTool && !q.tool) throw new InputError("the tool query parameter is required for risk-of-bias figures (e.g. tool=RoB2)");
    const base = needTool ? `${name}-${q.tool!.replace(/[^A-Za-z0-9-]/g, "")}` : name;
    let figure: Figure;
    if (name === "prisma") {
      const p = await loadFlow(src);
      const flow = prismaFlow(p);
      if (q.format === "csv") return csv(reply, `${base}.csv`, prismaCsv(flow));
      figure = prismaFlowFigure(p, flow);
    } else if (name === "gap-map") {
      const p = await loadGapMap(src);
      if (q.format === "csv") return csv(reply, `${base}.csv`, gapMapCsv(p, q.rows));
      figure = gapMapFigure(p, q.rows);
    } else {
      const p = await loadAppraisals(src);
      if (!p.appraisals.some((a) => a.tool === q.tool)) throw new InputError(`no appraisals with tool "${q.tool}" in this project`, 404);
      if (q.format === "csv") return csv(reply, `${base}.csv`, robCsv(p, q.tool!));
      figure = name === "rob-traffic-light" ? trafficLightFigure(p, q.tool!, q.palette) : robSummaryFigure(p, q.tool!, { palette: q.palette });
    }
    const download = q.download === "true";
    if (q.format === "svg") return asFile(reply, `${base}.svg`, download).type("image/svg+xml; charset=utf-8").send(await renderSvg(figure));
    if (q.format === "png") return asFile(reply, `${base}.png`, download).type("image/png").send(await renderPng(figure));
    return figure;
  });

  serve(app, r.cerqual, async ({ params: { id }, query: q, reply }) => {
    const p = await loadCerqual(await source(id));
    return q.format === "csv" ? csv(reply, "cerqual-summary-of-findings.csv", cerqualCsv(p)) : cerqualTable(p);
  });

  serve(app, r.recommendations, async ({ params: { id }, query: q, reply }) => {
    const p = await loadEvidence(await source(id));
    return q.format === "csv" ? csv(reply, "evidence-trail.csv", evidenceTrailCsv(p)) : evidenceTrail(p);
  });

  serve(app, r.appraisalTables, async ({ params: { id }, query: q, ctx, reply }) => {
    const p = await loadAppraisals(await source(id));
    const view = await blindView(store, id, ctx);
    // What blinding lets the caller see (an adjudicator: studies two people have assessed).
    const visible = [];
    for (const a of p.appraisals) if (a.status !== "draft" && (await view.visible("appraisals", a))) visible.push(a);
    const tables = appraisalTables({ studies: p.studies, appraisals: visible });
    if (q.format !== "csv") return tables;
    if (!q.tool) throw new InputError("the tool query parameter is required for a table as CSV (e.g. tool=RoB2)");
    const t = tables.find((x) => x.tool === q.tool);
    if (!t) throw new InputError(`no appraisals with tool "${q.tool}" that you can see in this project`, 404);
    return csv(reply, `appraisal-table-${q.tool.replace(/[^A-Za-z0-9-]/g, "")}.csv`, appraisalTableCsv(t));
  });

  serve(app, r.appraisalConflicts, async ({ params: { id } }) => appraisalConflictDetails(await loadConflicts(await source(id))));

  /** Accepts a rule flag on an appraisal with a justification; the recorded judgement is left as it is. */
  serve(app, r.acceptFlag, async ({ params: { id }, body, ctx }) => {
    const flag = appraisalConflictDetails(await loadConflicts(await source(id))).find(
      (c) => c.appraisalId === body.appraisalId && c.rule === body.rule,
    );
    if (!flag) throw new InputError(`appraisal "${body.appraisalId}" has no such flag (it may have been resolved)`, 409);
    const [saved] = await store.insert(
      id,
      "appraisalFlagAcceptances",
      [{ appraisalId: body.appraisalId, flag: body.rule, justification: body.justification }],
      writer(ctx, body.justification),
    );
    return saved;
  });
}
