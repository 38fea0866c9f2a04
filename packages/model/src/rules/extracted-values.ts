import { IsoDate } from "../common.js";
import type { CodebookItem, ExtractedValue } from "../entities.js";
import { InputError } from "../errors.js";
import type { RuleContext } from "./context.js";

type Item = Pick<CodebookItem, "type" | "options"> &
  Partial<Pick<CodebookItem, "unit" | "min" | "max" | "rows" | "columns" | "version" | "versions">>;

const YES_NO = ["yes", "no", "unclear"];

/** The definition a value entered under `version` (null: 1) is read against: the current one, or the earlier one kept. */
export function itemAtVersion<T extends Item>(item: T, version: number | null | undefined): Item {
  const v = version ?? 1;
  if (v === (item.version ?? 1)) return item;
  return item.versions?.find((x) => x.version === v) ?? item;
}

const number = (item: Item, value: unknown): string | null => {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const unit = item.unit ? ` ${item.unit}` : "";
  if (item.min != null && value < item.min) return `must be at least ${item.min}${unit}, not ${value}`;
  if (item.max != null && value > item.max) return `must be at most ${item.max}${unit}, not ${value}`;
  return "";
};

function gridIssue(item: Item, value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "must be a grid of rows and columns";
  const rows = (item.rows ?? []).map((r) => r.code);
  const cols = (item.columns ?? []).map((c) => c.code);
  for (const [r, cells] of Object.entries(value)) {
    if (!rows.includes(r)) return `has a row "${r}" the item does not define (${rows.join(", ") || "none defined"})`;
    if (typeof cells !== "object" || cells === null || Array.isArray(cells)) return `row "${r}" must hold its columns`;
    for (const [c, cell] of Object.entries(cells)) {
      if (!cols.includes(c)) return `row "${r}" has a column "${c}" the item does not define (${cols.join(", ") || "none defined"})`;
      if (cell !== null && typeof cell !== "string" && !(typeof cell === "number" && Number.isFinite(cell))) return `row "${r}", column "${c}" must be text, a number or empty`;
    }
  }
  return null;
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};

/**
 * Why `value` does not fit a codebook item of this type, or null when it
 * does. Null means "not reported" and fits every item; a choice is one of the
 * item's option codes, a multiple choice a list of distinct ones.
 */
export function extractedValueIssue(item: Item, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (item.type === "grid") return gridIssue(item, value);
  if (item.type === "section") return "is a section heading, which takes no value";
  if (item.type === "number" || item.type === "integer") {
    const range = number(item, value);
    if (range) return range;
  }
  const options = () => item.options.map((o) => o.code);
  const fits = (() => {
    switch (item.type) {
      case "text":
        return typeof value === "string";
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "integer":
        return Number.isSafeInteger(value);
      case "boolean":
        return typeof value === "boolean";
      case "date":
        return IsoDate.safeParse(value).success;
      case "single":
        return typeof value === "string" && options().includes(value);
      case "multiple":
        return Array.isArray(value) && new Set(value).size === value.length && value.every((v) => typeof v === "string" && options().includes(v));
      case "json":
        return true;
      case "yesno":
        return typeof value === "string" && YES_NO.includes(value);
    }
  })();
  if (fits) return null;
  const expected = {
    text: "text",
    number: "a number",
    integer: "a whole number",
    boolean: "true or false",
    date: "a date (YYYY-MM-DD)",
    single: `one of the item's options (${options().join(", ") || "none defined"})`,
    multiple: `a list of the item's options without repeats (${options().join(", ") || "none defined"})`,
    json: "",
    yesno: "yes, no or unclear",
    grid: "",
    section: "",
  }[item.type];
  return `must be ${expected} or null, not ${shown(value)}`;
}

/** Every extracted value fits its codebook item's type (and options). */
export async function validateExtractedValues(values: readonly ExtractedValue[], ctx: RuleContext): Promise<void> {
  const items = new Map((await ctx.find("codebookItems", { id: [...new Set(values.map((v) => v.itemId))] })).map((i) => [i.id, i]));
  for (const v of values) {
    // A missing item is the reference check's to report.
    const item = items.get(v.itemId);
    const def = item && itemAtVersion(item, v.itemVersion);
    const issue = def && extractedValueIssue(def, v.value);
    if (issue) throw new InputError(`extracted value "${v.id}" for codebook item "${item.code}" (${def.type}): ${issue}`);
  }
}

/** A codebook item may not change its type or options under values that would then no longer fit. */
export async function validateCodebookItems(items: readonly CodebookItem[], ctx: RuleContext): Promise<void> {
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const v of await ctx.find("extractedValues", { itemId: [...byId.keys()] })) {
    const item = byId.get(v.itemId)!;
    // A value entered under an earlier version is read against that version, kept in `versions`.
    if ((v.itemVersion ?? 1) !== (item.version ?? 1) && item.versions?.some((x) => x.version === (v.itemVersion ?? 1))) continue;
    const issue = extractedValueIssue(item, v.value);
    if (issue) {
      throw new InputError(`extracted value "${v.id}" would not fit codebook item "${item.code}" (${item.type}): it ${issue}; change the value first`, 409);
    }
  }
}
