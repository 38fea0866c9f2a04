import { InputError, type CodebookItem } from "@homeward/model";
import { importCodebook, type CodebookFile, type CodebookFileItem } from "./codebook-io.js";

/**
 * An EPPI-Reviewer code set as codebook items.
 *
 * EPPI-Reviewer exports code sets as JSON: `{ CodeSets: [...] }` (alone, or
 * with `References` in a JSON report), each set `{ SetId, SetName,
 * SetDescription, SetType: { SetTypeName }, Attributes: { AttributesList } }`
 * and each attribute `{ AttributeId, AttributeSetId, AttributeName,
 * AttributeDescription, AttributeType, Attributes: { AttributesList } }`,
 * nested to any depth. An attribute's type is "Not selectable (no checkbox)"
 * (a heading) or a code one ticks: "Selectable (show checkbox)", "Outcome",
 * "Intervention", "Comparison", "Include", "Exclude"…
 *
 * The mapping:
 * - a set, and an attribute that is not selectable or has attributes under
 *   it, is a `section` heading;
 * - the selectable attributes under one parent are the options of one choice
 *   item; when the parent has nothing else under it, that item takes the
 *   parent's place instead of a heading holding a lone item;
 * - the choice is `multiple`: EPPI-Reviewer codes are checkboxes and a study
 *   may carry several under one parent; a screening set's include/exclude
 *   codes are `single`, being one decision per study;
 * - descriptions become the help (the parent's) and option descriptions;
 * - codes keep EPPI-Reviewer's ids (`eppi-set-<SetId>`, `eppi-<AttributeId>`,
 *   options `eppi-<AttributeId>`), so a later import or coded data can be
 *   matched to the items.
 */

export type EppiChoice = "single" | "multiple";

/** An EPPI-Reviewer attribute as exported; checked field by field by `eppiCodebookFile`. */
export interface EppiAttribute {
  AttributeId: number;
  AttributeSetId?: number;
  AttributeName: string;
  AttributeDescription?: string | null;
  AttributeType?: string;
  Attributes?: { AttributesList?: EppiAttribute[] } | null;
}
export interface EppiCodeSet {
  SetId: number;
  ReviewSetId?: number;
  SetName: string;
  SetDescription?: string | null;
  SetType?: { SetTypeName?: string } | string;
  Attributes?: { AttributesList?: EppiAttribute[] } | null;
}
/** An EPPI-Reviewer code set export: the sets (a JSON report's references are ignored), or one set alone. */
export type EppiCodeSets = { CodeSets: EppiCodeSet[]; References?: unknown[] } | EppiCodeSet;

const NOT_SELECTABLE = /not\s*selectable/i;
const LABEL_MAX = 500;
const TEXT_MAX = 10_000;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** True for a document shaped like an EPPI-Reviewer code set export (a Homeward codebook file is not). */
export function isEppiCodeSets(doc: unknown): boolean {
  if (!isObj(doc) || doc.format === "homeward-codebook") return false;
  return Array.isArray(doc.CodeSets) || ("SetName" in doc && "Attributes" in doc);
}

interface Node {
  /** How a reason names it: `code set "Data" ` or `attribute 12 ("Age")`. */
  where: string;
  code: string;
  name: string;
  description: string | null;
  selectable: boolean;
  children: Node[];
}

const text = (x: unknown): string | null => (typeof x === "string" && x.trim() !== "" ? x.trim() : null);
const isId = (x: unknown): x is number | string => (typeof x === "number" && Number.isInteger(x) && x >= 0) || (typeof x === "string" && /^\d+$/.test(x.trim()));

/**
 * The codebook file an EPPI-Reviewer code set export maps to, or every
 * reason it cannot be read (one line each, naming the set or attribute).
 */
export function eppiCodebookFile(doc: unknown): { file: CodebookFile; problems: [] } | { file: null; problems: string[] } {
  const problems: string[] = [];
  const fail = (p: string): { file: null; problems: string[] } => ({ file: null, problems: [p] });
  if (!isObj(doc)) return fail("EPPI-Reviewer code sets: the file is not a JSON object");
  const sets = Array.isArray(doc.CodeSets) ? doc.CodeSets : "SetName" in doc ? [doc] : null;
  if (!sets) return fail('EPPI-Reviewer code sets: no "CodeSets" list');
  if (sets.length === 0) return fail("EPPI-Reviewer code sets: the file holds no code set");

  const seen = new Map<string, string>();
  const claim = (code: string, where: string): void => {
    const first = seen.get(code);
    if (first) problems.push(`${where}: its id is used already by ${first}`);
    else seen.set(code, where);
  };
  const lengths = (where: string, name: string, description: string | null): void => {
    if (name.length > LABEL_MAX) problems.push(`${where}: the name is longer than ${LABEL_MAX} characters`);
    if (description && description.length > TEXT_MAX) problems.push(`${where}: the description is longer than ${TEXT_MAX} characters`);
  };
  const list = (holder: Obj, where: string): unknown[] => {
    const a = holder.Attributes;
    if (a === undefined || a === null) return [];
    const l = Array.isArray(a) ? a : isObj(a) ? (a.AttributesList ?? []) : undefined;
    if (!Array.isArray(l)) {
      problems.push(`${where}: "Attributes" is not a list of attributes`);
      return [];
    }
    return l;
  };

  const attribute = (x: unknown, path: string): Node | null => {
    if (!isObj(x)) {
      problems.push(`attribute at ${path}: not an object`);
      return null;
    }
    const name = text(x.AttributeName);
    const label = name ? ` ("${name.length > 60 ? `${name.slice(0, 57)}…` : name}")` : "";
    const where = isId(x.AttributeId) ? `attribute ${String(x.AttributeId).trim()}${label}` : `attribute at ${path}${label}`;
    if (!isId(x.AttributeId)) problems.push(`${where}: no AttributeId (a whole number)`);
    if (!name) problems.push(`${where}: no AttributeName`);
    if (x.AttributeType !== undefined && x.AttributeType !== null && typeof x.AttributeType !== "string") problems.push(`${where}: AttributeType is not text`);
    const description = text(x.AttributeDescription);
    if (name) lengths(where, name, description);
    const code = `eppi-${String(x.AttributeId).trim()}`;
    if (isId(x.AttributeId)) claim(code, where);
    const children = list(x, where).map((c, k) => attribute(c, `${path}.${k + 1}`)).filter((c): c is Node => c !== null);
    return { where, code, name: name ?? "", description, selectable: !NOT_SELECTABLE.test(String(x.AttributeType ?? "")), children };
  };

  const roots: { node: Node; choice: EppiChoice }[] = [];
  sets.forEach((s, k) => {
    if (!isObj(s)) {
      problems.push(`code set ${k + 1}: not an object`);
      return;
    }
    const name = text(s.SetName);
    const where = `code set ${k + 1}${name ? ` ("${name}")` : ""}`;
    if (!name) problems.push(`${where}: no SetName`);
    const id = isId(s.SetId) ? s.SetId : isId(s.ReviewSetId) ? s.ReviewSetId : null;
    if (id === null) problems.push(`${where}: no SetId (a whole number)`);
    const description = text(s.SetDescription);
    if (name) lengths(where, name, description);
    const code = `eppi-set-${String(id).trim()}`;
    if (id !== null) claim(code, where);
    const type = isObj(s.SetType) ? text(s.SetType.SetTypeName) : text(s.SetType);
    const children = list(s, where).map((c, j) => attribute(c, `set ${k + 1}, ${j + 1}`)).filter((c): c is Node => c !== null);
    roots.push({ node: { where, code, name: name ?? "", description, selectable: false, children }, choice: /screening/i.test(type ?? "") ? "single" : "multiple" });
  });
  if (problems.length) return { file: null, problems };

  const items: CodebookFileItem[] = [];
  const option = (n: Node) => ({ code: n.code, label: n.name, description: n.description });
  const place = (n: Node, parent: string | null, choice: EppiChoice, isSet: boolean): void => {
    const options = n.children.filter((c) => c.selectable);
    const nested = n.children.filter((c) => !c.selectable || c.children.length > 0);
    if (!isSet && options.length > 0 && nested.length === 0) {
      items.push({ code: n.code, label: n.name, type: choice, options: options.map(option), help: n.description, parent });
      return;
    }
    items.push({ code: n.code, label: n.name, type: "section", description: n.description, parent });
    if (options.length) items.push({ code: `${n.code}-codes`, label: n.name, type: choice, options: options.map(option), help: n.description, parent: n.code });
    for (const c of nested) place(c, n.code, choice, false);
  };
  for (const { node, choice } of roots) place(node, null, choice, true);
  return { file: { format: "homeward-codebook", version: 1, title: roots.length === 1 ? roots[0]!.node.name : "", items }, problems: [] };
}

/** At most this many reasons are spelt out; the rest are counted. */
const REASONS_SHOWN = 20;

/**
 * The items of an EPPI-Reviewer code set export added after `existing`.
 * All or nothing: any problem refuses the whole file, each reason on a line.
 */
export function importEppiCodeSets(existing: readonly CodebookItem[], doc: unknown, newId: (code: string) => string): CodebookItem[] {
  const { file, problems } = eppiCodebookFile(doc);
  if (!file) {
    const shown = problems.slice(0, REASONS_SHOWN);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    throw new InputError(shown.join("\n"));
  }
  return importCodebook(existing, file, newId);
}
