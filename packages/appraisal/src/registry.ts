import { ASSESS } from "./tools/assess.js";
import { CASP_QUALITATIVE } from "./tools/casp.js";
import { MMAT } from "./tools/mmat.js";
import { ROB2_ADHERING, ROB2_ASSIGNMENT } from "./tools/rob2.js";
import { ROBINS_I_ADHERING, ROBINS_I_ASSIGNMENT } from "./tools/robins-i.js";
import { ROBINS_I_V2, ROBINS_I_V2_PER_PROTOCOL } from "./tools/robins-i-v2.js";
import type { Tool } from "./types.js";

const ALL: readonly Tool[] = [ROB2_ASSIGNMENT, ROB2_ADHERING, ROBINS_I_ASSIGNMENT, ROBINS_I_ADHERING, ROBINS_I_V2, ROBINS_I_V2_PER_PROTOCOL, CASP_QUALITATIVE, MMAT, ASSESS];

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

/**
 * The registry id of the tool a recorded appraisal names (the model's
 * `AppraisalTool` values and common spellings); RoB 2 and ROBINS-I map to
 * their effect-of-assignment declarations, the variant most reviews use.
 */
export function toolIdOf(name: string): string | null {
  const k = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (k === "rob2" || k === "riskofbias2" || k === "cochranerob2") return "rob2";
  if (k === "robinsi" || k === "robins") return "robins-i";
  if (k === "robinsiv2") return "robins-i-v2";
  if (k.startsWith("casp")) return "casp-qualitative";
  if (k.startsWith("mmat")) return "mmat";
  if (k === "assess") return "assess";
  return null;
}
