import { describe, expect, it } from "vitest";
import { OUTCOME_DATA_KINDS, OutcomeData, type OutcomeDataKind } from "@homeward/model";
import { effectSizeFromOutcomeData } from "@homeward/review";
import { FIELDS, fieldsOf, rawOfInputs } from "./fields";

/** Plausible values a person would type for each field key. */
const TYPED: Record<string, string> = {
  m1: "10", sd1: "2", n1: "30", m2: "9", sd2: "2.5", n2: "32", md: "1.2", se: "0.5", lower: "0.2", upper: "2.2", level: "0.95",
  events1: "5", events2: "9", percent1: "20", percent2: "35", or: "1.6", rr: "1.3", baselineRisk: "0.3", t: "2.1", f: "4.4", p: "0.04",
  direction: "1", r: "0.3", n: "60", beta: "0.2", b: "1.5", sdY: "4", spread: "iqr", median1: "10", low1: "7", high1: "14", median2: "8",
  low2: "5", high2: "12", pre1: "20", post1: "25", pre2: "21", post2: "22", sdPre1: "5", sdPost1: "6", sdPre2: "5", sdPost2: "5.5",
};

describe("outcome data fields", () => {
  it("can express every kind: what the fields give parses as that kind and yields an effect size", () => {
    for (const kind of Object.keys(OUTCOME_DATA_KINDS) as OutcomeDataKind[]) {
      const raw = Object.fromEntries(FIELDS[kind].map((f) => [f.key, TYPED[f.key] ?? ""]));
      // The MD's CI is an alternative to its SE: leave it out here.
      if (kind === "md") {
        delete raw.lower;
        delete raw.upper;
      }
      const built = fieldsOf(kind, raw);
      expect("inputs" in built, `${kind}: ${JSON.stringify(built)}`).toBe(true);
      if (!("inputs" in built)) continue;
      expect(OutcomeData.safeParse(built.inputs).success, kind).toBe(true);
      const e = effectSizeFromOutcomeData({ id: "s", name: "S" }, { id: "o", name: "O", higherIsBetter: true }, built.inputs);
      expect(Number.isFinite(e.yi), kind).toBe(true);
      expect(rawOfInputs(built.inputs as Record<string, unknown>)).toMatchObject(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "")));
    }
  });

  it("names the field that is missing or not a number", () => {
    expect(fieldsOf("means", { m1: "1" })).toEqual({ error: "Group 1 SD: give a value." });
    expect(fieldsOf("t", { t: "two", n1: "3", n2: "4" })).toEqual({ error: 't statistic: "two" is not a number.' });
    expect(fieldsOf("t", { t: "−2.5", n1: "3", n2: "4" })).toEqual({ inputs: { kind: "t", t: -2.5, n1: 3, n2: 4 } });
  });
});
