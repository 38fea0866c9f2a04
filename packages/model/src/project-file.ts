import { z } from "zod";
import { AuditEntry, Project, User } from "./entities.js";
import { Protocol } from "./protocol.js";
import { collectionInfo, collectionNames, collections, type CollectionName, type Entity } from "./collections.js";
import { InputError } from "./errors.js";

export const PROJECT_FORMAT = "homeward-project";
export const PROJECT_FORMAT_VERSION = 1;

const collectionArrays = Object.fromEntries(
  collectionNames.map((c) => [c, z.array(collections[c].schema).default([])]),
) as { [C in CollectionName]: z.ZodDefault<z.ZodArray<(typeof collections)[C]["schema"]>> };

/**
 * The whole-project file: one self-describing JSON document. The same shape
 * (split over several files) is the directory bundle; see README.md.
 */
export const ProjectFile = z
  .object({
    format: z.literal(PROJECT_FORMAT, { error: `not a Homeward project file (format must be "${PROJECT_FORMAT}")` }),
    version: z.literal(PROJECT_FORMAT_VERSION, {
      error: `unsupported project file version (this Homeward reads version ${PROJECT_FORMAT_VERSION})`,
    }),
    project: Project,
    protocol: Protocol.default(Protocol.parse({})),
    /** Users who are members, reviewers or actors in the project. */
    users: z.array(User).default([]),
    ...collectionArrays,
    /** The project's audit log, oldest first. */
    audit: z.array(AuditEntry).default([]),
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

export function parseProjectFile(value: unknown): ProjectFile {
  return parseInput(ProjectFile, value, "project file") as ProjectFile;
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
