import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Io } from "../index.js";
import { captureIo } from "../io.js";

const tmp = () => mkdtempSync(join(tmpdir(), "homeward-cli-"));
function capture(cwd: string) {
  const io = captureIo(cwd);
  return { io: io as Io, out: () => io.stdout, err: () => io.stderr };
}

const at = "2024-05-01T10:00:00.000Z";
let savedExamples: string | undefined;
let examples: string;
beforeAll(() => {
  savedExamples = process.env.HOMEWARD_EXAMPLES_DIR;
  examples = tmp();
  const b = join(examples, "tiny");
  mkdirSync(b);
  writeFileSync(join(b, "project.json"), JSON.stringify({ format: "homeward-project", version: 1, project: { id: "example-tiny", title: "Tiny example", createdAt: at, updatedAt: at } }));
  writeFileSync(join(b, "studies.json"), JSON.stringify([{ id: "s1", name: "Lee 2018", createdAt: at }]));
  process.env.HOMEWARD_EXAMPLES_DIR = examples;
});
afterAll(() => {
  if (savedExamples === undefined) delete process.env.HOMEWARD_EXAMPLES_DIR;
  else process.env.HOMEWARD_EXAMPLES_DIR = savedExamples;
});

describe("homeward project", () => {
  it("creates the data folder with the examples, then creates, lists, exports and imports", async () => {
    const cwd = tmp();
    const c1 = capture(cwd);
    expect(await run(["project", "create", "--title", "Kinship care", "--description", "scoping", "--user", "ana"], c1.io)).toBe(0);
    expect(existsSync(join(cwd, "data", "homeward.sqlite"))).toBe(true);
    expect(c1.err()).toMatch(/added example project "Tiny example" \(example-tiny\)/);
    const [id, title] = c1.out().trim().split("\t");
    expect(title).toBe("Kinship care");

    const c2 = capture(cwd);
    expect(await run(["project", "list", "--json"], c2.io)).toBe(0);
    const list = JSON.parse(c2.out()) as { id: string; title: string; counts: { studies: number } }[];
    expect(list.map((p) => p.title).sort()).toEqual(["Kinship care", "Tiny example"]);
    expect(list.find((p) => p.id === "example-tiny")!.counts.studies).toBe(1);
    expect(c2.err()).toBe(""); // examples are loaded once

    const c3 = capture(cwd);
    expect(await run(["project", "list"], c3.io)).toBe(0);
    expect(c3.out()).toMatch(/^ID\s+TITLE\s+RECORDS\s+STUDIES\s+UPDATED\n/);
    expect(c3.out()).toContain("Kinship care");

    expect(await run(["project", "export", "--project", id!, "--out", "kin.json"], capture(cwd).io)).toBe(0);
    const exported = readFileSync(join(cwd, "kin.json"), "utf8");
    expect(JSON.parse(exported)).toMatchObject({ format: "homeward-project", project: { id, title: "Kinship care", description: "scoping" } });

    // Into a fresh data folder, by its owner: same ids, and the export of the import is identical
    // (imported by someone else, the importer would become an owner too, and the file would say so).
    const other = capture(cwd);
    expect(await run(["project", "import", "--file", "kin.json", "--data", "other", "--user", "ana"], other.io)).toBe(0);
    expect(other.out()).toBe(`${id}\tKinship care\n`);
    expect(await run(["project", "export", "--project", id!, "--out", "kin2.json", "--data", "other"], capture(cwd).io)).toBe(0);
    expect(readFileSync(join(cwd, "kin2.json"), "utf8")).toBe(exported);

    const again = capture(cwd);
    expect(await run(["project", "import", "--file", "kin.json"], again.io)).toBe(2);
    expect(again.err()).toMatch(/^homeward: project "[^"]+" already exists \(import as a copy to keep both\)\n$/);
    const copy = capture(cwd);
    expect(await run(["project", "import", "--file", "kin.json", "--copy"], copy.io)).toBe(0);
    expect(copy.out().split("\t")[0]).not.toBe(id);
  });

  it("exits 2 with one line on bad input", async () => {
    const cwd = tmp();
    const cases: [string[], RegExp][] = [
      [["project", "create"], /required option '--title <title>' not specified/],
      [["project", "create", "--title", "   "], /title must not be empty/],
      [["project", "export", "--project", "nope", "--out", "x.json"], /project "nope" not found/],
      [["project", "import", "--file", "missing.json"], /no such file or directory/],
    ];
    for (const [argv, msg] of cases) {
      const c = capture(cwd);
      expect(await run(argv, c.io), argv.join(" ")).toBe(2);
      expect(c.err()).toMatch(msg);
      // One line of reason (besides the note on the first open that adds the example).
      expect(c.err().trim().split("\n").filter((l) => !l.startsWith("homeward: added example"))).toHaveLength(1);
    }
    writeFileSync(join(cwd, "bad.json"), "{ not json");
    const c = capture(cwd);
    expect(await run(["project", "import", "--file", "bad.json"], c.io)).toBe(2);
    expect(c.err()).toMatch(/bad.json is not valid JSON/);
    writeFileSync(join(cwd, "wrong.json"), JSON.stringify({ format: "homeward-project", version: 1, project: { id: "p", title: "T", createdAt: "yesterday", updatedAt: at } }));
    const w = capture(cwd);
    expect(await run(["project", "import", "--file", "wrong.json"], w.io)).toBe(2);
    expect(w.err()).toMatch(/invalid project file: project\.createdAt/);
  });
});
