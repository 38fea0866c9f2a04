import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, storeOptionsFromEnv } from "@homeward/store";
import { run, type Io } from "../index.js";
import { captureIo } from "../io.js";

function capture(cwd: string) {
  const io = captureIo(cwd);
  return { io: io as Io, out: () => io.stdout, err: () => io.stderr };
}

// No example projects in these data folders.
beforeAll(() => void vi.stubEnv("HOMEWARD_EXAMPLES_DIR", ""));
afterAll(() => void vi.unstubAllEnvs());

describe("homeward counts", () => {
  const cwd = mkdtempSync(join(tmpdir(), "homeward-counts-"));
  let project = "";
  const cli = async (...args: string[]) => {
    const c = capture(cwd);
    const code = await run(args, c.io);
    return { code, out: c.out(), err: c.err() };
  };

  it("sets, replaces and lists recorded counts, audited with who and why", async () => {
    if (process.env.DATABASE_URL) return; // the CLI would use PostgreSQL; this test checks the SQLite path
    project = (await cli("project", "create", "--title", "Counts")).out.split("\t")[0]!;
    // The creator ("local") owns the project and adds the team.
    for (const name of ["ana", "ben"]) expect((await cli("project", "member", "--project", project, "--name", name, "--role", "reviewer")).code).toBe(0);
    const outsider = await cli("counts", "set", "--project", project, "--field", "records_screened", "--value", "1", "--user", "mallory");
    expect(outsider.code).toBe(2);
    expect(outsider.err).toMatch(/mallory is not a member of project/);
    const byReviewer = await cli("project", "member", "--project", project, "--name", "eve", "--role", "owner", "--user", "ana");
    expect(byReviewer.code).toBe(2);
    expect(byReviewer.err).toMatch(/needs the owner role or above/);
    const first = await cli("counts", "set", "--project", project, "--field", "records_screened", "--value", "1200", "--user", "ana", "--reason", "screened in Rayyan");
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ field: "records_screened", value: 1200, source: null, recordedBy: "ana" });
    const second = await cli("counts", "set", "--project", project, "--field", "records_screened", "--value", "1234", "--user", "ben", "--reason", "late additions");
    expect(second.code, second.err).toBe(0);
    const db = await cli("counts", "set", "--project", project, "--field", "database_results", "--value", "900", "--source", "MEDLINE");
    expect(db.code, db.err).toBe(0);

    const list = await cli("counts", "list", "--project", project, "--json");
    const counts = JSON.parse(list.out);
    expect(counts.map((c: { field: string; value: number; source: string | null }) => [c.field, c.source, c.value])).toEqual([
      ["database_results", "MEDLINE", 900],
      ["records_screened", null, 1234],
    ]);
    const table = (await cli("counts", "list", "--project", project)).out.split("\n");
    expect(table[0]).toMatch(/^FIELD\s+SOURCE\s+VALUE/);
    expect(table[2]).toMatch(/^records_screened\s+1234\s+/);

    const store = await openStore(storeOptionsFromEnv(join(cwd, "data")));
    try {
      const audit = (await store.listAudit(project, { limit: 100 })).items.filter((e) => e.entity === "recordedCounts").reverse();
      expect(audit.map((e) => [e.action, e.actor, e.reason])).toEqual([
        ["recordedCounts.create", "ana", "screened in Rayyan"],
        ["recordedCounts.update", "ben", "late additions"],
        ["recordedCounts.create", "local", null],
      ]);
      expect(audit[1]!.before).toMatchObject({ value: 1200 });
    } finally {
      await store.close();
    }
  });

  it.each([
    [["--field", "records_screend", "--value", "3"], /unknown PRISMA 2020 field "records_screend"/],
    [["--field", "records_screened", "--value", "-3"], /--value must be a whole number/],
    [["--field", "records_screened", "--value", "2.5"], /--value must be a whole number/],
    [["--field", "records_screened", "--value", "5", "--by-reason", "x=1"], /a breakdown by reason applies to dbr_excluded and other_excluded only/],
    [["--field", "dbr_excluded", "--value", "5", "--by-reason", "x=6"], /add up to 6, more than the dbr_excluded count 5/],
    [["--field", "dbr_excluded", "--value", "5", "--by-reason", "wrong-pop=2"], /"wrong-pop" is not an exclusion reason code of the protocol/],
  ])("refuses bad input with exit 2 and writes nothing (%#)", async (args, reason) => {
    if (process.env.DATABASE_URL) return;
    const before = JSON.parse((await cli("counts", "list", "--project", project, "--json")).out);
    const r = await cli("counts", "set", "--project", project, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(reason);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse((await cli("counts", "list", "--project", project, "--json")).out)).toEqual(before);
  });

  it("an unknown project is exit 2", async () => {
    if (process.env.DATABASE_URL) return;
    const r = await cli("counts", "list", "--project", "nope");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not found/);
  });
});
