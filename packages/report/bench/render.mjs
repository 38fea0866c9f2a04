// Times the example project's full report: data, HTML (figures drawn) and PDF (headless Chromium), and the bundle's size.
import { readFileSync, existsSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReportData, defaultReportSpec, renderReport, reportBundleFiles, zipFiles } from "../dist/index.js";
import { htmlToPdf } from "../dist/pdf.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = join(root, "examples/reunification");

/** A directory bundle as a report's input (records only as the PRISMA flow's keys). */
export function exampleInput(folder = dir) {
  const meta = JSON.parse(readFileSync(join(folder, "project.json"), "utf8"));
  const read = (c) => (existsSync(join(folder, `${c}.json`)) ? JSON.parse(readFileSync(join(folder, `${c}.json`), "utf8")) : []);
  const records = read("records").map(({ id, searchId, duplicateGroupId }) => ({ id, searchId: searchId ?? null, duplicateGroupId: duplicateGroupId ?? null }));
  const protocol = { exclusionReasons: [], outcomeDomains: [], classifications: [], ratingScheme: [], lists: {}, eligibility: { inclusion: [], exclusion: [] }, picot: {}, question: "", ...meta.protocol };
  protocol.picot = { population: "", intervention: "", comparison: "", outcomes: "", timing: "", setting: "", ...protocol.picot };
  const c = (name) => read(name);
  const withDefaults = (xs, d) => xs.map((x) => ({ ...d, ...x }));
  return {
    project: { id: meta.project.id, title: meta.project.title },
    protocol,
    records,
    searches: c("searches"),
    duplicateGroups: c("duplicateGroups"),
    screeningDecisions: c("screeningDecisions"),
    reconciliations: c("reconciliations"),
    fullTextRetrievals: c("fullTextRetrievals"),
    recordedCounts: c("recordedCounts"),
    studies: withDefaults(c("studies"), { classifications: {}, attributes: {}, arms: [], timePoints: [] }),
    studyReports: c("studyReports"),
    codebookItems: c("codebookItems"),
    extractedValues: c("extractedValues"),
    outcomes: c("outcomes"),
    effectSizes: c("effectSizes"),
    appraisals: withDefaults(c("appraisals"), { status: "submitted" }),
    qualitativeFindings: c("qualitativeFindings"),
    reportedResults: c("reportedResults"),
    recommendations: c("recommendations"),
  };
}

const ms = (t) => `${(performance.now() - t).toFixed(0)} ms`;
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = exampleInput();
  let t = performance.now();
  const data = buildReportData(input);
  console.log(`data: ${ms(t)} (${Object.keys(data.tables).length} tables, ${Object.keys(data.figures).length} figures)`);
  const spec = defaultReportSpec(data);
  t = performance.now();
  const html = await renderReport(spec, data, { versionLabel: "Draft" });
  console.log(`HTML: ${ms(t)} (${(html.length / 1024).toFixed(0)} KiB)`);
  t = performance.now();
  const pdf = await htmlToPdf(html, { footer: spec.title });
  console.log(`PDF (Chromium start included): ${ms(t)} (${(pdf.length / 1024).toFixed(0)} KiB)`);
  const files = reportBundleFiles(html, data);
  t = performance.now();
  const zip = await zipFiles(files);
  console.log(`bundle: ${files.length} files, ${(files.reduce((n, f) => n + (typeof f.content === "string" ? Buffer.byteLength(f.content) : f.content.length), 0) / 1024).toFixed(0)} KiB, zip ${(zip.length / 1024).toFixed(0)} KiB in ${ms(t)}`);
  // Scale: the example with 100,000 records screened by two reviewers at title and abstract (200,000 decisions).
  const big = exampleInput();
  const n = 100_000;
  big.records = Array.from({ length: n }, (_, i) => ({ id: `r${i}`, searchId: big.searches[i % big.searches.length].id, duplicateGroupId: null }));
  big.screeningDecisions = big.records.flatMap((r, i) =>
    ["ana", "ben"].map((reviewer, j) => ({
      id: `${r.id}-${reviewer}`, recordId: r.id, stage: "title_abstract", reviewer,
      decision: (i + j * (i % 7 === 0 ? 1 : 0)) % 10 === 0 ? "include" : "exclude", reasons: [], note: null, labels: [], at: `2026-01-0${1 + j}T00:00:00.000Z`,
    })),
  );
  t = performance.now();
  const bigData = buildReportData(big);
  console.log(`data at ${n} records and ${big.screeningDecisions.length} decisions: ${ms(t)} (title/abstract agreement ${bigData.facts.screening[0].agreement.percent.toFixed(1)}%)`);
  const out = process.env.REPORT_BENCH_OUT;
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "report.html"), html);
    writeFileSync(join(out, "report.pdf"), pdf);
    writeFileSync(join(out, "bundle.zip"), zip);
  }
}
