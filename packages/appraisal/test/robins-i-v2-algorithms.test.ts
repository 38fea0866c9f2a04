import { describe, expect, it } from "vitest";
import { checkAnswers, LOW_EXCEPT_CONFOUNDING, overall, proposeDomain, proposeJudgements, ROBINS_I_V2, ROBINS_I_V2_PER_PROTOCOL, type Tool } from "../src/index.js";
import { compare, type Row } from "./decision-table.js";

// Decision tables for the ROBINS-I V2 algorithms (Risk Of Bias In
// Non-randomized Studies – of Interventions, Version 2, for follow-up
// studies, draft of 20 November 2025, riskofbias.info): domain 1 variant A
// figure p. 20, variant B p. 24, domain 2 p. 28, domain 3 p. 32, domain 4
// p. 38, domain 5 p. 41, domain 6 p. 47, overall p. 49, section B p. 7.
// The figures are images; these rows were written from two public
// transcriptions of them ([T1] robins-i-mcp algorithms.py with its
// TRANSCRIPTION-NOTES.md, [T2] CoRATES decision-diagrams/domain-*.md) by
// reading each figure's paths as rows, apart from the engine's trees. "open"
// marks a path the two read differently: the engine must propose nothing
// there and say so. Each table is checked on every combination of answers.

const STD = ["Y", "PY", "PN", "N", "NI"];
const NO_NI = ["Y", "PY", "PN", "N"];
const WSN = ["Y", "PY", "WN", "SN", "NI"];
const WSY = ["SY", "WY", "PN", "N", "NI"];
const Y = "Y/PY";
const N = "N/PN";
const NNI = "N/PN/NI";
const YNI = "Y/PY/NI";
const L = "Low", LX = LOW_EXCEPT_CONFOUNDING, M = "Moderate", S = "Serious", C = "Critical";
const OPEN = "open";

/** Section B answered so that the assessment proceeds. */
const PROCEED = { B1: "Y", B3: "N" };

/** The engine's proposal (section B proceeding), "open" where it proposes nothing on purpose (a note), null where answers are missing. */
const proposal = (tool: Tool, domain: string) => (answers: Record<string, string>) => {
  const p = proposeDomain(tool, domain, domain === "B" ? answers : { ...PROCEED, ...answers });
  if (p.proposed !== null) return p.proposed;
  return p.note && p.missing.length === 0 ? OPEN : null;
};

function expectAgreement(tool: Tool, domain: string, options: Record<string, readonly string[]>, table: readonly Row[], combos: number) {
  const r = compare(options, table, proposal(tool, domain));
  expect(r.checked).toBe(combos);
  expect(r.disagreements.slice(0, 5)).toEqual([]);
  expect([...r.rowsUsed].sort((a, b) => a - b)).toEqual(table.map((_, i) => i));
}

describe("ROBINS-I V2 section B (p. 7): Y/PY to B2 or B3 ends the assessment at Critical", () => {
  const table: Row[] = [
    { when: { B1: "*", B2: "*", B3: Y }, then: C },
    { when: { B1: N, B2: Y, B3: N }, then: C },
    { when: { B1: N, B2: N, B3: N }, then: "Proceed" },
    { when: { B1: Y, B2: "*", B3: N }, then: "Proceed" },
  ];
  it("agrees with the engine on all 64 combinations", () => expectAgreement(ROBINS_I_V2, "B", { B1: NO_NI, B2: NO_NI, B3: NO_NI }, table, 64));
  it("leaves the domains out, and gives Critical overall, when B ends the assessment", () => {
    const ps = proposeJudgements(ROBINS_I_V2, { B1: "N", B2: "PY", B3: "N" });
    expect(ps.filter((p) => p.applies).map((p) => p.domain)).toEqual(["B"]);
    expect(overall(ROBINS_I_V2, { B: "Critical" }).proposed).toBe(C);
    expect(proposeJudgements(ROBINS_I_V2, PROCEED).every((p) => p.applies)).toBe(true);
  });
});

describe("ROBINS-I V2 domain 1, variant A (intention-to-treat effect) — figure p. 20", () => {
  const table: Row[] = [
    { when: { "1.1": Y, "1.3": NNI, "1.2": Y, "1.4": N }, then: LX },
    { when: { "1.1": Y, "1.3": NNI, "1.2": Y, "1.4": Y }, then: OPEN }, // [T1] Serious, [T2] Moderate
    { when: { "1.1": Y, "1.3": NNI, "1.2": "WN", "1.4": N }, then: OPEN }, // [T1] Moderate, [T2] Low (except …)
    { when: { "1.1": Y, "1.3": NNI, "1.2": "WN", "1.4": Y }, then: OPEN },
    { when: { "1.1": "Y/PY/WN", "1.3": NNI, "1.2": "SN/NI", "1.4": "*" }, then: S },
    { when: { "1.1": "WN", "1.3": NNI, "1.2": "Y/PY/WN", "1.4": "*" }, then: OPEN },
    { when: { "1.1": "Y/PY/WN", "1.3": Y, "1.2": "*", "1.4": Y }, then: C },
    { when: { "1.1": "Y/PY/WN", "1.3": Y, "1.2": Y, "1.4": N }, then: S },
    { when: { "1.1": "Y/PY/WN", "1.3": Y, "1.2": "WN/SN/NI", "1.4": N }, then: C },
    { when: { "1.1": "SN/NI", "1.3": "*", "1.2": "*", "1.4": N }, then: S },
    { when: { "1.1": "SN/NI", "1.3": "*", "1.2": "*", "1.4": Y }, then: C },
  ];
  it("agrees with the engine on all 500 combinations", () => expectAgreement(ROBINS_I_V2, "D1", { "1.1": WSN, "1.2": WSN, "1.3": STD, "1.4": NO_NI }, table, 500));
  it("never proposes plain Low: confounding cannot be ruled out (footnote p. 4)", () => {
    expect(proposeDomain(ROBINS_I_V2, "D1", { ...PROCEED, "1.1": "Y", "1.2": "Y", "1.3": "N", "1.4": "N" }).proposed).toBe(LX);
  });
  it("says on an open path which figure to judge from", () => {
    const p = proposeDomain(ROBINS_I_V2, "D1", { ...PROCEED, "1.1": "WN", "1.2": "Y", "1.3": "N", "1.4": "N" });
    expect(p.proposed).toBeNull();
    expect(p.note).toMatch(/p\. 20.*disagree/);
  });
});

describe("ROBINS-I V2 domain 1, variant B (per-protocol effect) — figure p. 24", () => {
  const table: Row[] = [
    { when: { "1.1": Y, "1.2": Y, "1.3": Y, "1.5": N }, then: LX },
    { when: { "1.1": Y, "1.2": Y, "1.3": Y, "1.5": Y }, then: OPEN }, // [T1] Serious, [T2] Moderate
    { when: { "1.1": Y, "1.2": Y, "1.3": "WN", "1.5": N }, then: OPEN }, // [T1] Moderate, [T2] Low (except …)
    { when: { "1.1": Y, "1.2": Y, "1.3": "WN", "1.5": Y }, then: S },
    { when: { "1.1": Y, "1.2": "WN", "1.3": "Y/PY/WN", "1.5": N }, then: OPEN },
    { when: { "1.1": Y, "1.2": "WN", "1.3": "Y/PY/WN", "1.5": Y }, then: S },
    { when: { "1.1": Y, "1.2": "Y/PY/WN", "1.3": "SN/NI", "1.5": "*" }, then: S },
    { when: { "1.1": Y, "1.2": "SN/NI", "1.3": "*", "1.5": "*" }, then: S },
    { when: { "1.1": NNI, "1.4": Y, "1.5": "*" }, then: C },
    { when: { "1.1": NNI, "1.4": NNI, "1.5": N }, then: S },
    { when: { "1.1": NNI, "1.4": NNI, "1.5": Y }, then: C },
  ];
  it("agrees with the engine on all 2,500 combinations", () =>
    expectAgreement(ROBINS_I_V2_PER_PROTOCOL, "D1", { "1.1": STD, "1.2": WSN, "1.3": WSN, "1.4": STD, "1.5": NO_NI }, table, 2500));
});

describe("ROBINS-I V2 domain 2 (classification of interventions) — figure p. 28", () => {
  // Distinguishable at the start (2.1, or else 2.2, Y/PY): 2.4 sets the level, 2.5 raises it by one.
  const ladder = (entry: Record<string, string>): Row[] => [
    { when: { ...entry, "2.4": N, "2.5": N }, then: L },
    { when: { ...entry, "2.4": N, "2.5": YNI }, then: M },
    { when: { ...entry, "2.4": "WY/NI", "2.5": N }, then: M },
    { when: { ...entry, "2.4": "WY/NI", "2.5": YNI }, then: S },
    { when: { ...entry, "2.4": "SY", "2.5": N }, then: S },
    { when: { ...entry, "2.4": "SY", "2.5": YNI }, then: C },
  ];
  const late = { "2.1": NNI, "2.2": NNI };
  const table: Row[] = [
    ...ladder({ "2.1": Y }),
    ...ladder({ "2.1": NNI, "2.2": Y }),
    { when: { ...late, "2.3": "SY", "2.4": N, "2.5": "*" }, then: OPEN }, // [T1] enters at the lowest level, [T2] one up
    { when: { ...late, "2.3": "SY", "2.4": "WY/NI", "2.5": "*" }, then: OPEN }, // [T2] draws no route
    { when: { ...late, "2.3": "SY", "2.4": "SY", "2.5": N }, then: S },
    { when: { ...late, "2.3": "SY", "2.4": "SY", "2.5": YNI }, then: C },
    { when: { ...late, "2.3": "WY/NI", "2.4": N, "2.5": N }, then: M },
    { when: { ...late, "2.3": "WY/NI", "2.4": N, "2.5": YNI }, then: S },
    { when: { ...late, "2.3": "WY/NI", "2.4": "WY/NI", "2.5": "*" }, then: OPEN },
    { when: { ...late, "2.3": "WY/NI", "2.4": "SY", "2.5": N }, then: OPEN }, // [T1] Critical, [T2] Serious
    { when: { ...late, "2.3": "WY/NI", "2.4": "SY", "2.5": YNI }, then: C },
    { when: { ...late, "2.3": N, "2.4": N, "2.5": N }, then: S },
    { when: { ...late, "2.3": N, "2.4": N, "2.5": YNI }, then: C },
    { when: { ...late, "2.3": N, "2.4": "SY/WY/NI", "2.5": "*" }, then: C },
  ];
  it("agrees with the engine on all 3,125 combinations", () => expectAgreement(ROBINS_I_V2, "D2", { "2.1": STD, "2.2": STD, "2.3": WSY, "2.4": WSY, "2.5": STD }, table, 3125));
});

describe("ROBINS-I V2 domain 3 (selection of participants) — figure p. 32", () => {
  const panelA: [Record<string, string>, string][] = [
    [{ "3.1": Y, "3.2": NNI }, L],
    [{ "3.1": Y, "3.2": Y }, M],
    [{ "3.1": "WN/NI", "3.2": "*" }, M],
    [{ "3.1": "SN", "3.2": "*" }, S],
  ];
  const panelB: [Record<string, string>, string][] = [
    [{ "3.3": N, "3.4": "*", "3.5": "*" }, L],
    [{ "3.3": "NI", "3.4": "*", "3.5": "*" }, M],
    [{ "3.3": Y, "3.4": N, "3.5": "*" }, L],
    [{ "3.3": Y, "3.4": "NI", "3.5": "*" }, M],
    [{ "3.3": Y, "3.4": Y, "3.5": NNI }, M],
    [{ "3.3": Y, "3.4": Y, "3.5": Y }, S],
  ];
  const correction: [Record<string, string>, string][] = [
    [{ "3.6": Y, "3.7": "*", "3.8": "*" }, M],
    [{ "3.6": NNI, "3.7": Y, "3.8": "*" }, M],
    [{ "3.6": NNI, "3.7": NNI, "3.8": NNI }, S],
    [{ "3.6": NNI, "3.7": NNI, "3.8": Y }, C],
  ];
  const rank = { [L]: 0, [M]: 1, [S]: 2 } as Record<string, number>;
  const table: Row[] = panelA.flatMap(([a, ja]) =>
    panelB.flatMap(([b, jb]): Row[] =>
      ja === S || jb === S
        ? correction.map(([c, jc]) => ({ when: { ...a, ...b, ...c }, then: jc }))
        : [{ when: { ...a, ...b, "3.6": "*", "3.7": "*", "3.8": "*" }, then: rank[ja]! >= rank[jb]! ? ja : jb }],
    ),
  );
  // Every answer to 3.1 and 3.3–3.5; one of Y/PY and one of N/PN elsewhere (the figure never tells them apart).
  it("agrees with the engine on every path (50,625 combinations)", () =>
    expectAgreement(ROBINS_I_V2, "D3", { "3.1": WSN, "3.2": ["PY", "N", "NI"], "3.3": STD, "3.4": STD, "3.5": STD, "3.6": ["PY", "N", "NI"], "3.7": ["Y", "PN", "NI"], "3.8": ["PY", "N", "NI"] }, table, 5 * 3 * 125 * 27));
});

describe("ROBINS-I V2 domain 4 (missing data) — figure p. 38", () => {
  const incomplete = [{ "4.1": NNI }, { "4.1": Y, "4.2": NNI }, { "4.1": Y, "4.2": Y, "4.3": NNI }];
  const byHandling = (pre: Record<string, string>, q: string): Row[] => [
    { when: { ...pre, [q]: Y }, then: L },
    { when: { ...pre, [q]: "WN/NI", "4.11": Y }, then: M },
    { when: { ...pre, [q]: "WN/NI", "4.11": N }, then: S },
    { when: { ...pre, [q]: "SN", "4.11": Y }, then: S },
    { when: { ...pre, [q]: "SN", "4.11": N }, then: C },
  ];
  const table: Row[] = [
    { when: { "4.1": Y, "4.2": Y, "4.3": Y }, then: L },
    ...incomplete.flatMap((inc): Row[] => [
      { when: { ...inc, "4.4": YNI, "4.5": N }, then: L },
      { when: { ...inc, "4.4": YNI, "4.5": YNI, "4.6": Y }, then: OPEN }, // [T1] Low or Moderate by 4.11, [T2] Moderate or Serious
      { when: { ...inc, "4.4": YNI, "4.5": YNI, "4.6": "WN/NI", "4.11": Y }, then: M },
      { when: { ...inc, "4.4": YNI, "4.5": YNI, "4.6": "WN/NI", "4.11": N }, then: S },
      { when: { ...inc, "4.4": YNI, "4.5": YNI, "4.6": "SN", "4.11": Y }, then: S },
      { when: { ...inc, "4.4": YNI, "4.5": YNI, "4.6": "SN", "4.11": N }, then: C },
      ...byHandling({ ...inc, "4.4": N, "4.7": Y, "4.8": Y }, "4.9"),
      { when: { ...inc, "4.4": N, "4.7": Y, "4.8": NNI }, then: S },
      ...byHandling({ ...inc, "4.4": N, "4.7": NNI }, "4.10"),
    ]),
  ];
  // One answer of each kind per question (the figure never tells Y from PY or N from PN): every path, 82,944 combinations.
  it("agrees with the engine on every path", () =>
    expectAgreement(
      ROBINS_I_V2,
      "D4",
      { "4.1": ["Y", "NI"], "4.2": ["PY", "PN"], "4.3": ["Y", "N"], "4.4": ["Y", "PN", "NI"], "4.5": ["PY", "N", "NI"], "4.6": ["Y", "WN", "SN", "NI"], "4.7": ["PY", "N", "NI"], "4.8": ["Y", "PN", "NI"], "4.9": ["PY", "WN", "SN", "NI"], "4.10": ["Y", "WN", "SN", "NI"], "4.11": ["PY", "N"] },
      table,
      8 * 3 * 3 * 4 * 3 * 3 * 4 * 4 * 2,
    ));
});

describe("ROBINS-I V2 domain 5 (measurement of the outcome) — figure p. 41", () => {
  const table: Row[] = [
    { when: { "5.1": Y }, then: S },
    { when: { "5.1": N, "5.2": N }, then: L },
    { when: { "5.1": N, "5.2": YNI, "5.3": N }, then: L },
    { when: { "5.1": N, "5.2": YNI, "5.3": "WY/NI" }, then: M },
    { when: { "5.1": N, "5.2": YNI, "5.3": "SY" }, then: S },
    { when: { "5.1": "NI", "5.2": N }, then: M },
    { when: { "5.1": "NI", "5.2": YNI, "5.3": "WY/PN/N/NI" }, then: M },
    { when: { "5.1": "NI", "5.2": YNI, "5.3": "SY" }, then: S },
  ];
  it("agrees with the engine on all 125 combinations, and never reaches Critical", () => expectAgreement(ROBINS_I_V2, "D5", { "5.1": STD, "5.2": STD, "5.3": WSY }, table, 125));
});

describe("ROBINS-I V2 domain 6 (selection of the reported result) — p. 47", () => {
  const table: Row[] = [{ when: { "6.1": Y }, then: L }];
  // 6.2–6.4 counted: two or more Y/PY Critical; one Y/PY or all NI Serious; some NI Moderate; all N/PN Low.
  for (const a of [Y, "NI", N])
    for (const b of [Y, "NI", N])
      for (const c of [Y, "NI", N]) {
        const xs = [a, b, c];
        const yes = xs.filter((x) => x === Y).length, ni = xs.filter((x) => x === "NI").length;
        table.push({ when: { "6.1": NNI, "6.2": a, "6.3": b, "6.4": c }, then: yes >= 2 ? C : yes === 1 || ni === 3 ? S : ni > 0 ? M : L });
      }
  it("agrees with the engine on all 625 combinations", () => expectAgreement(ROBINS_I_V2, "D6", { "6.1": STD, "6.2": STD, "6.3": STD, "6.4": STD }, table, 625));
});

describe("ROBINS-I V2 overall — p. 49", () => {
  const domains = (js: string[]) => ({ B: "Proceed", ...Object.fromEntries(js.map((j, i) => [`D${i + 1}`, j])) });
  it("is the most severe domain; Low (except for concerns about uncontrolled confounding) when every domain is at the lowest level", () => {
    expect(overall(ROBINS_I_V2, domains([LX, L, L, L, L, L])).proposed).toBe(LX);
    expect(overall(ROBINS_I_V2, domains([LX, M, L, S, L, L])).proposed).toBe(S);
    expect(overall(ROBINS_I_V2, domains([C, M, L, S, L, L])).proposed).toBe(C);
  });
  it("flags several domains at the most severe level (the assessor may go one level up) and waits for missing domains", () => {
    const o = overall(ROBINS_I_V2, domains([M, M, L, L, L, L]));
    expect(o.proposed).toBe(M);
    expect(o.flags.map((f) => f.code)).toEqual(["robins-i-v2-several-at-worst"]);
    expect(o.flags[0]!.message).toContain("Serious");
    expect(overall(ROBINS_I_V2, { B: "Proceed", D1: LX }).missing).toEqual(["D2", "D3", "D4", "D5", "D6"]);
    expect(overall(ROBINS_I_V2, {}).missing).toEqual(["B"]);
  });
  it("checks answers: the strong/weak answers are allowed only where the tool gives them", () => {
    const problems = checkAnswers(ROBINS_I_V2, { ...PROCEED, "1.1": "PN", "5.3": "Y" });
    expect(problems.filter((p) => p.kind === "not-allowed").map((p) => p.question)).toEqual(["1.1"]);
    expect(problems.filter((p) => p.kind === "answered-skipped").map((p) => p.question)).toEqual(["5.3"]);
  });
});
