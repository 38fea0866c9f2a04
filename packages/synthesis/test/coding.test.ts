import { describe, expect, it } from "vitest";
import type { CodedExcerpt, SynthesisCode } from "@homeward/model";
import { codingMatrix, frameworkCodes, mergeCodes, renameCode, splitCode } from "../src/index.js";

const at = "2026-01-01T00:00:00.000Z";
const ex = (id: string, studyId: string, codeIds: string[]): CodedExcerpt => ({
  id, studyId, recordId: null, transcriptId: null, page: 1, text: `text ${id}`, codeIds, source: "typed", note: "", codedBy: "ana", at,
});

describe("framework coding", () => {
  const proctor = frameworkCodes("proctor", [], "ana", at);

  it("offers Proctor et al.'s eight implementation outcomes, once", () => {
    expect(proctor.map((c) => c.label)).toEqual([
      "Acceptability", "Adoption", "Appropriateness", "Feasibility", "Fidelity", "Implementation cost", "Reach/penetration", "Sustainability",
    ]);
    expect(frameworkCodes("proctor", proctor, "ana", at)).toEqual([]);
    expect(frameworkCodes("barriers_facilitators", proctor, "ana", at).map((c) => c.label)).toEqual(["Barrier", "Facilitator"]);
    expect(() => frameworkCodes("nope", [], "ana", at)).toThrow(/no framework "nope"/);
  });

  it("renames, merges and splits codes with their history, moving the excerpts", () => {
    const inductive: SynthesisCode = { id: "trust", framework: "inductive", label: "Trust", description: "", status: "active", successorIds: [], history: [], order: 20 };
    const codes = [...proctor, inductive];
    const excerpts = [ex("e1", "s1", ["trust"]), ex("e2", "s2", ["trust", "proctor.acceptability"]), ex("e3", "s2", ["proctor.fidelity"])];

    const renamed = renameCode(codes, "trust", "Trusting relationships", "ben", at).update[0]!;
    expect(renamed.label).toBe("Trusting relationships");
    expect(renamed.history).toEqual([{ action: "renamed", detail: "Trust", by: "ben", at }]);

    const merged = mergeCodes(codes, excerpts, ["trust"], "proctor.acceptability", "ben", at);
    expect(merged.excerpts).toEqual([
      { id: "e1", codeIds: ["proctor.acceptability"] },
      { id: "e2", codeIds: ["proctor.acceptability"] },
    ]);
    expect(merged.update.find((c) => c.id === "trust")).toMatchObject({ status: "merged", successorIds: ["proctor.acceptability"] });
    expect(merged.update.find((c) => c.id === "proctor.acceptability")!.history.at(-1)).toEqual({ action: "merged_from", detail: "Trust", by: "ben", at });

    const split = splitCode(codes, excerpts, "trust", [{ id: "trust-parents", label: "Parents' trust" }, { id: "trust-children", label: "Children's trust" }], { e1: 1 }, "ben", at);
    expect(split.create.map((c) => [c.id, c.history[0]!.action])).toEqual([["trust-parents", "split_from"], ["trust-children", "split_from"]]);
    // e1 went where the team put it; e2, left unassigned, carries both new codes.
    expect(split.excerpts).toEqual([
      { id: "e1", codeIds: ["trust-children"] },
      { id: "e2", codeIds: ["trust-parents", "trust-children", "proctor.acceptability"] },
    ]);
    expect(() => splitCode(codes, excerpts, "trust", [{ id: "x", label: "X" }], {}, "ben", at)).toThrow(/at least two/);
    // A code that was merged away cannot change again.
    const after = codes.map((c) => merged.update.find((u) => u.id === c.id) ?? c);
    expect(() => renameCode(after, "trust", "Again", "ben", at)).toThrow(/was merged/);
  });

  it("draws the codes × studies matrix with counts and the excerpts of each cell", () => {
    const codes = proctor;
    const m = codingMatrix(codes, [ex("e1", "s1", ["proctor.acceptability"]), ex("e2", "s1", ["proctor.acceptability", "proctor.fidelity"]), ex("e3", "s2", ["proctor.fidelity"])], [
      { id: "s1", name: "One", shortCitation: "One 2020" },
      { id: "s2", name: "Two", shortCitation: null },
    ]);
    expect(m.columns.map((c) => [c.label, c.total])).toEqual([["One 2020", 2], ["Two", 1]]);
    expect(m.cells["proctor.acceptability"]).toEqual({ s1: { count: 2, excerptIds: ["e1", "e2"] } });
    expect(m.cells["proctor.fidelity"]).toEqual({ s1: { count: 1, excerptIds: ["e2"] }, s2: { count: 1, excerptIds: ["e3"] } });
    expect(m.codes.find((c) => c.id === "proctor.fidelity")).toMatchObject({ total: 2, studies: 2 });
    expect(m.codes.find((c) => c.id === "proctor.adoption")).toMatchObject({ total: 0, studies: 0 });
  });
});
