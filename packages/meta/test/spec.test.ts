/**
 * The meta spec shared by the CLI and the server: options checked before
 * the data, CSV-style text cells read as numbers, and the answer in the
 * documented key order with metafor's values (fixtures/parity.json).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitMetaSpec, isMetaInputError, metaSpecResult, parseMetaSpec } from "@homeward/meta";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/parity.json", import.meta.url), "utf8"));
const fixture = (name: string) => fixtures.cases.find((c: { name: string }) => c.name === name);
const close = (a: number, e: number) => expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-6 * Math.abs(e) + 1e-9);

describe("meta spec", () => {
  it("fits rows whose cells are text, as read from CSV, and answers in the documented order", () => {
    const c = fixture("bcg ablat+alloc knha");
    const [ablat, alloc] = c.input.mods;
    const rows = c.input.yi.map((y: number, i: number) => ({ es: String(y), v: String(c.input.vi[i]), lat: String(ablat.values[i]), alloc: alloc.values[i] }));
    const spec = parseMetaSpec({ yi: "es", vi: "v", test: "t", moderators: [{ name: "lat" }, { name: "alloc", levels: alloc.levels }] });
    const out = metaSpecResult(fitMetaSpec(spec, rows));
    expect(Object.keys(out)).toEqual(["k", "coefficients", "tau2", "I2", "H2", "QE", "QEdf", "QEp", "QM", "QMdf", "QMp", "logLik"]);
    out.coefficients.forEach((x, j) => close(x.estimate, c.expected.coefficients[j].estimate));
    close(out.tau2!, c.expected.tau2);
    expect(out.QMdf).toEqual(c.expected.QMdf);
  });

  it("lets a front end's own keys through and refuses others", () => {
    expect(parseMetaSpec({ figures: ["forest"] }, ["figures"]).method).toBe("REML");
    expect(() => parseMetaSpec({ figures: [] })).toThrow(/unknown key "figures"/);
  });

  it.each([
    [{ method: "DL", random: ["study"] }, /REML, ML for a multilevel model/],
    [{ moderators: [{ name: "g", levels: ["a"] }] }, /at least two level labels/],
    [{ intercept: false }, /without intercept needs at least one moderator/],
    [{ subgroup: "g" }, /only used with "diagnostics"/],
    [{ level: 95 }, /"level" must be a number between 0 and 1/],
    [{ robust: { clutser: "s" } }, /"robust": unknown key "clutser"/],
    ["REML", /must be a JSON object/],
  ])("refuses a bad spec before reading data (%#)", (spec, reason) => {
    let err: unknown;
    try {
      parseMetaSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(isMetaInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(reason);
  });

  it("names the row and column of bad data", () => {
    const spec = parseMetaSpec({});
    expect(() => fitMetaSpec(spec, [])).toThrow(/no rows/);
    expect(() => fitMetaSpec(spec, [{ yi: 1, vi: 0.1 }, { yi: 2, vi: -0.1 }])).toThrow(/row 2, column "vi": sampling variance is negative/);
    expect(() => fitMetaSpec(spec, [{ yi: 1, vi: "" }])).toThrow(/row 1, column "vi": missing value/);
  });
});
