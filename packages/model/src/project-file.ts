import { z } from "zod";
import { AuditEntry, Project, studyClassificationIssues, User } from "./entities.js";
import { Protocol } from "./protocol.js";
import { collectionInfo, collectionNames, collections, type CollectionName, type Entity } from "./collections.js";
import { InputError } from "./errors.js";

export const PROJECT_FORMAT = "homeward-project";
/**
 * Version 2: study classifications are protocol data (`protocol.classifications`,
 * `study.classifications`) instead of the fixed `study.strand` and the
 * protocol's `interventionTypology`, `componentLevels` and
 * `equityCharacteristics`. Version 1 files are upgraded on reading.
 */
export const PROJECT_FORMAT_VERSION = 2;

const collectionArrays = Object.fromEntries(
  collectionNames.map((c) => [c, z.array(collections[c].schema).default([])]),
) as { [C in CollectionName]: z.ZodDefault<z.ZodArray<(typeof collections)[C]["schema"]>> };

/**
 * A stored file (a full text) in a project file: its bytes as base64, so the
 * project file stays one JSON document that import, export and backup read and
 * write as they always have. Listed only when the project stores files.
 */
export const StoredFileEntry = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lower-case hexadecimal digits"),
  size: z.number().int().min(0),
  mediaType: z.string().max(200).nullable().default(null),
  createdAt: z.string(),
  base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "a stored file's content must be base64"),
});
export type StoredFileEntry = z.infer<typeof StoredFileEntry>;

/**
 * The whole-project file: one self-describing JSON document. The same shape
 * (split over several files) is the directory bundle; see README.md.
 */
export const ProjectFile = z
  .object({
    format: z.literal(PROJECT_FORMAT, { error: `not a Homeward project file (format must be "${PROJECT_FORMAT}")` }),
    version: z.literal(PROJECT_FORMAT_VERSION, {
      error: `unsupported project file version (this Homeward reads versions 1 to ${PROJECT_FORMAT_VERSION})`,
    }),
    project: Project,
    protocol: Protocol.default(Protocol.parse({})),
    /** Users who are members, reviewers or actors in the project. */
    users: z.array(User).default([]),
    ...collectionArrays,
    /** The project's audit log, oldest first. */
    audit: z.array(AuditEntry).default([]),
    /** Stored files (full texts), when there are any. */
    files: z.array(StoredFileEntry).optional(),
  })
  .superRefine((file, ctx) => {
    for (const issue of projectFileIssues(file as ProjectFile)) ctx.addIssue({ code: "custom", ...issue });
  });
export type ProjectFile = {
  format: typeof PROJECT_FORMAT;
  version: typeof PROJECT_FORMAT_VERSION;
  project: Project;
  protocol: Protocol;
  users: User[];
  audit: AuditEntry[];
  files?: StoredFileEntry[];
} & { [C in CollectionName]: Entity<C>[] };
export type ProjectFileInput = z.input<typeof ProjectFile>;

/** Consistency rules a schema alone cannot state: unique ids, resolvable references, one lead report per study. */
export function projectFileIssues(file: ProjectFile): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const ids = new Map<CollectionName, Set<string>>();
  for (const c of collectionNames) {
    const seen = new Set<string>();
    (file[c] as { id: string }[]).forEach((e, i) => {
      if (seen.has(e.id)) issues.push({ path: [c, i, "id"], message: `duplicate id "${e.id}" in ${c}` });
      seen.add(e.id);
    });
    ids.set(c, seen);
  }
  for (const c of collectionNames) {
    const refs = collectionInfo(c).refs;
    (file[c] as Record<string, unknown>[]).forEach((e, i) => {
      for (const [field, target] of Object.entries(refs)) {
        const v = e[field];
        const values = Array.isArray(v) ? v : v == null ? [] : [v];
        for (const id of values) {
          if (!ids.get(target)!.has(id as string)) {
            issues.push({ path: [c, i, field], message: `${c}[${i}].${field} refers to unknown ${target} id "${id}"` });
          }
        }
      }
    });
  }
  file.studies.forEach((s, i) => {
    for (const issue of studyClassificationIssues(file.protocol, s.classifications))
      issues.push({ path: ["studies", i, ...issue.path], message: `studies[${i}]: ${issue.message}` });
  });
  const leads = new Map<string, number>();
  for (const r of file.studyReports) if (r.role === "lead") leads.set(r.studyId, (leads.get(r.studyId) ?? 0) + 1);
  for (const [studyId, n] of leads) {
    if (n > 1) issues.push({ path: ["studyReports"], message: `study "${studyId}" has ${n} lead reports (one allowed)` });
  }
  const auditIds = new Set<string>();
  file.audit.forEach((a, i) => {
    if (auditIds.has(a.id)) issues.push({ path: ["audit", i, "id"], message: `duplicate audit id "${a.id}"` });
    auditIds.add(a.id);
  });
  return issues;
}

/** One-line description of a zod error: the first issue with its path, and how many more there are. */
export function describeZodError(err: z.ZodError, what = "input"): string {
  const first = err.issues[0];
  if (!first) return `invalid ${what}`;
  const path = first.path.length ? first.path.map(String).join(".") + ": " : "";
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length > 2 ? "s" : ""})` : "";
  return `invalid ${what}: ${path}${first.message}${more}`;
}

/** Parses with `schema` or throws an InputError with a one-line message (status 400). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what = "input"): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(describeZodError(r.error, what));
  return r.data;
}

/** Validates a project file of any version this Homeward reads, upgraded to the current one. */
export function parseProjectFile(value: unknown): ProjectFile {
  return parseInput(ProjectFile, upgradeProjectFile(value), "project file") as ProjectFile;
}

// ---------------------------------------------------------------- upgrades of older versions

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A project file of an older version in the current version's shape, still
 * unvalidated; anything else is returned as it is (validation reports it).
 */
export function upgradeProjectFile(value: unknown): unknown {
  if (!isObject(value) || value.format !== PROJECT_FORMAT || value.version !== 1) return value;
  const { protocol, studies } = upgradeClassificationsV1(value);
  const out: Json = { ...value, version: 2 };
  if ("protocol" in value || (protocol as { classifications: unknown[] }).classifications.length > 0) out.protocol = protocol;
  if ("studies" in value) out.studies = studies;
  return out;
}

/** The parts of a version-1 project that its study classifications are read from (raw JSON). */
export interface ClassificationPartsV1 {
  protocol?: unknown;
  studies?: unknown;
  codebookItems?: unknown;
  extractedValues?: unknown;
}

/** Codes of the schemes a version-1 project is upgraded into. */
export const V1_SCHEMES = {
  strand: "strand",
  design: "designClass",
  typology: "interventionType",
  components: "componentLevels",
  equity: "progressPlus",
} as const;

/**
 * Version 1's fixed classifications as protocol schemes and study
 * classifications, so that every count version 1 showed stays as it was:
 *
 * - `study.strand` → scheme "strand" (role strand, several values):
 *   "both" becomes both strands; "other" and null become no strand, as
 *   neither was among the included studies of the summary.
 * - The RCT/QED class version 1 read from the free-text `design` of
 *   effectiveness studies → scheme "designClass" (role design). Only here is
 *   free text read: from now on the class is what the team records.
 * - `protocol.interventionTypology`, `componentLevels` and
 *   `equityCharacteristics` → schemes "interventionType" (typology; a list
 *   when any study had several), "componentLevels" (components) and
 *   "progressPlus" (equity), each with the study values version 1 read: the
 *   latest extracted value of the codebook item with that code, else the
 *   study attribute of that name. An attribute that was read moves into the
 *   classification. Version 1 counted types and component levels only for
 *   effectiveness studies, so only those are classified by them; other
 *   studies keep such attributes untouched. Codes a study used that the
 *   protocol's list lacked become values labelled by their code, as shown.
 *
 * Pure, for both the file upgrade and the store's migration of a database.
 */
export function upgradeClassificationsV1(parts: ClassificationPartsV1): { protocol: unknown; studies: unknown } {
  const protocolIn = isObject(parts.protocol) ? parts.protocol : {};
  const studiesIn = Array.isArray(parts.studies) ? parts.studies : [];
  const codedList = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

  // Version 1 read a characteristic from extraction first: the latest value of the item with that code.
  const itemCode = new Map<string, string>();
  for (const it of codedList(parts.codebookItems)) if (typeof it.id === "string" && typeof it.code === "string") itemCode.set(it.id, it.code);
  const extracted = new Map<string, { at: string; value: unknown }>();
  for (const v of codedList(parts.extractedValues)) {
    const code = itemCode.get(v.itemId as string);
    if (code === undefined || (v.outcomeId ?? null) !== null) continue;
    const key = `${String(v.studyId)}\u0000${code}`;
    const prev = extracted.get(key);
    const at = String(v.at ?? "");
    if (!prev || at >= prev.at) extracted.set(key, { at, value: v.value });
  }
  const read = (study: Json, code: string) => {
    const key = `${String(study.id)}\u0000${code}`;
    const fromExtraction = extracted.has(key);
    const attributes = isObject(study.attributes) ? study.attributes : {};
    const raw = fromExtraction ? extracted.get(key)!.value : attributes[code];
    const values =
      Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string" && x.trim() !== "")
      : typeof raw === "string" && raw.trim() !== "" ? [raw]
      : [];
    return { values: [...new Set(values)], list: Array.isArray(raw), fromAttributes: !fromExtraction && code in attributes };
  };

  const strandOf = (s: Json) => (typeof s.strand === "string" ? s.strand : null);
  const effective = (s: Json) => strandOf(s) === "effectiveness" || strandOf(s) === "both";
  const designClass = (design: unknown): "RCT" | "QED" | null => {
    if (typeof design !== "string") return null;
    const d = design.toLowerCase();
    if (/\brct\b|randomi[sz]ed/.test(d)) return "RCT";
    if (/\bqed\b|quasi/.test(d)) return "QED";
    return null;
  };

  const studies = studiesIn.filter(isObject);
  const typology = new Map(studies.filter(effective).map((s) => [s, read(s, V1_SCHEMES.typology)]));
  const components = new Map(studies.filter(effective).map((s) => [s, read(s, V1_SCHEMES.components)]));
  const equity = new Map(studies.map((s) => [s, read(s, V1_SCHEMES.equity)]));

  const schemes: Json[] = [];
  const withValues = (listed: unknown, used: Iterable<{ values: string[] }>) => {
    const values = codedList(listed);
    const known = new Set(values.map((v) => v.code));
    for (const u of used) for (const code of u.values) if (!known.has(code)) (known.add(code), values.push({ code, label: "" }));
    return values;
  };
  const hasStrands = studies.some((s) => strandOf(s) !== null);
  if (hasStrands) {
    schemes.push({
      code: V1_SCHEMES.strand, label: "Synthesis strand", appliesTo: "study", multiple: true, role: "strand",
      values: [{ code: "effectiveness", label: "Effectiveness" }, { code: "implementation", label: "Implementation" }],
    });
  }
  if (studies.some(effective)) {
    schemes.push({
      code: V1_SCHEMES.design, label: "Design class", appliesTo: "study", multiple: false, role: "design",
      values: [{ code: "RCT", label: "Randomised controlled trial" }, { code: "QED", label: "Quasi-experimental design" }],
    });
  }
  const typologyMultiple = [...typology.values()].some((r) => r.list && r.values.length > 0);
  const optional = (code: string, label: string, role: string, multiple: boolean, listed: unknown, used: Map<Json, { values: string[] }>) => {
    if (codedList(listed).length === 0 && ![...used.values()].some((r) => r.values.length > 0)) return false;
    schemes.push({ code, label, appliesTo: "study", multiple, role, values: withValues(listed, used.values()) });
    return true;
  };
  const withTypology = optional(V1_SCHEMES.typology, "Intervention type", "typology", typologyMultiple, protocolIn.interventionTypology, typology);
  const withComponents = optional(V1_SCHEMES.components, "Component level", "components", true, protocolIn.componentLevels, components);
  const withEquity = optional(V1_SCHEMES.equity, "Equity characteristics (PROGRESS-Plus)", "equity", true, protocolIn.equityCharacteristics, equity);

  const { interventionTypology: _t, componentLevels: _c, equityCharacteristics: _e, ...protocolRest } = protocolIn;
  const protocol: Json = { ...protocolRest, classifications: schemes };

  const upgraded = studiesIn.map((s) => {
    if (!isObject(s)) return s;
    const classifications: Record<string, string | string[]> = {};
    const attributes: Json = isObject(s.attributes) ? { ...s.attributes } : {};
    const strand = strandOf(s);
    if (hasStrands) {
      classifications[V1_SCHEMES.strand] =
        strand === "both" ? ["effectiveness", "implementation"] : strand === "effectiveness" || strand === "implementation" ? [strand] : [];
    }
    const cls = effective(s) ? designClass(s.design) : null;
    if (cls) classifications[V1_SCHEMES.design] = cls;
    const move = (code: string, r: ReturnType<typeof read> | undefined, present: boolean, multiple: boolean) => {
      if (!present || !r || r.values.length === 0) return;
      classifications[code] = multiple ? r.values : r.values[0]!;
      if (r.fromAttributes) delete attributes[code];
    };
    move(V1_SCHEMES.typology, typology.get(s), withTypology, typologyMultiple);
    move(V1_SCHEMES.components, components.get(s), withComponents, true);
    move(V1_SCHEMES.equity, equity.get(s), withEquity, true);
    const { strand: _strand, ...rest } = s;
    const out: Json = { ...rest, classifications, attributes };
    return out;
  });
  return { protocol, studies: upgraded };
}

/**
 * Directory bundle: a `project.json` manifest (same shape as the project file)
 * from which any collection may be left out and given instead as
 * `<collection>.json` (a JSON array) next to it. This assembles the pieces
 * into one project-file value (still to be parsed).
 */
export const BUNDLE_MANIFEST = "project.json";
export const bundleParts = [...collectionNames, "users", "audit"] as const;
export function assembleBundle(manifest: unknown, parts: Partial<Record<string, unknown>>): unknown {
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new InputError(`${BUNDLE_MANIFEST} must hold a JSON object`);
  }
  const out: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  for (const [name, value] of Object.entries(parts)) {
    if (value === undefined) continue;
    if (!(bundleParts as readonly string[]).includes(name)) throw new InputError(`unknown bundle file ${name}.json`);
    if (name in out) throw new InputError(`${name} is given both in ${BUNDLE_MANIFEST} and in ${name}.json`);
    if (!Array.isArray(value)) throw new InputError(`${name}.json must hold a JSON array`);
    out[name] = value;
  }
  return out;
}
