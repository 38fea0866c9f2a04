import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, type Io } from "../io.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  return captureIo(dir);
}

describe("homeward summary", () => {
  it("prints the built-in project's summary from a new data folder", async () => {
    const c = io();
    expect(await run(["summary", "--project", "reunification", "--data", "fresh"], c)).toBe(0);
    const s = JSON.parse(c.stdout);
    expect(Object.keys(s)).toEqual(["prisma", "prismaSource", "studies", "typology", "robSummary", "appraisalConflicts", "cerqual", "equity"]);
    // Seed 000, Appendix A line 3174 and line 898; figures in detail: packages/review/test/seed-checks.test.ts.
    // The PRISMA2020 R package field names listed by the summary format, each with its source.
    const fields = [
      "database_results", "duplicates", "records_screened", "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports",
      "dbr_assessed", "dbr_excluded", "website_results", "organisation_results", "citations_results", "other_sought_reports",
      "other_notretrieved_reports", "other_assessed", "other_excluded", "new_studies", "new_reports",
    ];
    expect(Object.keys(s.prisma).sort()).toEqual([...fields].sort());
    expect(Object.keys(s.prismaSource).sort()).toEqual([...fields].sort());
    expect(s.prisma.database_results).toBe(10263);
    expect(s.prismaSource.database_results).toBe("recorded");
    expect(s.studies.designs).toEqual({ RCT: 11, QED: 15 });
    expect(s.studies.strands).toEqual({ effectiveness: 26, implementation: 53 });
    // A second run reuses the folder (the example is not imported twice).
    const again = io();
    expect(await run(["summary", "--project", "reunification", "--data", "fresh"], again)).toBe(0);
    expect(again.stdout).toBe(c.stdout);
  });
  it("rejects an unknown project with exit code 2 and a one-line reason", async () => {
    const c = io();
    expect(await run(["summary", "--project", "no-such-project", "--data", "fresh"], c)).toBe(2);
    expect(c.stderr.trim().split("\n").at(-1)).toMatch(/^homeward: no project "no-such-project"/);
  });
  it("requires --project", async () => {
    const c = io();
    expect(await run(["summary", "--data", "fresh"], c)).toBe(2);
  });
});
