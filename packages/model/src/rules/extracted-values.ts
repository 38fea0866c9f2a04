import { IsoDate } from "../common.js";
import type { CodebookItem, ExtractedValue } from "../entities.js";
import { InputError } from "../errors.js";
import type { RuleContext } from "./context.js";

type Item = Pick<CodebookItem, "type" | "options">;

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
  }[item.type];
  return `must be ${expected} or null, not ${shown(value)}`;
}

/** Every extracted value fits its codebook item's type (and options). */
export async function validateExtractedValues(values: readonly ExtractedValue[], ctx: RuleContext): Promise<void> {
  const items = new Map((await ctx.find("codebookItems", { id: [...new Set(values.map((v) => v.itemId))] })).map((i) => [i.id, i]));
  for (const v of values) {
    // A missing item is the reference check's to report.
    const item = items.get(v.itemId);
    const issue = item && extractedValueIssue(item, v.value);
    if (issue) throw new InputError(`extracted value "${v.id}" for codebook item "${item.code}" (${item.type}): ${issue}`);
  }
}

/** A codebook item may not change its type or options under values that would then no longer fit. */
export async function validateCodebookItems(items: readonly CodebookItem[], ctx: RuleContext): Promise<void> {
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const v of await ctx.find("extractedValues", { itemId: [...byId.keys()] })) {
    const item = byId.get(v.itemId)!;
    const issue = extractedValueIssue(item, v.value);
    if (issue) {
      throw new InputError(`extracted value "${v.id}" would not fit codebook item "${item.code}" (${item.type}): it ${issue}; change the value first`, 409);
    }
  }
}
