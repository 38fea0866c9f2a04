// Times the example project's full report: data, HTML (figures drawn) and PDF (headless Chromium), and the bundle's size.
import { readFileSync, existsSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseProjectFile } from "@homeward/model";
import { buildReportData, defaultReportSpec, renderDocx, renderReport, renderReportHtml, reportBundleFiles, reportSvgs, tocHeadings, zipFiles } from "../dist/index.js";
import { htmlToPdf, printReport } from "../dist/pdf.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = join(root, "examples/reunification");

/** A directory bundle (project.json and one file per collection) as a report's input, parsed by the model as an import would. */
export function exampleInput(folder = dir) {
  const meta = JSON.parse(readFileSync(join(folder, "project.json"), "utf8"));
  const file = { ...meta };
  for (const name of readdirSync(folder)) {
    if (!name.endsWith(".json") || name === "project.json") continue;
    file[name.slice(0, -5)] = JSON.parse(readFileSync(join(folder, name), "utf8"));
  }
  const p = parseProjectFile(file);
  return {
    ...p,
    project: { id: p.project.id, title: p.project.title },
    records: p.records.map(({ id, searchId, duplicateGroupId }) => ({ id, searchId, duplicateGroupId })),
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
  const once = await htmlToPdf(html, { footer: spec.title });
  console.log(`PDF, one print (Chromium start included): ${ms(t)} (${(once.length / 1024).toFixed(0)} KiB)`);
  t = performance.now();
  const svgs = await reportSvgs(spec, data);
  const pdf = await printReport((tocPages) => renderReportHtml(spec, data, { svgs, versionLabel: "Draft", tocPages }), tocHeadings(spec), { footer: spec.title });
  console.log(`PDF with page numbers in the contents (figures, two prints, reading the first back): ${ms(t)} (${(pdf.length / 1024).toFixed(0)} KiB)`);
  t = performance.now();
  const docx = await renderDocx(spec, data, { versionLabel: "Draft" });
  console.log(`DOCX (figures drawn to PNG): ${ms(t)} (${(docx.length / 1024).toFixed(0)} KiB)`);
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
    writeFileSync(join(out, "report.docx"), docx);
  }
}
