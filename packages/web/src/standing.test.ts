import { describe, expect, it } from "vitest";
import { standingInWords } from "./standing-words";

/** What stands after a clash, in words, for each "one per" place the server answers 409 with `current`. */
describe("standingInWords", () => {
  const today = new Date();
  today.setHours(14, 2, 0, 0);
  const at = today.toISOString();

  it("says who reconciled the record, how, with which reasons, why and when", () => {
    const words = standingInWords({ id: "rc1", recordId: "r1", stage: "full_text", decision: "exclude", reasons: ["population"], resolvedBy: "carl", reason: "Adults only", at });
    expect(words).toMatch(/^carl already reconciled this record: exclude \(population\) — reason “Adults only”, at (14[:.]02|0?2[:.]02 PM)\.$/);
  });

  it("says who recorded the full text's retrieval, as what, with the file and note", () => {
    const words = standingInWords({ id: "ft1", recordId: "r1", status: "not_retrieved", file: null, note: "Library has no access", updatedBy: "ana", updatedAt: at });
    expect(words).toMatch(/^ana already recorded this record's full text as not retrieved — note “Library has no access”, at (14[:.]02|0?2[:.]02 PM)/);
    expect(standingInWords({ id: "ft2", recordId: "r1", status: "retrieved", file: { name: "smith.pdf" }, updatedBy: "ben", updatedAt: at })).toMatch(/as retrieved \(smith\.pdf\)/);
  });

  it("says which settings of the stage stand", () => {
    const words = standingInWords({ id: "ss1", stage: "title_abstract", mode: "dual_then_single", dualFraction: 0.2, reviewers: ["ana", "ben"], model: null, updatedAt: "2026-01-03T09:15:00.000Z" });
    expect(words).toMatch(/^The title and abstract screening settings were saved by someone else first, on .+ at .+: dual screening of a sample, then single \(20% dual\), reviewers ana, ben\.$/);
  });

  it("falls back to plain words for a row it does not know, and reads the first of several", () => {
    expect(standingInWords({ id: "x" })).toBe("Someone else saved this first; what stands is shown now.");
    expect(standingInWords([{ id: "rc1", decision: "include", reasons: [], resolvedBy: "dora", reason: "", at }])).toMatch(/^dora already reconciled this record: include, at /);
  });
});
