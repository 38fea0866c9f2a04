import { describe, expect, it } from "vitest";
import type { ExtractionCheck } from "@homeward/model";
import { checkState, checkStepIssue, isChecked, sameInputs } from "../src/index.js";

let n = 0;
const step = (action: ExtractionCheck["action"], reviewer: string, basis: unknown, at: string, extra: Partial<ExtractionCheck> = {}): ExtractionCheck => ({
  id: `c${++n}`, studyId: "s1", target: "outcomeData", valueId: null, effectSizeId: "e1", action, basis, proposed: null, reason: null, replyTo: null,
  extractor: "ana", reviewer, at, ...extra,
});
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const T = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, "0")}.000Z`;

describe("check state", () => {
  it("is unchecked with no steps, agreed after an agreement", () => {
    expect(checkState([], 1, same).status).toBe("unchecked");
    const s = checkState([step("agree", "ben", 1, T(1))], 1, same);
    expect(s).toMatchObject({ status: "agreed", checkedBy: "ben", open: null });
    expect(isChecked(s.status)).toBe(true);
  });

  it("follows a proposal through its answer and settlement, keeping every step", () => {
    const p = step("propose", "ben", 1, T(1), { proposed: 2, reason: "Table 2" });
    expect(checkState([p], 1, same)).toMatchObject({ status: "proposed", open: { id: p.id } });
    // Stamped in the same instant, an answer still follows its proposal.
    const accepted = checkState([step("accept", "ana", 2, T(1), { replyTo: p.id }), p], 2, same);
    expect(accepted).toMatchObject({ status: "accepted", checkedBy: "ben", open: null });
    expect(accepted.history.map((s) => s.action)).toEqual(["propose", "accept"]);
    const disputed = checkState([p, step("dispute", "ana", 1, T(2), { replyTo: p.id })], 1, same);
    expect(disputed).toMatchObject({ status: "disputed", open: { id: p.id } });
    const settled = checkState([p, step("dispute", "ana", 1, T(2)), step("settle", "ada", 2, T(3))], 2, same);
    expect(settled).toMatchObject({ status: "settled", checkedBy: "ada" });
  });

  it("counts a value changed by other means since its last step as unchecked, its steps kept as history", () => {
    const s = checkState([step("agree", "ben", 1, T(1))], 5, same);
    expect(s.status).toBe("unchecked");
    expect(s.history).toHaveLength(1);
  });

  it("says who may take each step", () => {
    const none = checkState([], 1, same);
    expect(checkStepIssue(none, "agree", "ana", "ana")).toContain("your own extraction");
    expect(checkStepIssue(none, "propose", "ben", "ana")).toBeNull();
    expect(checkStepIssue(none, "accept", "ana", "ana")).toBe("no change is proposed to answer");
    const proposed = checkState([step("propose", "ben", 1, T(1), { proposed: 2 })], 1, same);
    expect(checkStepIssue(proposed, "agree", "cy", "ana")).toContain("already proposed");
    expect(checkStepIssue(proposed, "accept", "ben", "ana")).toBe("only ana, who extracted it, answers a proposed change");
    expect(checkStepIssue(proposed, "accept", "ana", "ana")).toBeNull();
    expect(checkStepIssue(proposed, "settle", "ada", "ana")).toBe("only a disputed change is settled");
  });

  it("compares outcome-data inputs whatever the order of their fields", () => {
    expect(sameInputs({ kind: "means", m1: 1, n1: 2 }, { n1: 2, kind: "means", m1: 1 })).toBe(true);
    expect(sameInputs({ kind: "means", m1: 1 }, { kind: "means", m1: 2 })).toBe(false);
  });
});
