import type { CodebookItem, ExtractedValue } from "@homeward/model";
import { agreement } from "@homeward/screening";
import { CATEGORICAL } from "./codebook.js";
import { currentValues, slotKey } from "./values.js";

const norm = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();
const empty = (x: unknown) => x === null || x === undefined || (typeof x === "string" && x.trim() === "");

/**
 * Do two values say the same? Text ignores case and spacing, a multiple
 * choice its order, a grid its empty cells; numbers must be equal.
 */
export function sameValue(item: Pick<CodebookItem, "type">, a: unknown, b: unknown): boolean {
  if (empty(a) || empty(b)) return empty(a) && empty(b);
  switch (item.type) {
    case "text":
      return typeof a === "string" && typeof b === "string" && norm(a) === norm(b);
    case "multiple":
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");
    case "grid": {
      const cells = (g: unknown) => {
        const out = new Map<string, unknown>();
        for (const [r, row] of Object.entries((g ?? {}) as Record<string, Record<string, unknown>>)) {
          for (const [c, x] of Object.entries(row ?? {})) if (!empty(x)) out.set(`${r}\u0000${c}`, typeof x === "string" ? norm(x) : x);
        }
        return out;
      };
      const x = cells(a);
      const y = cells(b);
      return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
    }
    default:
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

export type SlotStatus = "agree" | "disagree" | "only_first" | "only_second";

export interface ComparedValue {
  itemId: string;
  code: string;
  label: string;
  outcomeId: string | null;
  first: ExtractedValue | null;
  second: ExtractedValue | null;
  status: SlotStatus;
  /** The consensus recorded for the slot, if any. */
  consensus: ExtractedValue | null;
}

export interface StudyComparison {
  studyId: string;
  first: string;
  second: string;
  rows: ComparedValue[];
  agreed: number;
  disagreed: number;
  /** Disagreements without a consensus yet. */
  open: number;
}

/**
 * Two reviewers' extractions of one study, value by value: every slot either
 * filled (their values in force, history aside), in codebook order, with the
 * consensus recorded for it.
 */
export function compareExtractions(items: readonly CodebookItem[], values: readonly ExtractedValue[], studyId: string, first: string, second: string): StudyComparison {
  const { byReviewer, consensus } = currentValues(values.filter((v) => v.studyId === studyId));
  const a = byReviewer.get(first) ?? new Map<string, ExtractedValue>();
  const b = byReviewer.get(second) ?? new Map<string, ExtractedValue>();
  const byId = new Map(items.map((i) => [i.id, i]));
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const position = new Map(items.map((i, k) => [i.id, k]));
  const rows: ComparedValue[] = [];
  for (const k of keys) {
    const x = a.get(k) ?? null;
    const y = b.get(k) ?? null;
    const any = (x ?? y)!;
    const item = byId.get(any.itemId);
    if (!item) continue;
    const status: SlotStatus = x && y ? (sameValue(item, x.value, y.value) ? "agree" : "disagree") : x ? "only_first" : "only_second";
    rows.push({ itemId: item.id, code: item.code, label: item.label, outcomeId: any.outcomeId, first: x, second: y, status, consensus: consensus.get(k) ?? null });
  }
  rows.sort((p, q) => (position.get(p.itemId)! - position.get(q.itemId)!) || (p.outcomeId ?? "").localeCompare(q.outcomeId ?? ""));
  const disagreeing = rows.filter((r) => r.status !== "agree");
  return {
    studyId,
    first,
    second,
    rows,
    agreed: rows.length - disagreeing.length,
    disagreed: disagreeing.length,
    open: disagreeing.filter((r) => !r.consensus).length,
  };
}

export interface ItemAgreement {
  itemId: string;
  code: string;
  label: string;
  /** Slots both reviewers filled. */
  n: number;
  agreed: number;
  /** 0–100. */
  percent: number;
  /** Cohen's kappa, for categorical items (null when undefined: a single category in use, or not categorical). */
  kappa: number | null;
  categorical: boolean;
}

const category = (item: Pick<CodebookItem, "type">, v: unknown): string =>
  v === null || v === undefined ? "\u2205" : item.type === "multiple" && Array.isArray(v) ? [...v].sort().join("+") : String(v);

/**
 * Agreement per item across studies two reviewers both extracted: the
 * percentage of slots where their values agree, and Cohen's kappa for
 * categorical items ("not reported" counts as a category of its own).
 * `pairs` names, per study, the two reviewers compared.
 */
export function agreementByItem(items: readonly CodebookItem[], values: readonly ExtractedValue[], pairs: readonly { studyId: string; first: string; second: string }[]): ItemAgreement[] {
  const paired = new Map<string, { item: CodebookItem; a: unknown[]; b: unknown[]; agreed: number }>();
  const byId = new Map(items.map((i) => [i.id, i]));
  const studies = new Set(pairs.map((p) => p.studyId));
  const perStudy = new Map<string, ExtractedValue[]>();
  for (const v of values) if (studies.has(v.studyId)) (perStudy.get(v.studyId) ?? perStudy.set(v.studyId, []).get(v.studyId)!).push(v);
  for (const p of pairs) {
    const { byReviewer } = currentValues(perStudy.get(p.studyId) ?? []);
    const a = byReviewer.get(p.first);
    const b = byReviewer.get(p.second);
    if (!a || !b) continue;
    for (const [k, x] of a) {
      const y = b.get(k);
      const item = byId.get(x.itemId);
      if (!y || !item) continue;
      const s = paired.get(item.id) ?? paired.set(item.id, { item, a: [], b: [], agreed: 0 }).get(item.id)!;
      s.a.push(x.value);
      s.b.push(y.value);
      if (sameValue(item, x.value, y.value)) s.agreed++;
    }
  }
  return items
    .filter((i) => paired.has(i.id))
    .map((i) => {
      const s = paired.get(i.id)!;
      const categorical = CATEGORICAL.includes(i.type);
      let kappa: number | null = null;
      if (categorical) {
        const k = agreement(s.a.map((v) => category(i, v)), s.b.map((v) => category(i, v))).kappa;
        kappa = Number.isFinite(k) ? k : null;
      }
      return { itemId: i.id, code: i.code, label: i.label, n: s.a.length, agreed: s.agreed, percent: (100 * s.agreed) / s.a.length, kappa, categorical };
    });
}

export { slotKey };
