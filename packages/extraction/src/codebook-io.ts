import { InputError, type CodebookItem } from "@homeward/model";
import { z } from "zod";
import { codebookTree, flatten, ItemDraft, newItem } from "./codebook.js";

/**
 * A codebook as a file: items in reading order, each naming its parent by
 * code (ids belong to one project), so a codebook moves between projects.
 */
export const CodebookFileItem = ItemDraft.omit({ parentId: true }).extend({ parent: z.string().nullable().default(null) });
export type CodebookFileItem = z.input<typeof CodebookFileItem>;
export const CodebookFile = z.object({
  format: z.literal("homeward-codebook"),
  version: z.literal(1),
  title: z.string().default(""),
  items: z.array(CodebookFileItem),
});
export type CodebookFile = z.input<typeof CodebookFile>;

/** The live codebook as a file (retired items stay behind: they take no new values). */
export function exportCodebook(items: readonly CodebookItem[], title = ""): z.output<typeof CodebookFile> {
  const code = new Map(items.map((i) => [i.id, i.code]));
  return {
    format: "homeward-codebook",
    version: 1,
    title,
    items: flatten(codebookTree(items, { retired: false })).map(({ item: i }) => ({
      code: i.code,
      label: i.label,
      type: i.type,
      options: i.options,
      group: i.group,
      description: i.description,
      help: i.help,
      parent: i.parentId === null ? null : (code.get(i.parentId) ?? null),
      unit: i.unit,
      min: i.min,
      max: i.max,
      rows: i.rows,
      columns: i.columns,
      scope: i.scope,
    })),
  };
}

/**
 * The items of a codebook file added after `existing`, with ids from `newId`.
 * All or nothing: the first problem is refused with the item's code and
 * position; a code the project has already is refused (rename one first).
 */
export function importCodebook(existing: readonly CodebookItem[], file: unknown, newId: (code: string) => string): CodebookItem[] {
  const parsed = CodebookFile.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [where, k] = issue.path[0] === "items" && typeof issue.path[1] === "number" ? [`item ${issue.path[1] + 1}`, issue.path[1]] : ["codebook file", -1];
    const items = (file as { items?: { code?: unknown }[] } | null)?.items;
    const code = k >= 0 && typeof items?.[k]?.code === "string" ? ` ("${items[k].code}")` : "";
    throw new InputError(`${where}${code}: ${issue.path.slice(k >= 0 ? 2 : 0).join(".") || "file"}: ${issue.message}`);
  }
  const all: CodebookItem[] = [...existing];
  const byCode = new Map(existing.map((i) => [i.code, i.id]));
  const added: CodebookItem[] = [];
  parsed.data.items.forEach((x, k) => {
    const { parent, ...draft } = x;
    let parentId: string | null = null;
    if (parent !== null) {
      const p = byCode.get(parent);
      if (p === undefined) throw new InputError(`item ${k + 1} ("${x.code}"): its parent "${parent}" does not come before it in the file or the codebook`);
      parentId = p;
    }
    let item: CodebookItem;
    try {
      item = newItem(all, { ...draft, parentId }, newId(x.code));
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`item ${k + 1}: ${e.message}`, e.status);
      throw e;
    }
    all.push(item);
    added.push(item);
    byCode.set(item.code, item.id);
  });
  return added;
}
