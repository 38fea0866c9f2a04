import { normaliseDoi, recordType, splitList, squash, yearOf } from "../fields.js";
import { emptyRecord, type ParseItem } from "../types.js";
import type { Limits } from "./tagged.js";

/**
 * EPPI-Reviewer's JSON report ("Export > JSON"): { CodeSets: [...], References: [...] }.
 * Each reference's coding (Codes[].AttributeId) is turned into labels named by
 * the code set tree ("Code set / Attribute"), so screening codes come across.
 * The report is a single JSON document, so it is read whole; its size is
 * bounded by the limit given.
 * Reference: EPPI-Reviewer JSON report format (EPPI Centre, UCL).
 */
interface EppiAttribute {
  AttributeId?: number;
  AttributeName?: string;
  Attributes?: { AttributesList?: EppiAttribute[] };
}
interface EppiCodeSet {
  SetName?: string;
  Attributes?: { AttributesList?: EppiAttribute[] };
}
type EppiRef = Record<string, unknown> & { Codes?: { AttributeId?: number; AdditionalText?: string }[] };

export async function* parseEppiJson(text: AsyncIterable<string>, lim: Limits & { maxFileLength: number }): AsyncGenerator<ParseItem> {
  const file = lim.file;
  let all = "";
  for await (const c of text) {
    all += c;
    if (all.length > lim.maxFileLength) {
      yield { kind: "problem", severity: "error", file, message: `the JSON report is longer than ${lim.maxFileLength} characters; split it or export in another format` };
      return;
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(all);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? all.slice(0, Number(m[1])).split("\n").length : undefined;
    yield { kind: "problem", severity: "error", file, line, message: `${line ? `line ${line}: ` : ""}not valid JSON: ${(e as Error).message}` };
    return;
  }
  const refs = Array.isArray(doc) ? doc : (doc as { References?: unknown })?.References;
  if (!Array.isArray(refs)) {
    yield { kind: "problem", severity: "error", file, message: 'not an EPPI-Reviewer JSON report: no "References" array' };
    return;
  }
  const names = new Map<number, string>();
  const walk = (prefix: string, list: EppiAttribute[] | undefined) => {
    for (const a of list ?? []) {
      const name = `${prefix} / ${a.AttributeName ?? a.AttributeId}`;
      if (typeof a.AttributeId === "number") names.set(a.AttributeId, name);
      walk(name, a.Attributes?.AttributesList);
    }
  };
  for (const cs of ((doc as { CodeSets?: EppiCodeSet[] }).CodeSets ?? []) as EppiCodeSet[]) walk(cs.SetName ?? "Code set", cs.Attributes?.AttributesList);

  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as EppiRef;
    if (!ref || typeof ref !== "object" || Array.isArray(ref)) {
      yield { kind: "problem", severity: "error", file, record: i, message: `record ${i + 1} skipped: not an object` };
      continue;
    }
    const r = emptyRecord("eppi-json", i, 0);
    const str = (k: string): string | undefined => {
      const v = ref[k];
      if (v === undefined || v === null) return undefined;
      const s = squash(String(v));
      return s === "" ? undefined : s;
    };
    for (const [k, v] of Object.entries(ref)) if (v !== null && typeof v !== "object") r.fields.push([k, String(v)]);
    r.raw = JSON.stringify(ref);
    r.sourceId = str("ItemId");
    r.sourceType = str("TypeName");
    r.type = recordType(r.sourceType);
    r.title = str("Title");
    r.authors = splitList(String(ref.Authors ?? ""));
    r.editors = splitList(String(ref.ParentAuthors ?? ""));
    r.year = yearOf(str("Year"));
    const parent = str("ParentTitle");
    if (parent) {
      if (r.type === "chapter" || r.type === "conference") r.booktitle = parent;
      else r.journal = parent;
    }
    r.volume = str("Volume");
    r.issue = str("Issue");
    r.pages = str("Pages");
    r.doi = normaliseDoi(str("DOI"));
    r.issn = str("StandardNumber");
    r.abstract = typeof ref.Abstract === "string" && ref.Abstract.trim() ? ref.Abstract.trim() : undefined;
    r.keywords = splitList(String(ref.Keywords ?? ""), /\s*[\r\n;]+\s*/);
    r.urls = splitList(String(ref.URL ?? ""), /\s+/);
    r.publisher = str("Publisher");
    const labels = (Array.isArray(ref.Codes) ? ref.Codes : []).map((c) => (typeof c?.AttributeId === "number" ? (names.get(c.AttributeId) ?? `code ${c.AttributeId}`) : undefined)).filter((x): x is string => !!x);
    if (labels.length) r.annotations = { decisions: [], labels, notes: [] };
    for (const k of Object.keys(r) as (keyof typeof r)[]) if (r[k] === undefined) delete r[k];
    yield r;
  }
}
