import type { BibRecord, BibRecordInput, Reconciliation, ScreeningDecision } from "@homeward/model";
import type { Annotations, ParsedRecord } from "./types.js";
import type { ExportRecord } from "./export.js";

/** The part of a stored record an import fills in (the store adds id, batch, search and time). */
export type ImportedRecord = Omit<BibRecordInput, "id" | "createdAt" | "searchId" | "importBatchId" | "duplicateGroupId">;

/**
 * Maps a parsed record onto the model's BibRecord. Fields the model has no
 * column for go to `extra`, together with every field as read (`extra.fields`)
 * and the source format, so an export can give back what was imported.
 */
export function toBibRecord(r: ParsedRecord): ImportedRecord {
  const year = r.year && /^\d{4}$/.test(r.year) ? Number(r.year) : null;
  const extra: Record<string, unknown> = { format: r.format, recordType: r.type, fields: r.fields };
  const put = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) extra[k] = v;
  };
  put("sourceId", r.sourceId);
  put("sourceType", r.sourceType);
  put("date", r.date);
  put("journalAbbrev", r.journalAbbrev);
  put("originalTitle", r.originalTitle);
  put("booktitle", r.booktitle);
  put("editors", r.editors);
  put("issn", r.issn);
  put("isbn", r.isbn);
  put("publisher", r.publisher);
  put("urls", r.urls.slice(1));
  put("annotations", r.annotations);
  if (r.year && year === null) put("yearText", r.year);
  return {
    authors: r.authors,
    title: r.title ?? "",
    abstract: r.abstract ?? null,
    journal: r.journal ?? null,
    year,
    volume: r.volume ?? null,
    issue: r.issue ?? null,
    pages: r.pages ?? null,
    doi: r.doi ?? null,
    pmid: r.pmid ?? null,
    keywords: r.keywords,
    url: r.urls[0] ?? null,
    type: r.sourceType ?? r.type,
    language: r.language ?? null,
    raw: r.raw,
    extra,
  };
}

/** A stored record as an export record (the inverse of `toBibRecord`). */
export function fromBibRecord(b: BibRecord, annotations?: Annotations): ExportRecord {
  const x = b.extra as Record<string, unknown>;
  const str = (k: string) => (typeof x[k] === "string" ? (x[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(x[k]) ? (x[k] as string[]) : []);
  const orUndef = (v: string | null) => (v === null || v === "" ? undefined : v);
  return {
    id: b.id,
    format: (str("format") as ExportRecord["format"]) ?? undefined,
    sourceId: str("sourceId"),
    type: (str("recordType") as ExportRecord["type"]) ?? "other",
    sourceType: str("sourceType") ?? orUndef(b.type),
    title: orUndef(b.title),
    originalTitle: str("originalTitle"),
    authors: b.authors,
    editors: list("editors"),
    year: b.year !== null ? String(b.year) : str("yearText"),
    date: str("date"),
    journal: orUndef(b.journal),
    journalAbbrev: str("journalAbbrev"),
    booktitle: str("booktitle"),
    volume: orUndef(b.volume),
    issue: orUndef(b.issue),
    pages: orUndef(b.pages),
    doi: orUndef(b.doi),
    pmid: orUndef(b.pmid),
    issn: str("issn"),
    isbn: str("isbn"),
    abstract: orUndef(b.abstract),
    keywords: b.keywords,
    urls: [...(b.url ? [b.url] : []), ...list("urls")],
    language: orUndef(b.language),
    publisher: str("publisher"),
    fields: Array.isArray(x.fields) ? (x.fields as [string, string][]) : [],
    annotations,
  };
}

/**
 * The project's screening state of one record (or of a duplicate group: pass
 * the decisions on all its records), as export annotations. Per stage, the
 * reconciled decision if there is one, else the reviewers' latest decisions
 * when they agree, else "conflict"; reasons, labels and notes are gathered
 * from the decisions that count.
 */
export function screeningAnnotations(decisions: readonly ScreeningDecision[], reconciliations: readonly Reconciliation[]): Annotations {
  const a: Annotations = { decisions: [], labels: [], notes: [] };
  const stages = [...new Set([...decisions.map((d) => d.stage), ...reconciliations.map((r) => r.stage)])].sort();
  for (const stage of stages) {
    const rec = reconciliations.filter((r) => r.stage === stage).sort((p, q) => p.at.localeCompare(q.at)).at(-1);
    const latest = new Map<string, ScreeningDecision>();
    for (const d of decisions.filter((d) => d.stage === stage).sort((p, q) => p.at.localeCompare(q.at))) latest.set(d.reviewer, d);
    const ds = [...latest.values()];
    if (rec) a.decisions.push({ stage, decision: rec.decision, reasons: [...rec.reasons] });
    else {
      const kinds = new Set(ds.map((d) => d.decision));
      a.decisions.push({ stage, decision: kinds.size === 1 ? ds[0].decision : "conflict", reasons: [...new Set(ds.flatMap((d) => d.reasons))] });
    }
    for (const d of ds) {
      for (const l of d.labels) if (!a.labels.includes(l)) a.labels.push(l);
      if (d.note) a.notes.push(`${d.reviewer} (${stage}): ${d.note}`);
    }
  }
  return a;
}
