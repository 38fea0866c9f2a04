import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { assembleBundle, BUNDLE_MANIFEST, bundleParts, InputError, parseProjectFile } from "@homeward/model";
import type { Store, WriteContext } from "./store.js";

function readJson(path: string): unknown {
  let text: string;
  try {
    const bytes = readFileSync(path);
    // A gzip'd project file (a project backup taken in the app) reads as the file it holds.
    text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code?.startsWith("Z_")) throw new InputError(`${basename(path)} is a gzip file that is cut off or damaged`);
    throw new InputError(`cannot read ${path}: ${code ?? String(err)}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    // The parser's message quotes the text around the fault; only where it is is said, so a file is never echoed.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new InputError(`${basename(path)} is not valid JSON${at === undefined ? "" : ` (at character ${at})`}`);
  }
}

/**
 * A file of a directory bundle: a regular file in the bundle itself. A
 * symbolic link (to a file outside, or to another member) or a device, FIFO
 * or folder is refused before it is opened.
 */
function readMember(dir: string, name: string): unknown {
  const path = join(dir, name);
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new InputError(`bundle file ${name} in ${dir} is a symbolic link; a bundle holds its files itself`);
  if (!st.isFile()) throw new InputError(`bundle file ${name} in ${dir} is not a regular file`);
  return readJson(path);
}

/**
 * Reads a project file, or a directory bundle (project.json plus one
 * <collection>.json per collection), into one unvalidated project-file value.
 */
export function readProjectSource(path: string): unknown {
  if (!existsSync(path)) throw new InputError(`no such file or directory: ${path}`);
  if (!statSync(path).isDirectory()) return readJson(path);
  const manifest = join(path, BUNDLE_MANIFEST);
  if (!existsSync(manifest)) throw new InputError(`${path} is a directory without ${BUNDLE_MANIFEST}`);
  const parts: Record<string, unknown> = {};
  for (const name of readdirSync(path)) {
    if (!name.endsWith(".json") || name === BUNDLE_MANIFEST) continue;
    const part = name.slice(0, -".json".length);
    if (!(bundleParts as readonly string[]).includes(part)) throw new InputError(`unknown bundle file ${name} in ${path}`);
    parts[part] = readMember(path, name);
  }
  return assembleBundle(readMember(path, BUNDLE_MANIFEST), parts);
}

/** The repository's examples/ folder (next to packages/). */
export const defaultExamplesDir = (): string => fileURLToPath(new URL("../../../examples/", import.meta.url));

export interface ExamplesResult {
  imported: { id: string; title: string; dir: string }[];
  failed: { dir: string; error: string }[];
}

/**
 * Imports every bundle `<dir>/*\/project.json` whose project id the store does
 * not hold yet, through the ordinary import. A broken example is reported,
 * not fatal: the rest of the store stays usable.
 */
export async function ensureExamples(store: Store, dir: string = defaultExamplesDir(), ctx: WriteContext = { actor: "homeward" }): Promise<ExamplesResult> {
  const out: ExamplesResult = { imported: [], failed: [] };
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const bundle = join(dir, name);
    if (!statSync(bundle).isDirectory() || !existsSync(join(bundle, BUNDLE_MANIFEST))) continue;
    try {
      const manifest = readJson(join(bundle, BUNDLE_MANIFEST)) as { project?: { id?: unknown } };
      const id = manifest?.project?.id;
      if (typeof id === "string" && (await store.hasProject(id))) continue;
      // Examples belong to no one until the instance is set up (setup makes its first owner the owner of every project).
      const p = await store.importProject(readProjectSource(bundle), { ...ctx, reason: `example project ${name}`, asOwner: false });
      out.imported.push({ id: p.id, title: p.title, dir: bundle });
    } catch (err) {
      out.failed.push({ dir: bundle, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** Validates before returning, so a caller can report problems before opening a store. */
export function loadProjectFile(path: string) {
  return parseProjectFile(readProjectSource(path));
}
