import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo } from "../io.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-report-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("homeward report", () => {
  it("writes the built-in project's report as HTML", async () => {
    const c = captureIo(dir);
    expect(await run(["report", "--project", "reunification", "--format", "html", "--out", "report.html", "--data", "d"], c)).toBe(0);
    expect(c.stdout).toMatch(/^wrote the report \(the draft\) as HTML to report\.html/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain("<h1 class=\"title\">What works to support reunification and its associated outcomes</h1>");
    expect(html).toContain("Appendix A. Long descriptive text");
  });

  it("writes a bundle as a folder whose manifest's hashes match its files, and as a zip", async () => {
    const c = captureIo(dir);
    expect(await run(["report", "--project", "reunification", "--format", "bundle", "--out", "bundle", "--data", "d"], c)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "bundle", "manifest.json"), "utf8")) as { files: { path: string; bytes: number; sha256: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(["report.html", "report-data.json", "prisma2020.csv", "robvis/robvis-RoB2.csv"]));
    for (const f of manifest.files) {
      const bytes = readFileSync(join(dir, "bundle", f.path));
      expect(bytes.length).toBe(f.bytes);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
    }
    const z = captureIo(dir);
    expect(await run(["report", "--project", "reunification", "--format", "bundle", "--out", "bundle.zip", "--data", "d"], z)).toBe(0);
    expect(readFileSync(join(dir, "bundle.zip")).subarray(0, 2).toString()).toBe("PK");
  });

  it("refuses a bad format, an unknown project and a version that does not exist with exit 2 and one line", async () => {
    for (const [args, reason] of [
      [["--project", "reunification", "--format", "odt"], /^homeward: --format must be one of html, pdf, docx, bundle, not "odt"\n$/],
      [["--project", "nope", "--format", "html"], /^homeward: no project "nope" in the data folder\n$/],
      [["--project", "reunification", "--format", "html", "--frozen", "3"], /^homeward: report version 3 does not exist\n$/],
    ] as const) {
      const c = captureIo(dir);
      expect(await run(["report", ...args, "--out", "x.html", "--data", "d"], c)).toBe(2);
      expect(c.stderr).toMatch(reason);
      expect(existsSync(join(dir, "x.html"))).toBe(false);
    }
  });
});
