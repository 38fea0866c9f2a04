// Rules for the failure kinds an evaluation on unseen sets found (issue 18), each with records made up
// for the test: recurring items kept apart, translated titles, subtitles, conference years and venue names.
import { describe, expect, it } from "vitest";
import { comparePair, dedupe, type DedupeInput } from "@homeward/records";

describe("items a locator shows to be different", () => {
  const column = (id: string, over: Partial<DedupeInput> = {}): DedupeInput => ({
    id,
    title: "Editor's comments",
    authors: ["Okonkwo, Adaeze"],
    year: "2019",
    journal: "Journal of Rural Nursing Practice",
    volume: "12",
    ...over,
  });

  it("keeps a recurring heading in two issues of a volume apart, with or without pages", () => {
    expect(comparePair(column("a", { issue: "1" }), column("b", { issue: "2" })).verdict).not.toBe("duplicate");
    expect(comparePair(column("a", { issue: "1", pages: "1-2" }), column("b", { issue: "2", pages: "1-2" })).verdict).not.toBe("duplicate");
    expect(comparePair(column("a", { issue: "1", volume: undefined }), column("b", { issue: "2", volume: undefined })).verdict).not.toBe("duplicate");
    expect(comparePair(column("a", { issue: "Suppl 1" }), column("b", { issue: "Suppl. 2" })).verdict).not.toBe("duplicate");
  });

  it("does not chain a copy without an issue into two issues' items", () => {
    const { groups } = dedupe([column("i1", { issue: "1" }), column("i2", { issue: "2" }), column("i3", { issue: "3" }), column("copy")]);
    for (const g of groups) expect(g.filter((id) => id.startsWith("i")).length).toBeLessThanOrEqual(1);
  });

  it("still merges one issue written two ways", () => {
    expect(comparePair(column("a", { issue: "06", pages: "5-6" }), column("b", { issue: "6", pages: "5-6", authors: ["Okonkwo A"] })).verdict).toBe("duplicate");
    expect(comparePair(column("a", { issue: "Suppl.", pages: "5-6" }), column("b", { issue: "Suppl 2", pages: "5-6" })).verdict).toBe("duplicate");
  });

  it("keeps items with different article numbers, page ranges or DOIs apart whatever the title", () => {
    const paper = (id: string, over: Partial<DedupeInput>): DedupeInput => ({
      id,
      title: "Reviewer acknowledgement for the year",
      authors: ["Lindqvist, Maja"],
      year: "2021",
      journal: "Open Veterinary Letters",
      volume: "9",
      ...over,
    });
    expect(comparePair(paper("a", { pages: "e101" }), paper("b", { pages: "e102" })).verdict).not.toBe("duplicate");
    expect(comparePair(paper("a", { pages: "11-12" }), paper("b", { pages: "97-98" })).verdict).not.toBe("duplicate");
    expect(comparePair(paper("a", { doi: "10.5555/ovl.2021.0101" }), paper("b", { doi: "10.5555/ovl.2021.0202" })).verdict).toBe("different");
  });
});
