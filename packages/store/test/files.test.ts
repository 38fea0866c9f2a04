import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readProjectSource } from "@homeward/store";

const manifest = { format: "homeward-project", version: 1, project: { id: "b", title: "Bundle" } };
const SECRET = "root:x:0:0:secret-first-bytes";

describe("directory bundles", () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homeward-bundle-"));
    bundle = join(dir, "b");
    mkdirSync(bundle);
    writeFileSync(join(dir, "outside.txt"), SECRET);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads regular files", () => {
    writeFileSync(join(bundle, "project.json"), JSON.stringify(manifest));
    writeFileSync(join(bundle, "records.json"), "[]");
    expect(readProjectSource(bundle)).toMatchObject({ project: { id: "b" }, records: [] });
  });

  it("refuses a member that is a symbolic link, to a file outside or inside, without reading it", () => {
    writeFileSync(join(bundle, "project.json"), JSON.stringify(manifest));
    symlinkSync(join(dir, "outside.txt"), join(bundle, "records.json"));
    expect(() => readProjectSource(bundle)).toThrow("bundle file records.json in " + bundle + " is a symbolic link; a bundle holds its files itself");
    rmSync(join(bundle, "records.json"));
    writeFileSync(join(bundle, "studies.json"), "[]");
    symlinkSync(join(bundle, "studies.json"), join(bundle, "records.json"));
    expect(() => readProjectSource(bundle)).toThrow(/records\.json .* is a symbolic link/);
  });

  it("refuses a manifest that is a link, and a member that is a folder", () => {
    symlinkSync(join(dir, "outside.txt"), join(bundle, "project.json"));
    expect(() => readProjectSource(bundle)).toThrow(/project\.json .* is a symbolic link/);
    rmSync(join(bundle, "project.json"));
    writeFileSync(join(bundle, "project.json"), JSON.stringify(manifest));
    mkdirSync(join(bundle, "records.json"));
    expect(() => readProjectSource(bundle)).toThrow(/records\.json .* is not a regular file/);
  });

  it("says where a file is not JSON without echoing its content", () => {
    writeFileSync(join(bundle, "project.json"), JSON.stringify(manifest));
    writeFileSync(join(bundle, "records.json"), SECRET);
    let message = "";
    try {
      readProjectSource(bundle);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^records\.json is not valid JSON/);
    expect(message).not.toContain("root");
    expect(message).not.toContain("secret");
  });
});
