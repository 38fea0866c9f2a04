import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, storeOptionsFromEnv } from "@homeward/store";
import { parseAll } from "@homeward/records";
import { run, type Io } from "../index.js";
import { captureIo } from "../io.js";

const tmp = () => mkdtempSync(join(tmpdir(), "homeward-records-"));
function capture(cwd: string) {
  const io = captureIo(cwd);
  return { io: io as Io, out: () => io.stdout, err: () => io.stderr };
}

// No example projects in these data folders.
beforeAll(() => void vi.stubEnv("HOMEWARD_EXAMPLES_DIR", ""));
afterAll(() => void vi.unstubAllEnvs());

const RIS = [
  "TY  - JOUR\nTI  - Atypical hemolytic uremic syndrome\nAU  - Loirat, C.\nPY  - 2011\nT2  - Orphanet J Rare Dis\nVL  - 6\nSP  - 60\nDO  - 10.1186/1750-1172-6-60\nZZ  - vendor field\nER  - \n",
  "TY  - JOUR\nER  - \n",
  "TY  - JOUR\nTI  - Complement dysfunction in hemolytic uremic syndrome\nAU  - Zipfel, P. F.\nPY  - 2006\nER  - \n",
].join("\n");

describe("homeward records", () => {
  it("validates, refuses a file with unreadable records, imports with --skip-invalid in one batch, exports with decisions", async () => {
    const cwd = tmp();
    if (process.env.DATABASE_URL) return; // the CLI would use PostgreSQL; this test checks the SQLite path
    writeFileSync(join(cwd, "search.ris"), RIS);
    const c0 = capture(cwd);
    expect(await run(["project", "create", "--title", "Records test"], c0.io)).toBe(0);
    const project = c0.out().trim().split("\t")[0];

    const v = capture(cwd);
    expect(await run(["records", "validate", "--file", "search.ris"], v.io)).toBe(0);
    expect(JSON.parse(v.out())).toMatchObject({ format: "ris", records: 2, skipped: 1, errors: 1 });

    const refused = capture(cwd);
    expect(await run(["records", "import", "--project", project, "--file", "search.ris", "--source", "MEDLINE"], refused.io)).toBe(2);
    expect(refused.err()).toMatch(/search\.ris:12: error: record 2 \(line 12\) skipped/);
    expect(refused.err()).toMatch(/1 record\(s\) cannot be read; nothing imported/);

    const ok = capture(cwd);
    expect(await run(["records", "import", "--project", project, "--file", "search.ris", "--source", "MEDLINE", "--date", "2024-03-01", "--query", "aHUS", "--skip-invalid"], ok.io)).toBe(0);
    const res = JSON.parse(ok.out());
    expect(res).toMatchObject({ format: "ris", imported: 2, skipped: 1 });

    const store = await openStore(storeOptionsFromEnv(join(cwd, "data")));
    try {
      const [batch] = await store.list(project, "importBatches");
      expect(batch).toMatchObject({ id: res.importBatch, searchId: res.search, fileName: "search.ris", format: "ris", counts: { read: 3, imported: 2, skipped: 1 } });
      expect(batch.skipped).toEqual([{ index: 2, reason: expect.stringMatching(/no fields besides its type/), raw: "TY  - JOUR\nER  - " }]);
      const [search] = await store.list(project, "searches");
      expect(search).toMatchObject({ source: "MEDLINE", date: "2024-03-01", query: "aHUS" });
      const recs = await store.list(project, "records");
      expect(recs).toHaveLength(2);
      const loirat = recs.find((r) => r.title.startsWith("Atypical"))!;
      expect(loirat).toMatchObject({ year: 2011, volume: "6", pages: "60", doi: "10.1186/1750-1172-6-60", searchId: res.search, importBatchId: res.importBatch });
      expect(loirat.raw).toContain("ZZ  - vendor field");
      await store.insert(project, "screeningDecisions", [{ recordId: loirat.id, stage: "title_abstract", reviewer: "ana", decision: "exclude", reasons: ["population"], labels: ["kids"], note: "paediatric only" }], { actor: "ana" });
    } finally {
      await store.close();
    }

    const ex = capture(cwd);
    expect(await run(["records", "export", "--project", project, "--format", "ris", "--out", "out.ris"], ex.io)).toBe(0);
    const back = await parseAll(readFileSync(join(cwd, "out.ris")), { fileName: "out.ris" });
    expect(back.records).toHaveLength(2);
    const l = back.records.find((r) => r.title?.startsWith("Atypical"))!;
    expect(l.fields.find(([t]) => t === "ZZ")?.[1]).toBe("vendor field");
    expect(l.annotations).toEqual({ decisions: [{ stage: "title_abstract", decision: "exclude", reasons: ["population"] }], labels: ["kids"], notes: ["ana (title_abstract): paediatric only"] });

    // To standard output, the same file; a project that is not there is a one-line refusal and writes no file.
    const out = capture(cwd);
    expect(await run(["records", "export", "--project", project, "--format", "ris"], out.io)).toBe(0);
    expect(out.out()).toBe(readFileSync(join(cwd, "out.ris"), "utf8"));
    const none = capture(cwd);
    expect(await run(["records", "export", "--project", "no-such-project", "--format", "ris", "--out", "none.ris"], none.io)).toBe(2);
    expect(none.err().trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(cwd, "none.ris")) || existsSync(join(cwd, "none.ris.partial"))).toBe(false);
  });

  it("links duplicates in groups and queues maybe pairs, keeping reviewers' decisions on a second run", async () => {
    if (process.env.DATABASE_URL) return;
    const cwd = tmp();
    const rec = (title: string, pages: string, extra = "") => `TY  - JOUR\nTI  - ${title}\nAU  - Zipfel, P. F.\nAU  - Skerka, C.\nPY  - 2006\nT2  - Current Opinion in Rheumatology\nVL  - 18\nSP  - ${pages}\n${extra}ER  - \n\n`;
    const title = "Complement dysfunction in hemolytic uremic syndrome";
    writeFileSync(join(cwd, "a.ris"), rec(title, "548-555", "AB  - Abstract here.\n") + rec(`${title}.`, "548-55") + rec(title.toUpperCase(), "600-610"));
    const c0 = capture(cwd);
    expect(await run(["project", "create", "--title", "Dedupe"], c0.io)).toBe(0);
    const project = c0.out().trim().split("\t")[0];
    expect(await run(["records", "import", "--project", project, "--file", "a.ris", "--source", "MEDLINE"], capture(cwd).io)).toBe(0);
    const d1 = capture(cwd);
    expect(await run(["records", "dedupe", "--project", project], d1.io)).toBe(0);
    // The third record differs from both copies in pages: one question about it and their group.
    expect(JSON.parse(d1.out())).toEqual({ groups: 1, grouped: 2, maybe: 1, leftToReviewers: 1 });
    const store = await openStore(storeOptionsFromEnv(join(cwd, "data")));
    try {
      const recs = await store.list(project, "records");
      const [group] = await store.list(project, "duplicateGroups");
      const primary = recs.find((r) => r.id === group.primaryRecordId)!;
      expect(primary.abstract).toBe("Abstract here.");
      expect(recs.filter((r) => r.duplicateGroupId === group.id)).toHaveLength(2);
      expect(recs.every((r) => r.title !== "")).toBe(true); // nothing deleted
      const pairs = await store.list(project, "duplicatePairs");
      expect(pairs.every((p) => p.status === "pending" && p.reasons[0] === "pages differ")).toBe(true);
    } finally {
      await store.close();
    }
    const d2 = capture(cwd);
    expect(await run(["records", "dedupe", "--project", project], d2.io)).toBe(0);
    expect(JSON.parse(d2.out())).toEqual({ groups: 0, grouped: 0, maybe: 0, leftToReviewers: 1 });
  });

  it("needs exactly one of --search and --source, and a known export format", async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, "x.ris"), RIS);
    const c = capture(cwd);
    expect(await run(["records", "import", "--project", "p", "--file", "x.ris"], c.io)).toBe(2);
    expect(c.err()).toMatch(/either --search/);
    const d = capture(cwd);
    expect(await run(["records", "export", "--project", "p", "--format", "docx"], d.io)).toBe(2);
    expect(d.err()).toMatch(/unknown export format/);
  });
});
