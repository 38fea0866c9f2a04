import {
  AlignmentType,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableOfContents,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { renderPng } from "@homeward/figures";
import { generatedText } from "./default-spec.js";
import { analysisOf, letter, numbering, reportFigureIds } from "./html.js";
import { prismaChecklist } from "./prisma-items.js";
import type { ReportAnalysis, ReportData, ReportSpec, ReportTable } from "./types.js";
import { updateFlowTable, type PreviousVersion } from "./versions.js";

export interface DocxOptions {
  /** Each figure's PNG by figure id (`renderReportDocx` draws them). */
  pngs: Record<string, Uint8Array>;
  /** Pixels per CSS pixel of the PNGs (2 prints sharply at the drawn size). */
  pngScale?: number;
  versionLabel?: string;
  previous?: PreviousVersion;
}

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4] as const;

/** A PNG's size in pixels, from its IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function textParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  for (const block of text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean)) {
    for (const line of block.split("\n")) {
      const bullet = line.trimStart().startsWith("- ");
      out.push(new Paragraph({ text: bullet ? line.trimStart().slice(2) : line, ...(bullet ? { bullet: { level: 0 } } : {}) }));
    }
  }
  return out;
}

function tableBlock(t: ReportTable, n: number | undefined): (Paragraph | Table)[] {
  const caption = new Paragraph({ children: [new TextRun({ text: `${n ? `Table ${n}. ` : ""}${t.caption}`, bold: true })], keepNext: true });
  if (t.rows.length === 0) return [new Paragraph({ text: `${n ? `Table ${n}. ` : ""}${t.caption}: no data in the project.` })];
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold, size: 18 })] })] });
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      // The header row repeats on each page, as the HTML's thead does in print.
      new TableRow({ tableHeader: true, children: t.columns.map((c) => cell(c, true)) }),
      ...t.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cell(c, i === 0)) })),
    ],
  });
  return [caption, table, ...(t.note ? [new Paragraph({ children: [new TextRun({ text: t.note, size: 16 })] })] : [])];
}

/** Widest a figure is drawn: the A4 text width (16 cm) in pixels at 96 per inch. */
const MAX_WIDTH = 605;

function figureBlock(id: string, d: ReportData, n: number, png: Uint8Array | undefined, pngScale = 1): Paragraph[] {
  const f = d.figures[id]!;
  const out: Paragraph[] = [];
  if (png) {
    const px = pngSize(png);
    const width = px.width / pngScale, height = px.height / pngScale;
    const scale = Math.min(1, MAX_WIDTH / width);
    out.push(
      new Paragraph({
        keepNext: true,
        children: [new ImageRun({ type: "png", data: png, transformation: { width: Math.round(width * scale), height: Math.round(height * scale) }, altText: { name: f.title, title: f.title, description: f.alt } })],
      }),
    );
  }
  out.push(new Paragraph({ children: [new TextRun({ text: `Figure ${n}. ${f.title}`, bold: true })] }));
  out.push(new Paragraph({ text: `A long description of Figure ${n} is in Appendix A.` }));
  return out;
}

function analysisBlock(a: ReportAnalysis, d: ReportData, figureNumber: Map<string, number>, pngs: Record<string, Uint8Array>, level: number, pngScale: number): (Paragraph | Table)[] {
  const heading = new Paragraph({ text: `${a.name}${a.version !== null ? ` (version ${a.version})` : ""}`, heading: HEADINGS[Math.min(level, 3)] });
  if (a.error) return [heading, new Paragraph({ text: `This analysis could not be fitted to the data: ${a.error}` })];
  const f = (x: number | null, k: number) => (x === null || !Number.isFinite(x) ? "—" : x.toFixed(k));
  const coef: ReportTable = {
    id: `analysis-${a.id}`,
    caption: `${a.name}: ${a.model}`,
    columns: ["Term", "Estimate", "SE", "95% CI", "p"],
    rows: a.coefficients.map((c) => [c.term, f(c.estimate, 3), f(c.se, 3), `${f(c.ciLower, 3)} to ${f(c.ciUpper, 3)}`, c.p < 0.001 ? "<0.001" : c.p.toFixed(3)]),
    note: [`k = ${a.k} effect sizes from ${a.studies} studies`, a.tau2 !== null ? `τ² = ${f(a.tau2, 4)}` : "", a.I2 !== null ? `I² = ${f(a.I2, 1)}%` : ""].filter(Boolean).join("; "),
  };
  return [heading, ...tableBlock(coef, undefined), ...a.figureIds.filter((id) => d.figures[id]).flatMap((id) => figureBlock(id, d, figureNumber.get(id)!, pngs[id], pngScale))];
}

/**
 * The report as a Word document (docx): the same spec and data as the HTML,
 * with Word's own headings (so its navigation pane and contents field work),
 * a contents field Word fills on opening, page numbers in the footer, tables
 * with a repeating header row and figures as PNG with their alternative text.
 */
export async function renderReportDocx(spec: ReportSpec, d: ReportData, opts: DocxOptions): Promise<Buffer> {
  const num = numbering(spec, d);
  const appendixIndex = new Map(spec.sections.filter((s) => s.appendix).map((s, i) => [s.id, i]));
  const children: (Paragraph | Table | TableOfContents)[] = [
    new Paragraph({ text: spec.title, heading: HeadingLevel.TITLE }),
    ...(spec.subtitle ? [new Paragraph({ text: spec.subtitle })] : []),
    ...(opts.versionLabel ? [new Paragraph({ text: opts.versionLabel })] : []),
    new Paragraph({ text: "Contents", heading: HeadingLevel.HEADING_1 }),
    new TableOfContents("Contents", { hyperlink: true, headingStyleRange: "1-2" }),
  ];
  for (const s of spec.sections) {
    const i = appendixIndex.get(s.id);
    children.push(new Paragraph({ text: i === undefined ? s.heading : `Appendix ${letter(i)}. ${s.heading}`, heading: s.level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2, pageBreakBefore: s.level === 1 }));
    if (s.prismaItems.length) children.push(new Paragraph({ children: [new TextRun({ text: `PRISMA 2020 item${s.prismaItems.length > 1 ? "s" : ""}: ${s.prismaItems.join(", ")}`, italics: true, size: 18 })] }));
    const generated = s.generated ? generatedText(s.id, d) : "";
    if (generated.trim()) children.push(...textParagraphs(generated));
    if (s.text.trim()) children.push(...textParagraphs(s.text));
    if (s.prismaItems.length && !generated.trim() && !s.text.trim() && !s.blocks.length) {
      children.push(new Paragraph({ children: [new TextRun({ text: `Missing: PRISMA 2020 item${s.prismaItems.length > 1 ? "s" : ""} ${s.prismaItems.join(", ")}: the project holds no data and no text has been written.`, bold: true })] }));
    }
    for (const b of s.blocks) {
      if (b.kind === "table") {
        const t = d.tables[b.id];
        if (t) children.push(...tableBlock(t, num.tables.get(b.id)));
      } else if (b.kind === "figure") {
        if (d.figures[b.id]) children.push(...figureBlock(b.id, d, num.figures.get(b.id)!, opts.pngs[b.id], opts.pngScale ?? 1));
      } else if (b.kind === "analysis") {
        const a = analysisOf(b, d);
        if (a) children.push(...analysisBlock(a, d, num.figures, opts.pngs, s.level + 1, opts.pngScale ?? 1));
      } else if (b.kind === "checklist") {
        const items = prismaChecklist(spec, d);
        children.push(
          ...tableBlock(
            {
              id: "checklist", caption: "PRISMA 2020 checklist: where each item is reported", columns: ["Item", "Section", "Topic", "Status", "Detail"],
              rows: items.map((x) => [x.item, x.section, x.topic, x.status === "data" ? "From the data" : x.status === "text" ? "Written" : "Missing", x.detail]), note: "",
            },
            undefined,
          ),
        );
      } else if (b.kind === "descriptions") {
        for (const [id, n] of num.figures) {
          const f = d.figures[id]!;
          children.push(new Paragraph({ text: `Figure ${n}. ${f.title}`, heading: HeadingLevel.HEADING_3 }), ...textParagraphs(f.description));
        }
      }
    }
    if (s.id === "study-selection" && opts.previous) children.push(...tableBlock(updateFlowTable(opts.previous, d), undefined));
  }
  const doc = new Document({
    title: spec.title,
    features: { updateFields: true },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1020, bottom: 1134, left: 907, right: 907 } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ children: ["Page ", PageNumber.CURRENT, " of ", PageNumber.TOTAL_PAGES] })] })],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** Draws the figures the spec shows as PNG, then builds the Word document. */
export async function renderDocx(spec: ReportSpec, d: ReportData, opts: Omit<DocxOptions, "pngs"> = {}): Promise<Buffer> {
  const pngs: Record<string, Uint8Array> = {};
  for (const id of reportFigureIds(spec, d)) pngs[id] = await renderPng(d.figures[id]!, { scale: 2 });
  return renderReportDocx(spec, d, { ...opts, pngs, pngScale: 2 });
}
