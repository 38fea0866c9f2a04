import { InputError, type CodebookItem, type ExtractedValue, type ValueSource } from "@homeward/model";
import { codebookTree, flatten } from "./codebook.js";
import { sameValue } from "./compare.js";
import { currentValues, showValue, slotKey } from "./values.js";

/**
 * The outputs of the extraction stage: the characteristics-of-studies table
 * (the seed review's Appendices C and D, built from the codebook) and the
 * studies × items exports, wide and long. Pure: the caller passes the values
 * the reader may see (blinding is the server's) and writes the CSV.
 *
 * They live here, not in @homeward/review, because they are the codebook and
 * value rules read back (values in force, consensus, agreement, how a value
 * is shown), which this package owns; review stays free of them.
 */

export interface OutputStudy {
  id: string;
  name: string;
  shortCitation?: string | null;
  /** Transcribed characteristics, read when no value was extracted for an item of the same code. */
  attributes?: Record<string, unknown>;
}

export interface OutputOutcome {
  id: string;
  studyId: string;
  name: string;
}

/**
 * Where a slot's standing value comes from: a consensus value; the only
 * extraction; two or more extractions that agree; extractions that differ
 * with no consensus yet (no value stands); the study's transcribed
 * attribute; nothing.
 */
export type SettledSource = "consensus" | "single" | "agreed" | "unresolved" | "attribute" | "none";

export interface SettledValue {
  value: unknown;
  source: SettledSource;
  /** Who entered the value(s) it rests on (the adjudicator for a consensus value). */
  reviewers: string[];
}

/**
 * The value that stands for each slot (study, item, outcome): the consensus
 * value, else the extractors' value when there is one or they all agree.
 * Extractions that differ and await consensus give `unresolved` with no
 * value, so no reader takes one reviewer's word over another's.
 */
export function settledValues(items: readonly CodebookItem[], values: readonly ExtractedValue[]): Map<string, SettledValue> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const { byReviewer, consensus } = currentValues(values);
  const out = new Map<string, SettledValue>();
  const slots = new Map<string, ExtractedValue[]>();
  for (const vs of byReviewer.values()) for (const [k, v] of vs) (slots.get(k) ?? slots.set(k, []).get(k)!).push(v);
  for (const [k, vs] of slots) {
    const item = byId.get(vs[0]!.itemId);
    const reviewers = vs.map((v) => v.reviewer).sort();
    if (vs.length === 1) out.set(k, { value: vs[0]!.value, source: "single", reviewers });
    else if (item && vs.every((v) => sameValue(item, v.value, vs[0]!.value))) out.set(k, { value: vs[0]!.value, source: "agreed", reviewers });
    else out.set(k, { value: null, source: "unresolved", reviewers });
  }
  for (const [k, v] of consensus) out.set(k, { value: v.value, source: "consensus", reviewers: [v.reviewer] });
  return out;
}

/** Transcribed attributes worth showing: text, numbers, yes/no and lists of them (nested records are documentation). */
function attributeValue(study: OutputStudy, code: string): unknown {
  const v = study.attributes?.[code];
  const scalar = (x: unknown) => typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x));
  if (scalar(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(scalar)) return v;
  return undefined;
}

/** A study's standing value of a study-level item, falling back on its transcribed attribute of the same code. */
function studyValue(settled: Map<string, SettledValue>, study: OutputStudy, item: CodebookItem, outcomeId: string | null = null): SettledValue {
  const s = settled.get(slotKey({ studyId: study.id, itemId: item.id, outcomeId }));
  if (s) return s;
  if (outcomeId === null) {
    const a = attributeValue(study, item.code);
    if (a !== undefined) return { value: a, source: "attribute", reviewers: [] };
  }
  return { value: undefined, source: "none", reviewers: [] };
}

/** How a value reads in a table: the item's labels and unit; an attribute that does not fit the item, as written. */
function shown(item: CodebookItem, s: SettledValue): string {
  if (s.source === "none") return "";
  if (s.source === "unresolved") return `unresolved (${s.reviewers.length} extractions differ)`;
  if (s.source === "attribute") {
    const v = s.value;
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (Array.isArray(v)) return item.type === "multiple" ? showValue(item, v) : v.join("; ");
    return item.type === "single" || item.type === "yesno" ? showValue(item, v) : String(v);
  }
  return showValue(item, s.value);
}

export const citationOfStudy = (s: OutputStudy): string => (s.shortCitation?.trim() ? s.shortCitation.trim() : s.name);

export interface CharacteristicsColumn {
  itemId: string;
  code: string;
  label: string;
  /** The section heading the item sits under, for a grouped header. */
  section: string | null;
}

export interface CharacteristicsCell {
  text: string;
  source: SettledSource;
}

export interface CharacteristicsTable {
  caption: string;
  columns: CharacteristicsColumn[];
  rows: { studyId: string; study: string; cells: CharacteristicsCell[] }[];
}

/** Study-level items that take values, in reading order (retired ones too when asked: their values stay readable). */
function valueItems(items: readonly CodebookItem[], scope: "study" | "outcome" | "any", retired: boolean): { item: CodebookItem; section: string | null }[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const sectionOf = (i: CodebookItem): string | null => {
    for (let p = i.parentId ? byId.get(i.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) if (p.type === "section") return p.label;
    return null;
  };
  return flatten(codebookTree(items, { retired }))
    .map((n) => n.item)
    .filter((i) => i.type !== "section" && (scope === "any" || (scope === "outcome") === (i.scope === "outcome")))
    .map((item) => ({ item, section: sectionOf(item) }));
}

/**
 * A characteristics-of-studies table: one row per study (in the order
 * given), one column per study-level item of the codebook, each cell the
 * standing value (consensus, else the extraction) or else the study's
 * transcribed attribute of the item's code. With `codes`, those items in that
 * order (an unknown code is refused); without, every live study-level item
 * some study has a value for.
 */
export function characteristicsTable(p: {
  items: readonly CodebookItem[];
  values: readonly ExtractedValue[];
  studies: readonly OutputStudy[];
  codes?: readonly string[];
  caption?: string;
}): CharacteristicsTable {
  const all = valueItems(p.items, "study", false);
  let chosen = all;
  if (p.codes?.length) {
    const byCode = new Map(all.map((x) => [x.item.code, x]));
    chosen = p.codes.map((code) => {
      const x = byCode.get(code);
      if (!x) throw new InputError(`codebook item "${code}" is not a live item asked once per study`);
      return x;
    });
  }
  const settled = settledValues(p.items, p.values);
  const rows = p.studies.map((s) => ({
    studyId: s.id,
    study: citationOfStudy(s),
    cells: chosen.map(({ item }) => {
      const v = studyValue(settled, s, item);
      return { text: shown(item, v), source: v.source };
    }),
  }));
  const keep = chosen.map((_, k) => Boolean(p.codes?.length) || rows.some((r) => r.cells[k]!.source !== "none"));
  return {
    caption: p.caption ?? "Characteristics of included studies",
    columns: chosen.filter((_, k) => keep[k]).map(({ item, section }) => ({ itemId: item.id, code: item.code, label: item.label, section })),
    rows: rows.map((r) => ({ ...r, cells: r.cells.filter((_, k) => keep[k]) })),
  };
}

export type OutputCell = string | number | boolean | null;

/** A header row and data rows, ready for a CSV writer. */
export interface OutputTable {
  header: string[];
  rows: OutputCell[][];
}

export function characteristicsRows(t: CharacteristicsTable): OutputTable {
  return { header: ["Study", ...t.columns.map((c) => c.label)], rows: t.rows.map((r) => [r.study, ...r.cells.map((c) => c.text)]) };
}

/**
 * A value as one cell for analysis: codes rather than labels, a list joined
 * by "; ", a grid as JSON, "not reported" for an explicit null; empty when
 * nothing was entered.
 */
export function valueCell(value: unknown): OutputCell {
  if (value === undefined) return null;
  if (value === null) return "not reported";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value) && value.every((x) => typeof x === "string" || typeof x === "number")) return value.join("; ");
  return JSON.stringify(value);
}

/**
 * Studies × items, one column per item code (retired items included: their
 * values stay), each cell the standing value (see `settledValues`; a study's
 * transcribed attribute when nothing was extracted). When the codebook asks
 * items per outcome, one row per outcome of each study with the study's
 * values repeated (a study without outcomes keeps one row); otherwise one row
 * per study.
 */
export function extractionWide(p: {
  items: readonly CodebookItem[];
  values: readonly ExtractedValue[];
  studies: readonly OutputStudy[];
  outcomes: readonly OutputOutcome[];
}): OutputTable {
  const studyItems = valueItems(p.items, "study", true).map((x) => x.item);
  const outcomeItems = valueItems(p.items, "outcome", true).map((x) => x.item);
  const settled = settledValues(p.items, p.values);
  const cell = (s: OutputStudy, item: CodebookItem, outcomeId: string | null = null): OutputCell => {
    const v = studyValue(settled, s, item, outcomeId);
    return v.source === "unresolved" ? "unresolved" : valueCell(v.value);
  };
  const header = ["study_id", "study", ...(outcomeItems.length ? ["outcome_id", "outcome"] : []), ...studyItems.map((i) => i.code), ...outcomeItems.map((i) => i.code)];
  const rows: OutputCell[][] = [];
  for (const s of p.studies) {
    const base = [s.id, citationOfStudy(s)];
    const own = studyItems.map((i) => cell(s, i));
    if (!outcomeItems.length) {
      rows.push([...base, ...own]);
      continue;
    }
    const outs = p.outcomes.filter((o) => o.studyId === s.id);
    if (!outs.length) rows.push([...base, null, null, ...own, ...outcomeItems.map(() => null)]);
    for (const o of outs) rows.push([...base, o.id, o.name, ...own, ...outcomeItems.map((i) => cell(s, i, o.id))]);
  }
  return { header, rows };
}

/** A value's source as one line: the report, page and quoted text. */
export function sourceText(source: ValueSource | null, reports: ReadonlyMap<string, string> = new Map()): string | null {
  if (!source) return null;
  const parts = [source.reportId ? (reports.get(source.reportId) ?? source.reportId) : null, source.page ? `p. ${source.page}` : null, source.quote ? `"${source.quote}"` : null].filter(Boolean);
  return parts.length ? parts.join(", ") : null;
}

export const LONG_HEADER = ["study_id", "study", "item", "item_label", "outcome_id", "outcome", "value", "reviewer", "status", "source", "at"] as const;

/**
 * The tidy long table: one row per value in force (each reviewer's latest,
 * and consensus values), in study, codebook and outcome order, then reviewer.
 * `status` says how the value stands: "consensus"; "single" (the only
 * extraction of its slot); "agreed" or "disagreed" with the other
 * extractions; "transcribed" for a study attribute filling an item nobody
 * extracted. Earlier values (history) are not rows here.
 */
export function extractionLong(p: {
  items: readonly CodebookItem[];
  values: readonly ExtractedValue[];
  studies: readonly OutputStudy[];
  outcomes: readonly OutputOutcome[];
  /** Report ids to citations, for the source column. */
  reports?: ReadonlyMap<string, string>;
}): OutputTable {
  const ordered = valueItems(p.items, "any", true).map((x) => x.item);
  const { byReviewer, consensus } = currentValues(p.values);
  const slots = new Map<string, ExtractedValue[]>();
  for (const vs of byReviewer.values()) for (const [k, v] of vs) (slots.get(k) ?? slots.set(k, []).get(k)!).push(v);
  const outcomeName = new Map(p.outcomes.map((o) => [o.id, o.name]));
  const outcomeOrder = new Map(p.outcomes.map((o, k) => [o.id, k]));
  // The outcomes (null: the study itself) each study and item has values for.
  const placed = new Map<string, Set<string | null>>();
  for (const v of [...[...slots.values()].map((vs) => vs[0]!), ...consensus.values()]) {
    const k = `${v.studyId}\u0000${v.itemId}`;
    (placed.get(k) ?? placed.set(k, new Set()).get(k)!).add(v.outcomeId);
  }
  const rows: OutputCell[][] = [];
  for (const s of p.studies) {
    for (const item of ordered) {
      const outcomeIds = [...(placed.get(`${s.id}\u0000${item.id}`) ?? [])].sort(
        (a, b) => (a === null ? -1 : b === null ? 1 : (outcomeOrder.get(a) ?? 1e9) - (outcomeOrder.get(b) ?? 1e9) || a.localeCompare(b)),
      );
      const row = (v: ExtractedValue, status: string): OutputCell[] => [
        s.id, citationOfStudy(s), item.code, item.label, v.outcomeId, v.outcomeId ? (outcomeName.get(v.outcomeId) ?? null) : null,
        valueCell(v.value), v.reviewer, status, sourceText(v.source, p.reports), v.at,
      ];
      for (const outcomeId of outcomeIds) {
        const k = slotKey({ studyId: s.id, itemId: item.id, outcomeId });
        const vs = [...(slots.get(k) ?? [])].sort((a, b) => a.reviewer.localeCompare(b.reviewer));
        for (const v of vs) {
          const status = vs.length === 1 ? "single" : vs.every((w) => sameValue(item, w.value, v.value)) ? "agreed" : "disagreed";
          rows.push(row(v, status));
        }
        const c = consensus.get(k);
        if (c) rows.push(row(c, "consensus"));
      }
      if (!outcomeIds.includes(null) && item.scope !== "outcome" && !item.retiredAt) {
        const a = attributeValue(s, item.code);
        if (a !== undefined) rows.push([s.id, citationOfStudy(s), item.code, item.label, null, null, valueCell(a), null, "transcribed", "study attribute", null]);
      }
    }
  }
  return { header: [...LONG_HEADER], rows };
}

/**
 * A cell as written to CSV: text starting with = + - @ gets a leading ' so a
 * spreadsheet does not run it as a formula (numbers are written as numbers).
 */
export function csvSafe(cell: OutputCell): OutputCell {
  return typeof cell === "string" && /^[=+\-@\t\r]/.test(cell) && !/^-?\d/.test(cell) ? `'${cell}` : cell;
}
