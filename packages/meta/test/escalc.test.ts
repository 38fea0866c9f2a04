import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { escalc, type EscalcOptions, type Measure } from "@homeward/meta";

interface EscalcCase { name: string; measure: string; columns: Record<string, number[]>; options: EscalcOptions | null; expected: { yi: number[]; vi: number[] } }
const fx = JSON.parse(readFileSync(new URL("./fixtures/escalc.json", import.meta.url), "utf8")) as { versions: Record<string, string>; cases: EscalcCase[] };

/** Relative 1e-10 with an absolute floor of 1e-14 for values at or near 0. */
const within = (a: number, e: number) => Math.abs(a - e) <= 1e-10 * Math.abs(e) + 1e-14;

describe(`escalc parity with metafor ${fx.versions.metafor} (${fx.versions.R})`, () => {
  let worst = { abs: 0, rel: 0 };
  for (const c of fx.cases) {
    it(c.name, () => {
      const out = escalc(c.measure as Measure, c.columns, c.options ?? {});
      expect(out.length).toBe(c.expected.yi.length);
      out.forEach((es, i) => {
        for (const [key, e] of [["yi", c.expected.yi[i]], ["vi", c.expected.vi[i]]] as const) {
          const a = es[key];
          worst = { abs: Math.max(worst.abs, Math.abs(a - e)), rel: Math.max(worst.rel, Math.abs(a - e) / Math.max(Math.abs(e), 1e-300)) };
          expect(within(a, e), `${key}[${i}]: got ${a}, expected ${e}`).toBe(true);
        }
        expect(es.provenance.measure).toBe(c.measure);
      });
    });
  }
  it("reports the largest differences", () => {
    // Printed for the README's parity figure.
    console.log(`escalc parity: ${fx.cases.length} cases, max abs diff ${worst.abs.toExponential(2)}, max rel diff ${worst.rel.toExponential(2)}`);
  });
});
