import { expect } from "vitest";
import type { AppHarness } from "./harness.js";

/**
 * A PDF built by hand for the full-text tests: one line of Helvetica text per
 * page, its cross-reference offsets counted, so pdf.js renders a text layer a
 * reviewer can select from. Written out rather than generated with a library
 * because the tests need only this fixed shape and its exact text.
 */
export function testPdf(pages: string[]): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(" ")}] /Count ${pages.length} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ...pages.flatMap((text, i) => {
      const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
      return [
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
        `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
      ];
    }),
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** Stores a test PDF as a record's full text, uploaded by a signed-up user. */
export async function putTestPdf(
  app: AppHarness,
  opts: { project: string; record: string; fileName: string; pages: string[]; as: string },
): Promise<void> {
  const res = await app.request(`/projects/${opts.project}/fulltext/${opts.record}/file?fileName=${opts.fileName}`, {
    method: "PUT",
    headers: { "content-type": "application/pdf" },
    body: new Uint8Array(testPdf(opts.pages)),
    as: opts.as,
  });
  expect(res.status).toBe(200);
}
