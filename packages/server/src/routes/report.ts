import type { FastifyInstance } from "fastify";
import * as review from "@homeward/review";
import { reportRoutes as r, ReportSpecSchema, type ReportFormat, type ReportOverview, type ReportVersionSummary } from "@homeward/api";
import { InputError, parseInput, type Appraisal, type ExtractedValue, type ReportVersion, type SavedAnalysis } from "@homeward/model";
import {
  buildReportData,
  defaultReportSpec,
  previousVersionOf,
  prismaChecklist,
  renderReportHtml,
  tocHeadings,
  reportChanges,
  reportDataHash,
  type AuditCause,
  type ReportData,
  type ReportInput,
  type ReportSpec,
  type SavedAnalysisInput,
} from "@homeward/report";
import type { AnalysisData, ReproducibilityInput } from "@homeward/review";
import type { Store } from "@homeward/store";
import { blindView } from "../blinding.js";
import { loadPrismaInput } from "../load.js";
import { writer, type RequestContext } from "../context.js";
import { serve } from "../contract.js";
import { closeReportWorker, renderReportFileInWorker, type ReportFileInput } from "../jobs/report.js";
import { riskOfBiasRows } from "./analysis-risk-of-bias.js";
import { withExtractedModerators } from "./analysis-codebook.js";

/** Audit entries read back from a version's freezing to find what caused each change. */
const AUDIT_PAGES = 20;
const AUDIT_PAGE = 500;

/** Who saved a draft or froze a version, and when (the session's user; the server's clock). */
const signed = (ctx: RequestContext) => ({ savedBy: ctx.actor, savedAt: new Date().toISOString() });

/** The latest version of each saved analysis name: what a report cites unless its spec pins a version. */
export function latestSavedAnalyses(saved: readonly SavedAnalysis[]): SavedAnalysis[] {
  const latest = new Map<string, SavedAnalysis>();
  for (const s of saved) if ((latest.get(s.name)?.version ?? 0) < s.version) latest.set(s.name, s);
  return [...latest.values()].sort((a, b) => a.savedAt.localeCompare(b.savedAt) || a.name.localeCompare(b.name));
}

/**
 * The report over the store (package @homeward/report). A report's data are
 * read as the review views read theirs (records only as the PRISMA flow's
 * keys), with the extracted values and appraisals the caller may see under
 * blinding; a frozen version renders from the data stored with it.
 */
/**
 * The report's reading and rendering over the store, shared by the routes
 * below and the report job (../jobs.ts).
 */
export function reportSource(store: Store) {
  async function liveInput(projectId: string, ctx: RequestContext): Promise<ReportInput & { saved: SavedAnalysis[]; analysisData: AnalysisData }> {
    const project = await store.getProject(projectId);
    // The PRISMA flow's input as the review views read it: counts per search and the keys of just the records followed past identification.
    const [prisma, protocol, lists, saved, synthesis, rows] = await Promise.all([
      loadPrismaInput(store, projectId),
      store.getProtocol(projectId),
      Promise.all([
        store.list(projectId, "studies"),
        store.list(projectId, "codebookItems"),
        store.list(projectId, "extractedValues"),
        store.list(projectId, "outcomes"),
        store.list(projectId, "effectSizes"),
        store.list(projectId, "appraisals"),
        store.list(projectId, "qualitativeFindings"),
        store.list(projectId, "reportedResults"),
        store.list(projectId, "recommendations"),
      ] as const),
      store.list(projectId, "savedAnalyses"),
      Promise.all([store.list(projectId, "gradeAssessments"), store.list(projectId, "jointDisplayRows"), store.list(projectId, "surveyQuestions"), store.list(projectId, "transcripts")] as const),
      riskOfBiasRows(store, projectId).then((d) => withExtractedModerators(store, projectId, ctx, d)),
    ]);
    const [studies, codebookItems, extractedValues, outcomes, effectSizes, appraisals, qualitativeFindings, reportedResults, recommendations] = lists;
    // Both collections are read whole here, so the blinding check decides from them (no query per item).
    const view = await blindView(store, projectId, ctx, { extractedValues, appraisals });
    const visible = async <T extends ExtractedValue | Appraisal>(c: "extractedValues" | "appraisals", xs: T[]): Promise<T[]> => {
      const out: T[] = [];
      for (const x of xs) if (await view.visible(c, x)) out.push(x);
      return out;
    };
    const latest = latestSavedAnalyses(saved);
    const analyses: SavedAnalysisInput[] = latest.map((s) => ({ id: s.name, name: s.name, version: s.version, spec: s.spec }));
    return {
      project: { id: project.id, title: project.title },
      ...prisma,
      protocol, studies,
      codebookItems,
      extractedValues: await visible("extractedValues", extractedValues),
      outcomes, effectSizes,
      appraisals: (await visible("appraisals", appraisals)).filter((a) => a.status !== "draft"),
      qualitativeFindings, reportedResults, recommendations,
      analyses,
      analysisRows: rows.rows,
      gradeAssessments: synthesis[0],
      jointDisplayRows: synthesis[1],
      surveyQuestions: synthesis[2],
      transcripts: synthesis[3],
      saved: latest,
      analysisData: rows,
    };
  }

  /** The report's data with the bundle's input (effect sizes with provenance, studies, the saved analyses and their rows). */
  async function liveData(projectId: string, ctx: RequestContext): Promise<ReportData> {
    const input = await liveInput(projectId, ctx);
    const d = buildReportData(input);
    if (input.saved.length === 0) return d;
    const reproducibility: Omit<ReproducibilityInput, "generatedAt"> = {
      project: input.project,
      data: { columns: input.analysisData.columns, rows: input.analysisData.rows },
      effectSizes: input.effectSizes,
      studies: input.studies,
      savedAnalyses: input.saved,
      prisma: {
        counts: review.prismaFlow(input).prisma,
        reasonLabels: Object.fromEntries(input.protocol.exclusionReasons.map((r) => [r.code, r.label])),
      },
    };
    return { ...d, reproducibility };
  }

  // Versions are few (one per release of a living review), but each holds its data (a megabyte or so): listed without it, and read whole one by one where rendered or compared.
  type VersionSummary = Pick<ReportVersion, "id" | "number" | "note" | "savedBy" | "savedAt" | "dataHash">;
  const versions = async (projectId: string): Promise<VersionSummary[]> =>
    (await store.listFields(projectId, "reportVersions", ["number", "note", "savedBy", "savedAt", "dataHash"])).sort((a, b) => a.number - b.number);
  const draftRow = async (projectId: string) => (await store.list(projectId, "reportVersions", { number: 0 }))[0];
  const versionRow = async (projectId: string, n: number): Promise<ReportVersion> => {
    const [row] = await store.list(projectId, "reportVersions", { number: n });
    if (!row || n === 0) throw new InputError(`report version ${n} does not exist`, 404);
    return row;
  };
  const summary = (v: VersionSummary): ReportVersionSummary => ({ number: v.number, note: v.note, savedBy: v.savedBy, savedAt: v.savedAt, dataHash: v.dataHash });

  /** The spec to render: the saved draft, else the default for these data. */
  const draftSpec = (row: ReportVersion | undefined, d: ReportData): ReportSpec => (row ? (row.spec as unknown as ReportSpec) : defaultReportSpec(d));

  async function overview(projectId: string, ctx: RequestContext): Promise<ReportOverview> {
    const [d, all, draft] = await Promise.all([liveData(projectId, ctx), versions(projectId), draftRow(projectId)]);
    const frozen = all.filter((v) => v.number > 0);
    const spec = draftSpec(draft, d);
    const latest = frozen[frozen.length - 1];
    return {
      spec,
      isDefault: !draft,
      savedBy: draft?.savedBy ?? null,
      savedAt: draft?.savedAt ?? null,
      versions: frozen.map(summary),
      changedSinceLatest: latest ? latest.dataHash !== reportDataHash(d) : true,
      available: {
        tables: Object.values(d.tables).map((t) => ({ id: t.id, caption: t.caption, rows: t.rows.length })),
        figures: Object.values(d.figures).map((f) => ({ id: f.id, title: f.title })),
        analyses: d.analyses.map((a) => ({ id: a.id, name: a.name, version: a.version })),
      },
      checklist: prismaChecklist(spec, d),
    };
  }

  /** What a rendering needs: the spec, the data, the previous version (for the updated-review flow) and a label. */
  async function rendering(projectId: string, version: number | undefined, ctx: RequestContext) {
    if (version !== undefined) {
      const row = await versionRow(projectId, version);
      const prev = version > 1 ? await versionRow(projectId, version - 1).catch(() => undefined) : undefined;
      return {
        spec: row.spec as unknown as ReportSpec,
        data: row.data as unknown as ReportData,
        label: `Version ${row.number}, frozen ${row.savedAt.slice(0, 10)} by ${row.savedBy}${row.note ? `: ${row.note}` : ""}`,
        previous: prev ? previousVersionOf(`version ${prev.number}`, prev.data as unknown as ReportData) : undefined,
        name: `report-v${row.number}`,
        row,
      };
    }
    const [d, all, draft] = await Promise.all([liveData(projectId, ctx), versions(projectId), draftRow(projectId)]);
    const frozen = all.filter((v) => v.number > 0);
    const latest = frozen.length ? await versionRow(projectId, frozen[frozen.length - 1]!.number) : undefined;
    return {
      spec: draftSpec(draft, d),
      data: d,
      label: `Draft over the project's data now${latest ? ` (after version ${latest.number})` : ""}`,
      previous: latest ? previousVersionOf(`version ${latest.number}`, latest.data as unknown as ReportData) : undefined,
      name: "report-draft",
      row: undefined,
    };
  }

  /**
   * The report as a file to keep (HTML, PDF, Word, or the bundle as a zip):
   * what a report job renders and keeps. The data are read here; the
   * figures are drawn and the file written in a worker thread (a PDF is
   * then printed by Chromium, in a process of its own). `onStep` says, in
   * words, what comes next.
   */
  async function document(
    projectId: string,
    format: ReportFormat,
    version: number | undefined,
    ctx: RequestContext,
    onStep: (fraction: number, words: string) => Promise<void> = async () => undefined,
    signal?: AbortSignal,
  ): Promise<{ bytes: Buffer; name: string; mediaType: string }> {
    await onStep(0.05, version === undefined ? "reading the project's data" : `reading version ${version}`);
    const x = await rendering(projectId, version, ctx);
    await onStep(0.3, format === "docx" ? "writing the Word document" : format === "bundle" ? "drawing the figures and zipping the bundle" : "drawing the figures");
    const file: ReportFileInput = { format, spec: x.spec, data: x.data, label: x.label, previous: x.previous, name: x.name, version: x.row?.number ?? null, generatedAt: x.row?.savedAt ?? new Date().toISOString() };
    // Drawing the figures and writing the file is CPU (seconds for a Word document's PNGs): in a worker thread, so other requests go on.
    const out = await renderReportFileInWorker(store, file, signal);
    if (format !== "pdf") return { bytes: Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength), name: out.name, mediaType: out.mediaType };
    await onStep(0.6, "printing the report to PDF");
    const { printReport } = await import("@homeward/report/pdf");
    const pdf = await printReport(
      (tocPages) => renderReportHtml(x.spec, x.data, { svgs: out.svgs, versionLabel: x.label, previous: x.previous, tocPages }),
      tocHeadings(x.spec),
      { footer: `${x.spec.title} · ${x.label.split(",")[0]}` },
    );
    return { bytes: Buffer.from(pdf), name: out.name, mediaType: out.mediaType };
  }

  return { liveData, versions, draftRow, versionRow, summary, draftSpec, overview, rendering, document };
}

export async function registerReportRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const { liveData, versions, draftRow, versionRow, summary, draftSpec, overview, rendering } = reportSource(store);

  serve(app, r.overview, async ({ params: { id }, ctx }) => overview(id, ctx));

  serve(app, r.saveSpec, async ({ params: { id }, body, ctx }) => {
    const spec = body.spec as unknown as Record<string, unknown>;
    const draft = await draftRow(id);
    if (draft) await store.update(id, "reportVersions", draft.id, { spec, ...signed(ctx) }, writer(ctx));
    else await store.insert(id, "reportVersions", [{ number: 0, spec, data: null, dataHash: null, note: null, ...signed(ctx) }], writer(ctx));
    return overview(id, ctx);
  });

  serve(app, r.resetSpec, async ({ params: { id }, ctx }) => {
    const draft = await draftRow(id);
    // The draft row is permanent (its history is in the audit log): going back to the default writes the default spec.
    if (draft) await store.update(id, "reportVersions", draft.id, { spec: defaultReportSpec(await liveData(id, ctx)) as unknown as Record<string, unknown>, ...signed(ctx) }, writer(ctx));
    return overview(id, ctx);
  });

  serve(app, r.freeze, async ({ params: { id }, body, ctx }) => {
    const [d, all, draft] = await Promise.all([liveData(id, ctx), versions(id), draftRow(id)]);
    const spec = draftSpec(draft, d);
    // A spec saved before the data changed may point at blocks the data no longer hold; it is checked as on save.
    parseInput(ReportSpecSchema, spec, "report spec");
    const next = Math.max(0, ...all.map((v) => v.number)) + 1;
    const [saved] = await store.insert(
      id,
      "reportVersions",
      [{ number: next, spec: spec as unknown as Record<string, unknown>, data: d as unknown as Record<string, unknown>, dataHash: reportDataHash(d), note: body.note?.trim() || null, ...signed(ctx) }],
      writer(ctx, body.note?.trim() || null),
    );
    return summary(saved!);
  });

  app.addHook("onClose", async () => closeReportWorker(store));

  // The preview in the app (a frame); a file to keep is made by a report job (../jobs.ts). Drawn in the
  // report's kept worker thread, as a job's file is: the reunification example's held the event loop 240–390 ms.
  serve(app, r.html, async ({ params: { id }, query: q, reply, ctx }) => {
    const x = await rendering(id, q.version, ctx);
    const file = await renderReportFileInWorker(store, { format: "html", spec: x.spec, data: x.data, label: x.label, previous: x.previous, name: x.name, version: x.row?.number ?? null, generatedAt: x.row?.savedAt ?? new Date().toISOString() });
    const html = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    // The report is a document of its own (inline styles, images as data URIs), shown in the app in a frame.
    reply.header("content-security-policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'").header("x-frame-options", "SAMEORIGIN");
    return reply.type("text/html; charset=utf-8").send(html);
  });

  serve(app, r.changes, async ({ params: { id }, query: q, ctx }) => {
    const all = (await versions(id)).filter((v) => v.number > 0);
    if (all.length === 0) throw new InputError("the report has no frozen version yet: freeze one to compare later data with it", 404);
    const from = q.from ?? all[all.length - 1]!.number;
    if (!all.some((v) => v.number === from)) throw new InputError(`report version ${from} does not exist`, 404);
    const a = await versionRow(id, from);
    let to: ReportData;
    let until: string | null = null;
    if (q.to !== undefined) {
      if (!all.some((v) => v.number === q.to)) throw new InputError(`report version ${q.to} does not exist`, 404);
      const b = await versionRow(id, q.to);
      to = b.data as unknown as ReportData;
      until = b.savedAt;
    } else {
      to = await liveData(id, ctx);
    }
    // The causes: audit entries written after the earlier version was frozen (and up to the later one), newest first, a bounded number of pages.
    const audit: AuditCause[] = [];
    let complete = false;
    for (let page = 0; page < AUDIT_PAGES; page++) {
      const got = await store.listAudit(id, { offset: page * AUDIT_PAGE, limit: AUDIT_PAGE });
      for (const e of got.items) {
        if (e.at <= a.savedAt) {
          complete = true;
          break;
        }
        if (until === null || e.at <= until) audit.push({ at: e.at, actor: e.actor, action: e.action, entity: e.entity, entityId: e.entityId, reason: e.reason, after: e.after, before: e.before });
      }
      if (complete || got.items.length < AUDIT_PAGE) {
        complete = true;
        break;
      }
    }
    return { from, to: q.to ?? null, changes: reportChanges(a.data as unknown as ReportData, to, audit), causesComplete: complete };
  });
}
