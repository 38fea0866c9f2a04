import { chromium, type Browser } from "playwright-core";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/** Debian's Chromium; HOMEWARD_CHROMIUM names another build. */
export const chromiumPath = (): string => process.env.HOMEWARD_CHROMIUM ?? "/usr/bin/chromium";

export interface PdfOptions {
  /** A browser to reuse (a server keeps one); otherwise one is started and closed. */
  browser?: Browser;
  /** Footer text beside the page number, e.g. the report's title and version. */
  footer?: string;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/**
 * Prints the report's HTML to PDF with headless Chromium: A4, page numbers
 * in the footer ("Page n of N"), a tagged PDF with an outline from the
 * headings, so the contents are bookmarks and a screen reader finds the
 * structure.
 */
export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const browser = opts.browser ?? (await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] }));
  try {
    const page = await browser.newPage();
    try {
      await page.setContent(html, { waitUntil: "load" });
      await page.emulateMedia({ media: "print" });
      return await page.pdf({
        format: "A4",
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: "<span></span>",
        footerTemplate: `<div style="box-sizing:border-box;font-size:8pt;width:100%;padding:0 16mm;display:flex;justify-content:space-between;gap:8mm;color:#333"><span style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap">${esc(opts.footer ?? "")}</span><span style="white-space:nowrap">Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
        margin: { top: "18mm", bottom: "20mm", left: "16mm", right: "16mm" },
        outline: true,
        tagged: true,
      });
    } finally {
      await page.close();
    }
  } finally {
    if (!opts.browser) await browser.close();
  }
}

/**
 * The page each heading is printed on, read back from the PDF's text: the
 * headings in order, each looked for from the page of the one before (so a
 * heading's words in the contents or in a table do not count). A heading not
 * found gets no number rather than a wrong one.
 */
export async function headingPages(pdf: Uint8Array, headings: readonly { id: string; text: string }[]): Promise<Record<string, number>> {
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
  try {
    const pages: string[][] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      pages.push(content.items.map((x) => ("str" in x ? x.str.trim() : "")).filter(Boolean));
    }
    // The contents come first: the body starts after the last page listing "Contents".
    let from = pages.findIndex((lines) => lines.includes("Contents")) + 1;
    const out: Record<string, number> = {};
    for (const h of headings) {
      // A long heading wraps: its first line is a prefix of it.
      const at = (lines: string[]) => lines.some((l) => l === h.text || (l.length >= 15 && h.text.startsWith(l)));
      let p = from;
      while (p < pages.length && !at(pages[p]!)) p++;
      if (p < pages.length) {
        out[h.id] = p + 1;
        from = p;
      }
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

/**
 * Prints the report with page numbers in its contents: once to learn where
 * each section falls, then again with the numbers (they sit on the contents'
 * existing lines, so the pages do not move).
 */
export async function printReport(render: (tocPages?: Record<string, number>) => string, headings: readonly { id: string; text: string }[], opts: PdfOptions = {}): Promise<Buffer> {
  const browser = opts.browser ?? (await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] }));
  try {
    const first = await htmlToPdf(render(), { ...opts, browser });
    const pages = await headingPages(first, headings);
    if (Object.keys(pages).length === 0) return first;
    return await htmlToPdf(render(pages), { ...opts, browser });
  } finally {
    if (!opts.browser) await browser.close();
  }
}
