import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo } from "../io.js";

// metafor 3.8 escalc references for every measure, input set and option (packages/meta/test/fixtures/generate-escalc.R).
interface EscalcCase { name: string; measure: string; columns: Record<string, number[]>; options: Record<string, unknown> | null; expected: { yi: number[]; vi: number[] } }
const fx = JSON.parse(readFileSync(new URL("../../../meta/test/fixtures/escalc.json", import.meta.url), "utf8")) as { cases: EscalcCase[] };
const dir = mkdtempSync(join(tmpdir(), "homeward-escalc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runSpec(spec: unknown) {
  const c = captureIo(dir);
  const file = join(dir, `escalc-${Math.random()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const code = await run(["escalc", "--spec", file], c);
  return { code, c, out: code === 0 ? (JSON.parse(c.stdout) as { yi: number[]; vi: number[] }) : null };
}
const within = (a: number, e: number) => Math.abs(a - e) <= 1e-10 * Math.abs(e) + 1e-14;
const byName = (name: string) => fx.cases.find((x) => x.name === name)!;

describe("homeward escalc: every fixture case as metafor 3.8", () => {
  it.each(fx.cases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const inputs = Object.keys(c.columns);
    // Column names differ from the inputs, so the spec's mapping is exercised.
    const rows = c.expected.yi.map((_, i) => Object.fromEntries(inputs.map((k) => [`col_${k}`, c.columns[k][i]])));
    const { code, c: io, out } = await runSpec({ data: rows, measure: c.measure, columns: Object.fromEntries(inputs.map((k) => [k, `col_${k}`])), ...(c.options ?? {}) });
    expect(code, io.stderr).toBe(0);
    c.expected.yi.forEach((y, i) => {
      expect(within(out!.yi[i], y), `yi[${i}] ${out!.yi[i]} vs ${y}`).toBe(true);
      expect(within(out!.vi[i], c.expected.vi[i]), `vi[${i}] ${out!.vi[i]} vs ${c.expected.vi[i]}`).toBe(true);
    });
  });

  it("SMD from signed two-sided p-values in a CSV", async () => {
    const c = byName("SMD from signed pi (via ti)");
    writeFileSync(join(dir, "p.csv"), "p,n_t,n_c\n" + c.columns.pi.map((p, i) => `${p},${c.columns.n1i[i]},${c.columns.n2i[i]}`).join("\n"));
    const { code, out } = await runSpec({ data: "p.csv", measure: "SMD", columns: { pi: "p", n1i: "n_t", n2i: "n_c" } });
    expect(code).toBe(0);
    c.expected.yi.forEach((y, i) => expect(within(out!.yi[i], y)).toBe(true));
  });
});

describe("homeward escalc refusals", () => {
  it.each([
    [{ data: [{ t: 2, a: 10 }], measure: "SMD", columns: { ti: "t", n1i: "a" } }, /must name the column for n2i \(measure SMD needs m1i, sd1i.*ti, n1i, n2i/],
    [{ data: [{ x: 1 }], measure: "PR", columns: { xi: "x", ai: "x" } }, /unknown key "ai"/],
    [{ data: [{ x: 12, n: 10 }], measure: "PR", columns: { xi: "x", ni: "n" } }, /row 1: more events than the group size/],
    [{ data: [{ p: 0, a: 10, b: 10 }], measure: "SMD", columns: { pi: "p", n1i: "a", n2i: "b" } }, /row 1: p must lie in \(0, 1\]/],
    [{ data: [{ a: 1, b: 2, c: 3, d: 4 }], measure: "OR", columns: { ai: "a", bi: "b", ci: "c", di: "d" }, vtype: "UB" }, /"vtype" for OR must be one of LS/],
    [{ data: [{ a: 1, b: 2, c: 3, d: 4 }], measure: "OR", columns: { ai: "a", bi: "b", ci: "c", di: "d" }, to: "some" }, /"to" must be one of only0, all, if0all, none/],
    [{ data: [{ a: 1, b: 2, c: 3, d: 4 }], measure: "OR", columns: { ai: "a", bi: "b", ci: "c", di: "d" }, add: -0.5 }, /"add" must be a number ≥ 0/],
    [{ data: [{ a: 0, b: 2, c: 3, d: 4 }], measure: "OR", columns: { ai: "a", bi: "b", ci: "c", di: "d" }, to: "none" }, /row 1: OR is undefined/],
    [{ data: [{ x: 1, y: 2, s: 1, t: -5 }], measure: "IRR", columns: { x1i: "x", x2i: "y", t1i: "s", t2i: "t" } }, /row 1: a person-time is not positive/],
    [{ data: [], measure: "SMD", columns: {}, weights: "w" }, /unknown key "weights"/],
  ])("rejects a bad spec with exit 2 (%#)", async (spec, reason) => {
    const { code, c } = await runSpec(spec);
    expect(code).toBe(2);
    expect(c.stderr).toMatch(reason);
    expect(c.stderr.trim()).not.toContain("\n");
  });
});
