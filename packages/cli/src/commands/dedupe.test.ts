import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, type Io } from "../io.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-dedupe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  return captureIo(dir);
}

describe("homeward dedupe", () => {
  it("prints groups (primary first, every record once) and maybe pairs for a BibDedupe-style CSV", async () => {
    writeFileSync(
      join(dir, "recs.csv"),
      [
        '"ID","title","year","author","pages","volume","number","ENTRYTYPE","journal"',
        '"r1","Therapeutic potential of complement modulation",2010,"Wagner, E. and Frank, M. M.","43-56",9,1,"article","Nature Reviews Drug Discovery"',
        '"r2","Therapeutic potential of complement modulation.",2010,"Wagner, E and Frank, M M","43-56",9,,"article","Nat Rev Drug Discov"',
        '"r3","Complement dysfunction in hemolytic uremic syndrome",2006,"Zipfel, P. F. and Skerka, C.","548-555",18,5,"article","Current Opinion in Rheumatology"',
      ].join("\n"),
    );
    const c = io();
    expect(await run(["dedupe", "--input", "recs.csv"], c)).toBe(0);
    const out = JSON.parse(c.stdout);
    expect(out).toEqual({ groups: [["r1", "r2"], ["r3"]], maybe: [] });
  });

  it("reads RIS and uses positions as ids when records carry none", async () => {
    const ris = "TY  - JOUR\nTI  - A study of things\nAU  - Smith, J\nPY  - 2001\nDO  - 10.1056/abc\nER  - \n\nTY  - JOUR\nTI  - A study of things.\nDO  - https://doi.org/10.1056/ABC\nER  - \n";
    writeFileSync(join(dir, "x.ris"), ris);
    const c = io();
    expect(await run(["dedupe", "--input", "x.ris"], c)).toBe(0);
    expect(JSON.parse(c.stdout).groups).toEqual([["1", "2"]]);
  });

  it("exits 2 with one line for a missing or unreadable file", async () => {
    const c = io();
    expect(await run(["dedupe", "--input", "nope.ris"], c)).toBe(2);
    expect(c.stderr).toMatch(/^homeward: cannot read nope\.ris: ENOENT\n$/);
    writeFileSync(join(dir, "empty.ris"), "just some text\n");
    const d = io();
    expect(await run(["dedupe", "--input", "empty.ris", "--format", "ris"], d)).toBe(2);
    expect(d.stderr).toMatch(/no records could be read/);
    const e = io();
    expect(await run(["dedupe"], e)).toBe(2);
  });

  it("numbers RIS records by position when their ids repeat, and says so", async () => {
    writeFileSync(join(dir, "rep.ris"), "TY  - JOUR\nID  - 7\nTI  - One thing\nER  - \n\nTY  - JOUR\nID  - 7\nTI  - Another thing\nER  - \n");
    const c = io();
    expect(await run(["dedupe", "--input", "rep.ris"], c)).toBe(0);
    expect(JSON.parse(c.stdout).groups).toEqual([["1"], ["2"]]);
    expect(c.stderr).toMatch(/numbered by position/);
  });

  it("exits 2 when two CSV rows share an id", async () => {
    writeFileSync(join(dir, "dup.csv"), "ID,title\na,One\na,Two\n");
    const c = io();
    expect(await run(["dedupe", "--input", "dup.csv"], c)).toBe(2);
    expect(c.stderr).toMatch(/record id "a" is used twice/);
  });
});
