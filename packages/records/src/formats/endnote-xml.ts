import sax from "sax";
import { readAnnotationBlock } from "../annotations.js";
import { normaliseDoi, recordType, setIfEmpty, squash, yearOf } from "../fields.js";
import { emptyRecord, type ParseItem, type ParsedRecord } from "../types.js";
import type { Limits } from "./tagged.js";

/**
 * EndNote XML (File > Export > XML, DTD "xml.dtd"): <xml><records><record>...,
 * text often wrapped in <style> elements. Read with a streaming SAX parser, so
 * one record is held at a time. Each element's text is kept as a field named by
 * its path inside the record ("titles/title", "contributors/authors/author"),
 * unknown elements included; `raw` is the record element re-serialised.
 * Reference: EndNote XML document type definition (Clarivate, RSXML.dtd).
 */
const MAX_PROBLEMS = 100;

export async function* parseEndnoteXml(text: AsyncIterable<string>, lim: Limits): AsyncGenerator<ParseItem> {
  const file = lim.file;
  const out: ParseItem[] = [];
  const parser = sax.parser(true, { trim: false, normalize: false, position: true });
  let index = 0;
  let rec: ParsedRecord | null = null;
  let path: string[] = []; // element names inside <record>
  let textStack: string[] = [];
  let raw: string[] = [];
  let rawLen = 0;
  let broken: string | null = null;
  let problems = 0;
  let seenRecords = false;
  let rootSeen = false;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  parser.onopentag = (node) => {
    rootSeen = true;
    const name = node.name;
    if (!rec) {
      if (name === "record") {
        seenRecords = true;
        rec = emptyRecord("endnote-xml", index, parser.line + 1);
        path = [];
        textStack = [];
        raw = ["<record>"];
        rawLen = 0;
        broken = null;
      }
      return;
    }
    if (name !== "style") {
      path.push(name);
      textStack.push("");
    }
    if (!broken) {
      const attrs = Object.entries(node.attributes as Record<string, string>)
        .map(([k, v]) => ` ${k}="${esc(String(v)).replace(/"/g, "&quot;")}"`)
        .join("");
      raw.push(`<${name}${attrs}>`);
      if (name === "ref-type" && (node.attributes as Record<string, string>).name) rec.sourceType = String((node.attributes as Record<string, string>).name);
    }
  };
  const ontext = (t: string) => {
    if (!rec || broken) return;
    rawLen += t.length;
    if (rawLen > lim.maxRecordLength) {
      broken = `the record is longer than ${lim.maxRecordLength} characters`;
      raw = [];
      return;
    }
    raw.push(esc(t));
    if (textStack.length) textStack[textStack.length - 1] += t;
  };
  parser.ontext = ontext;
  parser.oncdata = ontext;
  parser.onclosetag = (name) => {
    if (!rec) return;
    if (name === "record") {
      const r = rec;
      rec = null;
      const i = index++;
      if (broken) {
        out.push({ kind: "problem", severity: "error", file, line: r.line, record: i, message: `record ${i + 1} (line ${r.line}) skipped: ${broken}`, ...(raw.length ? { raw: raw.join("") } : {}) });
        return;
      }
      raw.push("</record>");
      r.raw = raw.join("");
      r.index = i;
      buildEndnote(r);
      out.push(r);
      return;
    }
    if (!broken) raw.push(`</${name}>`);
    if (name === "style") return;
    const value = textStack.pop() ?? "";
    const p = path.join("/");
    path.pop();
    // Only leaf text is a field; container elements hold whitespace between children.
    if (value.trim() !== "" && !broken) rec.fields.push([p, value]);
  };
  parser.onerror = (e) => {
    problems++;
    const line = parser.line + 1;
    const msg = e.message.split("\n")[0];
    if (rec && !broken) broken = `malformed XML at line ${line}: ${msg}`;
    else if (problems <= MAX_PROBLEMS) out.push({ kind: "problem", severity: "error", file, line, message: `line ${line}: malformed XML: ${msg}` });
    (parser as unknown as { error: null }).error = null;
  };

  for await (const chunk of text) {
    parser.write(chunk);
    while (out.length) yield out.shift()!;
    if (problems > MAX_PROBLEMS) {
      yield { kind: "problem", severity: "error", file, line: parser.line + 1, message: `reading stopped: more than ${MAX_PROBLEMS} XML errors` };
      return;
    }
  }
  parser.close();
  if (rec) {
    const r = rec as ParsedRecord;
    out.push({ kind: "problem", severity: "error", file, line: r.line, record: index, message: `record ${index + 1} (line ${r.line}) skipped: the file ends inside it` });
    rec = null;
  }
  while (out.length) yield out.shift()!;
  if (!rootSeen || !seenRecords) yield { kind: "problem", severity: "error", file, line: 1, message: "no <record> elements found: not an EndNote XML export" };
}

function buildEndnote(r: ParsedRecord): void {
  let an: string | undefined;
  const db: string[] = [];
  for (const [p, value] of r.fields) {
    const v = squash(value);
    switch (p) {
      case "rec-number":
        setIfEmpty(r, "sourceId", v);
        break;
      case "titles/title":
        setIfEmpty(r, "title", v);
        break;
      case "titles/secondary-title":
        setIfEmpty(r, "journal", v);
        break;
      case "periodical/full-title":
        setIfEmpty(r, "journal", v);
        break;
      case "titles/alt-title":
      case "periodical/abbr-1":
        setIfEmpty(r, "journalAbbrev", v);
        break;
      case "contributors/authors/author":
        r.authors.push(v);
        break;
      case "contributors/secondary-authors/author":
        r.editors.push(v);
        break;
      case "dates/year":
        setIfEmpty(r, "year", yearOf(v));
        break;
      case "dates/pub-dates/date":
        setIfEmpty(r, "date", v);
        break;
      case "volume":
        setIfEmpty(r, "volume", v);
        break;
      case "number":
        setIfEmpty(r, "issue", v);
        break;
      case "pages":
        setIfEmpty(r, "pages", v);
        break;
      case "electronic-resource-num":
        setIfEmpty(r, "doi", normaliseDoi(v));
        break;
      case "accession-num":
        an = v;
        break;
      case "remote-database-name":
      case "remote-database-provider":
        db.push(v);
        break;
      case "isbn":
        if (/^\d{4}-?\d{3}[\dxX]$/.test(v)) setIfEmpty(r, "issn", v);
        else setIfEmpty(r, "isbn", v);
        break;
      case "abstract":
        setIfEmpty(r, "abstract", value.trim());
        break;
      case "keywords/keyword":
        r.keywords.push(v);
        break;
      case "urls/related-urls/url":
      case "urls/web-urls/url":
      case "urls/pdf-urls/url":
        r.urls.push(v);
        break;
      case "language":
        setIfEmpty(r, "language", v);
        break;
      case "publisher":
        setIfEmpty(r, "publisher", v);
        break;
      case "research-notes":
        r.annotations = readAnnotationBlock(value);
        break;
    }
  }
  // The accession number is a PMID only when the record came from MEDLINE/PubMed.
  if (an && /^\d{1,9}$/.test(an) && db.some((d) => /medline|pubmed|\bnlm\b/i.test(d))) r.pmid = an;
  r.type = recordType(r.sourceType);
  if ((r.type === "chapter" || r.type === "conference") && r.journal) {
    r.booktitle = r.journal;
    delete r.journal;
  }
  if (!r.year) setIfEmpty(r, "year", yearOf(r.date));
}
