import { mostSpecificType, normaliseDoi, setIfEmpty, squash, yearOf } from "../fields.js";
import type { ParsedRecord } from "../types.js";
import type { TaggedSyntax } from "./tagged.js";

/**
 * PubMed/MEDLINE text format (the ".nbib" file PubMed's "Citation manager"
 * export writes). The tag is left-justified in four columns, then "- " and the
 * value; continuation lines are indented six spaces; a blank line separates
 * records, each beginning with PMID.
 * Reference: NLM, "MEDLINE/PubMed Data Element (Field) Descriptions".
 */
export const medlineSyntax: TaggedSyntax = {
  format: "medline",
  tag(line) {
    if (line.length < 5 || line[4] !== "-") return null;
    const t = line.slice(0, 4).trim();
    if (!/^[A-Z][A-Z0-9]{1,3}$/.test(t)) return null;
    return [t, line.slice(line[5] === " " ? 6 : 5).trim()];
  },
  continuation: (line) => (/^\s/.test(line) ? line.trim() : null),
  startsRecord: (t) => t === "PMID",
  endsRecord: () => false,
  blankEndsRecord: true,
  build: buildMedline,
};

function buildMedline(r: ParsedRecord): void {
  const fau: string[] = [];
  const au: string[] = [];
  const types: string[] = [];
  for (const [tag, value] of r.fields) {
    const v = value.trim();
    if (v === "") continue;
    switch (tag) {
      case "PMID":
        setIfEmpty(r, "pmid", v);
        setIfEmpty(r, "sourceId", v);
        break;
      case "TI":
        setIfEmpty(r, "title", squash(v));
        break;
      case "BTI":
        setIfEmpty(r, "booktitle", squash(v));
        break;
      case "TT":
        // Title in the original language; the English TI stays the title.
        setIfEmpty(r, "originalTitle", squash(v));
        break;
      case "FAU":
        fau.push(squash(v));
        break;
      case "AU":
        au.push(squash(v));
        break;
      case "FED":
      case "ED":
        r.editors.push(squash(v));
        break;
      case "DP":
        setIfEmpty(r, "year", yearOf(v));
        setIfEmpty(r, "date", v);
        break;
      case "JT":
        setIfEmpty(r, "journal", squash(v));
        break;
      case "TA":
        setIfEmpty(r, "journalAbbrev", squash(v));
        break;
      case "VI":
        setIfEmpty(r, "volume", v);
        break;
      case "IP":
        setIfEmpty(r, "issue", v);
        break;
      case "PG":
        setIfEmpty(r, "pages", v);
        break;
      case "LID":
      case "AID":
        if (/\[doi\]/.test(v)) setIfEmpty(r, "doi", normaliseDoi(v.replace(/\s*\[doi\]/, "")));
        else if (tag === "LID" && /\[pii\]/.test(v) && !r.pages) r.pages = v.replace(/\s*\[pii\]/, "");
        break;
      case "IS":
        setIfEmpty(r, "issn", v.replace(/\s*\(.*\)$/, ""));
        break;
      case "ISBN":
        setIfEmpty(r, "isbn", v);
        break;
      case "AB":
        setIfEmpty(r, "abstract", squash(v));
        break;
      case "MH":
      case "OT":
        r.keywords.push(squash(v));
        break;
      case "LA":
        setIfEmpty(r, "language", v);
        break;
      case "PB":
        setIfEmpty(r, "publisher", v);
        break;
      case "PT":
        types.push(v);
        break;
    }
  }
  r.authors = fau.length >= au.length && fau.length > 0 ? fau : au;
  r.sourceType = types.join("; ") || undefined;
  r.type = types.length ? mostSpecificType(types) : r.booktitle ? "chapter" : "article";
  if (r.type === "other") r.type = "article";
}
