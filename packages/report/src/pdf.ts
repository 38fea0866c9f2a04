import { chromium, type Browser } from "playwright-core";

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
