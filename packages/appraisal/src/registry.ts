import { ROB2_ADHERING, ROB2_ASSIGNMENT } from "./tools/rob2.js";
import type { Tool } from "./types.js";

const ALL: readonly Tool[] = [ROB2_ASSIGNMENT, ROB2_ADHERING];

/** Every declared tool, by id and then by version. */
export const tools: Readonly<Record<string, Readonly<Record<string, Tool>>>> = (() => {
  const out: Record<string, Record<string, Tool>> = {};
  for (const t of ALL) (out[t.id] ??= {})[t.version] = t;
  return out;
})();

/** A tool by id, at a version or (without one) the latest declared version. */
export function getTool(id: string, version?: string): Tool | null {
  const versions = tools[id];
  if (!versions) return null;
  if (version !== undefined) return versions[version] ?? null;
  const latest = Object.keys(versions).sort().at(-1);
  return latest ? versions[latest] : null;
}

export function listTools(): Tool[] {
  return [...ALL];
}
