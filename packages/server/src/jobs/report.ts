import { KeptWorker, workerFile } from "@homeward/model/node";
import * as review from "@homeward/review";
import { renderDocx, renderReportHtml, reportBundleFiles, reportSvgs, zipFiles, type BundleFile, type PreviousVersion, type ReportData, type ReportSpec } from "@homeward/report";
import type { ReportFormat } from "@homeward/api";
import type { ReproducibilityInput } from "@homeward/review";

/** What a report's file is rendered from: read from the store beforehand (`routes/report.ts`), plain data a worker thread can take. */
export interface ReportFileInput {
  format: ReportFormat;
  spec: ReportSpec;
  data: ReportData;
  /** "Version 2, frozen … by …" or "Draft over the project's data now". */
  label: string;
  previous?: PreviousVersion;
  /** The file's name without its extension ("report-draft", "report-v2"). */
  name: string;
  /** The frozen version's number; null: the draft. */
  version: number | null;
  /** When the version was frozen (the draft: now): the reproducibility bundle's date. */
  generatedAt: string;
}

/** The file; a PDF is printed by Chromium afterwards (from `svgs`), so its `bytes` are empty here. */
export interface ReportFileOutput {
  bytes: Uint8Array;
  name: string;
  mediaType: string;
  svgs: Record<string, string>;
}

/** The reproducibility bundle's files: the report, its data, the R script and data of the saved analyses. */
function bundleFiles(x: ReportFileInput, html: string): BundleFile[] {
  const extra: BundleFile[] = [];
  // The R script and analysis data of the saved analyses, as they stood for this version (or stand now, for the draft).
  if (x.data.reproducibility) {
    const files = review.buildReproducibilityBundle({ ...(x.data.reproducibility as ReproducibilityInput), generatedAt: x.generatedAt });
    for (const f of files) if (f.path !== "manifest.json") extra.push({ path: `reproducibility/${f.path}`, content: f.content });
  }
  return reportBundleFiles(html, x.data, extra, {
    format: "homeward-report-bundle",
    project: x.data.facts.projectId,
    version: x.version ?? "draft",
    reproducibility: extra.length ? "reproducibility/ holds the effect sizes with their provenance, study characteristics and the R script reproducing the saved analyses (its own manifest is folded into this one)" : "the project has no saved analysis to reproduce in R",
  });
}

/** The rendering itself: figures drawn, then the HTML, the Word document or the bundle (for a PDF, the figures only). */
export async function renderReportFile(x: ReportFileInput): Promise<ReportFileOutput> {
  if (x.format === "docx") {
    const docx = await renderDocx(x.spec, x.data, { versionLabel: x.label, previous: x.previous });
    return { bytes: docx, name: `${x.name}.docx`, mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", svgs: {} };
  }
  const svgs = await reportSvgs(x.spec, x.data);
  if (x.format === "pdf") return { bytes: new Uint8Array(0), name: `${x.name}.pdf`, mediaType: "application/pdf", svgs };
  const html = renderReportHtml(x.spec, x.data, { svgs, versionLabel: x.label, previous: x.previous });
  if (x.format === "html") return { bytes: Buffer.from(html, "utf8"), name: `${x.name}.html`, mediaType: "text/html; charset=utf-8", svgs: {} };
  return { bytes: await zipFiles(bundleFiles(x, html)), name: `${x.name}.zip`, mediaType: "application/zip", svgs: {} };
}

/**
 * Rendering is CPU (drawing a report's figures, a Word document's as PNG
 * synchronously, and writing the file: from a few hundred milliseconds to
 * seconds), which on the main thread would hold every request the server
 * answers meanwhile; so it is done in a worker thread, one per server (per
 * store), kept between files: starting a thread and loading the report's
 * modules took about 2 s per file when each file had a thread of its own.
 * Started at the first file, ended when the server closes (`closeReportWorker`),
 * replaced if it dies (the job's retry runs on the new one). Tests running
 * the TypeScript sources use the build's worker when there is one, and render
 * on this thread otherwise.
 */
const kept = new WeakMap<object, KeptWorker<ReportFileInput, ReportFileOutput>>();

/** The report worker of the server over `owner` (its store). */
export function reportWorker(owner: object): KeptWorker<ReportFileInput, ReportFileOutput> {
  let w = kept.get(owner);
  if (!w) {
    w = new KeptWorker<ReportFileInput, ReportFileOutput>({
      file: workerFile(new URL("./report-worker.js", import.meta.url), import.meta.url, new URL("../../dist/jobs/report-worker.js", import.meta.url)),
      inline: renderReportFile,
      name: "report",
    });
    kept.set(owner, w);
  }
  return w;
}

/** Ends the report worker of `owner` (a later rendering starts another). */
export async function closeReportWorker(owner: object): Promise<void> {
  const w = kept.get(owner);
  kept.delete(owner);
  await w?.close();
}

export function renderReportFileInWorker(owner: object, input: ReportFileInput, signal?: AbortSignal): Promise<ReportFileOutput> {
  return reportWorker(owner).run(input, { signal });
}
