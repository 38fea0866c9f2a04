import { describe, expect, it } from "vitest";
import type { SurveyQuestion } from "@homeward/model";
import { parseDictionary, parseResponses, tabulateSurvey } from "../src/index.js";

const dictionary = `question,text,type,answer,label
policy,Local authority has a written reunification policy,single,yes,Yes
policy,Local authority has a written reunification policy,single,no,No
policy,Local authority has a written reunification policy,single,not_sure,Not sure
barriers,Barriers seen,multiple,housing,Suitable housing
barriers,Barriers seen,multiple,finance,Financial support
comment,Anything else,text,,
`;
const questions: SurveyQuestion[] = parseDictionary(dictionary).map((q, i) => ({ ...q, id: `q${i}` }));

/**
 * Respondents built to Table 14's first question (seed 000 lines 2526–2534):
 * local authority N = 40 (21 yes, 4 no, 15 not sure), other organisations
 * N = 13 (2 yes, 0 no, 11 not sure).
 */
function table14Csv(): string {
  const lines = ["respondent,group,policy,barriers,comment"];
  const add = (group: string, answer: string, n: number) => {
    for (let i = 0; i < n; i++) lines.push(`${group}-${answer}-${i},${group},${answer},,`);
  };
  add("LA", "yes", 21);
  add("LA", "no", 4);
  add("LA", "not_sure", 15);
  add("Other", "yes", 2);
  add("Other", "not_sure", 11);
  return lines.join("\n");
}

describe("survey import", () => {
  it("reads a dictionary of closed and open questions", () => {
    expect(questions.map((q) => [q.code, q.type, q.options.map((o) => o.code)])).toEqual([
      ["policy", "single", ["yes", "no", "not_sure"]],
      ["barriers", "multiple", ["housing", "finance"]],
      ["comment", "text", []],
    ]);
  });

  it("refuses answers outside the dictionary, naming line, respondent, question and what is allowed", () => {
    const csv = "respondent,group,policy,barriers\nR1,LA,yes,housing;finance\nR2,LA,maybe,\nR3,LA,no,transport\n";
    expect(() => parseResponses(csv, questions)).toThrow(
      '2 problems in the responses; nothing was imported: line 3 (respondent R2): "maybe" is not an answer of policy (allowed: yes, no, not_sure); line 4 (respondent R3): "transport" is not an answer of barriers (allowed: housing, finance)',
    );
    expect(() => parseResponses("respondent,policy,age\nR1,yes,30\n", questions)).toThrow(/not questions of the dictionary: age/);
    expect(() => parseResponses("respondent,policy\nR1,yes\nR1,no\n", questions)).toThrow(/respondent R1 appears twice/);
    expect(() => parseDictionary("question,text,type,answer,label\nq,Q,scale,1,One\n")).toThrow(/type "scale"/);
  });
});

describe("survey tabulation", () => {
  it("reproduces Table 14's percentages by respondent group", () => {
    const t = tabulateSurvey(questions, parseResponses(table14Csv(), questions));
    expect(t.columns).toEqual([
      { key: "all", label: "All respondents", n: 53 },
      { key: "LA", label: "LA", n: 40 },
      { key: "Other", label: "Other", n: 13 },
    ]);
    const policy = t.questions.find((q) => q.code === "policy")!;
    const pct = (code: string, col: string) => policy.options.find((o) => o.code === code)!.counts[col]!.percent;
    // Table 14 prints 52.5%, 10.0%, 37.5% and 15.4%, 0.0%, 84.6%.
    expect([pct("yes", "LA"), pct("no", "LA"), pct("not_sure", "LA")]).toEqual([52.5, 10, 37.5]);
    expect([pct("yes", "Other"), pct("no", "Other"), pct("not_sure", "Other")]).toEqual([15.4, 0, 84.6]);
    expect(policy.noAnswer).toBeNull();
    // Open questions are not tabulated.
    expect(t.questions.map((q) => q.code)).toEqual(["policy", "barriers"]);
  });

  it("counts respondents who did not answer, and multiple answers per respondent", () => {
    const csv = "respondent,group,policy,barriers\nR1,A,yes,housing;finance\nR2,A,,housing\nR3,B,no,\nR4,B,no,finance\n";
    const t = tabulateSurvey(questions, parseResponses(csv, questions));
    const policy = t.questions[0]!;
    expect(policy.noAnswer).toEqual({ all: { n: 1, percent: 25 }, A: { n: 1, percent: 50 }, B: { n: 0, percent: 0 } });
    const barriers = t.questions[1]!;
    expect(barriers.options.map((o) => [o.code, o.counts.all!.n, o.counts.all!.percent])).toEqual([
      ["housing", 2, 50],
      ["finance", 2, 50],
    ]);
    expect(barriers.noAnswer!.all).toEqual({ n: 1, percent: 25 });
  });
});
