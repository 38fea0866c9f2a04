import { InputError } from "../errors.js";
import type { SavedAnalysis } from "../saved-analyses.js";
import type { RuleContext } from "./context.js";

/**
 * Versions of a name run 1, 2, 3… with no gap and no repeat: a save names
 * the version after the latest stored one. Within a batch (an import) the
 * versions of a name are checked together.
 */
export async function validateSavedAnalyses(entities: readonly SavedAnalysis[], ctx: RuleContext): Promise<void> {
  const names = [...new Set(entities.map((e) => e.name))];
  if (names.length === 0) return;
  const ids = new Set(entities.map((e) => e.id));
  const stored = (await ctx.find("savedAnalyses", { name: names })).filter((s) => !ids.has(s.id));
  for (const name of names) {
    const taken = new Set(stored.filter((s) => s.name === name).map((s) => s.version));
    const adding = entities.filter((e) => e.name === name).map((e) => e.version).sort((a, b) => a - b);
    let next = taken.size === 0 ? 1 : Math.max(...taken) + 1;
    for (const v of adding) {
      if (taken.has(v)) throw new InputError(`saved analysis "${name}" already has a version ${v}`, 409);
      if (v !== next) throw new InputError(`saved analysis "${name}": the next version is ${next}, not ${v}`, 409);
      next += 1;
    }
  }
}
