import { describe, expect, it } from "vitest";
import { Protocol } from "../protocol.js";
import { SavedAnalysis } from "../saved-analyses.js";
import { fileRuleContext } from "./context.js";
import { validateSavedAnalyses } from "./saved-analyses.js";

const at = "2025-01-01T00:00:00.000Z";
const saved = (id: string, name: string, version: number) => SavedAnalysis.parse({ id, name, version, spec: {}, result: {}, savedBy: "ana", savedAt: at });
const ctx = (stored: SavedAnalysis[]) => fileRuleContext({ protocol: Protocol.parse({}), savedAnalyses: stored });

describe("validateSavedAnalyses", () => {
  it("takes the next version of a name, and 1 for a new name", async () => {
    const stored = [saved("a1", "Overall", 1), saved("a2", "Overall", 2)];
    await expect(validateSavedAnalyses([saved("a3", "Overall", 3), saved("b1", "Moderators", 1)], ctx(stored))).resolves.toBeUndefined();
    // An import checks a name's versions together.
    await expect(validateSavedAnalyses([saved("c1", "New", 1), saved("c2", "New", 2)], ctx([]))).resolves.toBeUndefined();
  });

  it("refuses a repeated version and a gap, naming the analysis", async () => {
    const stored = [saved("a1", "Overall", 1)];
    await expect(validateSavedAnalyses([saved("a2", "Overall", 1)], ctx(stored))).rejects.toThrow('saved analysis "Overall" already has a version 1');
    await expect(validateSavedAnalyses([saved("a2", "Overall", 3)], ctx(stored))).rejects.toThrow('saved analysis "Overall": the next version is 2, not 3');
    await expect(validateSavedAnalyses([saved("b1", "New", 2)], ctx([]))).rejects.toThrow("the next version is 1, not 2");
  });
});
