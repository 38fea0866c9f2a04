import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXPORT_FORMATS, exportToString, parseAll, type Annotations, type ExportRecord, type ParsedRecord } from "@homeward/records";

const fx = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const annotations: Annotations = {
  decisions: [
    { stage: "title_abstract", decision: "include", reasons: [] },
    { stage: "full_text", decision: "exclude", reasons: ["wrong outcome", "not an RCT; see protocol §3"] },
  ],
  labels: ["seed", "needs translation"],
  notes: ["First line\nsecond line with \\ backslash", 'Quotes " and , commas {braces} <tags> & ampersands'],
};

/** The normalised content that must survive an export and re-import. */
function core(r: ParsedRecord | ExportRecord) {
  return {
    type: r.type,
    title: r.title,
    authors: r.authors,
    editors: r.editors?.length ? r.editors : undefined,
    year: r.year,
    journal: r.journal,
    booktitle: r.booktitle,
    volume: r.volume,
    issue: r.issue,
    pages: r.pages,
    doi: r.doi,
    pmid: r.pmid,
    abstract: r.abstract,
    keywords: r.keywords,
    language: r.language,
    publisher: r.publisher,
    annotations: r.annotations,
  };
}

async function sources(): Promise<ParsedRecord[]> {
  const all: ParsedRecord[] = [];
  for (const f of ["ovid.ris", "wos.txt", "pubmed.nbib", "endnote.xml", "zotero.ris"]) all.push(...(await parseAll(fx(f), { fileName: f })).records);
  return all.map((r, i) => ({ ...r, abstract: r.abstract?.replace(/\s+/g, " "), annotations: i % 2 === 0 ? annotations : undefined }));
}

describe("export and re-import", () => {
  for (const format of EXPORT_FORMATS) {
    it(`${format}: records, decisions, reasons, labels and notes come back unchanged`, async () => {
      const recs = await sources();
      const text = await exportToString(recs, format);
      const back = await parseAll(Buffer.from(text), { fileName: `export.${format === "bibtex" ? "bib" : format === "endnote-xml" ? "xml" : format}` });
      expect(back.problems.filter((p) => p.severity === "error")).toEqual([]);
      expect(back.records).toHaveLength(recs.length);
      for (let i = 0; i < recs.length; i++) {
        const want = core(recs[i]);
        const got = core(back.records[i]);
        // RIS, BibTeX and EndNote have no erratum/review subtypes; they come back as articles.
        if (format !== "csv" && ["review", "erratum", "comment"].includes(want.type!)) want.type = "article";
        expect(got, `${format} record ${i}`).toEqual(want);
      }
    });
  }

  it("writes RIS read from RIS with its unknown and vendor tags", async () => {
    const [r] = (await parseAll(fx("endnote.ris"), { fileName: "e.ris" })).records;
    const text = await exportToString([{ ...r, annotations }], "ris");
    expect(text).toContain("C1  - Department of Infection Biology\nLB  - Zipfel2006\n");
    expect(text.match(/^N1  - Homeward decision/gm)).toHaveLength(2);
    expect(text).toContain("N1  - An ordinary note\n");
    const [back] = (await parseAll(Buffer.from(text), { fileName: "e.ris" })).records;
    const kept = (x: ParsedRecord) => x.fields.filter(([t]) => ["C1", "LB"].includes(t) || (t === "N1" && !x.fields.length));
    expect(kept(back)).toEqual(kept(r));
    expect(back.annotations).toEqual(annotations);
  });

  it("guards CSV cells against spreadsheet formulas and reads them back as written", async () => {
    const text = await exportToString([{ title: "=HYPERLINK(\"http://x\")", authors: ["@home, A"], year: "2020" }], "csv");
    expect(text).toContain("'=HYPERLINK");
    const [back] = (await parseAll(Buffer.from(text), { fileName: "x.csv" })).records;
    expect(back.title).toBe('=HYPERLINK("http://x")');
    expect(back.authors).toEqual(["@home, A"]);
  });
});
