import { renderSvg } from "@homeward/figures";
import { generatedText } from "./default-spec.js";
import { prismaChecklist } from "./prisma-items.js";
import type { ReportAnalysis, ReportBlock, ReportData, ReportFigure, ReportSection, ReportSpec, ReportTable } from "./types.js";
import { updateFlowTable, type PreviousVersion } from "./versions.js";

export interface RenderOptions {
  /** Each figure's SVG by figure id (`renderReport` draws them). */
  svgs: Record<string, string>;
  /** Shown under the title: "Version 3, frozen 2026-12-04" or "Draft". */
  versionLabel?: string;
  /** The version before this one: the PRISMA flow then gets the updated-review boxes. */
  previous?: PreviousVersion;
  /** The page each section starts on (by section id), for the printed contents. */
  tocPages?: Record<string, number>;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** The team's and the generated words: paragraphs split by blank lines, "- " lines as a list. */
export function textHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const lines = block.split("\n");
      if (lines.every((l) => l.trimStart().startsWith("- "))) return `<ul>${lines.map((l) => `<li>${escapeHtml(l.trimStart().slice(2))}</li>`).join("")}</ul>`;
      const out: string[] = [];
      let para: string[] = [];
      let items: string[] = [];
      const flush = () => {
        if (para.length) out.push(`<p>${para.map(escapeHtml).join("<br>")}</p>`);
        if (items.length) out.push(`<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`);
        para = [];
        items = [];
      };
      for (const l of lines) {
        if (l.trimStart().startsWith("- ")) {
          if (para.length) flush();
          items.push(l.trimStart().slice(2));
        } else {
          if (items.length) flush();
          para.push(l);
        }
      }
      flush();
      return out.join("");
    })
    .join("\n");
}

/** Figures and tables in reading order, each with its number, for captions and Appendix A. */
export interface Numbering {
  figures: Map<string, number>;
  tables: Map<string, number>;
}

function blockFigures(b: ReportBlock, d: ReportData): string[] {
  if (b.kind === "figure") return d.figures[b.id] ? [b.id] : [];
  if (b.kind === "analysis") return analysisOf(b, d)?.figureIds.filter((id) => d.figures[id]) ?? [];
  return [];
}

export function analysisOf(b: Extract<ReportBlock, { kind: "analysis" }>, d: ReportData): ReportAnalysis | undefined {
  return d.analyses.find((a) => a.id === b.id && (b.version === null || a.version === b.version)) ?? d.analyses.find((a) => a.id === b.id);
}

export function numbering(spec: ReportSpec, d: ReportData): Numbering {
  const figures = new Map<string, number>();
  const tables = new Map<string, number>();
  for (const s of spec.sections) {
    for (const b of s.blocks) {
      for (const id of blockFigures(b, d)) if (!figures.has(id)) figures.set(id, figures.size + 1);
      if (b.kind === "table" && d.tables[b.id] && !tables.has(b.id)) tables.set(b.id, tables.size + 1);
    }
  }
  return { figures, tables };
}

/** Figures the spec shows (what `renderReport` must draw). */
export function reportFigureIds(spec: ReportSpec, d: ReportData): string[] {
  return [...numbering(spec, d).figures.keys()];
}

function tableHtml(t: ReportTable, n: number | undefined, idPrefix = "table"): string {
  const caption = `${n ? `Table ${n}. ` : ""}${escapeHtml(t.caption)}`;
  if (t.rows.length === 0) return `<p class="empty" id="${idPrefix}-${escapeHtml(t.id)}"><strong>${caption}:</strong> no data in the project.</p>`;
  const head = `<thead><tr>${t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join("")}</tr></thead>`;
  const body = `<tbody>${t.rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join("")}</tr>`)
    .join("\n")}</tbody>`;
  const note = t.note ? `<p class="note">${escapeHtml(t.note)}</p>` : "";
  return `<div class="table-wrap" role="region" aria-labelledby="${idPrefix}-${escapeHtml(t.id)}-caption" tabindex="0"><table id="${idPrefix}-${escapeHtml(t.id)}"><caption id="${idPrefix}-${escapeHtml(t.id)}-caption">${caption}</caption>${head}${body}</table></div>${note}`;
}

function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

function figureHtml(f: ReportFigure, n: number, svg: string | undefined): string {
  const id = `figure-${escapeHtml(f.id)}`;
  const img = svg
    ? `<img src="${svgDataUri(svg)}" alt="${escapeHtml(f.alt)}" aria-describedby="${id}-more">`
    : `<p class="missing">The figure could not be drawn.</p>`;
  return `<figure id="${id}">${img}<figcaption>Figure ${n}. ${escapeHtml(f.title)}</figcaption><p class="figure-more" id="${id}-more">A long description of Figure ${n} is in <a href="#description-${escapeHtml(f.id)}">Appendix A</a>.</p></figure>`;
}

const fmt = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? "—" : x.toFixed(digits));

function analysisHtml(a: ReportAnalysis, d: ReportData, num: Numbering, opts: RenderOptions, level: number): string {
  const h = Math.min(level + 1, 6);
  const title = `${escapeHtml(a.name)}${a.version !== null ? ` (version ${a.version})` : ""}`;
  if (a.error) return `<section class="analysis"><h${h}>${title}</h${h}><p class="missing">This analysis could not be fitted to the data: ${escapeHtml(a.error)}</p></section>`;
  const coef: ReportTable = {
    id: `analysis-${a.id}`,
    caption: `${a.name}: ${a.model}`,
    columns: ["Term", "Estimate", "SE", "95% CI", "p"],
    rows: a.coefficients.map((c) => [c.term, fmt(c.estimate, 3), fmt(c.se, 3), `${fmt(c.ciLower, 3)} to ${fmt(c.ciUpper, 3)}`, c.p < 0.001 ? "<0.001" : c.p.toFixed(3)]),
    note: [
      `k = ${a.k} effect sizes from ${a.studies} ${a.studies === 1 ? "study" : "studies"}`,
      a.tau2 !== null ? `τ² = ${fmt(a.tau2, 4)}` : "",
      a.I2 !== null ? `I² = ${fmt(a.I2, 1)}%` : "",
      a.prediction ? `95% prediction interval ${fmt(a.prediction.lower, 3)} to ${fmt(a.prediction.upper, 3)}` : "",
      a.source === "default" ? "Default analysis: every effect size of the most frequent measure, REML" : "",
    ].filter(Boolean).join("; "),
  };
  const figs = a.figureIds.filter((id) => d.figures[id]).map((id) => figureHtml(d.figures[id]!, num.figures.get(id)!, opts.svgs[id]));
  return `<section class="analysis" id="analysis-${escapeHtml(a.id)}"><h${h}>${title}</h${h}>${tableHtml(coef, undefined, "analysis")}${figs.join("\n")}</section>`;
}

function checklistHtml(spec: ReportSpec, d: ReportData): string {
  const items = prismaChecklist(spec, d);
  const missing = items.filter((i) => i.status === "missing").length;
  const rows = items
    .map(
      (i) =>
        `<tr class="${i.status}"><th scope="row">${escapeHtml(i.item)}</th><td>${escapeHtml(i.section)}</td><td>${escapeHtml(i.topic)}</td><td>${i.sectionId ? `<a href="#${escapeHtml(i.sectionId)}">${escapeHtml(spec.sections.find((s) => s.id === i.sectionId)?.heading ?? i.sectionId)}</a>` : "—"}</td><td>${i.status === "data" ? "From the data" : i.status === "text" ? "Written" : "<strong>Missing</strong>"}</td><td>${escapeHtml(i.detail)}</td></tr>`,
    )
    .join("\n");
  return `<p>${items.length - missing} of ${items.length} items are reported; ${missing} ${missing === 1 ? "is" : "are"} missing.</p><div class="table-wrap" role="region" aria-labelledby="checklist-caption" tabindex="0"><table id="table-checklist"><caption id="checklist-caption">PRISMA 2020 checklist: where each item is reported</caption><thead><tr><th scope="col">Item</th><th scope="col">Section</th><th scope="col">Topic</th><th scope="col">Reported in</th><th scope="col">Status</th><th scope="col">Detail</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function descriptionsHtml(d: ReportData, num: Numbering): string {
  if (num.figures.size === 0) return "<p>The report has no figures.</p>";
  return [...num.figures.entries()]
    .map(([id, n]) => {
      const f = d.figures[id]!;
      return `<section class="description" id="description-${escapeHtml(id)}"><h3>Figure ${n}. ${escapeHtml(f.title)}</h3>${textHtml(f.description)}<p><a href="#figure-${escapeHtml(id)}">Back to Figure ${n}</a></p></section>`;
    })
    .join("\n");
}

/** Appendix letters in order (A, B, …, Z, AA, …). */
export const letter = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26));

function headingOf(s: ReportSection, appendixIndex: Map<string, number>): string {
  const i = appendixIndex.get(s.id);
  return i === undefined ? s.heading : `Appendix ${letter(i)}. ${s.heading}`;
}

/** Which PRISMA items of a section neither the data nor the team's text fill. */
function missingNote(s: ReportSection, generated: string): string {
  if (s.prismaItems.length === 0 || generated.trim() || s.text.trim() || s.blocks.length) return "";
  return `<p class="missing" role="note"><strong>Missing:</strong> PRISMA 2020 item${s.prismaItems.length > 1 ? "s" : ""} ${s.prismaItems.join(", ")}: the project holds no data for ${s.prismaItems.length > 1 ? "them" : "it"} and no text has been written.</p>`;
}

export const REPORT_CSS = `
:root { color-scheme: light; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #1a1a1a; background: #fff; line-height: 1.5; margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-size: 1rem; }
h1, h2, h3, h4 { line-height: 1.25; color: #102a43; }
h1.title { font-size: 2rem; margin-bottom: 0.25rem; }
.subtitle, .version { color: #3d4852; margin: 0.25rem 0; }
a { color: #0b4f9c; }
a:focus, .table-wrap:focus { outline: 3px solid #0b4f9c; outline-offset: 2px; }
nav.toc ol { padding-left: 1.5rem; }
nav.toc li { margin: 0.15rem 0; }
nav.toc a { display: flex; gap: 0.5rem; }
.toc-page { margin-left: auto; padding-left: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; caption-side: top; }
th, td { border: 1px solid #6b7785; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #e8edf2; }
tbody th { font-weight: normal; background: #f6f8fa; }
p.note { font-size: 0.8125rem; color: #3d4852; margin-top: -0.5rem; }
figure { margin: 1.5rem 0; break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-weight: bold; margin-top: 0.5rem; }
.figure-more { font-size: 0.875rem; color: #3d4852; }
.missing { background: #fff4e5; border-left: 4px solid #8a4b00; color: #4a2800; padding: 0.4rem 0.6rem; }
tr.missing td, tr.missing th { background: #fff4e5; color: #4a2800; }
.generated { border-left: 3px solid #9fb3c8; padding-left: 0.75rem; }
.generated-label { font-size: 0.8125rem; color: #3d4852; margin: 0; }
.empty { color: #3d4852; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section.chapter { break-before: page; }
  nav.toc { break-after: page; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  /* A figure taller than a page (a forest plot of a hundred outcomes) runs on rather than shrinking past reading. */
  figure { break-inside: auto; }
  a { color: #1a1a1a; text-decoration: none; }
}
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
`;

/**
 * The report as one accessible HTML document: the title, a table of
 * contents, each section's generated words, the team's words and its
 * blocks (numbered tables with captions and header scopes, numbered figures
 * with alt text and a link to their long description), appendices lettered
 * in order. The same HTML is the app's preview, the download and what
 * Chromium prints to PDF.
 */
/** Each section's heading as printed (appendices with their letter), in order: what the printed contents look up. */
export function tocHeadings(spec: ReportSpec): { id: string; text: string }[] {
  const appendixIndex = new Map(spec.sections.filter((s) => s.appendix).map((s, i) => [s.id, i]));
  return spec.sections.map((s) => ({ id: s.id, text: headingOf(s, appendixIndex) }));
}

export function renderReportHtml(spec: ReportSpec, d: ReportData, opts: RenderOptions): string {
  const num = numbering(spec, d);
  const appendixIndex = new Map(spec.sections.filter((s) => s.appendix).map((s, i) => [s.id, i]));
  const page = (id: string) => (opts.tocPages?.[id] !== undefined ? `<span class="toc-page"><span class="visually-hidden">, page </span>${opts.tocPages[id]}</span>` : "");
  const toc = spec.sections
    .filter((s) => s.level === 1)
    .map((s) => {
      const subs = spec.sections.slice(spec.sections.indexOf(s) + 1);
      const end = subs.findIndex((x) => x.level === 1);
      const children = (end < 0 ? subs : subs.slice(0, end)).map((c) => `<li><a href="#${escapeHtml(c.id)}">${escapeHtml(c.heading)}${page(c.id)}</a></li>`);
      return `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(headingOf(s, appendixIndex))}${page(s.id)}</a>${children.length ? `<ol>${children.join("")}</ol>` : ""}</li>`;
    })
    .join("\n");

  const body: string[] = [];
  let open = false;
  for (const s of spec.sections) {
    const generated = s.generated ? generatedText(s.id, d) : "";
    const parts: string[] = [];
    const h = s.level === 1 ? 2 : 3;
    parts.push(`<h${h} id="${escapeHtml(s.id)}">${escapeHtml(headingOf(s, appendixIndex))}</h${h}>`);
    if (s.prismaItems.length) parts.push(`<p class="prisma-items">PRISMA 2020 item${s.prismaItems.length > 1 ? "s" : ""}: ${escapeHtml(s.prismaItems.join(", "))}</p>`);
    if (generated.trim()) parts.push(`<div class="generated"><p class="generated-label">From the project's data:</p>${textHtml(generated)}</div>`);
    if (s.text.trim()) parts.push(textHtml(s.text));
    parts.push(missingNote(s, generated));
    for (const b of s.blocks) {
      if (b.kind === "table") {
        const t = d.tables[b.id];
        parts.push(t ? tableHtml(t, num.tables.get(b.id)) : `<p class="missing">Table "${escapeHtml(b.id)}" is not in the project's data.</p>`);
      } else if (b.kind === "figure") {
        const f = d.figures[b.id];
        parts.push(f ? figureHtml(f, num.figures.get(b.id)!, opts.svgs[b.id]) : `<p class="missing">Figure "${escapeHtml(b.id)}" is not in the project's data.</p>`);
      } else if (b.kind === "analysis") {
        const a = analysisOf(b, d);
        // A block pinned to a version the data no longer carry shows the one in force, and says so.
        const pinned = a && b.version !== null && a.version !== b.version ? `<p class="missing" role="note">The section cites version ${b.version} of "${escapeHtml(a.name)}"; shown is version ${a.version ?? "—"}, the one the data hold.</p>` : "";
        parts.push(a ? pinned + analysisHtml(a, d, num, opts, h) : `<p class="missing">Analysis "${escapeHtml(b.id)}" is not in the project.</p>`);
      } else if (b.kind === "checklist") {
        parts.push(checklistHtml(spec, d));
      } else if (b.kind === "descriptions") {
        parts.push(descriptionsHtml(d, num));
      }
    }
    if (s.id === "study-selection" && opts.previous) parts.push(tableHtml(updateFlowTable(opts.previous, d), undefined, "update"));
    if (s.level === 1) {
      if (open) body.push("</section>");
      body.push(`<section class="chapter${s.appendix ? " appendix" : ""}" aria-labelledby="${escapeHtml(s.id)}">`);
      open = true;
    }
    body.push(parts.filter(Boolean).join("\n"));
  }
  if (open) body.push("</section>");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1 class="title">${escapeHtml(spec.title)}</h1>
${spec.subtitle ? `<p class="subtitle">${escapeHtml(spec.subtitle)}</p>` : ""}
${opts.versionLabel ? `<p class="version">${escapeHtml(opts.versionLabel)}</p>` : ""}
</header>
<nav class="toc" aria-labelledby="toc-heading">
<h2 id="toc-heading">Contents</h2>
<ol>${toc}</ol>
</nav>
<main>
${body.join("\n")}
</main>
</body>
</html>
`;
}

/** The SVG of each figure the spec shows. */
export async function reportSvgs(spec: ReportSpec, d: ReportData): Promise<Record<string, string>> {
  const svgs: Record<string, string> = {};
  for (const id of reportFigureIds(spec, d)) svgs[id] = await renderSvg(d.figures[id]!);
  return svgs;
}

/** Draws the figures the spec shows, then renders the HTML. */
export async function renderReport(spec: ReportSpec, d: ReportData, opts: Omit<RenderOptions, "svgs"> = {}): Promise<string> {
  return renderReportHtml(spec, d, { ...opts, svgs: await reportSvgs(spec, d) });
}
