import { readAnnotationLine, emptyAnnotations, hasAnnotations } from "../annotations.js";
import { assignSerial, normaliseDoi, pageRange, recordType, setIfEmpty, splitList, squash, yearOf } from "../fields.js";
import type { ParsedRecord } from "../types.js";
import type { TaggedSyntax } from "./tagged.js";

/**
 * RIS (Research Information Systems). Tags are two characters, then two spaces,
 * a hyphen and a space; writers differ in details this reader accepts:
 * one space before the hyphen, no space after an empty value ("ER  -"), wrapped
 * lines without a tag (Ovid, EBSCO), numbered banners between records (EBSCO,
 * ProQuest), both the old (T1, A1, Y1, N2, JF) and new (TI, AU, PY, AB, T2)
 * tag sets, and EndNote's "TY  - Journal Article" long type names.
 * Reference: RIS format specification (Research Information Systems, 2011) and
 * EndNote's RIS tag table.
 */
const TAG = /^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$/;

export const risSyntax: TaggedSyntax = {
  format: "ris",
  endTag: "ER",
  tag(line) {
    const m = TAG.exec(line.replace(/^\uFEFF/, ""));
    return m ? [m[1], (m[2] ?? "").trimEnd()] : null;
  },
  continuation: (line) => line.trim(),
  startsRecord: (t) => t === "TY",
  endsRecord: (t) => t === "ER",
  build: buildRis,
};

function buildRis(r: ParsedRecord): void {
  let sp: string | undefined;
  let ep: string | undefined;
  let t2: string | undefined;
  let bt: string | undefined;
  let py: string | undefined;
  let an: string | undefined;
  const db: string[] = [];
  const annotations = emptyAnnotations();
  for (const [tag, value] of r.fields) {
    const v = value.trim();
    if (v === "") continue;
    switch (tag) {
      case "TY":
        r.sourceType = v;
        r.type = recordType(v);
        break;
      case "ID":
        setIfEmpty(r, "sourceId", v);
        break;
      case "TI":
      case "T1":
      case "CT":
        setIfEmpty(r, "title", squash(v));
        break;
      case "TT":
        setIfEmpty(r, "originalTitle", squash(v));
        break;
      case "BT":
        bt = squash(v);
        break;
      case "T2":
        t2 = squash(v);
        break;
      case "JF":
      case "JO":
        setIfEmpty(r, "journal", squash(v));
        break;
      case "JA":
      case "J1":
      case "J2":
        setIfEmpty(r, "journalAbbrev", squash(v));
        break;
      case "AU":
      case "A1":
        r.authors.push(squash(v));
        break;
      case "A2":
      case "ED":
        r.editors.push(squash(v));
        break;
      case "PY":
      case "Y1":
        setIfEmpty(r, "year", yearOf(v));
        py ??= v;
        break;
      case "DA":
      case "Y2":
        setIfEmpty(r, "date", v);
        break;
      case "VL":
      case "VO":
        setIfEmpty(r, "volume", v);
        break;
      case "IS":
      case "CP":
        setIfEmpty(r, "issue", v);
        break;
      case "SP":
        sp ??= v;
        break;
      case "EP":
        ep ??= v;
        break;
      case "DO":
        setIfEmpty(r, "doi", normaliseDoi(v));
        break;
      case "AN":
        an ??= v;
        break;
      case "DB":
      case "DP":
        db.push(v);
        break;
      case "SN":
        for (const s of splitList(v, /\s*[;,]\s*|\s+(?=\d{4}-)/)) assignSerial(r, s);
        break;
      case "AB":
      case "N2":
        setIfEmpty(r, "abstract", v);
        break;
      case "KW":
        r.keywords.push(...splitList(v, /\s*\n\s*|\s*;\s*/));
        break;
      case "UR":
      case "L1":
      case "L2":
      case "L4":
      case "LK":
        r.urls.push(...splitList(v, /\s*;\s*|\s+/));
        break;
      case "LA":
        setIfEmpty(r, "language", v);
        break;
      case "PB":
        setIfEmpty(r, "publisher", v);
        break;
      case "N1":
        readAnnotationLine(v, annotations);
        break;
    }
  }
  // DA is the full date; PY (often "1948/07//") stands in when there is none.
  if (!r.date && py && py !== r.year) r.date = py;
  if (!r.year) setIfEmpty(r, "year", yearOf(r.date));
  // T2 is the journal for articles and the book or proceedings title for parts of them.
  if (t2 !== undefined) {
    if (r.type === "chapter" || r.type === "conference" || r.type === "conference-abstract") setIfEmpty(r, "booktitle", t2);
    else setIfEmpty(r, "journal", t2);
  }
  if (bt !== undefined) {
    if (r.type === "book" && !r.title) r.title = bt;
    else setIfEmpty(r, "booktitle", bt);
  }
  if (!r.journal && r.journalAbbrev && r.type === "article") r.journal = r.journalAbbrev;
  r.pages = pageRange(sp, ep);
  // AN is the accession number of whichever database the record came from: a PMID only for MEDLINE/PubMed.
  if (an && /^\d{1,9}$/.test(an) && db.some((d) => /medline|pubmed|\bnlm\b/i.test(d))) r.pmid = an;
  if (!r.pmid) {
    const m = r.urls.map((u) => /ncbi\.nlm\.nih\.gov\/pubmed\/(\d+)|pubmed\.ncbi\.nlm\.nih\.gov\/(\d+)/.exec(u)).find(Boolean);
    if (m) r.pmid = m[1] ?? m[2];
  }
  if (!r.doi) setIfEmpty(r, "doi", r.urls.map(normaliseDoi).find(Boolean));
  if (hasAnnotations(annotations)) r.annotations = annotations;
}
