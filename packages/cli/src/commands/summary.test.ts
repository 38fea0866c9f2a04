import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import type { Io } from "../io.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  const o = { stdout: "", stderr: "", cwd: dir, out(t: string) { o.stdout += t; }, err(t: string) { o.stderr += t; } };
  return o;
}

describe("homeward summary", () => {
  it("rejects an unknown project with exit code 2 and a one-line reason", async () => {
    const c = io();
    expect(await run(["summary", "--project", "no-such-project", "--data", join(dir, "data")], c)).toBe(2);
    expect(c.stderr).toMatch(/^homeward: no project "no-such-project"/);
    expect(c.stderr.trim().split("\n")).toHaveLength(1);
  });
  it("requires --project", async () => {
    const c = io();
    expect(await run(["summary", "--data", join(dir, "data")], c)).toBe(2);
  });
});
