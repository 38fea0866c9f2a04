import { annotationLines, hasAnnotations, isAnnotationLine } from "./annotations.js";
import { stringify } from "csv-stringify/sync";
import type { Annotations, ParsedRecord, RecordType } from "./types.js";

/** A record to export: the normalised fields, the project's annotations, and (optionally) the fields as first read. */
export type ExportRecord = Partial<Omit<ParsedRecord, "kind" | "index" | "line">> & { id?: string; annotations?: Annotations };

export type ExportFormat = "ris" | "csv" | "bibtex" | "endnote-xml";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["ris", "csv", "bibtex", "endnote-xml"];

const RIS_TYPE: Record<RecordType, string> = {
  article: "JOUR",
  review: "JOUR",
  erratum: "JOUR",
  comment: "JOUR",
  book: "BOOK",
  chapter: "CHAP",
  conference: "CPAPER",
  "conference-abstract": "ABST",
  thesis: "THES",
  report: "RPRT",
  preprint: "UNPB",
  dataset: "DATA",
  web: "ELEC",
  other: "GEN",
};

function splitPages(p: string | undefined): [string | undefined, string | undefined] {
  if (!p) return [undefined, undefined];
  const m = /^\s*([^-–—\s]+)\s*[-–—]+\s*([^-–—\s]+)\s*$/.exec(p);
  return m ? [m[1], m[2]] : [p.trim(), undefined];
}


/** Tags the RIS writer produces from normalised fields (or reads into them). */
const RIS_WRITTEN = new Set(["TY", "ID", "TI", "T1", "CT", "BT", "T2", "JF", "JO", "JA", "J1", "J2", "AU", "A1", "A2", "ED", "PY", "Y1", "DA", "Y2", "VL", "VO", "IS", "CP", "SP", "EP", "DO", "SN", "AB", "N2", "KW", "UR", "L1", "L2", "L4", "LK", "LA", "PB", "N1", "ER"]);

/**
 * RIS. Normalised fields are written with the current tag set; a record read
 * from RIS also gets back every tag this writer does not produce (unknown and
 * vendor tags, plain notes), so nothing is lost; the project's annotations
 * replace any earlier Homeward N1 lines.
 */
function risRecord(r: ExportRecord): string {
  const out: string[] = [];
  const t = (tag: string, v: string | undefined) => {
    if (v !== undefined && v !== "") out.push(`${tag}  - ${v.replace(/\r?\n/g, "\n      ")}`);
  };
  // A RIS record keeps its own type name (EndNote's "Journal Article", ABST, ...).
  t("TY", r.format === "ris" && r.sourceType ? r.sourceType : RIS_TYPE[r.type ?? "other"]);
  t("ID", r.id ?? r.sourceId);
  t("TI", r.title);
  for (const a of r.authors ?? []) t("AU", a);
  for (const e of r.editors ?? []) t("A2", e);
  t("PY", r.year);
  t("DA", r.date);
  if (r.type === "chapter" || r.type === "conference" || r.type === "conference-abstract") {
    t("T2", r.booktitle);
    t("JF", r.journal);
  } else {
    t("T2", r.journal);
    t("BT", r.booktitle);
  }
  t("J2", r.journalAbbrev);
  t("VL", r.volume);
  t("IS", r.issue);
  const [sp, ep] = splitPages(r.pages);
  t("SP", sp);
  t("EP", ep);
  t("DO", r.doi);
  t("AN", r.pmid);
  // Marks AN as a PMID for readers (and for this reader on re-import), unless the source named its database.
  if (r.pmid && !(r.format === "ris" && r.fields?.some(([tag]) => tag === "DB" || tag === "DP"))) t("DP", "NLM");
  t("SN", r.issn);
  t("SN", r.isbn);
  t("AB", r.abstract);
  for (const k of r.keywords ?? []) t("KW", k);
  for (const u of r.urls ?? []) t("UR", u);
  t("LA", r.language);
  t("PB", r.publisher);
  // Tags this writer does not produce (unknown, vendor-specific, plain notes) go out as they came in.
  if (r.format === "ris")
    for (const [tag, v] of r.fields ?? []) {
      if (tag === "AN" && v.trim() === r.pmid) continue; // written above
      if (!RIS_WRITTEN.has(tag) || (tag === "N1" && !isAnnotationLine(v))) t(tag, v);
    }
  if (hasAnnotations(r.annotations)) for (const l of annotationLines(r.annotations)) t("N1", l);
  out.push("ER  - ");
  return `${out.join("\n")}\n\n`;
}

const CSV_COLUMNS: [string, (r: ExportRecord) => string | undefined][] = [
  ["id", (r) => r.id ?? r.sourceId],
  ["type", (r) => r.type],
  ["title", (r) => r.title],
  ["authors", (r) => r.authors?.join("; ")],
  ["year", (r) => r.year],
  ["date", (r) => r.date],
  ["journal", (r) => r.journal],
  ["journal abbreviation", (r) => r.journalAbbrev],
  ["booktitle", (r) => r.booktitle],
  ["editors", (r) => r.editors?.join("; ")],
  ["volume", (r) => r.volume],
  ["issue", (r) => r.issue],
  ["pages", (r) => r.pages],
  ["doi", (r) => r.doi],
  ["pmid", (r) => r.pmid],
  ["issn", (r) => r.issn],
  ["isbn", (r) => r.isbn],
  ["abstract", (r) => r.abstract],
  ["keywords", (r) => r.keywords?.join("; ")],
  ["urls", (r) => r.urls?.join("; ")],
  ["language", (r) => r.language],
  ["publisher", (r) => r.publisher],
  ["homeward", (r) => (hasAnnotations(r.annotations) ? annotationLines(r.annotations).join("\n") : undefined)],
];

/** A cell as written: one starting with = + - @ gets a leading ' so spreadsheets do not run it as a formula (quoting is csv-stringify's). */
function csvCell(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
}

const csvLine = (cells: readonly (string | undefined)[]): string => stringify([cells as (string | undefined)[]], { record_delimiter: "\r\n", quoted_match: /[\r\n]/ });

const BIB_TYPE: Record<RecordType, string> = {
  article: "article",
  review: "article",
  erratum: "article",
  comment: "article",
  book: "book",
  chapter: "incollection",
  conference: "inproceedings",
  "conference-abstract": "inproceedings",
  thesis: "phdthesis",
  report: "techreport",
  preprint: "unpublished",
  dataset: "misc",
  web: "online",
  other: "misc",
};

/** Braces balanced for BibTeX: unmatched ones are escaped. */
function bibValue(s: string): string {
  let depth = 0;
  let out = "";
  for (const c of s) {
    if (c === "{") depth++;
    if (c === "}") {
      if (depth === 0) {
        out += "\\}";
        continue;
      }
      depth--;
    }
    out += c;
  }
  if (depth > 0) {
    // Escape the unmatched opening braces (from the end).
    let extra = depth;
    const chars = [...out];
    for (let i = chars.length - 1; i >= 0 && extra > 0; i--) if (chars[i] === "{" && chars[i - 1] !== "\\") (chars[i] = "\\{"), extra--;
    out = chars.join("");
  }
  return out;
}

function bibKey(r: ExportRecord, n: number, used: Set<string>): string {
  let k = (r.id ?? r.sourceId ?? "").replace(/[^\w:.-]/g, "");
  if (!k) {
    const first = (r.authors?.[0] ?? "anon").split(/[ ,]/)[0].normalize("NFKD").replace(/[^A-Za-z]/g, "").toLowerCase() || "anon";
    k = `${first}${r.year ?? ""}`;
  }
  let key = k;
  for (let i = 2; used.has(key); i++) key = `${k}-${i}`;
  used.add(key);
  return key || `record${n}`;
}

function bibRecord(r: ExportRecord, n: number, used: Set<string>): string {
  const f: [string, string | undefined][] = [
    ["title", r.title],
    ["author", r.authors?.join(" and ")],
    ["editor", r.editors?.join(" and ")],
    ["year", r.year],
    ["date", r.date && r.date !== r.year ? r.date : undefined],
    [r.type === "chapter" || r.type === "conference" || r.type === "conference-abstract" ? "booktitle" : "journal", r.type === "chapter" || r.type === "conference" || r.type === "conference-abstract" ? (r.booktitle ?? r.journal) : r.journal],
    ["shortjournal", r.journalAbbrev],
    ["volume", r.volume],
    ["number", r.issue],
    ["pages", r.pages],
    ["doi", r.doi],
    ["pmid", r.pmid],
    ["issn", r.issn],
    ["isbn", r.isbn],
    ["abstract", r.abstract],
    ["keywords", r.keywords?.length ? r.keywords.join("; ") : undefined],
    ["url", r.urls?.length ? r.urls.join(" ") : undefined],
    ["language", r.language],
    ["publisher", r.publisher],
    ["homeward", hasAnnotations(r.annotations) ? annotationLines(r.annotations).join("\n") : undefined],
  ];
  const body = f
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `  ${k} = {${bibValue(v!)}}`)
    .join(",\n");
  return `@${BIB_TYPE[r.type ?? "other"]}{${bibKey(r, n, used)},\n${body}\n}\n\n`;
}

const EN_TYPE: Record<RecordType, [string, number]> = {
  article: ["Journal Article", 17],
  review: ["Journal Article", 17],
  erratum: ["Journal Article", 17],
  comment: ["Journal Article", 17],
  book: ["Book", 6],
  chapter: ["Book Section", 5],
  conference: ["Conference Paper", 47],
  "conference-abstract": ["Conference Proceedings", 10],
  thesis: ["Thesis", 32],
  report: ["Report", 27],
  preprint: ["Electronic Article", 43],
  dataset: ["Dataset", 59],
  web: ["Web Page", 12],
  other: ["Generic", 13],
};

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // Characters XML 1.0 cannot hold at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");

function enRecord(r: ExportRecord, n: number): string {
  const el = (name: string, v: string | undefined) => (v === undefined || v === "" ? "" : `<${name}>${xml(v)}</${name}>`);
  const [tname, tnum] = EN_TYPE[r.type ?? "other"];
  const isPart = r.type === "chapter" || r.type === "conference" || r.type === "conference-abstract";
  const parts = [
    `<rec-number>${xml(r.id ?? r.sourceId ?? String(n + 1))}</rec-number>`,
    `<ref-type name="${tname}">${tnum}</ref-type>`,
    r.authors?.length || r.editors?.length
      ? `<contributors>${r.authors?.length ? `<authors>${r.authors.map((a) => el("author", a)).join("")}</authors>` : ""}${r.editors?.length ? `<secondary-authors>${r.editors.map((a) => el("author", a)).join("")}</secondary-authors>` : ""}</contributors>`
      : "",
    `<titles>${el("title", r.title)}${el("secondary-title", isPart ? (r.booktitle ?? r.journal) : r.journal)}${el("alt-title", r.journalAbbrev)}</titles>`,
    r.journal && !isPart ? `<periodical>${el("full-title", r.journal)}${el("abbr-1", r.journalAbbrev)}</periodical>` : "",
    el("pages", r.pages),
    el("volume", r.volume),
    el("number", r.issue),
    r.keywords?.length ? `<keywords>${r.keywords.map((k) => el("keyword", k)).join("")}</keywords>` : "",
    r.year || r.date ? `<dates>${el("year", r.year)}${r.date ? `<pub-dates>${el("date", r.date)}</pub-dates>` : ""}</dates>` : "",
    el("isbn", r.issn ?? r.isbn),
    el("accession-num", r.pmid),
    r.pmid ? el("remote-database-provider", "NLM") : "",
    el("electronic-resource-num", r.doi),
    r.urls?.length ? `<urls><related-urls>${r.urls.map((u) => el("url", u)).join("")}</related-urls></urls>` : "",
    el("abstract", r.abstract),
    hasAnnotations(r.annotations) ? el("research-notes", annotationLines(r.annotations).join("\n")) : "",
    el("language", r.language),
    el("publisher", r.publisher),
  ];
  return `<record>${parts.join("")}</record>\n`;
}

/**
 * Writes records as RIS, CSV, BibTeX or EndNote XML, chunk by chunk, with the
 * project's decisions, reasons, labels and notes attached in each format's
 * note field (see annotations.ts), so that a re-import gives them back.
 */
export async function* exportRecords(records: Iterable<ExportRecord> | AsyncIterable<ExportRecord>, format: ExportFormat): AsyncGenerator<string> {
  let n = 0;
  const used = new Set<string>();
  if (format === "csv") yield `\uFEFF${csvLine(CSV_COLUMNS.map(([h]) => h))}`;
  if (format === "endnote-xml") yield '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n';
  for await (const r of records as AsyncIterable<ExportRecord>) {
    switch (format) {
      case "ris":
        yield risRecord(r);
        break;
      case "csv":
        yield csvLine(CSV_COLUMNS.map(([, get]) => csvCell(get(r))));
        break;
      case "bibtex":
        yield bibRecord(r, n, used);
        break;
      case "endnote-xml":
        yield enRecord(r, n);
        break;
    }
    n++;
  }
  if (format === "endnote-xml") yield "</records></xml>\n";
}

/** The whole export as one string (for small sets and tests). */
export async function exportToString(records: Iterable<ExportRecord> | AsyncIterable<ExportRecord>, format: ExportFormat): Promise<string> {
  let s = "";
  for await (const c of exportRecords(records, format)) s += c;
  return s;
}

