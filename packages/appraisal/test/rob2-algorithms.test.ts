import { describe, expect, it } from "vitest";
import {
  askState,
  conditionQuestions,
  proposeDomain,
  ROB2_ADHERING,
  ROB2_ASSIGNMENT,
  ROB2_CRT_D1B,
  type Domain,
  type Tool,
} from "../src/index.js";
import { compare, type Row } from "./decision-table.js";

// Decision tables transcribed from the RoB 2 flowcharts ("Algorithm for
// suggested judgement of risk of bias ...", one per domain) of RoB 2 as
// published with the guidance of 22 August 2019 (Higgins JPT, Savović J,
// Page MJ, Sterne JAC (eds), "Revised Cochrane risk-of-bias tool for
// randomized trials (RoB 2)", riskofbias.info). Page numbers are those of
// the tool's signalling-question tables with the algorithm figures, as seen
// in a text extraction of that document (the PDF itself could not be
// opened; pages read from its page footers): D1 table pp. 5–6, algorithm
// after it; D2 (assignment) pp. 8–10; D2 (adhering) pp. 12–13; D3 pp. 15–16;
// D4 pp. 18–19. D5's figure was not found in that extraction; its table
// below follows the guidance's domain 5 criteria. Each table is checked against the engine on every combination.

const STD = ["Y", "PY", "PN", "N", "NI"];
const STD_NA = [...STD, "NA"];
const Y = "Y/PY";
const N = "N/PN";
const YNI = "Y/PY/NI";
const NNI = "N/PN/NI";
const L = "Low";
const S = "Some concerns";
const H = "High";

function expectAgreement(tool: Tool, domainId: string, options: Record<string, readonly string[]>, table: readonly Row[], expectedCombos: number) {
  const r = compare(options, table, (answers) => proposeDomain(tool, domainId, answers).proposed);
  expect(r.checked).toBe(expectedCombos);
  expect(r.disagreements.slice(0, 5)).toEqual([]);
  // Every row is reachable: a table row that never fires would be a transcription slip.
  expect([...r.rowsUsed].sort((a, b) => a - b)).toEqual(table.map((_, i) => i));
}

describe("RoB 2 domain 1 (randomization process) — RoB 2, 22 Aug 2019, domain 1 algorithm (after the table of pp. 5–6)", () => {
  // Columns: 1.1 random, 1.2 concealed, 1.3 baseline imbalance suggests a problem.
  const table: Row[] = [
    { when: { "1.1": YNI, "1.2": Y, "1.3": NNI }, then: L },
    { when: { "1.1": YNI, "1.2": Y, "1.3": Y }, then: S },
    { when: { "1.1": N, "1.2": Y, "1.3": "*" }, then: S },
    { when: { "1.1": "*", "1.2": "NI", "1.3": NNI }, then: S },
    { when: { "1.1": "*", "1.2": "NI", "1.3": Y }, then: H },
    { when: { "1.1": "*", "1.2": N, "1.3": "*" }, then: H },
  ];
  it("agrees with the engine on all 125 combinations", () => {
    expectAgreement(ROB2_ASSIGNMENT, "D1", { "1.1": STD, "1.2": STD, "1.3": STD }, table, 125);
  });
  it("gives 'Some concerns' when no question can be answered (guidance: no information on any signalling question)", () => {
    expect(proposeDomain(ROB2_ASSIGNMENT, "D1", { "1.1": "NI", "1.2": "NI", "1.3": "NI" }).proposed).toBe(S);
  });
});

describe("RoB 2 domain 2, effect of assignment — RoB 2, 22 Aug 2019, domain 2 (assignment) algorithm, parts 1 and 2 (table pp. 8–10)", () => {
  // Part 1 (2.1–2.5). "Aware" is 2.1 or 2.2 Y/PY/NI, written as two disjoint rows.
  const aware = [{ "2.1": YNI, "2.2": "*" }, { "2.1": N, "2.2": YNI }];
  const part1: Row[] = [
    { when: { "2.1": N, "2.2": N }, then: L },
    ...aware.flatMap((a) => [
      { when: { ...a, "2.3": N }, then: L },
      { when: { ...a, "2.3": "NI" }, then: S },
      // Trial-context deviations judged unlikely to affect the outcome still stop at Some concerns in the figure.
      { when: { ...a, "2.3": Y, "2.4": N }, then: S },
      { when: { ...a, "2.3": Y, "2.4": YNI, "2.5": Y }, then: S },
      { when: { ...a, "2.3": Y, "2.4": YNI, "2.5": NNI }, then: H },
    ]),
  ];
  // Part 2 (2.6–2.7).
  const part2: Row[] = [
    { when: { "2.6": Y }, then: L },
    { when: { "2.6": NNI, "2.7": N }, then: S },
    { when: { "2.6": NNI, "2.7": YNI }, then: H },
  ];
  // Combination as the guidance states it: Low only if both parts are Low, High if either is High.
  const combine: Record<string, string> = {
    "Low+Low": L,
    "Low+Some concerns": S,
    "Some concerns+Low": S,
    "Some concerns+Some concerns": S,
    "Low+High": H,
    "High+Low": H,
    "Some concerns+High": H,
    "High+Some concerns": H,
    "High+High": H,
  };
  const table: Row[] = part1.flatMap((r1) => part2.map((r2) => ({ when: { ...r1.when, ...r2.when }, then: combine[`${r1.then}+${r2.then}`] })));
  it("agrees with the engine on all 78,125 combinations of 2.1–2.7", () => {
    const opts = Object.fromEntries(["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"].map((q) => [q, STD]));
    expectAgreement(ROB2_ASSIGNMENT, "D2", opts, table, 78_125);
  });
  it("reports each part's result among the reasons", () => {
    const p = proposeDomain(ROB2_ASSIGNMENT, "D2", { "2.1": "Y", "2.2": "Y", "2.3": "NI", "2.6": "N", "2.7": "Y" });
    expect(p.proposed).toBe(H);
    expect(p.reasons.map((r) => r.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/^Part 1.*: Some concerns$/), expect.stringMatching(/^Part 2.*: High$/)]));
  });
});

describe("RoB 2 domain 2, effect of adhering — RoB 2, 22 Aug 2019, domain 2 (adhering) algorithm (table pp. 12–13)", () => {
  const notAware = { "2.1": N, "2.2": N };
  const aware = [{ "2.1": YNI, "2.2": "*" }, { "2.1": N, "2.2": YNI }];
  const noProblem = { "2.4": "N/PN/NA", "2.5": "N/PN/NA" };
  const problem = [{ "2.4": YNI, "2.5": "*" }, { "2.4": "N/PN/NA", "2.5": YNI }];
  const analysis = (base: Record<string, string>): Row[] => [
    { when: { ...base, "2.6": Y }, then: S },
    { when: { ...base, "2.6": NNI }, then: H },
  ];
  const table: Row[] = [
    { when: { ...notAware, ...noProblem }, then: L },
    ...problem.flatMap((p) => analysis({ ...notAware, ...p })),
    ...aware.flatMap((a) => [
      { when: { ...a, "2.3": "Y/PY/NA", ...noProblem }, then: L },
      ...problem.flatMap((p) => analysis({ ...a, "2.3": "Y/PY/NA", ...p })),
      ...analysis({ ...a, "2.3": NNI }),
    ]),
  ];
  it("agrees with the engine on all 27,000 combinations of 2.1–2.6", () => {
    expectAgreement(ROB2_ADHERING, "D2", { "2.1": STD, "2.2": STD, "2.3": STD_NA, "2.4": STD_NA, "2.5": STD_NA, "2.6": STD }, table, 27_000);
  });
});

describe("RoB 2 domain 3 (missing outcome data) — RoB 2, 22 Aug 2019, domain 3 algorithm (table pp. 15–16)", () => {
  const table: Row[] = [
    { when: { "3.1": Y }, then: L },
    { when: { "3.1": NNI, "3.2": Y }, then: L },
    { when: { "3.1": NNI, "3.2": N, "3.3": N }, then: L },
    { when: { "3.1": NNI, "3.2": N, "3.3": YNI, "3.4": N }, then: S },
    { when: { "3.1": NNI, "3.2": N, "3.3": YNI, "3.4": YNI }, then: H },
  ];
  it("agrees with the engine on all 500 combinations (3.2 has no NI answer)", () => {
    expectAgreement(ROB2_ASSIGNMENT, "D3", { "3.1": STD, "3.2": ["Y", "PY", "PN", "N"], "3.3": STD, "3.4": STD }, table, 500);
  });
});

describe("RoB 2 domain 4 (measurement of the outcome) — RoB 2, 22 Aug 2019, domain 4 algorithm (table pp. 18–19)", () => {
  const table: Row[] = [
    { when: { "4.1": Y }, then: H },
    { when: { "4.1": NNI, "4.2": Y }, then: H },
    // 4.2 N/PN: Low remains reachable.
    { when: { "4.1": NNI, "4.2": N, "4.3": N }, then: L },
    { when: { "4.1": NNI, "4.2": N, "4.3": YNI, "4.4": N }, then: L },
    { when: { "4.1": NNI, "4.2": N, "4.3": YNI, "4.4": YNI, "4.5": N }, then: S },
    { when: { "4.1": NNI, "4.2": N, "4.3": YNI, "4.4": YNI, "4.5": YNI }, then: H },
    // 4.2 NI: at best Some concerns.
    { when: { "4.1": NNI, "4.2": "NI", "4.3": N }, then: S },
    { when: { "4.1": NNI, "4.2": "NI", "4.3": YNI, "4.4": N }, then: S },
    { when: { "4.1": NNI, "4.2": "NI", "4.3": YNI, "4.4": YNI, "4.5": N }, then: S },
    { when: { "4.1": NNI, "4.2": "NI", "4.3": YNI, "4.4": YNI, "4.5": YNI }, then: H },
  ];
  it("agrees with the engine on all 3,125 combinations", () => {
    expectAgreement(ROB2_ASSIGNMENT, "D4", Object.fromEntries(["4.1", "4.2", "4.3", "4.4", "4.5"].map((q) => [q, STD])), table, 3125);
  });
});

describe("RoB 2 domain 5 (selection of the reported result) — RoB 2 guidance, 22 Aug 2019, domain 5 criteria and algorithm", () => {
  const table: Row[] = [
    { when: { "5.2": Y }, then: H },
    { when: { "5.2": NNI, "5.3": Y }, then: H },
    { when: { "5.1": Y, "5.2": N, "5.3": N }, then: L },
    { when: { "5.1": NNI, "5.2": N, "5.3": N }, then: S },
    { when: { "5.2": "NI", "5.3": NNI }, then: S },
    { when: { "5.2": N, "5.3": "NI" }, then: S },
  ];
  it("agrees with the engine on all 125 combinations", () => {
    expectAgreement(ROB2_ASSIGNMENT, "D5", { "5.1": STD, "5.2": STD, "5.3": STD }, table, 125);
  });
});

describe("RoB 2 CRT domain 1b (timing of identification or recruitment) — RoB 2 CRT guidance, 18 Mar 2021, domain 1b algorithm", () => {
  const table: Row[] = [
    { when: { "1b.1": Y }, then: L },
    { when: { "1b.1": NNI, "1b.2": Y }, then: H },
    { when: { "1b.1": NNI, "1b.2": N, "1b.3": NNI }, then: L },
    { when: { "1b.1": NNI, "1b.2": N, "1b.3": Y }, then: S },
    { when: { "1b.1": NNI, "1b.2": "NI", "1b.3": NNI }, then: S },
    { when: { "1b.1": NNI, "1b.2": "NI", "1b.3": Y }, then: H },
  ];
  const tool: Tool = { ...ROB2_ASSIGNMENT, id: "rob2-crt-1b-test", domains: [ROB2_CRT_D1B] };
  it("agrees with the engine on all 125 combinations", () => {
    expectAgreement(tool, "D1b", { "1b.1": STD, "1b.2": STD, "1b.3": STD }, table, 125);
  });
});

describe("the comparison harness can fail", () => {
  it("detects a single changed leaf in a flowchart", () => {
    const d1 = ROB2_ASSIGNMENT.domains[0];
    const tree = d1.algorithm.kind === "tree" ? d1.algorithm.tree : null;
    if (!tree || "judgement" in tree) throw new Error("unexpected domain 1 shape");
    // 1.2 N/PN → "Some concerns" instead of "High".
    const mutated: Domain = {
      ...d1,
      algorithm: { ...d1.algorithm, tree: { branches: tree.branches.map((b, i) => (i === 2 ? { ...b, then: { judgement: S } } : b)) } } as Domain["algorithm"],
    };
    const tool: Tool = { ...ROB2_ASSIGNMENT, domains: [mutated] };
    const table: Row[] = [
      { when: { "1.1": YNI, "1.2": Y, "1.3": NNI }, then: L },
      { when: { "1.1": YNI, "1.2": Y, "1.3": Y }, then: S },
      { when: { "1.1": N, "1.2": Y, "1.3": "*" }, then: S },
      { when: { "1.1": "*", "1.2": "NI", "1.3": NNI }, then: S },
      { when: { "1.1": "*", "1.2": "NI", "1.3": Y }, then: H },
      { when: { "1.1": "*", "1.2": N, "1.3": "*" }, then: H },
    ];
    const r = compare({ "1.1": STD, "1.2": STD, "1.3": STD }, table, (a) => proposeDomain(tool, "D1", a).proposed);
    expect(r.disagreements).toHaveLength(2 * 5 * 5);
  });
  it("detects an overlapping or missing table row", () => {
    const r = compare({ "1.2": STD }, [{ when: { "1.2": "Y/PY/NI" }, then: L }, { when: { "1.2": "NI/N" }, then: H }], () => L);
    // NI matches two rows, PN matches none, N matches one row that says High.
    expect(r.disagreements.map((d) => d.answers["1.2"]).sort()).toEqual(["N", "NI", "PN"]);
  });
});

describe("RoB 2 flowcharts read only questions the skip logic asks", () => {
  const cases: [Tool, string, Record<string, readonly string[]>][] = [
    [ROB2_ASSIGNMENT, "D2", Object.fromEntries(["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"].map((q) => [q, STD]))],
    [ROB2_ADHERING, "D2", { "2.1": STD, "2.2": STD, "2.3": STD_NA, "2.4": STD_NA, "2.5": STD_NA, "2.6": STD }],
    [ROB2_ASSIGNMENT, "D3", { "3.1": STD, "3.2": ["Y", "PY", "PN", "N"], "3.3": STD, "3.4": STD }],
    [ROB2_ASSIGNMENT, "D4", Object.fromEntries(["4.1", "4.2", "4.3", "4.4", "4.5"].map((q) => [q, STD]))],
    [ROB2_ASSIGNMENT, "D1", { "1.1": STD, "1.2": STD, "1.3": STD }],
    [ROB2_ASSIGNMENT, "D5", { "5.1": STD, "5.2": STD, "5.3": STD }],
  ];
  it.each(cases.map(([t, d, o]) => [`${t.id} ${d}`, t, d, o] as const))("%s: answers to skipped questions never change the proposal", async (_, tool, domainId, options) => {
    const { combinations } = await import("./decision-table.js");
    const domain = tool.domains.find((d) => d.id === domainId)!;
    for (const answers of combinations(options)) {
      const p = proposeDomain(tool, domainId, answers);
      expect(p.proposed).not.toBeNull();
      const asked = new Set(askState(domain, answers).asked);
      for (const r of p.reasons) for (const [q, a] of Object.entries(r.answers)) if (!asked.has(q)) expect(a).toBe("NA");
      const onlyAsked = Object.fromEntries(Object.entries(answers).filter(([q]) => asked.has(q)));
      expect(proposeDomain(tool, domainId, onlyAsked).proposed).toBe(p.proposed);
    }
  });
  it("every skip condition reads only earlier questions of its domain", () => {
    for (const tool of [ROB2_ASSIGNMENT, ROB2_ADHERING])
      for (const d of [...tool.domains, ROB2_CRT_D1B])
        d.questions.forEach((q, i) => {
          if (!q.askedWhen) return;
          const earlier = new Set(d.questions.slice(0, i).map((x) => x.id));
          for (const r of conditionQuestions(q.askedWhen)) expect(earlier.has(r), `${d.id} ${q.id} reads ${r}`).toBe(true);
        });
  });
});
