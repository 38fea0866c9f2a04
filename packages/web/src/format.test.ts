import { describe, expect, it } from "vitest";
import { formatAuthors, formatCount, humanize, plural } from "./format";

describe("format", () => {
  it("groups thousands the British way", () => {
    expect(formatCount(100000)).toBe("100,000");
    expect(plural(1, "record")).toBe("1 record");
    expect(plural(1234, "study", "studies")).toBe("1,234 studies");
  });

  it("shortens long author lists with et al.", () => {
    expect(formatAuthors(["Akin, B.A.", "McDonald, T.P."])).toBe("Akin, B.A.; McDonald, T.P.");
    expect(formatAuthors(["A", "B", "C", "D"])).toBe("A; B; C et al.");
    expect(formatAuthors([])).toBe("");
  });

  it("turns keys into labels", () => {
    expect(humanize("importBatchId")).toBe("Import batch id");
    expect(humanize("title_abstract")).toBe("Title abstract");
  });
});
