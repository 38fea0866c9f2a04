import { readFileSync } from "node:fs";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { parseAll, sniffFormat, validate, type ParsedRecord } from "@homeward/records";

const fx = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const shared = (name: string) => readFileSync(new URL(`../../../../shared/data/imports/${name}`, import.meta.url));

async function records(bytes: Uint8Array, fileName: string, opts = {}) {
  const r = await parseAll(bytes, { fileName, ...opts });
  return r;
}

describe("RIS", () => {
  it("reads Ovid exports: banners, wrapped abstracts, abbreviated end page, DOI from a URL", async () => {
    const { format, records: rs, problems } = await records(fx("ovid.ris"), "ovid.ris");
    expect(format).toBe("ris");
    expect(rs).toHaveLength(2);
    const [a, b] = rs;
    expect(a.title).toMatch(/^Eculizumab for atypical hemolytic-uremic syndrome\./);
    expect(a.authors).toEqual(["Nurnberger, Jens", "Philipp, Thomas", "Witzke, Oliver"]);
    expect(a.year).toBe("2009");
    expect(a.pages).toBe("542-4");
    expect(a.pmid).toBe("19234451");
    expect(a.doi).toBe("10.1056/nejmc0808527");
    expect(a.abstract).toContain("rare disease\nof complement dysregulation. We report");
    expect(a.journal).toBe("New England Journal of Medicine");
    expect(a.journalAbbrev).toBe("N Engl J Med");
    // Unknown tags kept verbatim, in order.
    expect(a.fields.find(([t]) => t === "M2")?.[1]).toBe("Nurnberger, Jens. University Hospital Essen.");
    expect(a.fields.filter(([t]) => t === "UR")).toHaveLength(2);
    expect(a.raw.split("\n")[0]).toBe("TY  - JOUR");
    expect(a.raw.split("\n").at(-1)).toBe("ER  - ");
    expect(a.line).toBe(2);
    expect(b.doi).toBe("10.1056/nejmc1100859");
    // An Embase accession number is not a PMID.
    expect(b.pmid).toBeUndefined();
    expect(b.fields.find(([t]) => t === "AN")?.[1]).toBe("70389722");
    expect(b.pages).toBe("2561-2563");
    // The "1." and "2." banners are reported, not silently read as data.
    expect(problems.map((p) => p.line)).toEqual([1, 28]);
    expect(problems.every((p) => p.severity === "warning")).toBe(true);
  });

  it("reads EndNote's long type names, single-field page ranges and Homeward annotations", async () => {
    const { records: [r] } = await records(fx("endnote.ris"), "endnote.ris");
    expect(r.type).toBe("article");
    expect(r.sourceType).toBe("Journal Article");
    expect(r.journal).toBe("Current Opinion in Rheumatology");
    expect(r.pages).toBe("548-555");
    expect(r.annotations).toEqual({
      decisions: [{ stage: "title_abstract", decision: "exclude", reasons: ["wrong population"] }],
      labels: ["seed set"],
      notes: ["checked twice\nsecond line"],
    });
    expect(r.fields.filter(([t]) => t === "N1").map(([, v]) => v)).toContain("An ordinary note");
  });

  it("reads Zotero chapters: T2 is the book, SN an ISBN, A2 the editors", async () => {
    const { records: [r] } = await records(fx("zotero.ris"), "zotero.ris");
    expect(r.type).toBe("chapter");
    expect(r.booktitle).toBe("Handbook of Cancer Screening");
    expect(r.journal).toBeUndefined();
    expect(r.editors).toEqual(["Jones, Editor"]);
    expect(r.isbn).toBe("978-0-12-345678-9");
    expect(r.keywords).toEqual(["HPV", "screening"]);
    expect(r.date).toBe("2008/03/15/");
  });

  it("reads the rispy sample files", async () => {
    const counts: Record<string, number> = {
      "rispy-example_basic.ris": 1,
      "rispy-example_bom.ris": 1,
      "rispy-example_full.ris": 2,
      "rispy-example_extraneous_data.ris": 2,
      "rispy-example_multiline.ris": 3,
      "rispy-example_urls.ris": 4,
      "rispy-example_starting_newlines.ris": 1,
      "rispy-example_empty_tag.ris": 1,
    };
    for (const [f, n] of Object.entries(counts)) {
      const { records: rs, problems } = await records(shared(f), f);
      expect(rs, f).toHaveLength(n);
      expect(problems.filter((p) => p.severity === "error"), f).toEqual([]);
    }
    const { records: [bom] } = await records(shared("rispy-example_bom.ris"), "x.ris");
    expect(bom.doi).toBe("10.1186/s40981-020-0316-0");
    const { records: m } = await records(shared("rispy-example_multiline.ris"), "x.ris");
    // A line starting "ER then" inside a field is text, not the end tag.
    expect(m[2].abstract).toBe("first line,\nER then second line and at the end\nthe last line");
    const { records: u } = await records(shared("rispy-example_urls.ris"), "x.ris");
    expect(u[2].urls).toEqual(["http://example.com", "http://www.example.com"]);
    const { records: [unk] } = await records(shared("rispy-example_single_unknown_tag.ris"), "x.ris");
    expect(unk.fields.filter(([t]) => t === "JP").map(([, v]) => v)).toEqual(["CRISPR", "Direct Current"]);
    const { records: [utf] } = await records(shared("rispy-example_utf_chars.ris"), "x.ris");
    expect(utf.abstract).toMatch(/^Состояние/);
    expect(utf.fields.find(([t]) => t === "N1")?.[1]).toBe("Ä,Ö,Ü,ä,ö,ü,ß");
  });

  it("reports a record without ER and a file ending inside a record", async () => {
    const text = "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\n";
    const { records: rs, problems } = await records(Buffer.from(text), "x.ris");
    expect(rs.map((r) => r.title)).toEqual(["One", "Two"]);
    expect(problems.map((p) => p.line)).toEqual([1, 3]);
    expect(problems[0].message).toMatch(/no closing ER/);
  });
});

describe("encodings and line ends", () => {
  const text = "TY  - JOUR\r\nTI  - Étude des résultats: naïve café\r\nAU  - Müller, Jörg\r\nER  - \r\n";
  const expectRead = (r: ParsedRecord) => {
    expect(r.title).toBe("Étude des résultats: naïve café");
    expect(r.authors).toEqual(["Müller, Jörg"]);
  };
  it("reads Windows-1252 (detected), UTF-16 LE/BE with and without BOM, UTF-8 with BOM, CRLF and CR", async () => {
    const cases: [string, Buffer][] = [
      ["windows-1252", iconv.encode(text, "windows-1252")],
      ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")])],
      ["utf-16be", Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, "utf-16be")])],
      ["utf-16le", iconv.encode(text, "utf-16le")],
      ["utf-8", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ["utf-8", Buffer.from(text.replace(/\r\n/g, "\r"))],
    ];
    for (const [enc, bytes] of cases) {
      const r = await parseAll(bytes, { fileName: "x.ris" });
      expect(r.encoding, enc).toBe(enc);
      expect(r.records, enc).toHaveLength(1);
      expectRead(r.records[0]);
    }
  });

  it("takes a forced encoding and rejects an unknown one", async () => {
    const r = await parseAll(iconv.encode(text, "windows-1252"), { fileName: "x.ris", encoding: "latin1" });
    expectRead(r.records[0]);
    await expect(parseAll(Buffer.from(text), { fileName: "x.ris", encoding: "klingon" })).rejects.toThrow(/unknown encoding "klingon"/);
    const rep = await validate(Buffer.from(text), { fileName: "x.ris", encoding: "klingon" });
    expect(rep.fatal).toMatch(/unknown encoding/);
  });

  it("reads a stream whose chunks split CRLF pairs and multi-byte characters", async () => {
    const bytes = Buffer.from(text);
    async function* oneByteChunks() {
      for (const b of bytes) yield Uint8Array.of(b);
    }
    const r = await parseAll(oneByteChunks(), { fileName: "x.ris" });
    expect(r.records).toHaveLength(1);
    expectRead(r.records[0]);
    expect(r.records[0].raw.split("\n")).toHaveLength(4);
  });

  it("switches to Windows-1252 where a UTF-8 file turns invalid, and says so", async () => {
    const head = "TY  - JOUR\nTI  - Café\nER  - \n".repeat(4000); // > 64 KiB of valid UTF-8
    const bytes = Buffer.concat([Buffer.from(head), iconv.encode("TY  - JOUR\nTI  - Crème\nER  - \n", "windows-1252")]);
    const r = await parseAll(bytes, { fileName: "x.ris" });
    expect(r.records).toHaveLength(4001);
    expect(r.records[0].title).toBe("Café");
    expect(r.records[4000].title).toBe("Crème");
    expect(r.problems.some((p) => /not valid UTF-8 after byte/.test(p.message))).toBe(true);
  });
});

describe("Web of Science, MEDLINE", () => {
  it("reads WoS tagged text: one author per continuation line, AF preferred, BP/EP pages", async () => {
    const { format, records: rs, problems } = await records(fx("wos.txt"), "savedrecs.txt");
    expect(format).toBe("wos");
    expect(problems).toEqual([]);
    expect(rs).toHaveLength(2);
    expect(rs[0].authors).toEqual(["Kavanagh, David", "Goodship, Timothy H. J."]);
    expect(rs[0].type).toBe("review");
    expect(rs[0].pages).toBe("432-438");
    expect(rs[0].keywords).toEqual(["complement", "factor H", "thrombotic microangiopathy"]);
    expect(rs[0].abstract).toBe("Purpose of review: atypical hemolytic uremic syndrome is a disease\nof complement dysregulation.");
    expect(rs[0].sourceId).toBe("WOS:000281146700011");
    expect(rs[1].authors).toEqual(["Noris, M", "Remuzzi, G"]);
  });

  it("reads PubMed .nbib: FAU names, DOI from LID, repeated PT, errata typed", async () => {
    const { format, records: rs } = await records(fx("pubmed.nbib"), "pubmed.nbib");
    expect(format).toBe("medline");
    expect(rs).toHaveLength(2);
    const [a, b] = rs;
    expect(a.pmid).toBe("20613506");
    expect(a.authors).toEqual(["Kavanagh, David", "Goodship, Timothy H J"]);
    expect(a.doi).toBe("10.1097/moh.0b013e32833cd6fc");
    expect(a.issn).toBe("1531-7048");
    expect(a.type).toBe("review");
    expect(a.year).toBe("2010");
    expect(a.pages).toBe("432-8");
    expect(a.journal).toBe("Current opinion in hematology");
    expect(a.keywords).toContain("Hemolytic-Uremic Syndrome/*genetics");
    expect(b.type).toBe("erratum");
    expect(b.line).toBe(29);
  });
});

describe("BibTeX", () => {
  it("expands @string macros, concatenation, month names; converts TeX accents; keeps unknown fields", async () => {
    const { format, records: rs, problems } = await records(fx("refs.bib"), "refs.bib");
    expect(format).toBe("bibtex");
    expect(problems).toEqual([]);
    expect(rs).toHaveLength(2);
    const [a, b] = rs;
    expect(a.sourceId).toBe("noris2009");
    expect(a.journal).toBe("New England Journal of Medicine");
    expect(a.title).toBe("Atypical Hemolytic–Uremic Syndrome");
    expect(a.authors).toEqual(["Noris, Marina", "Remuzzi, Giuseppe"]);
    expect(a.pages).toBe("1676-1687");
    expect(a.year).toBe("2009");
    expect(a.date).toBe("2009 10");
    expect(a.abstract).toBe("Atypical HUS is not caused by Shiga toxin.");
    expect(a.keywords).toEqual(["complement", "HUS"]);
    expect(b.type).toBe("conference");
    expect(b.authors).toEqual(["Müller, Jörg", "World Health Organization"]);
    expect(b.title).toBe("HPV testing in École screening & triage");
    expect(b.booktitle).toBe("Proceedings of the 44th Annual Meeting of ESPN");
    expect(b.fields.find(([k]) => k === "note")?.[1]).toBe("An unknown-to-Homeward field kept verbatim");
    expect(b.raw.startsWith("@inproceedings{")).toBe(true);
  });

  it("reports an entry with unbalanced braces and reads on from the next entry", async () => {
    const text = "@article{a,\n title = {Broken {title},\n year = 2001\n\n@article{b,\n title = {Fine},\n}\n";
    const { records: rs, problems } = await records(Buffer.from(text), "x.bib");
    expect(rs.map((r) => r.title)).toEqual(["Fine"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: "error", line: 1, record: 0 });
    expect(problems[0].message).toMatch(/braces never balance/);
    // The skipped entry's text is kept for the import's record of skipped entries.
    expect(problems[0].raw).toContain("title = {Broken {title},");
  });
});

describe("EndNote XML, EPPI-Reviewer JSON", () => {
  it("reads EndNote XML with <style> runs, book sections and unknown elements", async () => {
    const { format, records: rs, problems } = await records(fx("endnote.xml"), "library.xml");
    expect(format).toBe("endnote-xml");
    expect(problems).toEqual([]);
    const [a, b] = rs;
    expect(a.sourceId).toBe("12");
    expect(a.title).toBe("Atypical hemolytic uremic syndrome");
    expect(a.authors).toEqual(["Loirat, C.", "Fremeaux-Bacchi, V."]);
    expect(a.journal).toBe("Orphanet Journal of Rare Diseases");
    expect(a.doi).toBe("10.1186/1750-1172-6-60");
    expect(a.pmid).toBeUndefined(); // no remote database named: the accession number may be any database's
    expect(a.fields.find(([p]) => p === "accession-num")?.[1]).toBe("21902819");
    expect(a.issn).toBe("1750-1172");
    expect(a.keywords).toEqual(["Complement", "HUS"]);
    expect(a.fields.find(([p]) => p === "custom2")?.[1]).toBe("PMC3198674");
    expect(b.type).toBe("chapter");
    expect(b.title).toBe("Atypical hemolytic uremic syndrome");
    expect(b.booktitle).toBe("Hemolytic Uremic Syndrome and Thrombotic Thrombocytopenic Purpura");
    expect(b.editors).toEqual(["Kaplan, B. S."]);
    expect(b.raw).toContain("<title>Atypical <style face=\"italic\">hemolytic</style> uremic syndrome</title>");
  });

  it("reads an EPPI-Reviewer JSON report and turns its codes into labels", async () => {
    const { format, records: rs } = await records(fx("eppi.json"), "report.json");
    expect(format).toBe("eppi-json");
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({ sourceId: "90001", type: "article", year: "2011", journal: "Orphanet Journal of Rare Diseases", volume: "6", pages: "60", doi: "10.1186/1750-1172-6-60" });
    expect(rs[0].authors).toEqual(["Loirat C", "Fremeaux-Bacchi V"]);
    expect(rs[0].keywords).toEqual(["complement", "HUS"]);
    expect(rs[0].annotations?.labels).toEqual(["Screening / Include"]);
    expect(rs[1]).toMatchObject({ type: "chapter", booktitle: "Book of Immunology" });
    expect(rs[1].editors).toEqual(["Editor E"]);
  });
});

describe("CSV/TSV with presets", () => {
  it("reads Covidence, Rayyan and Scopus exports by their headers", async () => {
    const cov = await records(fx("covidence.csv"), "covidence.csv", { preset: "covidence" });
    expect(cov.records[0]).toMatchObject({ sourceId: "#101", title: "Atypical hemolytic-uremic syndrome", year: "2009", journal: "New England Journal of Medicine", pages: "1676-1687", doi: "10.1056/nejmra0902814" });
    expect(cov.records[0].authors).toEqual(["Noris M.", "Remuzzi G."]);
    expect(cov.records[0].keywords).toEqual(["review", "complement"]);
    const ray = await records(fx("rayyan.csv"), "rayyan.csv", { preset: "rayyan" });
    expect(ray.records[0]).toMatchObject({ sourceId: "rayyan-1", pmid: "20613506", volume: "17", issue: "5" });
    expect(ray.records[0].authors).toEqual(["Kavanagh, D", "Goodship, T H"]);
    const sco = await records(fx("scopus.csv"), "scopus.csv");
    expect(sco.records[0]).toMatchObject({ sourceId: "2-s2.0-70350457155", pages: "1676-1687", pmid: "19846853", type: "review" });
    expect(sco.records[0].authors).toEqual(["Noris, Marina", "Remuzzi, Giuseppe"]);
  });

  it("reads Web of Science tab-delimited exports", async () => {
    const { format, records: [r] } = await records(fx("wos.tsv"), "savedrecs.txt", { preset: "wos" });
    expect(format).toBe("tsv");
    expect(r).toMatchObject({ sourceId: "WOS:000281146700011", pages: "432-438", pmid: "20613506", journal: "CURRENT OPINION IN HEMATOLOGY" });
    expect(r.authors).toEqual(["Kavanagh, David", "Goodship, Timothy H. J."]);
  });

  it("reads the BibDedupe benchmark layout and keeps every column", async () => {
    const csv = '"ID","title","year","author","pages","volume","number","ENTRYTYPE","journal"\n"id_1","A, ""quoted"" title\nover two lines",2006,"Zuna, R E and Wang, S S","288-297",108,,"article","Cancer"\n';
    const { records: [r], problems } = await records(Buffer.from(csv), "x.csv");
    expect(problems).toEqual([]);
    expect(r).toMatchObject({ sourceId: "id_1", title: 'A, "quoted" title over two lines', year: "2006", pages: "288-297", volume: "108", type: "article", journal: "Cancer", line: 2 });
    expect(r.authors).toEqual(["Zuna, R E", "Wang, S S"]);
    expect(r.fields.map(([k]) => k)).toEqual(["ID", "title", "year", "author", "pages", "volume", "number", "ENTRYTYPE", "journal"]);
  });

  it("rejects a mapping to a column the file does not have, and a file without usable columns", async () => {
    await expect(parseAll(Buffer.from("a,b\n1,2\n"), { fileName: "x.csv", columns: { title: "Titel" } })).rejects.toThrow(/column "Titel"/);
    const rep = await validate(Buffer.from("a,b\n1,2\n"), { fileName: "x.csv" });
    expect(rep.fatal).toMatch(/no title, author or DOI column/);
  });
});

describe("sniffing and the validation report", () => {
  it("recognises formats from content, whatever the extension", () => {
    expect(sniffFormat("PMID- 123\nTI  - x", "export.txt")).toBe("medline");
    expect(sniffFormat("FN Clarivate\nVR 1.0\nPT J", "savedrecs.txt")).toBe("wos");
    expect(sniffFormat("\n\nTY  - JOUR\n", "a.txt")).toBe("ris");
    expect(sniffFormat("@article{x,\n}", "a.txt")).toBe("bibtex");
    expect(sniffFormat("<?xml version='1.0'?><xml>", "a.txt")).toBe("endnote-xml");
    expect(sniffFormat('{"References": []}', "a.txt")).toBe("eppi-json");
    expect(sniffFormat("PT\tAU\tTI\nJ\tx\ty", "savedrecs.txt")).toBe("tsv");
    expect(sniffFormat("title,author\nx,y", "a.csv")).toBe("csv");
  });

  it("lists every problem with line and record before anything is written", async () => {
    const text = "TY  - JOUR\nTI  - Good\nER  - \nstray text\nTY  - JOUR\nER  - \nTY  - JOUR\nTI  - Also good\nER  - \n";
    const rep = await validate(Buffer.from(text), { fileName: "s.ris" });
    expect(rep).toMatchObject({ file: "s.ris", format: "ris", encoding: "utf-8", records: 2, skipped: 1, errors: 1, warnings: 1 });
    expect(rep.problems.map((p) => [p.severity, p.line])).toEqual([
      ["warning", 4],
      ["error", 5],
    ]);
    expect(rep.problems[1].message).toMatch(/record 2 \(line 5\) skipped: it has no fields/);
    expect(rep.fatal).toBeUndefined();
  });
});
