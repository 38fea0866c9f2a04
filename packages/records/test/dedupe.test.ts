import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareFields, comparePair, dedupe, parseAll, screeningAnnotations, type DedupeInput } from "@homeward/records";

const base: DedupeInput = {
  id: "a",
  title: "Atypical hemolytic uremic syndrome: update on the complement system and what is new",
  authors: ["Hirt-Minkowski, P.", "Dickenmann, M.", "Schifferli, J. A."],
  year: "2010",
  journal: "Nephron Clinical Practice",
  volume: "114",
  issue: "4",
  pages: "c219-c235",
};
const rec = (over: Partial<DedupeInput>): DedupeInput => ({ ...base, ...over });

describe("pair rules", () => {
  it("merges the same article written by two databases", () => {
    const v = comparePair(base, rec({ id: "b", title: "Atypical Hemolytic Uremic Syndrome: Update on the Complement System and What Is New.", authors: ["Hirt-Minkowski P", "Dickenmann M", "Schifferli JA"], journal: "Nephron Clin Pract", pages: "C219-35" }));
    expect(v.verdict).toBe("duplicate");
  });
  it("merges on a shared DOI even when little else is filled", () => {
    expect(comparePair(rec({ doi: "https://doi.org/10.1159/000276584" }), { id: "b", title: base.title, doi: "10.1159/000276584" }).verdict).toBe("duplicate");
  });
  it("never merges an erratum, a comment or a reply with the article", () => {
    expect(comparePair(base, rec({ id: "b", title: `Erratum: ${base.title}` })).verdict).toBe("different");
    expect(comparePair(base, rec({ id: "b", title: `Comment on: ${base.title}` })).verdict).toBe("different");
  });
  it("does not merge titles that differ in a number (trial parts) on title evidence alone", () => {
    const f1 = rec({ title: "FOCUS 1: a randomized, double-blinded, multicentre phase III trial of ceftaroline", pages: undefined, volume: undefined });
    const f2 = rec({ id: "b", title: "FOCUS 2: a randomized, double-blinded, multicentre phase III trial of ceftaroline", pages: undefined, volume: undefined });
    expect(comparePair(f1, f2).verdict).toBe("maybe");
  });
  it("keeps different years, volumes and pages apart", () => {
    expect(comparePair(base, rec({ id: "b", year: "2007" })).verdict).toBe("different");
    expect(comparePair(base, rec({ id: "b", pages: "S12" })).verdict).not.toBe("duplicate");
    expect(comparePair(base, rec({ id: "b", volume: "115" })).verdict).not.toBe("duplicate");
  });
  it("accepts a year off by one (online first) only within one volume: same first page, or no pages to compare and no other issue", () => {
    expect(comparePair(base, rec({ id: "b", year: "2009" })).verdict).toBe("duplicate");
    expect(comparePair(base, rec({ id: "b", year: "2009", pages: undefined })).verdict).toBe("duplicate");
    expect(comparePair(base, rec({ id: "b", year: "2009", pages: undefined, issue: undefined })).verdict).toBe("duplicate");
    expect(comparePair(base, rec({ id: "b", year: "2009", pages: undefined, issue: "5" })).verdict).toBe("maybe");
    expect(comparePair(base, rec({ id: "b", year: "2009", pages: undefined, volume: undefined })).verdict).toBe("maybe");
    expect(comparePair(base, rec({ id: "b", year: "2009", pages: "c300-c310" })).verdict).not.toBe("duplicate");
  });
  it("sends a preprint and its published version, and an abstract and the article, to maybe", () => {
    expect(comparePair(base, rec({ id: "b", journal: "medRxiv", volume: undefined, pages: undefined })).verdict).toBe("maybe");
    expect(comparePair(rec({ type: "article" }), rec({ id: "b", type: "conference-abstract" })).verdict).toBe("maybe");
  });
  it("merges differently translated titles when authors, journal, year, volume and page range all agree", () => {
    const a = rec({ title: "Antibiotic prophylaxis in pulmonary surgery. A controlled double-blind study of amoxicillin versus cefamandole", journal: "Ann Fr Anesth Reanim", volume: "13", pages: "280-284", year: "1994", authors: ["Train, M.", "Soulard, D."] });
    const b = rec({ id: "b", title: "[Comparison of amoxicillin and cefamandole in the prevention of bronchopulmonary infections in pulmonary surgery]", journal: "Annales Francaises d Anesthesie et de Reanimation", volume: "13", pages: "280-4", year: "1994", authors: ["Train M", "Soulard D"] });
    expect(comparePair(a, b).verdict).toBe("duplicate");
  });
  it("keeps a correction notice apart from its article unless the article's record names the notice's place", () => {
    const article = rec({ title: "Long-term effect of the complement inhibitor eculizumab on kidney function", journal: "American Journal of Hematology", volume: "85", issue: "8", pages: "553-559" });
    const named = { ...article, title: `${article.title}.[Erratum appears in Am J Hematol. 2010 Nov;85(11):911]` };
    const notice = rec({ id: "n", title: `${article.title} (vol 85, pg 553, 2010)`, authors: ["Hirt-Minkowski,"], journal: "American Journal of Hematology", volume: "85", issue: "11", pages: "911" });
    expect(comparePair(article, notice)).toMatchObject({ verdict: "different", conflict: true });
    expect(comparePair(named, notice)).toMatchObject({ verdict: "duplicate", reason: "the erratum notice named in the article's record" });
    // A notice titled exactly as the article (as MEDLINE and Embase list some) at the named place.
    const bare = { ...notice, title: article.title };
    expect(comparePair(named, bare).verdict).toBe("duplicate");
    // Another page, issue or year than the note names, or another journal or authors: not that notice.
    expect(comparePair(named, { ...bare, pages: "912" }).verdict).not.toBe("duplicate");
    expect(comparePair(named, { ...bare, issue: "12" }).verdict).not.toBe("duplicate");
    expect(comparePair(named, { ...bare, year: "2011" }).verdict).not.toBe("duplicate");
    expect(comparePair(named, { ...bare, journal: "Blood" }).verdict).not.toBe("duplicate");
    expect(comparePair(named, { ...bare, authors: ["Nobody, N."] }).verdict).not.toBe("duplicate");
    // A mistyped page is tolerated only for a record that calls itself an erratum, in the named volume and issue.
    expect(comparePair(named, { ...bare, title: `Erratum: ${article.title}`, pages: "19" }).verdict).toBe("duplicate");
    expect(comparePair(named, { ...bare, title: `Erratum: ${article.title}`, pages: "19", issue: "12" }).verdict).not.toBe("duplicate");
  });
  it("merges two correction notices of one article written by two databases", () => {
    const a = rec({ title: "Erratum: Severe deficiency of ADAMTS 13 activity in a sub-group of children with atypical hemolytic uremic syndrome (The Journal of Pediatrics (M", authors: ["Veyradier,"], journal: "Journal of Pediatrics.", volume: "142", issue: "6", pages: "616-616" });
    const b = rec({ id: "b", title: "Severe deficiency of ADAMTS 13 activity in a subgroup of children with atypical hemolytic uremic syndrome (vol 142, pg 310, 2003)", authors: ["Veyradier,"], journal: "Journal of Pediatrics", volume: "142", issue: "6", pages: "616" });
    expect(comparePair(a, b).verdict).toBe("duplicate");
    expect(comparePair(b, rec({ id: "c", title: "Severe deficiency of ADAMTS 13 activity in a subgroup of children with atypical hemolytic uremic syndrome", volume: "142", pages: "310-317" })).verdict).toBe("different");
  });
  it("takes a title inside another as the same title only when it is at least half of it", () => {
    const short = rec({ title: "Atypical hemolytic-uremic syndrome", authors: ["Noris, M.", "Remuzzi, G."], journal: "N Engl J Med", volume: "361", pages: "1676-87" });
    expect(comparePair(short, { ...short, id: "b", title: "MEDICAL PROGRESS Atypical Hemolytic-Uremic Syndrome", journal: "New England Journal of Medicine" }).verdict).toBe("duplicate");
    // A topic phrase inside a longer title, with other locators: not even worth a reviewer's look.
    expect(comparePair(short, { ...short, id: "b", title: "Liver-kidney transplantation to cure atypical hemolytic uremic syndrome", volume: "20", pages: "940-949" }).verdict).toBe("different");
    expect(comparePair(short, { ...short, id: "b", title: "MEDICAL PROGRESS Atypical Hemolytic-Uremic Syndrome", volume: "20", pages: "940-949" }).verdict).toBe("maybe");
  });
  it("does not merge on title alone when the authors share no one", () => {
    expect(comparePair(base, rec({ id: "b", authors: ["El Nahas, M."] })).verdict).toBe("different");
  });
});

describe("grouping", () => {
  it("never joins two records judged different through a third that resembles both", () => {
    const a = rec({ id: "a", pages: "10-20" });
    const b = rec({ id: "b", pages: undefined });
    const c = rec({ id: "c", pages: "30-40" });
    expect(comparePair(a, b).verdict).toBe("duplicate");
    expect(comparePair(b, c).verdict).toBe("duplicate");
    const { groups } = dedupe([a, b, c]);
    const together = groups.find((g) => g.includes("a"))!;
    expect(together).not.toContain("c");
    expect(groups.flat().sort()).toEqual(["a", "b", "c"]);
  });
  it("puts the most complete record first and lists every record once", () => {
    const sparse = rec({ id: "s", issue: undefined, doi: undefined });
    const full = rec({ id: "f", doi: "10.1159/000276584", abstract: "Background..." });
    const other = { id: "o", title: "Something else entirely", authors: ["Nobody, N."], year: "1999" };
    const { groups } = dedupe([sparse, other, full]);
    expect(groups).toEqual([["f", "s"], ["o"]]);
  });
  it("gives a named erratum notice to the group of its article, copies without the note included", () => {
    const t = "Eculizumab for atypical hemolytic-uremic syndrome";
    const art = { title: t, authors: ["Nurnberger, J.", "Philipp, T.", "Witzke, O."], year: "2009", journal: "N Engl J Med", volume: "360", issue: "5", pages: "542-544" };
    const plain = { id: "plain", ...art };
    const noted = { id: "noted", ...art, title: `${t}.[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487]`, journal: "New England Journal of Medicine" };
    const notice1 = { id: "wos", title: `${t} (vol 360, pg 542, 2009)`, authors: ["Philipp, T."], year: "2009", journal: "New England Journal of Medicine", volume: "360", issue: "23", pages: "2487-2487" };
    const notice2 = { ...notice1, id: "embase", title: `${t} (New England Journal of Medicine (2009) 360 (542-544))` };
    const other = { ...notice1, id: "other", title: t, authors: ["Someone, S."], pages: "2490" };
    const { groups } = dedupe([plain, noted, notice1, notice2, other]);
    expect(groups.map((g) => [...g].sort())).toEqual([["embase", "noted", "plain", "wos"], ["other"]]);
    // Without the note the notices stay apart from the article.
    const { groups: apart } = dedupe([plain, { ...noted, title: t }, notice1, notice2]);
    expect(apart.map((g) => [...g].sort())).toEqual([["noted", "plain"], ["embase", "wos"]]);
  });
  it("rejects repeated ids", () => {
    expect(() => dedupe([base, base])).toThrow(/duplicate record id/);
  });
});

const dataDir = new URL("../../../../shared/data/dedupe/", import.meta.url).pathname;
const python = "/usr/bin/python3";
const scorer = new URL("../../../../shared/bench/dedupe_eval.py", import.meta.url).pathname;
const haveData = existsSync(dataDir) && existsSync(python) && existsSync(scorer);

describe.skipIf(!haveData)("labelled benchmark sets (BibDedupe's published figures as the bar)", () => {
  const bar: Record<string, number> = { cytology_screening: 0.992, haematology: 0.889, respiratory: 0.936 };
  for (const set of Object.keys(bar)) {
    it(`${set}: no false positive${bar[set] ? `, sensitivity above ${bar[set]}` : ""}`, async () => {
      const { records } = await parseAll(readFileSync(join(dataDir, set, "records_pre_merged.csv")), { fileName: "records_pre_merged.csv" });
      const out = join(mkdtempSync(join(tmpdir(), "dedupe-")), "out.json");
      writeFileSync(out, JSON.stringify(dedupe(records.map((r) => ({ ...r, id: r.sourceId! })))));
      const score = JSON.parse(execFileSync(python, [scorer, join(dataDir, set), out]).toString()) as { FP: number; sensitivity: number };
      expect(score.FP).toBe(0);
      expect(score.sensitivity).toBeGreaterThan(bar[set]);
    });
  }
});

describe("reviewers' decisions", () => {
  it("keeps pairs judged different apart and groups judged the same together", () => {
    const a = rec({ id: "a" });
    const b = rec({ id: "b", title: `${base.title}.` });
    const c = { id: "c", title: "An unrelated report", authors: ["Other, O."], year: "2001" };
    expect(dedupe([a, b, c]).groups).toEqual([["a", "b"], ["c"]]);
    expect(dedupe([a, b, c], { separate: [["b", "a"]] }).groups).toEqual([["a"], ["b"], ["c"]]);
    // A reviewer's group stands; the rules add b to it only if b contradicts none of its records (b and c differ in year).
    expect(dedupe([a, b, c], { together: [["a", "c"]] }).groups).toEqual([["a", "c"], ["b"]]);
    expect(dedupe([a, b, { ...c, year: "2010", authors: base.authors }], { together: [["a", "c"]] }).groups).toEqual([["a", "b", "c"]]);
    expect(() => dedupe([a], { separate: [["a", "zz"]] })).toThrow(/unknown record id "zz"/);
  });
});

describe("screening annotations for export", () => {
  const d = (reviewer: string, decision: "include" | "exclude" | "maybe", at: string, extra: object = {}) => ({ id: `${reviewer}${at}`, recordId: "r", stage: "title_abstract" as const, reviewer, decision, reasons: [], note: null, labels: [], at, ...extra });
  it("gives the agreed latest decision, a conflict, or the reconciled one", () => {
    const agreed = screeningAnnotations([d("ana", "exclude", "2024-01-01T00:00:00Z", { reasons: ["pop"] }), d("ana", "include", "2024-01-02T00:00:00Z"), d("bo", "include", "2024-01-01T00:00:00Z", { labels: ["seed"], note: "clear" })], []);
    expect(agreed).toEqual({ decisions: [{ stage: "title_abstract", decision: "include", reasons: [] }], labels: ["seed"], notes: ["bo (title_abstract): clear"] });
    const conflict = screeningAnnotations([d("ana", "exclude", "2024-01-01T00:00:00Z", { reasons: ["pop"] }), d("bo", "include", "2024-01-01T00:00:00Z")], []);
    expect(conflict.decisions).toEqual([{ stage: "title_abstract", decision: "conflict", reasons: ["pop"] }]);
    const settled = screeningAnnotations([d("ana", "exclude", "2024-01-01T00:00:00Z")], [{ id: "x", recordId: "r", stage: "title_abstract", decision: "exclude", reasons: ["design"], resolvedBy: "cy", reason: "", at: "2024-02-01T00:00:00Z" }]);
    expect(settled.decisions).toEqual([{ stage: "title_abstract", decision: "exclude", reasons: ["design"] }]);
  });
});

describe("side-by-side comparison", () => {
  it("marks each field same, equivalent once normalised, different or missing", () => {
    const rows = compareFields(base, rec({ id: "b", title: base.title!.toUpperCase(), authors: ["Hirt-Minkowski P", "Dickenmann M", "Schifferli JA"], journal: "Nephron Clin Pract", pages: "C219-35", issue: undefined, doi: "10.1159/000276584" }));
    const status = Object.fromEntries(rows.map((r) => [r.field, r.status]));
    expect(status).toEqual({ title: "equivalent", authors: "equivalent", year: "same", journal: "equivalent", volume: "same", issue: "missing", pages: "equivalent", doi: "missing" });
    expect(compareFields(base, rec({ id: "b", pages: "c219-c236" })).find((r) => r.field === "pages")?.status).toBe("different");
  });
});

describe("grouping invariants on colliding random records", () => {
  it("puts every record in one group, never groups conflicting records, never lists a grouped pair as maybe", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const titles = ["Eculizumab in atypical hemolytic uremic syndrome", "Eculizumab in atypical hemolytic uremic syndrome.", "ECULIZUMAB IN ATYPICAL HEMOLYTIC UREMIC SYNDROME", "Erratum: Eculizumab in atypical hemolytic uremic syndrome", "Comment on: eculizumab in atypical hemolytic uremic syndrome", "FOCUS 1: eculizumab in atypical hemolytic uremic syndrome", "FOCUS 2: eculizumab in atypical hemolytic uremic syndrome"];
    const recs: DedupeInput[] = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      title: pick(titles),
      authors: pick([["Licht, C.", "Muus, P."], ["Licht C", "Muus P"], ["Legendre, C. M."], []]),
      year: pick(["2010", "2011", "2012", undefined]),
      journal: pick(["Blood", "J Thromb Haemost", "Journal of Thrombosis and Haemostasis", undefined]),
      volume: pick(["9", "10", undefined]),
      pages: pick(["499-511", "499-11", "500", undefined]),
      doi: pick([undefined, undefined, undefined, "10.1111/j.1538-7836.2011.04.x", "10.1182/blood-2011-01-1"]),
    }));
    const { groups, maybe } = dedupe(recs);
    expect(groups.flat().sort()).toEqual(recs.map((r) => r.id).sort());
    const byId = new Map(recs.map((r) => [r.id, r]));
    const groupOf = new Map(groups.flatMap((g, k) => g.map((id) => [id, k] as const)));
    for (const g of groups) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) expect(comparePair(byId.get(g[i])!, byId.get(g[j])!).conflict, `${g[i]} ${g[j]}`).toBeFalsy();
    for (const [a, b] of maybe) expect(groupOf.get(a)).not.toBe(groupOf.get(b));
    expect(groups.some((g) => g.length > 1)).toBe(true);
  });
  it("with named erratum notices among them: a group holds records in conflict only through a notice link, never by identifier or authors", () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const t = "Eculizumab in atypical hemolytic uremic syndrome";
    const titles = [t, `${t}.[Erratum appears in Blood. 2011 Jun;10(6):900]`, `${t}.[Erratum appears in Blood. 2011 Jun;10(7):901]`, `${t} (vol 10, pg 499, 2011)`, `Erratum: ${t}`, `Comment on: ${t}`];
    const recs: DedupeInput[] = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      title: pick(titles),
      authors: pick([["Licht, C.", "Muus, P."], ["Licht C"], ["Legendre, C. M."], []]),
      year: pick(["2011", "2012", undefined]),
      journal: pick(["Blood", undefined]),
      volume: pick(["10", undefined]),
      issue: pick(["6", "7", "2", undefined]),
      pages: pick(["499-511", "900", "901", undefined]),
      doi: pick([undefined, undefined, undefined, "10.1182/blood-2011-01-1", "10.1182/blood-2011-01-2"]),
    }));
    const { groups, maybe } = dedupe(recs);
    expect(groups.flat().sort()).toEqual(recs.map((r) => r.id).sort());
    const byId = new Map(recs.map((r) => [r.id, r]));
    const surnames = (r: DedupeInput) => (r.authors ?? []).map((a) => a.split(/[ ,]/)[0]);
    let linked = 0;
    for (const g of groups) {
      const rs = g.map((id) => byId.get(id)!);
      expect(new Set(rs.map((r) => r.doi).filter(Boolean)).size, g.join(" ")).toBeLessThanOrEqual(1);
      for (const x of rs) for (const y of rs) if (surnames(x).length && surnames(y).length) expect(surnames(x).some((n) => surnames(y).includes(n)), `${x.id} ${y.id}`).toBe(true);
      const verdicts = g.flatMap((x, i) => g.slice(i + 1).map((y) => comparePair(byId.get(x)!, byId.get(y)!)));
      const link = verdicts.some((v) => v.reason === "the erratum notice named in the article's record");
      if (link) linked++;
      else for (const v of verdicts) expect(v.conflict, v.reason).toBeFalsy();
    }
    expect(linked).toBeGreaterThan(0);
    const groupOf = new Map(groups.flatMap((g, k) => g.map((id) => [id, k] as const)));
    for (const [a, b] of maybe) expect(groupOf.get(a)).not.toBe(groupOf.get(b));
  });
});
