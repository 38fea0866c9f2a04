import yazl from "yazl";
import { toCsv } from "@homeward/review";
import type { ReportData } from "./types.js";
import { sha256Hex, stableJson } from "./versions.js";

export interface BundleFile {
  path: string;
  content: string | Uint8Array;
}

/** A manifest naming every file with its size and SHA-256, so a reader can check what they received. */
export function manifestFile(files: readonly BundleFile[], about: Record<string, unknown>): BundleFile {
  const entries = files.map((f) => {
    const bytes = typeof f.content === "string" ? Buffer.from(f.content, "utf8") : f.content;
    return { path: f.path, bytes: bytes.length, sha256: sha256Hex(bytes) };
  });
  return { path: "manifest.json", content: JSON.stringify({ ...about, files: entries }, null, 2) + "\n" };
}

/**
 * The report's own files for a bundle: the HTML, the data it was rendered
 * from (JSON and each table as CSV), the robvis and PRISMA2020 CSVs. The
 * data and R code of the saved analyses come from the review package's
 * reproducibility bundle when the project has one; `extra` carries them.
 */
export function reportBundleFiles(html: string, d: ReportData, extra: readonly BundleFile[] = [], about: Record<string, unknown> = {}): BundleFile[] {
  const files: BundleFile[] = [
    { path: "report.html", content: html },
    { path: "report-data.json", content: stableJson(d) + "\n" },
    ...Object.values(d.tables)
      .filter((t) => t.rows.length > 0)
      .map((t) => ({ path: `tables/${t.id}.csv`, content: toCsv(t.columns, t.rows) })),
    ...Object.entries(d.exports).map(([name, content]) => ({ path: name.startsWith("robvis-") ? `robvis/${name}` : name, content })),
    ...extra,
  ];
  const seen = new Set<string>();
  const unique = files.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
  return [...unique, manifestFile(unique, about)];
}

/** The files as one zip archive. */
export function zipFiles(files: readonly BundleFile[], mtime = new Date(0)): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(typeof f.content === "string" ? Buffer.from(f.content, "utf8") : Buffer.from(f.content), f.path, { mtime });
  zip.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => parts.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(parts)));
    zip.outputStream.on("error", reject);
  });
}
