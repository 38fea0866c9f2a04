import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run, type Io } from "../index.js";
import { captureIo } from "../io.js";

// No example projects in these data folders.
beforeAll(() => void vi.stubEnv("HOMEWARD_EXAMPLES_DIR", ""));
afterAll(() => void vi.unstubAllEnvs());

describe("homeward backup and restore", () => {
  const cwd = mkdtempSync(join(tmpdir(), "homeward-backup-cli-"));
  const cli = async (...args: string[]) => {
    const io = captureIo(cwd);
    const code = await run(args, io as Io);
    return { code, out: io.stdout, err: io.stderr };
  };

  it("backs up an instance and restores it into an empty data folder; exit 2 with one line otherwise", async () => {
    if (process.env.DATABASE_URL) return; // both ends are SQLite data folders here
    const project = (await cli("project", "create", "--title", "Kept", "--user", "ana", "--data", "a")).out.split("\t")[0]!;
    expect((await cli("counts", "set", "--project", project, "--field", "records_screened", "--value", "12", "--user", "ana", "--data", "a")).code).toBe(0);
    // The progress line goes to standard error (one line per tenth off a terminal), the answer alone to standard output.
    expect(await cli("backup", "--out", "i.hwbackup", "--data", "a")).toMatchObject({ code: 0, out: "backed up 1 projects and 1 users to i.hwbackup\n", err: "homeward: 0% project 1 of 1: Kept\nhomeward: 100% finishing\n" });

    expect(await cli("restore", "--file", "i.hwbackup", "--data", "b", "--user", "ana")).toMatchObject({ code: 0, out: "restored 1 projects and 1 users from i.hwbackup\n" });
    expect((await cli("audit", "verify", "--project", project, "--data", "b")).code).toBe(0);
    expect((await cli("project", "export", "--project", project, "--out", "a.json", "--data", "a")).code).toBe(0);
    expect((await cli("project", "export", "--project", project, "--out", "b.json", "--data", "b")).code).toBe(0);
    expect(readFileSync(join(cwd, "b.json"), "utf8")).toBe(readFileSync(join(cwd, "a.json"), "utf8"));

    const again = await cli("restore", "--file", "i.hwbackup", "--data", "b");
    expect(again).toMatchObject({ code: 2, err: "homeward: the instance already holds projects; restore needs an empty one\n" });

    writeFileSync(join(cwd, "cut.hwbackup"), readFileSync(join(cwd, "i.hwbackup")).subarray(0, -12));
    // Cut inside the gzip stream after the project's line: its import is rolled back.
    const cut = await cli("restore", "--file", "cut.hwbackup", "--data", "c");
    expect(cut.code).toBe(2);
    expect(cut.err).toMatch(/^homeward: backup file is cut off or damaged after line 3 \(unexpected end of file\)\n$/);
    expect((await cli("project", "list", "--data", "c")).out).toBe("No projects.\n");
  });

  it("bad arguments are exit 2 with one line", async () => {
    const noOut = await cli("backup", "--data", "d");
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/^[^\n]*--out <file>[^\n]*\n$/);
    if (process.env.DATABASE_URL) return; // the rest reads or writes a SQLite data folder
    const missing = await cli("restore", "--file", "missing.hwbackup", "--data", "d");
    expect(missing).toMatchObject({ code: 2, err: "homeward: cannot read backup " + join(cwd, "missing.hwbackup") + ": ENOENT\n" });
    const badDir = await cli("backup", "--out", "no/such/dir/x.hwbackup", "--data", "d");
    expect(badDir).toMatchObject({ code: 2, err: "homeward: cannot write no/such/dir/x.hwbackup: ENOENT\n" });
  });
});
