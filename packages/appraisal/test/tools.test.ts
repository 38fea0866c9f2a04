import { describe, expect, it } from "vitest";
import {
  askState,
  ASSESS,
  CASP_NEGATIVE,
  CASP_POSITIVE,
  CASP_QUALITATIVE,
  checkAnswers,
  conditionQuestions,
  listTools,
  MMAT,
  overall,
  proposeJudgements,
  ROBINS_I_ADHERING,
  ROBINS_I_ASSIGNMENT,
  ROBINS_I_V2,
  toolIdOf,
  type Condition,
  type Tree,
} from "../src/index.js";
import { combinations } from "./decision-table.js";

const STD = ["Y", "PY", "PN", "N", "NI"];

function leaves(t: Tree): string[] {
  // An open leaf proposes nothing, so it names no label.
  if ("judgement" in t) return t.judgement === null ? [] : [t.judgement];
  return t.branches.flatMap((b) => leaves(b.then));
}
function conditions(t: Tree): Condition[] {
  return "judgement" in t ? [] : t.branches.flatMap((b) => [b.when, ...conditions(b.then)]);
}
function codes(c: Condition): [string, readonly string[]][] {
  if ("q" in c) return [[c.q, c.in]];
  return ("all" in c ? c.all : c.any).flatMap(codes);
}

describe("every declared tool is well formed", () => {
  for (const tool of listTools()) {
    describe(`${tool.id} ${tool.version}`, () => {
      const questions = tool.domains.flatMap((d) => d.questions);
      const byId = new Map(questions.map((q) => [q.id, q]));
      it("has a citation with a title, authors, year and URL", () => {
        expect(tool.citation.title).not.toBe("");
        expect(tool.citation.authors).not.toBe("");
        expect(tool.citation.year).toBeGreaterThan(2000);
        expect(tool.citation.url).toMatch(/^https?:\/\//);
      });
      it("names only its own domains as result-level, with the guidance that says so", () => {
        if (!tool.resultLevel) return;
        expect(tool.resultLevel.source).not.toBe("");
        for (const d of tool.resultLevel.domains) expect(tool.domains.map((x) => x.id), d).toContain(d);
      });
      it("has unique question ids, each with official wording or a pointer to it", () => {
        expect(byId.size).toBe(questions.length);
        for (const q of questions) expect(q.text !== null || (q.wordingAt ?? "") !== "", q.id).toBe(true);
      });
      it("asks each conditional question only after the questions its condition reads", () => {
        for (const d of tool.domains)
          d.questions.forEach((q, i) => {
            if (!q.askedWhen) return;
            const earlier = new Set(d.questions.slice(0, i).map((x) => x.id));
            for (const r of conditionQuestions(q.askedWhen)) expect(earlier.has(r), `${q.id} reads ${r}`).toBe(true);
          });
      });
      it("uses only answers a question allows (or NA) in its conditions, and only scale labels as proposals", () => {
        const labels = new Set(tool.scale.levels.map((l) => l.label));
        for (const d of tool.domains) {
          const conds: Condition[] = [...d.questions.flatMap((q) => (q.askedWhen ? [q.askedWhen] : [])), ...(d.appliesWhen ? [d.appliesWhen] : [])];
          const alg = d.algorithm;
          const trees = alg.kind === "tree" ? [alg.tree] : alg.kind === "parts" ? alg.parts.map((p) => p.tree) : [];
          for (const t of trees) {
            conds.push(...conditions(t));
            for (const l of leaves(t)) expect(labels.has(l) || (d.judgements ?? []).includes(l), `${d.id} proposes ${l}`).toBe(true);
          }
          if (alg.kind === "score" && alg.whenNothingScored) expect(labels.has(alg.whenNothingScored)).toBe(true);
          for (const c of conds)
            for (const [q, answers] of codes(c)) {
              const opts = byId.get(q)?.options;
              expect(opts, `${d.id}: condition reads unknown question ${q}`).toBeDefined();
              for (const a of answers) expect([...opts!, "NA"], `${q} ∋ ${a}`).toContain(a);
            }
        }
      });
      it("orders its scale with distinct severities for graded levels", () => {
        const graded = tool.scale.levels.filter((l) => l.severity !== null);
        expect(graded.length).toBeGreaterThan(0);
        for (const l of tool.scale.levels) expect(l.colour).toMatch(/^#[0-9A-F]{6}$/i);
      });
    });
  }
  it("maps the model's tool names to registry ids", () => {
    expect(["RoB2", "ROBINS-I", "CASP", "ASSESS", "MMAT", "other"].map(toolIdOf)).toEqual(["rob2", "robins-i", "casp-qualitative", "assess", "mmat", null]);
  });
});

describe("ROBINS-I (2016) — Sterne et al. BMJ 2016;355:i4919 and the ROBINS-I tool's printed conditions", () => {
  it("asks the confounding questions as the tool routes them (1.1 → 1.2 → 1.3 → baseline 1.4–1.6 or time-varying 1.7–1.8)", () => {
    const d1 = ROBINS_I_ASSIGNMENT.domains[0];
    const opts = { "1.1": ["Y", "PY", "PN", "N"], "1.2": STD, "1.3": STD, "1.4": STD, "1.7": STD };
    for (const a of combinations(opts)) {
      // Transcribed routing: N/PN to 1.1 ends the domain; Y/PY to 1.2 and 1.3 means time-varying confounding.
      const expected = ["1.1"];
      if (["Y", "PY"].includes(a["1.1"])) {
        expected.push("1.2");
        if (["Y", "PY"].includes(a["1.2"])) expected.push("1.3");
        const timeVarying = ["Y", "PY"].includes(a["1.2"]) && ["Y", "PY"].includes(a["1.3"]);
        if (timeVarying) expected.push("1.7", ...(["Y", "PY"].includes(a["1.7"]) ? ["1.8"] : []));
        else expected.push("1.4", ...(["Y", "PY"].includes(a["1.4"]) ? ["1.5"] : []), "1.6");
      }
      expect(askState(d1, a).asked, JSON.stringify(a)).toEqual(expected);
    }
  });
  it("asks 2.5 only after Y/PY to 2.2 and 2.3, or N/PN to 2.4", () => {
    const d2 = ROBINS_I_ASSIGNMENT.domains[1];
    for (const a of combinations({ "2.1": STD, "2.2": STD, "2.3": STD, "2.4": STD })) {
      const y = (q: string) => ["Y", "PY"].includes(a[q]);
      const asked22 = y("2.1");
      const asked23 = asked22 && y("2.2");
      const asked25 = (asked22 && asked23 && y("2.2") && y("2.3")) || ["N", "PN"].includes(a["2.4"]);
      expect(askState(d2, a).asked).toEqual(["2.1", ...(asked22 ? ["2.2"] : []), ...(asked23 ? ["2.3"] : []), "2.4", ...(asked25 ? ["2.5"] : [])]);
    }
  });
  it("asks 5.4 and 5.5 only when data are missing or participants were excluded", () => {
    const d5 = ROBINS_I_ASSIGNMENT.domains[4];
    expect(askState(d5, { "5.1": "Y", "5.2": "N", "5.3": "N" }).skipped).toEqual(["5.4", "5.5"]);
    expect(askState(d5, { "5.1": "Y", "5.2": "N", "5.3": "PY" }).skipped).toEqual([]);
    expect(askState(d5, { "5.1": "NI", "5.2": "N", "5.3": "N" }).skipped).toEqual(["5.4", "5.5"]);
  });
  it("has the two effect-of-interest variants of domain 4", () => {
    expect(ROBINS_I_ASSIGNMENT.domains[3].questions.map((q) => q.id)).toEqual(["4.1", "4.2"]);
    expect(ROBINS_I_ADHERING.domains[3].questions.map((q) => q.id)).toEqual(["4.3", "4.4", "4.5", "4.6"]);
    expect(askState(ROBINS_I_ADHERING.domains[3], { "4.3": "Y", "4.4": "Y", "4.5": "PN" }).asked).toContain("4.6");
  });
  it("proposes no domain judgement and says why", () => {
    const ps = proposeJudgements(ROBINS_I_ASSIGNMENT, { "1.1": "N", "3.1": "Y", "3.2": "Y", "3.3": "N" });
    expect(ps.every((p) => p.proposed === null)).toBe(true);
    expect(ps[0].note).toMatch(/proposes no domain judgement/);
    expect(ps[0].missing).toEqual([]);
    expect(ps[2].missing).toEqual([]);
    expect(ps[1].missing).toEqual(["2.1", "2.4"]);
  });

  const seven = (...xs: string[]) => Object.fromEntries(xs.map((x, i) => [`D${i + 1}`, x]));
  it.each([
    // Rows of the seed review's Appendix F where its recorded overall follows the rule.
    ["Akin et al., 2017", ["Moderate", "Low", "Low", "Low", "Low", "Low", "Low"], "Moderate"],
    ["Berry, McCauley and Lansing, 2007", ["Serious", "Low", "Low", "Moderate", "Moderate", "Moderate", "Low"], "Serious"],
    ["Landsman et al., 2001", ["Moderate", "Moderate", "Low", "Moderate", "Serious", "Moderate", "Moderate"], "Serious"],
    ["(constructed) all Low", ["Low", "Low", "Low", "Low", "Low", "Low", "Low"], "Low"],
    ["(constructed) one Critical", ["Low", "Serious", "Critical", "Low", "Low", "Low", "Low"], "Critical"],
  ])("overall, most severe domain: %s → %s", (_, domains, expected) => {
    expect(overall(ROBINS_I_ASSIGNMENT, seven(...(domains as string[]))).proposed).toBe(expected);
  });
  it("proposes the most severe domain where the seed review recorded otherwise (Appendix F: Mersky 2023, Pine 2009)", () => {
    // The review recorded Moderate and Low; the rule gives Low and Moderate. The engine proposes, the reviewer decides.
    expect(overall(ROBINS_I_ASSIGNMENT, seven("Low", "Low", "Low", "Low", "Low", "Low", "Low")).proposed).toBe("Low");
    expect(overall(ROBINS_I_ASSIGNMENT, seven("Moderate", "Low", "Low", "Moderate", "Moderate", "Low", "Moderate")).proposed).toBe("Moderate");
  });
  it("proposes No information, flagged, when a domain lacks information and none is Serious or Critical", () => {
    const o = overall(ROBINS_I_ASSIGNMENT, seven("Moderate", "No information", "Low", "Low", "Low", "Low", "Low"));
    expect(o.proposed).toBe("No information");
    expect(o.flags.map((f) => f.code)).toEqual(["robins-no-information-key-domain"]);
    expect(overall(ROBINS_I_ASSIGNMENT, seven("Serious", "No information", "Low", "Low", "Low", "Low", "Low")).proposed).toBe("Serious");
  });
  it("declares V2 (2025) with its own domains, apart from the 2016 version; its algorithms are tested in robins-i-v2-algorithms.test.ts", () => {
    expect(ROBINS_I_V2.version).toBe("2025");
    expect(ROBINS_I_V2.domains.map((d) => d.id)).toEqual(["B", "D1", "D2", "D3", "D4", "D5", "D6"]);
    expect(ROBINS_I_ASSIGNMENT.domains).toHaveLength(7);
  });
});

describe("CASP qualitative (2018) with the seed review's rating", () => {
  // Seed review (000), Appendix G: Q1–Q9 answers and the recorded judgement.
  const rows: [string, string[], string][] = [
    ["Akin et al., 2018", ["Yes", "Yes", "Yes", "No", "Yes", "No", "No", "Yes", "Yes"], CASP_POSITIVE],
    ["Gill, 2015", ["Yes", "Yes", "No", "Yes", "Can't tell", "Can't tell", "Can't tell", "Can't tell", "No"], CASP_NEGATIVE],
    ["Urrea-Monclus et al., 2020", ["Yes", "Yes", "No", "No", "Yes", "Can't tell", "Yes", "Yes", "Yes"], CASP_NEGATIVE],
  ];
  const answers = (xs: string[]) => Object.fromEntries(xs.map((x, i) => [`Q${i + 1}`, x]));
  it.each(rows)("accepts the recorded answers of %s", (_, xs) => {
    expect(checkAnswers(CASP_QUALITATIVE, answers(xs))).toEqual([]);
  });
  it("proposes no rating: the same number of No answers is Positive in one row and Negative in another", () => {
    // Akin (3 No) is Positive; Urrea-Monclus 2020 (2 No) is Negative — no count rule reproduces Appendix G.
    expect(overall(CASP_QUALITATIVE, {}).proposed).toBeNull();
    expect(CASP_QUALITATIVE.overall.kind === "none" && CASP_QUALITATIVE.overall.ratings).toEqual([CASP_POSITIVE, CASP_NEGATIVE, "Unknown"]);
    expect(proposeJudgements(CASP_QUALITATIVE, answers(rows[0][1])).every((p) => p.proposed === null)).toBe(true);
  });
  it("reports an answer off the checklist's scale and leaves the free-text Q10 optional", () => {
    expect(checkAnswers(CASP_QUALITATIVE, { ...answers(rows[0][1]), Q3: "Probably" }).map((p) => [p.kind, p.question])).toEqual([["not-allowed", "Q3"]]);
  });
});

describe("MMAT (2018) by category — Hong et al., MMAT version 2018 user guide, Part I", () => {
  const yes5 = (c: string) => Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`${c}.${i}`, "Yes"]));
  it("applies only the chosen category's criteria", () => {
    const a = { S1: "Yes", S2: "Yes", category: "Qualitative", ...yes5("1") };
    expect(checkAnswers(MMAT, a)).toEqual([]);
    const ps = proposeJudgements(MMAT, a);
    expect(ps.filter((p) => p.applies).map((p) => p.domain)).toEqual(["S", "1"]);
    expect(ps.every((p) => p.proposed === null)).toBe(true);
  });
  it("applies qualitative, the chosen quantitative category and mixed methods criteria to a mixed methods study", () => {
    const a = { S1: "Yes", S2: "Can't tell", category: "Mixed methods", "mixed.quantitative": "Quantitative descriptive", ...yes5("1"), ...yes5("4"), ...yes5("5") };
    expect(checkAnswers(MMAT, a)).toEqual([]);
    expect(proposeJudgements(MMAT, a).filter((p) => p.applies).map((p) => p.domain)).toEqual(["S", "1", "4", "5"]);
  });
  it("reports criteria answered for a category that does not apply, and missing ones", () => {
    const a = { S1: "Yes", S2: "Yes", category: "Quantitative randomized controlled trials", ...yes5("3"), "2.1": "No" };
    const problems = checkAnswers(MMAT, a);
    expect(problems.filter((p) => p.kind === "answered-skipped").map((p) => p.question)).toEqual(["3.1", "3.2", "3.3", "3.4", "3.5"]);
    expect(problems.filter((p) => p.kind === "missing").map((p) => p.question)).toEqual(["2.2", "2.3", "2.4", "2.5"]);
  });
  it("gives no overall score", () => {
    expect(overall(MMAT, {}).proposed).toBeNull();
  });
});

describe("ASSESS as the seed review applies it (Methods, Quality appraisal; Appendix H)", () => {
  const crit = (id: string, d: string, m: string, r: string) => ({ [`${id}.definition`]: d, [`${id}.methods`]: m, [`${id}.reporting`]: r });
  it("sums the three criteria per implementation outcome and leaves the label to the assessor", () => {
    const ps = proposeJudgements(ASSESS, { ...crit("fidelity", "2", "1", "2") });
    const fidelity = ps.find((p) => p.domain === "fidelity")!;
    expect(fidelity.score).toEqual({ value: 5, max: 6, scored: 3 });
    expect(fidelity.proposed).toBeNull();
    expect(fidelity.note).toMatch(/assessor/);
  });
  it("proposes N/A for an outcome the study does not assess", () => {
    const all = Object.assign({}, ...["acceptability", "adoption", "appropriateness", "feasibility", "fidelity", "reach", "cost", "sustainability"].map((o) => crit(o, "NA", "NA", "NA")));
    expect(checkAnswers(ASSESS, all)).toEqual([]);
    expect(proposeJudgements(ASSESS, all).map((p) => p.proposed)).toEqual(Array(8).fill("N/A"));
  });
  it("scores partly assessed outcomes over the scored criteria only", () => {
    const p = proposeJudgements(ASSESS, crit("cost", "0", "NA", "1")).find((x) => x.domain === "cost")!;
    expect(p.score).toEqual({ value: 1, max: 4, scored: 2 });
  });
  it("rejects scores outside 0–2", () => {
    expect(checkAnswers(ASSESS, crit("reach", "3", "2", "2")).filter((p) => p.kind === "not-allowed").map((p) => p.question)).toEqual(["reach.definition"]);
  });
  it("gives no overall judgement", () => {
    expect(overall(ASSESS, {}).proposed).toBeNull();
  });
});

describe("tools that judge a result", () => {
  it("RoB 2 (both effects) appraises domains 2-5 per result, as the issue and the guidance's 'specify the result' ask; ROBINS-I 2016 every domain", () => {
    const byId = new Map(listTools().map((t) => [t.id, t]));
    expect(byId.get("rob2")!.resultLevel!.domains).toEqual(["D2", "D3", "D4", "D5"]);
    expect(byId.get("rob2-adhering")!.resultLevel!.domains).toEqual(["D2", "D3", "D4", "D5"]);
    expect(ROBINS_I_ASSIGNMENT.resultLevel!.domains).toHaveLength(7);
    expect(CASP_QUALITATIVE.resultLevel).toBeUndefined();
    expect(MMAT.resultLevel).toBeUndefined();
  });
});
