import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ImportBatch, Search } from "@homeward/model";
import { IMPORT_PROBLEMS_KEPT } from "@homeward/model";
import { batchProblems, columnKey, importRecordsFile, importsOverview, parseAll, validate, type RecordsStore } from "@homeward/records";

const shared = (name: string) => readFileSync(new URL(`../../../../shared/data/imports/${name}`, import.meta.url));
const csv = (text: string) => new TextEncoder().encode(text);

describe("CSV column mapping", () => {
  it.each(["pubmedID", "PMID", "PubMed ID", "PubMed_ID", "pubmed-id"])("maps a %s column to pmid", async (column) => {
    const { records, problems } = await parseAll(csv(`Title,Authors,${column}\nA trial,"Smith J.",12345678\n`), { fileName: "x.csv" });
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({ title: "A trial", pmid: "12345678" });
  });

  it("compares column names without case, spaces or punctuation", () => {
    expect(columnKey("PubMed ID")).toBe(columnKey("pubmedID"));
    expect(columnKey("\uFEFFAuthor(s)")).toBe("authors");
  });

  it("reports the header and the column each field is read from", async () => {
    const rep = await validate(csv("Title;Year;pubmedID;Notes\nA;2020;1;x\n"), { fileName: "x.csv" });
    expect(rep.columns).toEqual({ delimiter: ";", header: ["Title", "Year", "pubmedID", "Notes"], mapping: { title: "Title", year: "Year", pmid: "pubmedID" } });
    expect(rep.preview).toEqual([{ record: 1, line: 2, type: "article", title: "A", authors: [], authorCount: 0, year: "2020", pmid: "1" }]);
  });

  it("takes an explicit mapping over the detected one, and an empty name leaves a field unread", async () => {
    const text = csv("Heading,Year,Ref\nA study,2020,999\n");
    const plain = await validate(text, { fileName: "x.csv" });
    expect(plain.fatal).toMatch(/no title, author or DOI column/);
    // The header still comes back, so the mapping can be given.
    expect(plain.columns?.header).toEqual(["Heading", "Year", "Ref"]);
    const mapped = await validate(text, { fileName: "x.csv", columns: { title: "heading", pmid: "Ref", year: "" } });
    expect(mapped.fatal).toBeUndefined();
    expect(mapped.preview[0]).toMatchObject({ title: "A study", pmid: "999" });
    expect(mapped.preview[0].year).toBeUndefined();
    expect(mapped.columns?.mapping).toEqual({ title: "Heading", pmid: "Ref" });
  });

  it("refuses a mapping to a column the file does not have, naming it", async () => {
    const rep = await validate(csv("Title\nA\n"), { fileName: "x.csv", columns: { pmid: "PubMed" } });
    expect(rep.fatal).toBe('column "PubMed" (mapped to pmid) is not in the file\'s header');
  });

  it("reads a preset's columns", async () => {
    const rep = await validate(csv("Covidence #,Title,Published Year\n#12,Home visits,2019\n"), { fileName: "c.csv", preset: "covidence" });
    expect(rep.columns?.mapping).toMatchObject({ id: "Covidence #", title: "Title", year: "Published Year" });
    expect(rep.preview[0]).toMatchObject({ title: "Home visits", year: "2019" });
  });
});

describe("validation report", () => {
  it("keeps skipped records' text up to a budget, then their problems without it", async () => {
    // Records with no field at all cannot be read.
    const text = Buffer.from("TY  - JOUR\nTI  - Kept\nER  - \n\n" + "TY  - JOUR\nER  - \n\n".repeat(3));
    const whole = await validate(text, { fileName: "b.ris" });
    expect(whole.skipped).toBe(3);
    const each = whole.problems[0].raw!.length;
    const rep = await validate(text, { fileName: "b.ris", maxRawChars: 2 * each + 1 });
    expect(rep.problems.map((p) => p.raw !== undefined)).toEqual([true, true, false]);
    expect(rep.problems[2]).toMatchObject({ severity: "error", record: 3 });
  });

});

describe("validation preview", () => {
  it("shows the first records of a Web of Science export, shortened", async () => {
    const rep = await validate(shared("rispy-example_wos.ris"), { fileName: "savedrecs.txt", previewRecords: 1 });
    expect(rep).toMatchObject({ format: "wos", records: 2, problems: [] });
    expect(rep.preview).toHaveLength(1);
    expect(rep.preview[0].record).toBe(1);
    expect(rep.preview[0].line).toBeGreaterThan(0);
    expect(rep.preview[0].authors.length).toBeLessThanOrEqual(3);
    expect(rep.preview[0].authorCount).toBeGreaterThanOrEqual(rep.preview[0].authors.length);
  });
});

/** Just enough of a store to run an import and read the history back. */
function memoryStore(): RecordsStore & { rows: Record<string, Record<string, unknown>[]> } {
  const rows: Record<string, Record<string, unknown>[]> = { searches: [], importBatches: [], records: [] };
  let n = 0;
  const s = {
    rows,
    transaction: async <T>(fn: (tx: RecordsStore) => Promise<T>) => fn(s as unknown as RecordsStore),
    get: async (_p: string, c: string, id: string) => {
      const e = rows[c].find((x) => x.id === id);
      if (!e) throw new Error(`no ${c} ${id}`);
      return e;
    },
    insert: async (_p: string, c: string, items: Record<string, unknown>[], ctx: { actor: string }) => {
      const made = items.map((i) => ({ id: `${c}-${++n}`, ...(c === "importBatches" ? { importedBy: ctx.actor, importedAt: `2026-01-01T00:00:0${n}Z` } : {}), ...i }));
      rows[c].push(...made);
      return made;
    },
    list: async (_p: string, c: string) => rows[c] ?? [],
    update: async () => {
      throw new Error("not used");
    },
  };
  return s as unknown as RecordsStore & { rows: typeof rows };
}

describe("import batches", () => {
  it("keep every problem of the file with its line, and count them", async () => {
    const store = memoryStore();
    const file = shared("rispy-example_extraneous_data.ris");
    const res = await importRecordsFile(store, {
      projectId: "p",
      open: () => file,
      parse: { fileName: "extraneous.ris" },
      search: { source: "Embase", kind: "database", date: "2024-03-01", query: "home* AND visit*" },
      actor: "ana",
    });
    expect(res).toMatchObject({ imported: 2, skipped: 0, warnings: 2 });
    const [batch] = store.rows.importBatches as ImportBatch[];
    expect(batch.counts).toEqual({ read: 2, imported: 2, skipped: 0, errors: 0, warnings: 2 });
    expect(batch.problems).toEqual([
      { severity: "warning", line: 1, record: null, message: expect.stringMatching(/^lines 1–4: text outside any record/) },
      { severity: "warning", line: 29, record: null, message: expect.stringMatching(/^lines 29–32: text outside any record/) },
    ]);
  });

  it("keep a skipped record's problem with its record number, its text among the skipped", async () => {
    const store = memoryStore();
    const ris = Buffer.from("TY  - JOUR\nTI  - Read\nER  - \n\nTY  - JOUR\nER  - \n");
    await importRecordsFile(store, { projectId: "p", open: () => ris, parse: { fileName: "s.ris" }, search: { source: "MEDLINE", kind: "database" }, skipInvalid: true, actor: "ana" });
    const [batch] = store.rows.importBatches as ImportBatch[];
    expect(batch.problems).toEqual([{ severity: "error", line: 5, record: 2, message: expect.any(String) }]);
    expect(batch.skipped).toEqual([{ index: 2, reason: batch.problems[0].message, raw: expect.stringContaining("TY  - JOUR") }]);
  });

  it("keep at most IMPORT_PROBLEMS_KEPT problems, in file order", () => {
    const problems = Array.from({ length: IMPORT_PROBLEMS_KEPT + 5 }, (_, i) => ({ kind: "problem" as const, severity: "warning" as const, line: i + 1, message: `w${i}` }));
    const kept = batchProblems({ problems });
    expect(kept).toHaveLength(IMPORT_PROBLEMS_KEPT);
    expect(kept.at(-1)).toEqual({ severity: "warning", line: IMPORT_PROBLEMS_KEPT, record: null, message: `w${IMPORT_PROBLEMS_KEPT - 1}` });
  });

  it("give each search its stated and imported counts, and the history newest first without problem lists", async () => {
    const store = memoryStore();
    const wos = shared("rispy-example_wos.ris");
    const urls = shared("rispy-example_urls.ris");
    const a = await importRecordsFile(store, { projectId: "p", open: () => wos, parse: { fileName: "wos.txt" }, search: { source: "Web of Science", kind: "database" }, actor: "ana" });
    await importRecordsFile(store, { projectId: "p", open: () => urls, parse: { fileName: "urls.ris" }, search: { id: a.search }, actor: "ben" });
    (store.rows.searches[0] as Search).resultsCount = 7;
    store.rows.searches.push({ id: "s-empty", source: "Google Scholar", kind: "website", date: null, query: "", resultsCount: 40, url: null, notes: null });
    const o = await importsOverview(store, "p");
    expect(o.searches.map((s) => [s.source, s.resultsCount, s.imported, s.batches])).toEqual([
      ["Web of Science", 7, 6, 2],
      ["Google Scholar", 40, 0, 0],
    ]);
    expect(o.batches.map((b) => [b.fileName, b.importedBy])).toEqual([
      ["urls.ris", "ben"],
      ["wos.txt", "ana"],
    ]);
    expect(o.batches[0]).not.toHaveProperty("problems");
    expect(o.batches[0]).not.toHaveProperty("skipped");
  });
});
