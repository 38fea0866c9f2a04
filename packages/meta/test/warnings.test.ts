/**
 * What a spec refuses or qualifies rather than reports plainly: rows mixing
 * effect measures, cluster-robust tests on very few Satterthwaite df, and
 * subgroup levels with one study. Expected numbers come from the metafor /
 * clubSandwich fixtures (fixtures/parity.json, fixtures/diagnostics.json).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  fitMetaSpec, isMetaInputError, measureCounts, metaSpecResult, parseMetaSpec, rma, rmaMv, SMALL_DF, subgroupAnalysis, subgroupWarnings,
  type Row,
} from "@homeward/meta";
import { arr, fixtures, type FixtureCase } from "./parity.js";

const diagnostics = JSON.parse(readFileSync(new URL("./fixtures/diagnostics.json", import.meta.url), "utf8"));
const fixture = (name: string): FixtureCase => {
  const c = fixtures.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return c;
};
const close = (a: number, e: number, rel = 1e-6) => expect(Math.abs(a - e), `${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(e), 1e-9));

/** A parity case as data rows: yi, vi, its moderators, random-effect and cluster columns. */
function rowsOf(c: FixtureCase, extra: (i: number) => Row = () => ({})): Row[] {
  const mods = Array.isArray(c.input.mods) ? c.input.mods : [];
  return c.input.yi.map((y, i) => {
    const r: Row = { yi: y, vi: c.input.vi[i] };
    for (const m of mods) r[m.name] = arr(m.values)[i];
    for (const l of c.input.random ?? []) r[l.name] = arr(l.values)[i];
    if (c.input.cluster) r.cluster = arr(c.input.cluster)[i];
    return { ...r, ...extra(i) };
  });
}

function inputError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(isMetaInputError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error("no error");
}

describe("one effect measure per model", () => {
  const bcg = fixture("bcg REML z");
  const kon = fixture("konstantopoulos REML z");
  // dat.bcg as log risk ratios next to the Konstantopoulos SMDs: 13 RR rows, 56 SMD rows.
  const mixed: Row[] = [
    ...rowsOf(bcg, () => ({ measure: "RR" })),
    ...kon.input.yi.map((y, i) => ({ yi: y, vi: kon.input.vi[i], measure: "SMD" })),
  ];

  it("refuses rows that mix measures, naming each with its count", () => {
    const msg = inputError(() => fitMetaSpec(parseMetaSpec({}), mixed));
    expect(msg).toBe('the rows mix effect measures: SMD (56 rows), RR (13 rows); pool one measure at a time (spec "measure", e.g. "measure": "SMD")');
  });

  it("pools the selected measure only, with metafor's numbers for those rows", () => {
    const fitted = fitMetaSpec(parseMetaSpec({ measure: "RR" }), mixed);
    const out = metaSpecResult(fitted);
    expect(out.k).toBe(13);
    expect(out.measure).toEqual({ measure: "RR", rows: 13, otherRows: 56 });
    const e = bcg.expected as { coefficients: { estimate: number }; tau2: number };
    close(out.coefficients[0].estimate, arr(e.coefficients)[0].estimate);
    close(out.tau2!, e.tau2);
  });

  it("refuses a measure the data do not have, and a measure with no measure column", () => {
    expect(inputError(() => fitMetaSpec(parseMetaSpec({ measure: "OR" }), mixed))).toBe('no rows have the measure "OR" (the data have SMD (56 rows), RR (13 rows))');
    expect(inputError(() => fitMetaSpec(parseMetaSpec({ measure: "RR" }), rowsOf(bcg)))).toMatch(/spec "measure" selects rows by their "measure" column, which the data do not have/);
    expect(inputError(() => parseMetaSpec({ measure: 3 }))).toMatch(/spec "measure" must name one effect measure/);
  });

  it("counts rows without a measure as their own kind, so they are never pooled with measured rows", () => {
    const rows = rowsOf(bcg, (i) => ({ measure: i < 3 ? "" : "RR" }));
    expect(measureCounts(rows)).toEqual([{ measure: "RR", rows: 10 }, { measure: "no measure", rows: 3 }]);
    expect(inputError(() => fitMetaSpec(parseMetaSpec({}), rows))).toMatch(/mix effect measures: RR \(10 rows\), no measure \(3 rows\)/);
    expect(measureCounts(rowsOf(bcg))).toEqual([]);
  });

  it("fits one measure without being told which", () => {
    const out = metaSpecResult(fitMetaSpec(parseMetaSpec({}), rowsOf(bcg, () => ({ measure: "RR" }))));
    expect(out.measure).toEqual({ measure: "RR", rows: 13, otherRows: 0 });
    expect(out.warnings).toBeUndefined();
  });
});

// The threshold is Tipton's (2015): with df below 4 the small-sample corrected tests can exceed their nominal
// Type I error, and robumeta 2.0's robu(small = TRUE) prints "Note: If df < 4, do not trust the results".
// clubSandwich 0.5.8, which the fixtures come from, reports these df without any note (coef_test, Wald_test and
// print.Wald_test_clubSandwich print the table only), so the warning is Homeward's, keyed to clubSandwich's df.
describe("cluster-robust tests on few Satterthwaite df", () => {
  type Robust = { coefficients: { df: number }[] | { df: number }; QMdf: number[] };
  const specOf = (c: FixtureCase) => {
    const mods = (Array.isArray(c.input.mods) ? c.input.mods : []).map((m) => (m.levels ? { name: m.name, levels: arr(m.levels) } : { name: m.name }));
    return parseMetaSpec({
      method: c.input.method, test: c.input.test, intercept: c.input.intercept, moderators: mods,
      random: (c.input.random ?? []).map((l) => l.name), robust: { cluster: "cluster" },
    });
  };

  // The review-shaped data: an 8-level intervention type, some levels from one or two studies (clubSandwich df ≈ 1 to 2.3).
  it.each(["review-shaped intervention type", "review-shaped uni intervention type", "assink deltype+year robust", "bcg robust alloc intercept-only"])(
    "warns beside each coefficient and the HTZ test whose clubSandwich df is below 4: %s",
    (name) => {
      const c = fixture(name);
      const out = metaSpecResult(fitMetaSpec(specOf(c), rowsOf(c)));
      const expected = c.expected.robust as Robust;
      const terms = out.robust!.coefficients.map((x) => x.term);
      const smallTerms = arr(expected.coefficients).map((x, j) => [terms[j], x.df] as const).filter(([, df]) => df < SMALL_DF).map(([t]) => t);
      expect(smallTerms.length).toBeGreaterThan(0);
      const w = out.warnings ?? [];
      expect(w.filter((x) => x.code === "robust-small-df").map((x) => x.item)).toEqual(smallTerms);
      for (const x of w.filter((x) => x.code === "robust-small-df")) {
        expect(x.about).toBe("robust.coefficients");
        expect(x.message).toMatch(/Satterthwaite df = \d+\.\d\d, below 4; its p-value and confidence interval may be unreliable/);
      }
      const htz = w.filter((x) => x.code === "robust-test-small-df");
      expect(htz).toHaveLength(expected.QMdf[1] < SMALL_DF ? 1 : 0);
      if (htz.length) {
        expect(htz[0].about).toBe("robust.QM");
        expect(htz[0].message).toContain(`and ${expected.QMdf[1].toFixed(2)} df`);
      }
    },
  );

  it("says nothing when every df is 4 or more", () => {
    const c = fixture("konstantopoulos year robust");
    expect(arr((c.expected.robust as Robust).coefficients).every((x) => x.df >= SMALL_DF)).toBe(true);
    expect(metaSpecResult(fitMetaSpec(specOf(c), rowsOf(c))).warnings).toBeUndefined();
  });
});

describe("subgroup levels with one study", () => {
  // dat.bcg by allocation (metafor: alternate, random, systematic), plus one trial of a fourth kind.
  const bcg = diagnostics.cases.find((c: { name: string }) => c.name === "bcg");
  const yi = [...bcg.yi, 0.3];
  const vi = [...bcg.vi, 0.05];
  const group = [...bcg.group, "zz one trial"];

  it("reports the level as one study and analyses the other levels as metafor does without it", () => {
    const s = subgroupAnalysis(rma({ yi, vi }), group);
    const e = bcg.subgroups;
    expect(s.levels).toEqual([...e.levels, "zz one trial"]);
    expect(s.k).toEqual([...e.k, 1]);
    // A univariate model knows outcomes only; a level of one outcome is one study.
    expect(s.studies).toBeUndefined();
    expect(s.notEstimated).toEqual([null, null, null, "one study"]);
    e.levels.forEach((_: string, g: number) => {
      close(s.estimate[g], e.estimate[g]);
      close(s.se[g], e.se[g]);
      close(s.QW[g], e.QW[g]);
    });
    expect(Number.isNaN(s.estimate[3])).toBe(true);
    close(s.QB, e.QB);
    expect(s.QBdf).toBe(e.QBdf);
    close(s.QBp, e.QBp);
    expect(subgroupWarnings(s)).toEqual([
      {
        code: "subgroup-single-study", about: "subgroups", item: "zz one trial",
        message: 'subgroup "zz one trial" has one study (1 outcome): no subgroup estimate, and it is left out of the between-subgroups test',
      },
    ]);
  });

  it("in a multilevel model, counts studies by the outermost random effect and fits the levels with several", () => {
    const c = fixture("review-shaped overall");
    const itype = arr(fixture("review-shaped intervention type").input.mods as { values: string[] }[])[0].values;
    const study = arr(c.input.random![0].values);
    const esid = arr(c.input.random![1].values);
    const fit = rmaMv({ yi: c.input.yi, vi: c.input.vi, random: [{ name: "study", values: study }, { name: "esid", values: esid }], test: "t" });
    const s = subgroupAnalysis(fit, itype);
    const single = s.levels.filter((_, g) => s.studies![g] === 1);
    expect(single).toEqual(["Family group decision making", "Problem solving courts"]);
    s.levels.forEach((level, g) => {
      const rows = itype.map((v, i) => (v === level ? i : -1)).filter((i) => i >= 0);
      expect(s.studies![g]).toBe(new Set(rows.map((i) => study[i])).size);
      if (s.studies![g] === 1) {
        expect(s.notEstimated[g]).toBe("one study");
        return;
      }
      // Each level on its own, fitted afresh rather than through the model's refit.
      const own = rmaMv({ yi: rows.map((i) => c.input.yi[i]), vi: rows.map((i) => c.input.vi[i]), random: [{ name: "study", values: rows.map((i) => study[i]) }, { name: "esid", values: rows.map((i) => esid[i]) }], test: "t" });
      close(s.estimate[g], own.coefficients[0].estimate);
      close(s.se[g], own.coefficients[0].se);
    });
    // Q_B over the estimated levels is the Q of a fixed-effect model on their estimates (metafor: rma(est, sei = se, method = "FE")).
    const used = s.levels.map((_, g) => g).filter((g) => s.notEstimated[g] === null);
    const fe = rma({ yi: used.map((g) => s.estimate[g]), vi: used.map((g) => s.se[g] ** 2), method: "FE" });
    close(s.QB, fe.QE);
    expect(s.QBdf).toBe(used.length - 1);
  });

  it("reports a level whose model cannot be fitted with the reason, without failing the others", () => {
    const c = fixture("review-shaped overall");
    const study = arr(c.input.random![0].values);
    const esid = arr(c.input.random![1].values);
    // One outcome from each of three studies: study and outcome variances cannot be told apart.
    const firstOf = new Map<string, number>();
    study.forEach((s, i) => firstOf.has(s) || firstOf.set(s, i));
    const three = new Set([...firstOf.values()].slice(0, 3));
    const group = study.map((_, i) => (three.has(i) ? "three outcomes" : "rest"));
    const fit = rmaMv({ yi: c.input.yi, vi: c.input.vi, random: [{ name: "study", values: study }, { name: "esid", values: esid }], test: "t" });
    const s = subgroupAnalysis(fit, group);
    expect(s.levels).toEqual(["rest", "three outcomes"]);
    expect(s.studies).toEqual([new Set(study).size, 3]);
    expect(s.notEstimated[0]).toBeNull();
    expect(s.notEstimated[1]).toMatch(/singular/);
    const rest = [...group.keys()].filter((i) => !three.has(i));
    const own = rmaMv({ yi: rest.map((i) => c.input.yi[i]), vi: rest.map((i) => c.input.vi[i]), random: [{ name: "study", values: rest.map((i) => study[i]) }, { name: "esid", values: rest.map((i) => esid[i]) }], test: "t" });
    close(s.estimate[0], own.coefficients[0].estimate);
    expect(subgroupWarnings(s).map((w) => [w.code, w.item])).toEqual([["subgroup-not-fitted", "three outcomes"], ["subgroup-no-between-test", undefined]]);
    expect(subgroupWarnings(s)[0].message).toMatch(/^subgroup "three outcomes" \(3 outcomes\) could not be fitted \(.*singular.*\); it is left out of the between-subgroups test$/);
  });

  it("travels in the spec's answer as warnings, and no between-subgroups test is claimed from one estimated level", () => {
    const rows: Row[] = yi.map((y, i) => ({ yi: y, vi: vi[i], g: i < 13 ? "many" : "one" }));
    const out = metaSpecResult(fitMetaSpec(parseMetaSpec({ diagnostics: ["subgroups"], subgroup: "g" }), rows));
    expect(out.subgroups!.notEstimated).toEqual([null, "one study"]);
    expect(Number.isNaN(out.subgroups!.QB)).toBe(true);
    expect(out.warnings!.map((w) => w.code)).toEqual(["subgroup-single-study", "subgroup-no-between-test"]);
    // JSON carries the missing statistics as null.
    expect(JSON.parse(JSON.stringify(out)).subgroups.estimate[1]).toBeNull();
  });
});
