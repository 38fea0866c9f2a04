import { mostSpecificType, normaliseDoi, pageRange, setIfEmpty, splitList, squash, yearOf } from "../fields.js";
import type { ParsedRecord } from "../types.js";
import type { TaggedSyntax } from "./tagged.js";

/**
 * Web of Science "plain text" (field-tagged) export. Two-character tags, one
 * space, the value; continuation lines start with three spaces. For the tags
 * listed in LIST_TAGS each continuation line is a further value (one author or
 * cited reference per line); elsewhere it continues the text. Records run from
 * PT to ER; FN, VR and EF frame the file.
 * Reference: Clarivate, "Web of Science Core Collection field tags".
 */
const LIST_TAGS = new Set(["AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3", "RP", "EM", "RI", "OI", "FU", "SE"]);

export const wosSyntax: TaggedSyntax = {
  format: "wos",
  endTag: "ER",
  tag(line) {
    const m = /^([A-Z][A-Z0-9])(?: (.*))?$/.exec(line.replace(/^\uFEFF/, ""));
    return m ? [m[1], (m[2] ?? "").trim()] : null;
  },
  continuation: (line) => (/^\s/.test(line) ? line.trim() : null),
  startsRecord: (t) => t === "PT",
  endsRecord: (t) => t === "ER",
  fileTag: (t) => t === "FN" || t === "VR" || t === "EF",
  listTags: LIST_TAGS,
  build: buildWos,
};

function buildWos(r: ParsedRecord): void {
  let bp: string | undefined;
  let ep: string | undefined;
  let ar: string | undefined;
  const au: string[] = [];
  const af: string[] = [];
  const types: string[] = [];
  for (const [tag, value] of r.fields) {
    const v = value.trim();
    if (v === "") continue;
    switch (tag) {
      case "PT":
        r.sourceType = v;
        types.push(v === "J" ? "article" : v === "B" ? "book" : v === "S" ? "book" : v === "C" ? "conference" : v);
        break;
      case "DT":
        r.sourceType = r.sourceType ? `${r.sourceType}; ${v}` : v;
        types.push(...splitList(v));
        break;
      case "UT":
        setIfEmpty(r, "sourceId", v);
        break;
      case "TI":
        setIfEmpty(r, "title", squash(v));
        break;
      case "AU":
        au.push(squash(v));
        break;
      case "AF":
        af.push(squash(v));
        break;
      case "BE":
        r.editors.push(squash(v));
        break;
      case "SO":
        setIfEmpty(r, "journal", squash(v));
        break;
      case "J9":
      case "JI":
        setIfEmpty(r, "journalAbbrev", squash(v));
        break;
      case "SE":
      case "BS":
        setIfEmpty(r, "booktitle", squash(v));
        break;
      case "PY":
        setIfEmpty(r, "year", yearOf(v));
        break;
      case "PD":
        setIfEmpty(r, "date", v);
        break;
      case "EA":
        setIfEmpty(r, "date", v);
        break;
      case "VL":
        setIfEmpty(r, "volume", v);
        break;
      case "IS":
        setIfEmpty(r, "issue", v);
        break;
      case "BP":
        bp ??= v;
        break;
      case "EP":
        ep ??= v;
        break;
      case "AR":
        ar ??= v;
        break;
      case "DI":
        setIfEmpty(r, "doi", normaliseDoi(v));
        break;
      case "PM":
        setIfEmpty(r, "pmid", v);
        break;
      case "SN":
      case "EI":
        setIfEmpty(r, "issn", v);
        break;
      case "BN":
        setIfEmpty(r, "isbn", v);
        break;
      case "AB":
        setIfEmpty(r, "abstract", v);
        break;
      case "DE":
      case "ID":
        r.keywords.push(...splitList(squash(v)));
        break;
      case "LA":
        setIfEmpty(r, "language", v);
        break;
      case "PU":
        setIfEmpty(r, "publisher", v);
        break;
    }
  }
  // AF holds full names; AU the abbreviated ones. Prefer full when both list the same people.
  r.authors = af.length >= au.length && af.length > 0 ? af : au;
  r.type = mostSpecificType(types);
  r.pages = pageRange(bp, ep) ?? ar;
  if (!r.year) setIfEmpty(r, "year", yearOf(r.date));
}
