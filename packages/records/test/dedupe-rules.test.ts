// Rules for the failure kinds an evaluation on unseen sets found (issue 18), each with records made up
// for the test: recurring items kept apart, translated titles, subtitles, conference years and venue names.
import { describe, expect, it } from "vitest";
import { comparePair, dedupe, parseAll, type DedupeInput } from "@homeward/records";

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

  it("leaves a copy that gives no issue or page to a reviewer rather than guess which issue's item it is", () => {
    const { groups, maybe } = dedupe([column("i1", { issue: "1" }), column("i2", { issue: "2" }), column("i3", { issue: "3" }), column("copy")]);
    expect(groups).toEqual([["i1"], ["i2"], ["i3"], ["copy"]]);
    expect(maybe.filter((p) => p.includes("copy"))).toHaveLength(3);
    // With one issue's item alone in the set, the heading does not recur: the copy joins it.
    expect(dedupe([column("i1", { issue: "1" }), column("copy")]).groups).toEqual([["i1", "copy"]]);
    // Given the issue, it joins that issue's item only.
    expect(dedupe([column("i1", { issue: "1" }), column("i2", { issue: "2" }), column("copy", { issue: "2", authors: ["Okonkwo A"] })]).groups).toEqual([["i1"], ["i2", "copy"]]);
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

describe("a title in two languages", () => {
  const german: DedupeInput = {
    id: "de",
    title: "Behandlung der ambulant erworbenen Pneumonie bei älteren Patienten im Pflegeheim",
    authors: ["Brandauer, Kirsten", "Vogelsang, Ulrich", "Hartl, Ines"],
    year: "2016",
    journal: "Zeitschrift für Altersheilkunde",
    volume: "41",
    issue: "3",
    pages: "211-218",
  };
  const english: DedupeInput = {
    ...german,
    id: "en",
    title: "[Treatment of community-acquired pneumonia in older nursing home residents]",
    authors: ["Brandauer K", "Vogelsang U", "Hartl I"],
    journal: "Z Altersheilk",
  };

  it("matches through the original-language title a record gives (MEDLINE TT), even without pages", () => {
    const medline = { ...english, originalTitle: german.title, pages: undefined };
    const v = comparePair({ ...german, pages: undefined }, medline);
    expect(v.verdict).toBe("duplicate");
    expect(v.reason).toMatch(/another language/);
    expect(dedupe([{ ...german, pages: undefined }, medline]).groups).toEqual([["de", "en"]]);
  });

  it("reads MEDLINE's TT and RIS's TT as the title in another language", async () => {
    const med = await parseAll(Buffer.from("PMID- 1\nTI  - [Treatment of pneumonia]\nTT  - Behandlung der Pneumonie\nAU  - Hartl I\n\n"), { fileName: "x.nbib", format: "medline" });
    expect(med.records[0]).toMatchObject({ title: "[Treatment of pneumonia]", originalTitle: "Behandlung der Pneumonie" });
    const ris = await parseAll(Buffer.from("TY  - JOUR\nTI  - Behandlung der Pneumonie\nTT  - Treatment of pneumonia\nER  - \n"), { fileName: "x.ris", format: "ris" });
    expect(ris.records[0]).toMatchObject({ title: "Behandlung der Pneumonie", originalTitle: "Treatment of pneumonia" });
  });

  it("without one, matches when every author, the journal, year, volume and whole page range agree", () => {
    const v = comparePair(german, english);
    expect(v.verdict).toBe("duplicate");
    expect(v.reason).toMatch(/translated/);
  });

  it("keeps translated titles apart when an author, the page range or the year differs", () => {
    expect(comparePair(german, { ...english, authors: ["Brandauer K", "Weiss U", "Hartl I"] }).verdict).not.toBe("duplicate");
    expect(comparePair(german, { ...english, pages: "211-219" }).verdict).not.toBe("duplicate");
    expect(comparePair(german, { ...english, pages: "211" }).verdict).not.toBe("duplicate");
    expect(comparePair(german, { ...english, year: "2017" }).verdict).not.toBe("duplicate");
  });

  it("takes one ISSN as one journal under a translated name", () => {
    const a: DedupeInput = { id: "a", title: "Clinical features of tuberculous pleurisy in elderly patients", authors: ["Wang, L", "Chen, H"], year: "2015", journal: "Zhonghua jie he he hu xi za zhi", volume: "38" };
    const b: DedupeInput = { ...a, id: "b", journal: "Chinese Journal of Tuberculosis and Respiratory Diseases" };
    expect(comparePair(a, b).verdict).not.toBe("duplicate");
    expect(comparePair({ ...a, issn: "1001-0939" }, { ...b, issn: "10010939 (Print)" }).verdict).toBe("duplicate");
  });
});

describe("a title with and without its subtitle", () => {
  const full: DedupeInput = {
    id: "full",
    title: "Hand hygiene compliance in neonatal units: a stepped-wedge cluster randomised trial of feedback and reminders across fourteen hospitals",
    authors: ["Mbeki, Thandiwe", "Osei, Kwame", "Adjei, Ruth"],
    year: "2018",
    journal: "Journal of Neonatal Nursing",
    volume: "24",
    issue: "5",
    pages: "301-309",
  };
  const short = { ...full, id: "short", title: "Hand hygiene compliance in neonatal units", authors: ["Mbeki T", "Osei K", "Adjei R"], journal: "J Neonatal Nurs" };

  it("merges when the authors, year and pages agree", () => {
    const v = comparePair(full, short);
    expect(v.verdict).toBe("duplicate");
    expect(v.reason).toMatch(/subtitle/);
    expect(dedupe([full, short]).groups).toEqual([["full", "short"]]);
  });
  it("reads ' - ' as a subtitle mark too, and merges on journal and volume when pages are missing", () => {
    const dash = { ...full, title: "Hand hygiene compliance in neonatal units - a stepped-wedge cluster randomised trial", pages: undefined };
    expect(comparePair(dash, { ...short, pages: undefined }).verdict).toBe("duplicate");
  });
  it("does not merge on a short main title, other pages, another year or other authors", () => {
    // (With the whole page range the same, the titles would not matter: see the translated titles.)
    const a = { ...full, title: "Hand hygiene: a stepped-wedge cluster randomised trial of feedback and reminders across fourteen hospitals", pages: undefined };
    expect(comparePair(a, { ...short, title: "Hand hygiene", pages: undefined }).verdict).not.toBe("duplicate");
    expect(comparePair(full, { ...short, pages: "410-418" }).verdict).not.toBe("duplicate");
    expect(comparePair(full, { ...short, year: "2019", volume: undefined }).verdict).not.toBe("duplicate");
    expect(comparePair(full, { ...short, authors: ["Lindgren P", "Sato K"] }).verdict).not.toBe("duplicate");
    expect(comparePair({ ...full, pages: undefined, volume: undefined }, { ...short, pages: undefined, volume: undefined }).verdict).not.toBe("duplicate");
  });
});

describe("a conference paper and its proceedings a year apart", () => {
  const paper: DedupeInput = {
    id: "conf",
    type: "conference",
    title: "Sparse attention for long clinical notes in admission triage",
    authors: ["Haddad, Rania", "Iversen, Tor", "Mwangi, Esther"],
    year: "2019",
    booktitle: "Proceedings of the Workshop on Clinical Text Processing",
    pages: "44-52",
  };
  const proc: DedupeInput = { ...paper, id: "proc", year: "2020", authors: ["Haddad R", "Iversen T", "Mwangi E"], booktitle: "Proc Workshop Clin Text Process" };

  it("merges with the same title, every author and the same venue or first page", () => {
    const v = comparePair(paper, proc);
    expect(v.verdict).toBe("duplicate");
    expect(v.reason).toMatch(/year apart/);
    expect(comparePair({ ...paper, pages: undefined }, { ...proc, pages: undefined }).verdict).toBe("duplicate");
    expect(comparePair(paper, { ...proc, booktitle: "Lecture Notes in Clinical Informatics" }).verdict).toBe("duplicate");
  });
  it("not for journal articles, meeting abstracts, other authors, other pages or two years", () => {
    const article = { ...paper, type: "article" as const, booktitle: undefined, journal: "Journal of Clinical Text Processing" };
    expect(comparePair(article, { ...article, id: "b", year: "2020" }).verdict).not.toBe("duplicate");
    const abstract = { ...paper, type: "conference-abstract" as const };
    expect(comparePair(abstract, { ...abstract, id: "b", year: "2020" }).verdict).not.toBe("duplicate");
    const supplement = { ...paper, type: "article" as const, booktitle: undefined, journal: "Annals of Triage. Conference: 12th Annual Meeting of the Triage Society" };
    expect(comparePair(supplement, { ...supplement, id: "b", year: "2020", journal: "Annals of Triage. Conference: 13th Annual Meeting of the Triage Society" }).verdict).not.toBe("duplicate");
    expect(comparePair(paper, { ...proc, authors: ["Haddad R", "Iversen T"] }).verdict).not.toBe("duplicate");
    expect(comparePair(paper, { ...proc, pages: "60-68" }).verdict).not.toBe("duplicate");
    expect(comparePair(paper, { ...proc, year: "2021" }).verdict).toBe("different");
  });
});

describe("a journal under a full and an abbreviated name", () => {
  const rec = (journal: string, id = "x"): DedupeInput => ({
    id,
    title: "Outcomes of early mobilisation after hip fracture surgery in people with dementia",
    authors: ["Van den Berg, Joost", "Kaur, Simran"],
    year: "2014",
    journal,
  });
  // Nothing but title, authors, year and journal: the journal decides.
  it.each([
    ["Nederlands Tijdschrift voor Geneeskunde", "Ned Tijdschr Geneeskd"],
    ["Deutsche Medizinische Wochenschrift", "Dtsch. Med. Wochenschr."],
    ["Journal of the National Cancer Institute", "J Natl Cancer Inst"],
    ["British Journal of Hematology", "Br J Haematol"],
    ["Archives of Disease in Childhood", "Arch Dis Child"],
    ["Paediatric Anaesthesia", "Pediatr Anesth"],
  ])("%s = %s", (full, abbreviated) => {
    expect(comparePair(rec(full), rec(abbreviated, "y")).verdict).toBe("duplicate");
  });
  it("keeps other journals apart", () => {
    expect(comparePair(rec("Journal of the National Cancer Institute"), rec("J Neurol", "y")).verdict).not.toBe("duplicate");
    expect(comparePair(rec("Nederlands Tijdschrift voor Geneeskunde"), rec("Ned Tijdschr Tandheelkd", "y")).verdict).not.toBe("duplicate");
    expect(comparePair(rec("Cancer"), rec("Cell", "y")).verdict).not.toBe("duplicate");
  });
});
