import { extractedValueIssue, InputError, itemAtVersion, type CodebookItem, type ExtractedValue } from "@homeward/model";

export interface StudyRef {
  id: string;
  name: string;
}

/**
 * Why `value` cannot be saved for `item` in `study`, as one line naming both,
 * or null. A new value is read against the item's current definition; a
 * retired item or a section heading takes none.
 */
export function valueIssue(study: StudyRef, item: CodebookItem, value: unknown): string | null {
  const where = `study "${study.name}", item "${item.code}"${item.label ? ` (${item.label})` : ""}`;
  if (item.retiredAt) return `${where}: the item is retired and takes no new values`;
  const issue = extractedValueIssue(item, value);
  return issue ? `${where}: ${issue}` : null;
}

/** Why a value's place does not fit its item's scope (a per-outcome item needs an outcome, a per-study item none), or null. */
export function scopeIssue(study: StudyRef, item: Pick<CodebookItem, "code" | "scope">, outcomeId: string | null): string | null {
  const perOutcome = item.scope === "outcome";
  if (perOutcome && outcomeId === null) return `study "${study.name}", item "${item.code}": the item is asked per outcome; name the outcome`;
  if (!perOutcome && outcomeId !== null) return `study "${study.name}", item "${item.code}": the item is asked once per study, not per outcome`;
  return null;
}

export function checkValue(study: StudyRef, item: CodebookItem, value: unknown): void {
  const issue = valueIssue(study, item, value);
  if (issue) throw new InputError(issue);
}

/** The definition a stored value is read against (the version it was entered under). */
export function definitionOf(item: CodebookItem, value: Pick<ExtractedValue, "itemVersion">) {
  return itemAtVersion(item, value.itemVersion);
}

/** Where one value sits: study, item and outcome (null: about the study). */
export const slotKey = (v: Pick<ExtractedValue, "studyId" | "itemId" | "outcomeId">): string => `${v.studyId}\u0000${v.itemId}\u0000${v.outcomeId ?? ""}`;

/**
 * The values in force: each reviewer's latest per slot (a row replaced by a
 * later one through `supersedes` is history) and, apart, the consensus
 * values. Ties in time break by id so every reader agrees.
 */
export function currentValues(values: readonly ExtractedValue[]): { byReviewer: Map<string, Map<string, ExtractedValue>>; consensus: Map<string, ExtractedValue> } {
  const replaced = new Set(values.flatMap((v) => (v.supersedes ? [v.supersedes] : [])));
  const later = (a: ExtractedValue, b: ExtractedValue) => a.at > b.at || (a.at === b.at && a.id > b.id);
  const byReviewer = new Map<string, Map<string, ExtractedValue>>();
  const consensus = new Map<string, ExtractedValue>();
  for (const v of values) {
    if (replaced.has(v.id)) continue;
    const m = v.consensus ? consensus : (byReviewer.get(v.reviewer) ?? byReviewer.set(v.reviewer, new Map()).get(v.reviewer)!);
    const k = slotKey(v);
    const cur = m.get(k);
    if (!cur || later(v, cur)) m.set(k, v);
  }
  return { byReviewer, consensus };
}

/** A slot's values oldest first, following `supersedes` (for showing history). */
export function historyOf(values: readonly ExtractedValue[], slot: Pick<ExtractedValue, "studyId" | "itemId" | "outcomeId">, reviewer?: string): ExtractedValue[] {
  const k = slotKey(slot);
  return values
    .filter((v) => slotKey(v) === k && (reviewer === undefined || v.reviewer === reviewer))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
}

/** A value as text for tables and messages. */
export function showValue(item: Pick<CodebookItem, "type" | "options" | "unit" | "rows" | "columns">, value: unknown): string {
  if (value === null || value === undefined) return "not reported";
  const label = (code: unknown) => item.options.find((o) => o.code === code)?.label || String(code);
  switch (item.type) {
    case "single":
    case "yesno":
      return label(value);
    case "multiple":
      return Array.isArray(value) ? value.map(label).join("; ") : String(value);
    case "number":
    case "integer":
      return `${value}${item.unit ? ` ${item.unit}` : ""}`;
    case "boolean":
      return value ? "yes" : "no";
    case "grid": {
      const rows = new Map((item.rows ?? []).map((r) => [r.code, r.label || r.code]));
      const cols = new Map((item.columns ?? []).map((c) => [c.code, c.label || c.code]));
      return Object.entries(value as Record<string, Record<string, unknown>>)
        .map(([r, cells]) => `${rows.get(r) ?? r}: ${Object.entries(cells).filter(([, x]) => x !== null && x !== "").map(([c, x]) => `${cols.get(c) ?? c} ${x}`).join(", ")}`)
        .join("; ");
    }
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}
