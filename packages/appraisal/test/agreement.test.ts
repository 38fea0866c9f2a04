import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crossTable, domainAgreement, getTool, kappaFromTable, type PairedJudgements } from "../src/index.js";

// Reference values from vcd::Kappa (vcd 1.4-11, R 4.2.2), written by test/fixtures/generate-kappa.R:
// unweighted, linear ("Equal-Spacing") and quadratic ("Fleiss-Cohen") agreement weights.
const fx = JSON.parse(readFileSync(new URL("./fixtures/kappa.json", import.meta.url), "utf8")) as {
  cases: { name: string; table: number[][]; kappa: number; linear: number; quadratic: number }[];
};
const close = (a: number | null, e: number) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - e)).toBeLessThan(1e-12);
};

describe("kappa against vcd::Kappa", () => {
  it.each(fx.cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    close(kappaFromTable(c.table), c.kappa);
    close(kappaFromTable(c.table, "linear"), c.linear);
    close(kappaFromTable(c.table, "quadratic"), c.quadratic);
  });

  it("by hand: 30 RoB 2 judgements, 21 on the diagonal, margins 12/12/6 both ways", () => {
    // p_o = 21/30 = 0.7; p_e = (12·12 + 12·12 + 6·6)/30² = 0.36; κ = 0.34/0.64 = 0.53125.
    // Linear weights (1, ½, 0): p_o(w) = (21 + ½·(3+2+2+1))/30 = 25/30; p_e(w) = 0.36 + ½·(2·12·12 + 2·12·6)/900 = 0.6;
    // κ_w = (5/6 − 0.6)/0.4 = 0.58333….
    const t = [[9, 3, 0], [2, 8, 2], [1, 1, 4]];
    expect(kappaFromTable(t)).toBeCloseTo(0.53125, 12);
    expect(kappaFromTable(t, "linear")).toBeCloseTo(7 / 12, 12);
  });

  it("is undefined (null) when chance agreement is 1, and for no items", () => {
    expect(kappaFromTable([[5, 0], [0, 0]])).toBeNull();
    expect(kappaFromTable([[0, 0], [0, 0]])).toBeNull();
    expect(() => kappaFromTable([[1, 2]])).toThrow(/square/);
    expect(() => crossTable(["Low"], ["Lo"], ["Low", "High"])).toThrow(/"Lo" is not one of the categories/);
  });
});

describe("domainAgreement", () => {
  const rob2 = getTool("rob2")!;
  const pair = (item: string, a: string[], b: string[]): PairedJudgements => ({
    item,
    a: Object.fromEntries(["D1", "D2", "D3", "D4", "D5", "overall"].map((d, i) => [d, a[i] ?? null])),
    b: Object.fromEntries(["D1", "D2", "D3", "D4", "D5", "overall"].map((d, i) => [d, b[i] ?? null])),
  });
  const L = "Low", S = "Some concerns", H = "High", NI = "No information";

  it("per domain and overall: percentage, kappa, linearly weighted kappa on the scale's order", () => {
    const pairs = [
      pair("s1", [L, L, L, L, L, L], [L, L, L, S, L, S]),
      pair("s2", [S, L, H, L, S, H], [S, L, H, L, S, H]),
      pair("s3", [H, S, L, L, L, H], [L, S, L, L, L, L]),
      pair("s4", [L, H, S, L, S, H], [S, H, S, L, L, H]),
    ];
    const rows = domainAgreement(rob2, pairs);
    expect(rows.map((r) => r.domain)).toEqual(["D1", "D2", "D3", "D4", "D5", "overall"]);
    const d1 = rows[0]!;
    expect(d1).toMatchObject({ n: 4, agreed: 2, percent: 50, nOrdinal: 4 });
    expect(d1.categories.slice(0, 3)).toEqual([L, S, H]);
    // D1 table (first rater rows): Low→{Low:1, Some:1}, Some→Some, High→Low.
    const t = [[1, 1, 0], [0, 1, 0], [1, 0, 0]];
    expect(d1.table.slice(0, 3).map((r) => r.slice(0, 3))).toEqual(t);
    expect(d1.kappa).toBeCloseTo(kappaFromTable(t)!, 12);
    expect(d1.weightedKappa).toBeCloseTo(kappaFromTable(t, "linear")!, 12);
    expect(d1.disagreements).toEqual([{ item: "s3", a: H, b: L }, { item: "s4", a: L, b: S }]);
    expect(rows[1]).toMatchObject({ n: 4, agreed: 4, percent: 100, kappa: 1, weightedKappa: 1 });
    // D4: every study Low by the first, one Some concerns by the second: chance agreement is not 1, kappa 0.
    expect(rows[3]!.kappa).toBeCloseTo(0, 12);
    expect(rows[5]).toMatchObject({ domain: "overall", n: 4, agreed: 2 });
  });

  it("leaves items without both judgements out, and off-scale judgements out of the weighted kappa only", () => {
    const rows = domainAgreement(rob2, [
      pair("s1", [NI, L], [L, L]),
      pair("s2", [L, L], [L, null as unknown as string]),
      pair("s3", [S, S], [S, S]),
      pair("s4", [H], [H]),
    ]);
    expect(rows[0]).toMatchObject({ n: 4, agreed: 3, nOrdinal: 3, weightedKappa: 1 });
    expect(rows[0]!.kappa).toBeLessThan(1);
    expect(rows[1]).toMatchObject({ n: 2, agreed: 2, percent: 100 });
    expect(rows[2]).toMatchObject({ n: 0, percent: null, kappa: null, weightedKappa: null });
  });

  it("the CASP rating is nominal: kappa, no weighted kappa", () => {
    const casp = getTool("casp-qualitative")!;
    const pos = "Positive/methodologically sound", neg = "Negative/relatively poor methodology";
    const rows = domainAgreement(casp, [
      { item: "a", a: { overall: pos }, b: { overall: pos } },
      { item: "b", a: { overall: neg }, b: { overall: pos } },
      { item: "c", a: { overall: neg }, b: { overall: neg } },
    ]);
    const o = rows.find((r) => r.domain === "overall")!;
    expect(o).toMatchObject({ name: "Overall rating", n: 3, agreed: 2, weightedKappa: null });
    expect(o.kappa).toBeCloseTo(kappaFromTable([[1, 0], [1, 1]])!, 12);
  });
});
