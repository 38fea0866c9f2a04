import { describe, expect, it } from "vitest";
import { comparePages, erratumNotes, journalsMatch, journalWords, normaliseTitle, parseName, parsePages, readTitle, titleFlags } from "./normalize.js";

describe("page normalisation", () => {
  it("expands abbreviated ranges and drops letter prefixes", () => {
    expect(parsePages("123-9")).toEqual({ kind: "pages", starts: [123], end: 129, single: false });
    expect(parsePages("1256-59")).toEqual({ kind: "pages", starts: [1256], end: 1259, single: false });
    expect(parsePages("S 274-5")).toEqual({ kind: "pages", starts: [274], end: 275, single: false });
    expect(parsePages("iii33-iii44")).toEqual({ kind: "pages", starts: [33], end: 44, single: false });
    expect(parsePages("pp. 811a")).toEqual({ kind: "pages", starts: [811], end: undefined, single: true });
    expect(parsePages("230-5, 246-51, 233-8")?.starts).toEqual([230, 246, 233]);
  });
  it("keeps article numbers apart from pages and distrusts mangled ranges", () => {
    expect(parsePages("e12724")?.kind).toBe("number");
    expect(parsePages("CD006828")?.kind).toBe("number");
    expect(parsePages("13-May")).toBeUndefined();
    expect(parsePages("Suppl-29")).toBeUndefined();
    expect(parsePages("2297-2108")).toEqual({ kind: "pages", starts: [], end: 2108, single: false });
  });
  it("compares page fields", () => {
    expect(comparePages(parsePages("123-9"), parsePages("123-129"))).toBe("same");
    expect(comparePages(parsePages("488"), parsePages("487-488"))).toBe("compatible");
    expect(comparePages(parsePages("2141-2147"), parsePages("2142-2147"))).toBe("compatible");
    expect(comparePages(parsePages("1-6"), parsePages("e12724"))).toBe("unknown");
    expect(comparePages(parsePages("246-250"), parsePages("250-254"))).toBe("conflict");
  });
});

describe("names, journals, titles", () => {
  it("parses authors in any order and form", () => {
    expect(parseName("Zuna, R E")).toMatchObject({ last: "zuna", initials: "re" });
    expect(parseName("Parkes-Loach, PS")).toMatchObject({ last: "parkesloach", initials: "ps" });
    expect(parseName("Smith JA")).toMatchObject({ last: "smith", initials: "ja" });
    expect(parseName("John A. Smith")).toMatchObject({ last: "smith", initials: "ja" });
    expect(parseName("M{\\\"u}ller, J{\\\"o}rg")).toMatchObject({ last: "muller", initials: "j" });
    expect(parseName("Le Quintrec, M.")).toMatchObject({ last: "lequintrec" });
    expect(parseName("Anonymous")).toBeNull();
  });
  it("matches journal abbreviations to full names, not to other journals", () => {
    const m = (a: string, b: string) => journalsMatch(journalWords(a), journalWords(b));
    expect(m("N Engl J Med", "The New England Journal of Medicine")).toBe(true);
    expect(m("Nat Rev Nephrol", "Nature Reviews Nephrology")).toBe(true);
    expect(m("Seminars in Thrombosis & Hemostasis", "Seminars in Thrombosis and Hemostasis.")).toBe(true);
    expect(m("Ann Fr Anesth Reanim", "Annales Francaises d Anesthesie et de Reanimation")).toBe(true);
    expect(m("Pediatric Nephrology", "Pediatric Research")).toBe(false);
    expect(m("Chest", "Thorax")).toBe(false);
  });
  it("normalises titles: accents, markup, translation brackets, language notes", () => {
    expect(normaliseTitle("[The role of complement in physiology and pathology]. [Polish]")).toBe("the role of complement in physiology and pathology");
    expect(normaliseTitle("<i>In vitro</i> study of TNF-α &amp; IL-6")).toBe("in vitro study of tnf alpha and il 6");
    expect(normaliseTitle("{\\'E}tude na{\\\"\\i}ve")).toBe("etude naive");
    expect(normaliseTitle("Update on HPV. [Review] [53 refs]")).toBe("update on hpv");
    expect(normaliseTitle("Eculizumab for aHUS.[Erratum appears in N Engl J Med. 2009 Jun")).toBe("eculizumab for ahus");
  });
  it("flags errata and comments", () => {
    expect(titleFlags(normaliseTitle("Erratum: Severe deficiency of ADAMTS13"))).toEqual({ erratum: true, comment: false });
    expect(titleFlags(normaliseTitle("Comment on: a trial of streptokinase"))).toEqual({ erratum: false, comment: true });
    expect(titleFlags(normaliseTitle("Reply to Dr Smith"))).toEqual({ erratum: false, comment: true });
    expect(titleFlags(normaliseTitle("A trial of intrapleural streptokinase"))).toEqual({ erratum: false, comment: false });
  });
  it("reads citations of another record appended to titles, and flags such records as notices", () => {
    expect(readTitle("Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)")).toEqual({ title: "eculizumab for atypical hemolytic uremic syndrome", cites: true });
    expect(readTitle("Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009). ")).toEqual({ title: "eculizumab for atypical hemolytic uremic syndrome", cites: true });
    expect(readTitle("Eculizumab for atypical hemolytic-uremic syndrome (New England Journal of Medicine (2009) 360 (542-544))")).toEqual({ title: "eculizumab for atypical hemolytic uremic syndrome", cites: true });
    expect(readTitle("Erratum: Gain-of-function mutations in complement factor B (Proceeding of the National Academy of Science (Januar")).toEqual({ title: "erratum gain of function mutations in complement factor b", cites: true });
    // Parenthesised title words are kept; an unclosed parenthesis is cut only after an erratum prefix.
    expect(readTitle("Treatment for POEMS (polyneuropathy, organomegaly) syndrome")).toEqual({ title: "treatment for poems polyneuropathy organomegaly syndrome", cites: false });
    expect(readTitle("Outcomes in adults (Phase II (interim")).toEqual({ title: "outcomes in adults phase ii interim", cites: false });
    expect(titleFlags("a reply", true)).toEqual({ erratum: false, comment: true });
    expect(titleFlags("eculizumab for ahus", true)).toEqual({ erratum: true, comment: false });
  });
  it("reads where a title says its erratum appears", () => {
    expect(erratumNotes("Eculizumab for aHUS.[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 Note: Philipp, Thomas [added]]")).toEqual([{ year: 2009, volume: 360, issue: "23", page: 2487 }]);
    expect(erratumNotes("Intrapleural therapy.[Erratum appears in Chest 1993 May;103(5):1640]")).toEqual([{ year: 1993, volume: 103, issue: "5", page: 1640 }]);
    expect(erratumNotes("A trial.[Erratum appears in Lancet 2001;357:S12]")).toEqual([{ year: 2001, volume: 357, issue: undefined, page: 12 }]);
    expect(erratumNotes("Anti-Factor H autoantibodies.[Erratum appears in Am J Transplant. 2009 Sep;9(9):2205 Note: Niauif, P [added]].[Erratum")).toEqual([{ year: 2009, volume: 9, issue: "9", page: 2205 }]);
    // Cut off before the page: nothing to locate the notice by.
    expect(erratumNotes("Severe deficiency.[Erratum appears in J Pediatr. 2003 Jun")).toEqual([]);
    expect(erratumNotes("Predisposition.[Erratum appears in Hu")).toEqual([]);
    expect(normaliseTitle("Anti-Factor H autoantibodies.[Erratum appears in Am J Transplant. 2009 Sep;9(9):2205 Note: Niauif, P [added]].[Erratum")).toBe("anti factor h autoantibodies");
  });
});
