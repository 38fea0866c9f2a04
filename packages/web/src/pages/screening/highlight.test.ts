import { describe, expect, it } from "vitest";
import { highlightSegments, parseTermList, termPattern, termsFromQuery } from "./highlight";

const marked = (text: string, terms: string[]) =>
  highlightSegments(text, termPattern(terms))
    .filter((s) => s.match)
    .map((s) => s.text);

describe("search-term highlighting", () => {
  it("takes terms from database search strings without operators or field tags", () => {
    expect(termsFromQuery("mentor* AND (youth OR adolescen*)")).toEqual(["mentor*", "youth", "adolescen*"]);
    expect(termsFromQuery('("foster care" OR kinship).ti,ab. NOT reunif$')).toEqual(["foster care", "kinship", "reunif*"]);
    expect(termsFromQuery("reunification[tiab] AND child*[mh] NEAR/3 care")).toEqual(["reunification", "child*", "care"]);
    expect(termsFromQuery("TI=(a* OR of) AND 2010")).toEqual([]);
  });

  it("parses the reviewer's own list", () => {
    expect(parseTermList("Return home,\n kinship  care , x, RCT")).toEqual(["return home", "kinship care", "rct"]);
  });

  it("marks whole words, truncated stems and phrases, case-insensitively", () => {
    const text = "Mentoring for youths: a Youth mentor programme in foster care (fostered children).";
    expect(marked(text, ["mentor*", "youth", "foster care"])).toEqual(["Mentoring", "Youth", "mentor", "foster care"]);
    // Not inside a word.
    expect(marked("Prementoring, mentors", ["mentor"])).toEqual([]);
    expect(marked("Éducation and education", ["éducation"])).toEqual(["Éducation"]);
  });

  it("keeps every character of the text, in order", () => {
    const text = "Kinship care and kinship-based care: a trial";
    const segs = highlightSegments(text, termPattern(["kinship*", "care"]));
    expect(segs.map((s) => s.text).join("")).toBe(text);
    expect(segs.filter((s) => s.match).map((s) => s.text)).toEqual(["Kinship", "care", "kinship", "care"]);
  });
});
