import { describe, expect, it } from "vitest";
import {
  checkAnswers,
  consensus,
  getTool,
  NON_BLINDING_NOT_A_CONCERN,
  overall,
  proposeJudgements,
  ROB2_ADHERING,
  ROB2_ASSIGNMENT,
  tools,
  type Answers,
} from "../src/index.js";

const ALL_LOW: Answers = {
  "1.1": "Y", "1.2": "Y", "1.3": "N",
  "2.1": "N", "2.2": "N", "2.6": "Y",
  "3.1": "Y",
  "4.1": "N", "4.2": "N", "4.3": "N",
  "5.1": "Y", "5.2": "N", "5.3": "N",
};

describe("registry", () => {
  it("holds tools by id and version", () => {
    expect(tools.rob2["2019-08-22"]).toBe(ROB2_ASSIGNMENT);
    expect(getTool("rob2")).toBe(ROB2_ASSIGNMENT);
    expect(getTool("rob2-adhering", "2019-08-22")).toBe(ROB2_ADHERING);
    expect(getTool("rob2", "2011")).toBeNull();
    expect(getTool("nope")).toBeNull();
  });
});

describe("proposeJudgements", () => {
  it("proposes Low everywhere for a clean trial, listing asked and skipped questions", () => {
    const ps = proposeJudgements(ROB2_ASSIGNMENT, ALL_LOW);
    expect(ps.map((p) => p.proposed)).toEqual(["Low", "Low", "Low", "Low", "Low"]);
    const d2 = ps[1];
    expect(d2.asked).toEqual(["2.1", "2.2", "2.6"]);
    expect(d2.skipped).toEqual(["2.3", "2.4", "2.5", "2.7"]);
    expect(ps[2].skipped).toEqual(["3.2", "3.3", "3.4"]);
  });
  it("gives the flowchart steps as reasons", () => {
    const [d1] = proposeJudgements(ROB2_ASSIGNMENT, { "1.1": "NI", "1.2": "NI", "1.3": "Y" });
    expect(d1.proposed).toBe("High");
    expect(d1.reasons).toEqual([
      { rule: "1.2 ∈ {NI}", answers: { "1.2": "NI" } },
      { rule: "1.3 ∈ {Y, PY}", answers: { "1.3": "Y" } },
    ]);
  });
  it("proposes nothing and names the question when an answer the flowchart needs is missing", () => {
    const [d1] = proposeJudgements(ROB2_ASSIGNMENT, { "1.2": "Y", "1.1": "Y" });
    expect(d1.proposed).toBeNull();
    expect(d1.missing).toEqual(["1.3"]);
  });
});

describe("departures", () => {
  // Seed review (000), Methods, Quality appraisal: non-blinding not counted as a concern.
  const aware: Answers = { ...ALL_LOW, "2.1": "Y", "2.2": "N", "2.3": "Y", "2.4": "Y", "2.5": "N" };
  it("change the proposal and are reported next to the judgement they changed", () => {
    expect(proposeJudgements(ROB2_ASSIGNMENT, aware)[1].proposed).toBe("High");
    const d2 = proposeJudgements(ROB2_ASSIGNMENT, aware, [NON_BLINDING_NOT_A_CONCERN])[1];
    expect(d2.proposed).toBe("Low");
    expect(d2.departures).toEqual([
      {
        id: "non-blinding-not-a-concern",
        text: NON_BLINDING_NOT_A_CONCERN.text,
        overrides: [{ question: "2.1", from: "Y", to: "PN" }],
        without: "High",
      },
    ]);
    // With the departure 2.3–2.5 are no longer asked.
    expect(d2.skipped).toEqual(["2.3", "2.4", "2.5", "2.7"]);
  });
  it("are not reported where they changed nothing", () => {
    const ps = proposeJudgements(ROB2_ASSIGNMENT, { ...aware, "2.2": "Y" }, [NON_BLINDING_NOT_A_CONCERN]);
    expect(ps[1].proposed).toBe("High");
    expect(ps[1].departures).toEqual([]);
    expect(ps[1].departuresWithoutEffect).toEqual(["non-blinding-not-a-concern"]);
    expect(ps[0].departures).toEqual([]);
    expect(ps[0].departuresWithoutEffect).toEqual([]);
  });
  it("apply only to the tools they name", () => {
    const other = { ...NON_BLINDING_NOT_A_CONCERN, tools: ["robins-i"] };
    expect(proposeJudgements(ROB2_ASSIGNMENT, aware, [other])[1].proposed).toBe("High");
  });
});

describe("checkAnswers", () => {
  it("accepts a complete, consistent set", () => {
    expect(checkAnswers(ROB2_ASSIGNMENT, ALL_LOW)).toEqual([]);
  });
  it("reports answers outside the options, answers to skipped questions, missing answers and unknown questions", () => {
    const problems = checkAnswers(ROB2_ASSIGNMENT, { ...ALL_LOW, "1.1": "Maybe", "2.4": "Y", "3.2": "NA", "9.9": "Y", "5.1": "" });
    expect(problems.map((p) => [p.kind, p.question])).toEqual([
      ["unknown-question", "9.9"],
      ["not-allowed", "1.1"],
      ["answered-skipped", "2.4"],
      ["missing", "5.1"],
    ]);
  });
  it("knows that 3.2 has no 'No information' answer", () => {
    const problems = checkAnswers(ROB2_ASSIGNMENT, { ...ALL_LOW, "3.1": "N", "3.2": "NI", "3.3": "N" });
    // An answer off the options also opens no branch, so 3.3 reads as not asked.
    expect(problems.map((p) => [p.kind, p.question, p.answer])).toEqual([
      ["not-allowed", "3.2", "NI"],
      ["answered-skipped", "3.3", "N"],
    ]);
  });
  it("accepts NA where the adhering variant says 'if applicable'", () => {
    const a = { ...ALL_LOW, "2.1": "Y", "2.3": "NA", "2.4": "NA", "2.5": "N" };
    delete (a as Record<string, string>)["2.6"];
    expect(checkAnswers(ROB2_ADHERING, a)).toEqual([]);
    expect(proposeJudgements(ROB2_ADHERING, a)[1].proposed).toBe("Low");
  });
  it("rejects NA on an asked question that is not 'if applicable'", () => {
    expect(checkAnswers(ROB2_ASSIGNMENT, { ...ALL_LOW, "1.3": "NA" }).map((p) => p.kind)).toEqual(["not-allowed"]);
  });
});

describe("overall (RoB 2) — guidance 22 Aug 2019, overall judgement table; Sterne et al. BMJ 2019, Table 2", () => {
  const j = (...xs: string[]) => Object.fromEntries(xs.map((x, i) => [`D${i + 1}`, x]));
  it.each([
    [["Low", "Low", "Low", "Low", "Low"], "Low", 0],
    [["Low", "Some concerns", "Low", "Low", "Low"], "Some concerns", 0],
    [["Low", "High", "Low", "Low", "Low"], "High", 0],
    [["Some concerns", "Some concerns", "Low", "Low", "Low"], "Some concerns", 1],
    [["Some concerns", "Some concerns", "Some concerns", "High", "Low"], "High", 0],
  ])("%j → %s (flags: %i)", (domains, expected, flags) => {
    const o = overall(ROB2_ASSIGNMENT, j(...(domains as string[])));
    expect(o.proposed).toBe(expected);
    expect(o.flags).toHaveLength(flags as number);
  });
  it("uses a project's threshold for the 'multiple some concerns' flag", () => {
    const d = j("Some concerns", "Some concerns", "Low", "Low", "Low");
    expect(overall(ROB2_ASSIGNMENT, d, { someConcernsFlagAt: 3 }).flags).toEqual([]);
    expect(overall(ROB2_ASSIGNMENT, j("Some concerns", "Some concerns", "Some concerns", "Low", "Low"), { someConcernsFlagAt: 3 }).flags[0].code).toBe(
      "rob2-multiple-some-concerns",
    );
  });
  it("waits for missing domains unless one is already High", () => {
    expect(overall(ROB2_ASSIGNMENT, { D1: "Low", D2: "Low" })).toMatchObject({ proposed: null, missing: ["D3", "D4", "D5"] });
    expect(overall(ROB2_ASSIGNMENT, { D1: "High" }).proposed).toBe("High");
  });
  it("proposes nothing, with a flag, when a domain is 'No information' and none is High", () => {
    const o = overall(ROB2_ASSIGNMENT, j("Low", "No information", "Low", "Low", "Low"));
    expect(o.proposed).toBeNull();
    expect(o.flags.map((f) => f.code)).toEqual(["rob2-ungraded-domain"]);
    expect(overall(ROB2_ASSIGNMENT, j("High", "No information", "Low", "Low", "Low")).proposed).toBe("High");
  });
  it("refuses judgements off the scale", () => {
    expect(overall(ROB2_ASSIGNMENT, j("Low", "Moderate", "Low", "Low", "Low"))).toMatchObject({ proposed: null, unknown: ["Moderate"] });
  });
  it("matches the seed review's recorded RoB 2 overalls where the rule is definite (Appendix E)", () => {
    // Akin and McDonald 2018: all Low → Low; Miller 2008: a High → High; Kemp 2024: one Some concerns → Some concerns.
    expect(overall(ROB2_ASSIGNMENT, j("Low", "Low", "Low", "Low", "Low")).proposed).toBe("Low");
    expect(overall(ROB2_ASSIGNMENT, j("Low", "High", "Low", "Low", "Some concerns")).proposed).toBe("High");
    expect(overall(ROB2_ASSIGNMENT, j("Low", "Low", "Low", "Low", "Some concerns")).proposed).toBe("Some concerns");
    // Trout et al. 2012: four Some concerns, recorded High — the engine proposes Some concerns and flags it.
    const trout = overall(ROB2_ASSIGNMENT, j("Some concerns", "Some concerns", "Low", "Some concerns", "Some concerns"));
    expect(trout.proposed).toBe("Some concerns");
    expect(trout.flags.map((f) => f.code)).toEqual(["rob2-multiple-some-concerns"]);
  });
});

describe("consensus", () => {
  it("lists question and domain disagreements, minor where both answers are on the same side", () => {
    const a = { answers: ALL_LOW };
    const b = { answers: { ...ALL_LOW, "1.1": "PY", "1.2": "NI", "4.3": "Y", "4.4": "N" } };
    const c = consensus(ROB2_ASSIGNMENT, a, b);
    expect(c.questions).toEqual([
      { domain: "D1", question: "1.1", a: "Y", b: "PY", kind: "minor" },
      { domain: "D1", question: "1.2", a: "Y", b: "NI", kind: "major" },
      { domain: "D4", question: "4.3", a: "N", b: "Y", kind: "major" },
      // 4.4 is asked only in b's assessment.
      { domain: "D4", question: "4.4", a: "NA", b: "N", kind: "major" },
    ]);
    expect(c.domains).toEqual([{ domain: "D1", a: "Low", b: "Some concerns", proposedA: "Low", proposedB: "Some concerns" }]);
    expect(c.overall).toBeNull();
  });
  it("compares recorded judgements where given, and the overall", () => {
    const c = consensus(ROB2_ASSIGNMENT, { answers: ALL_LOW, judgements: { D3: "Some concerns" }, overall: "Some concerns" }, { answers: ALL_LOW, overall: "Low" });
    expect(c.questions).toEqual([]);
    expect(c.domains).toEqual([{ domain: "D3", a: "Some concerns", b: "Low", proposedA: "Low", proposedB: "Low" }]);
    expect(c.overall).toEqual({ a: "Some concerns", b: "Low" });
  });
  it("takes the tool from the assessments, and refuses to compare different tools", () => {
    const c = consensus({ tool: ROB2_ASSIGNMENT, answers: ALL_LOW }, { tool: ROB2_ASSIGNMENT, answers: { ...ALL_LOW, "5.1": "N" } });
    expect(c.questions).toEqual([{ domain: "D5", question: "5.1", a: "Y", b: "N", kind: "major" }]);
    expect(() => consensus({ tool: ROB2_ASSIGNMENT, answers: ALL_LOW }, { tool: ROB2_ADHERING, answers: ALL_LOW })).toThrow(/cannot compare/);
  });
  it("applies the project's departures to both assessments before comparing domains", () => {
    const a = { answers: { ...ALL_LOW, "2.1": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N" } };
    expect(consensus(ROB2_ASSIGNMENT, a, { answers: ALL_LOW }).domains.map((d) => d.domain)).toEqual(["D2"]);
    expect(consensus(ROB2_ASSIGNMENT, a, { answers: ALL_LOW }, [NON_BLINDING_NOT_A_CONCERN]).domains).toEqual([]);
  });
  it("ignores answers to questions neither assessment asks", () => {
    const c = consensus(ROB2_ASSIGNMENT, { answers: { ...ALL_LOW, "2.4": "Y" } }, { answers: { ...ALL_LOW, "2.4": "N" } });
    expect(c.questions).toEqual([]);
  });
});
