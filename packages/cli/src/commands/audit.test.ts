import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SQLITE_FILE } from "@homeward/store";
import { run, type Io } from "../index.js";
import { captureIo } from "../io.js";

// No example projects in these data folders.
beforeAll(() => void vi.stubEnv("HOMEWARD_EXAMPLES_DIR", ""));
afterAll(() => void vi.unstubAllEnvs());

describe("homeward audit verify", () => {
  const cwd = mkdtempSync(join(tmpdir(), "homeward-audit-"));
  const cli = async (...args: string[]) => {
    const io = captureIo(cwd);
    const code = await run(args, io as Io);
    return { code, out: io.stdout, err: io.stderr };
  };

  it("verifies a project's chain and a file's, and names the entry where either breaks", async () => {
    if (process.env.DATABASE_URL) return; // the CLI would use PostgreSQL; this test edits the SQLite file
    const project = (await cli("project", "create", "--title", "Audited", "--user", "ana")).out.split("\t")[0]!;
    expect((await cli("counts", "set", "--project", project, "--field", "records_screened", "--value", "12", "--user", "ana")).code).toBe(0);
    const ok = await cli("audit", "verify", "--project", project);
    expect(ok).toMatchObject({ code: 0, out: "audit chain of 3 entries verified\n" });

    expect((await cli("project", "export", "--project", project, "--out", "p.json")).code).toBe(0);
    expect(await cli("audit", "verify", "--file", "p.json")).toMatchObject({ code: 0, out: "audit chain of 3 entries verified\n" });
    const file = JSON.parse(readFileSync(join(cwd, "p.json"), "utf8"));
    file.audit[1].actor = "mallory";
    writeFileSync(join(cwd, "bad.json"), JSON.stringify(file));
    const bad = await cli("audit", "verify", "--file", "bad.json");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(new RegExp(`^homeward: audit chain broken at entry 2 \\("${file.audit[1].id}"\\): its content does not match its hash[^\\n]*\\n$`));

    // An edit made in the database itself.
    const db = new Database(join(cwd, "data", SQLITE_FILE));
    db.prepare("UPDATE audit SET at = '2019-01-01T00:00:00.000Z' WHERE project_id = ? AND action = 'project.create'").run(project);
    db.close();
    const tampered = await cli("audit", "verify", "--project", project);
    expect(tampered.code).toBe(2);
    expect(tampered.err).toMatch(/^homeward: audit chain broken at entry 1 \("[^"]+"\): its content does not match its hash[^\n]*\n$/);
  });

  it("takes exactly one of --project and --file", async () => {
    const none = await cli("audit", "verify");
    expect(none.code).toBe(2);
    expect(none.err).toBe("homeward: give one of --project <id> or --file <path>\n");
    expect((await cli("audit", "verify", "--project", "x", "--file", "y")).code).toBe(2);
  });
});
