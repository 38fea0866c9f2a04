import { CodebookItemType, CodedItem, InputError, type CodebookItem, type CodebookItemVersion } from "@homeward/model";
import { z } from "zod";

export type ItemType = z.infer<typeof CodebookItemType>;

/** What the team gives for an item; the engine fills in id, order and version. */
export const ItemDraft = z
  .object({
    code: z.string().trim().min(1, "an item needs a code").max(100, "a code is at most 100 characters"),
    label: z.string().trim().min(1, "an item needs a label").max(500),
    type: CodebookItemType,
    options: z.array(CodedItem).default([]),
    group: z.string().nullable().default(null),
    description: z.string().max(10_000).nullable().default(null),
    help: z.string().max(10_000).nullable().default(null),
    parentId: z.string().min(1).nullable().default(null),
    unit: z.string().max(100).nullable().default(null),
    min: z.number().finite().nullable().default(null),
    max: z.number().finite().nullable().default(null),
    rows: z.array(CodedItem).nullable().default(null),
    columns: z.array(CodedItem).nullable().default(null),
    /** "outcome": asked once per outcome of the study; otherwise once per study. */
    scope: z.enum(["study", "outcome"]).nullable().default(null),
  })
  .strict();
export type ItemDraft = z.input<typeof ItemDraft>;

/**
 * The fields of an item that may change after it is created: its code stays
 * (exports and other projects refer to it), and so does its scope (values are
 * per study or per outcome).
 */
export const ItemPatch = ItemDraft.omit({ code: true, scope: true }).partial().strict();
export type ItemPatch = z.input<typeof ItemPatch>;

/** The fields that decide which values fit: a change to one of them makes a new version. */
const DEFINING = ["type", "options", "unit", "min", "max", "rows", "columns"] as const;

const CHOICE: readonly ItemType[] = ["single", "multiple"];
export const CATEGORICAL: readonly ItemType[] = ["single", "multiple", "yesno", "boolean"];
export const YES_NO_UNCLEAR = [
  { code: "yes", label: "Yes" },
  { code: "no", label: "No" },
  { code: "unclear", label: "Unclear" },
] as const;

const dupe = (xs: readonly { code: string }[]): string | undefined => xs.map((x) => x.code).find((c, i, all) => all.indexOf(c) !== i);

/** Why a definition cannot hold values, or null. */
function definitionIssue(d: Pick<CodebookItem, "type" | "options" | "min" | "max" | "rows" | "columns" | "unit">): string | null {
  if (CHOICE.includes(d.type) && d.options.length === 0) return "a choice item needs at least one option";
  const o = dupe(d.options);
  if (o) return `option "${o}" is listed twice`;
  if (d.min != null && d.max != null && d.min > d.max) return `the allowed range is empty (${d.min} to ${d.max})`;
  if ((d.min != null || d.max != null || d.unit) && d.type !== "number" && d.type !== "integer") return "only number items have a unit or a range";
  if (d.type === "grid") {
    if (!d.rows?.length || !d.columns?.length) return "a grid needs at least one row and one column";
    const r = dupe(d.rows) ?? dupe(d.columns);
    if (r) return `row or column "${r}" is listed twice`;
  } else if (d.rows?.length || d.columns?.length) return "only grid items have rows and columns";
  return null;
}

function refuse(code: string, issue: string | null): void {
  if (issue) throw new InputError(`codebook item "${code}": ${issue}`);
}

/** Ancestors must exist, be live and not be the item itself or under it. */
function parentIssue(items: readonly CodebookItem[], id: string | null, parentId: string | null): string | null {
  if (parentId === null) return null;
  const byId = new Map(items.map((i) => [i.id, i]));
  const parent = byId.get(parentId);
  if (!parent) return `its parent "${parentId}" is not in the codebook`;
  if (parent.retiredAt) return `its parent "${parent.code}" is retired`;
  for (let cur: CodebookItem | undefined = parent; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) {
    if (cur.id === id) return "an item cannot sit under itself";
  }
  return null;
}

const nextOrder = (items: readonly CodebookItem[], parentId: string | null): number =>
  Math.max(0, ...items.filter((i) => i.parentId === parentId).map((i) => i.order)) + 1;

/** A new item, placed last among its siblings. */
export function newItem(items: readonly CodebookItem[], draft: ItemDraft, id: string): CodebookItem {
  const parsed = ItemDraft.safeParse(draft);
  if (!parsed.success) throw new InputError(`codebook item "${draft.code ?? ""}": ${parsed.error.issues[0].path.join(".")} ${parsed.error.issues[0].message}`.replace(":  ", ": "));
  const d = parsed.data;
  if (items.some((i) => i.code === d.code)) throw new InputError(`codebook item "${d.code}": the codebook has an item with this code already`, 409);
  const item: CodebookItem = {
    id,
    ...d,
    options: d.type === "yesno" ? [...YES_NO_UNCLEAR].map((o) => ({ ...o, description: null })) : d.options,
    order: nextOrder(items, d.parentId),
    version: null,
    versions: null,
    retiredAt: null,
  };
  refuse(d.code, definitionIssue(item) ?? parentIssue(items, id, d.parentId));
  return item;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const definition = (i: CodebookItem): CodebookItemVersion => ({
  version: i.version ?? 1,
  label: i.label,
  type: i.type,
  options: i.options,
  unit: i.unit,
  min: i.min,
  max: i.max,
  rows: i.rows,
  columns: i.columns,
});

/**
 * The item after a change. A change to what values must fit (type, options,
 * unit, range, grid) makes a new version and keeps the former definition, so
 * values entered under it stay readable; wording and help change in place.
 */
export function editItem(items: readonly CodebookItem[], item: CodebookItem, patch: ItemPatch): CodebookItem {
  const parsed = ItemPatch.safeParse(patch);
  if (!parsed.success) throw new InputError(`codebook item "${item.code}": ${parsed.error.issues[0].path.join(".")} ${parsed.error.issues[0].message}`);
  const p = Object.fromEntries(Object.entries(parsed.data).filter(([k]) => k in patch)) as Partial<CodebookItem>;
  if (item.retiredAt) throw new InputError(`codebook item "${item.code}" is retired; restore it to change it`, 409);
  const next: CodebookItem = { ...item, ...p };
  if (p.type === "yesno" && item.type !== "yesno") next.options = [...YES_NO_UNCLEAR].map((o) => ({ ...o, description: null }));
  refuse(item.code, definitionIssue(next) ?? ("parentId" in p ? parentIssue(items, item.id, next.parentId) : null));
  if ("parentId" in p && p.parentId !== item.parentId) next.order = nextOrder(items, next.parentId);
  if (DEFINING.some((k) => !same(item[k], next[k]))) {
    next.versions = [...(item.versions ?? []), definition(item)];
    next.version = (item.version ?? 1) + 1;
  }
  return next;
}

/** The item retired at `at` (it takes no new values; its values and its children stay). */
export function retireItem(item: CodebookItem, at: string): CodebookItem {
  if (item.retiredAt) throw new InputError(`codebook item "${item.code}" is retired already`, 409);
  return { ...item, retiredAt: at };
}

export function restoreItem(item: CodebookItem): CodebookItem {
  return { ...item, retiredAt: null };
}

/**
 * New orders for the siblings under `parentId` in the order given, which must
 * name each of them once. Answers only the items whose order changes.
 */
export function reorder(items: readonly CodebookItem[], parentId: string | null, ids: readonly string[]): { id: string; order: number }[] {
  const siblings = items.filter((i) => i.parentId === parentId);
  const known = new Set(siblings.map((i) => i.id));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown) throw new InputError(`codebook item "${unknown}" is not ${parentId === null ? "at the top of the codebook" : `under "${parentId}"`}`);
  if (new Set(ids).size !== ids.length || ids.length !== siblings.length) {
    throw new InputError(`the new order must list each of the ${siblings.length} items ${parentId === null ? "at the top" : `under "${parentId}"`} once`);
  }
  const before = new Map(siblings.map((i) => [i.id, i.order]));
  return ids.map((id, k) => ({ id, order: k + 1 })).filter((x) => before.get(x.id) !== x.order);
}

export interface CodebookNode {
  item: CodebookItem;
  depth: number;
  /** Section numbering from the order, e.g. "3.2". */
  number: string;
  children: CodebookNode[];
}

const byOrder = (a: CodebookItem, b: CodebookItem) => a.order - b.order || a.code.localeCompare(b.code);

/** The codebook as a tree in order; items whose parent is missing sit at the top. */
export function codebookTree(items: readonly CodebookItem[], options: { retired?: boolean } = {}): CodebookNode[] {
  const shown = items.filter((i) => options.retired !== false || !i.retiredAt);
  const ids = new Set(shown.map((i) => i.id));
  const kids = new Map<string | null, CodebookItem[]>();
  for (const i of shown) {
    const p = i.parentId !== null && ids.has(i.parentId) ? i.parentId : null;
    kids.set(p, [...(kids.get(p) ?? []), i]);
  }
  const build = (p: string | null, depth: number, prefix: string): CodebookNode[] =>
    (kids.get(p) ?? []).sort(byOrder).map((item, k) => {
      const number = prefix ? `${prefix}.${k + 1}` : `${k + 1}`;
      return { item, depth, number, children: build(item.id, depth + 1, number) };
    });
  return build(null, 0, "");
}

/** The items in reading order (depth first). */
export function flatten(nodes: readonly CodebookNode[]): CodebookNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}
