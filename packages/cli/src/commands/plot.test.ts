import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, type Io } from "../io.js";

// Reference values from metafor 3.8 (packages/meta/test/fixtures/generate-diagnostics.R).
const fixtures = JSON.parse(readFileSync(new URL("../../../meta/test/fixtures/diagnostics.json", import.meta.url), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "homeward-plot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  return captureIo(dir);
}
function close(a: number, e: number, what: string) {
  expect(Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-9, `${what}: ${a} vs ${e}`).toBe(true);
}
const fx = (name: string) => fixtures.cases.find((c: { name: string }) => c.name === name);
function spec(name: string, extra: Record<string, unknown> = {}): string {
  const c = fx(name);
  const data = c.yi.map((y: number, i: number) => ({
    yi: y, vi: c.vi[i],
    ...(c.group ? { group: c.group[i] } : {}),
    ...(c.moderator ? { mod: c.moderator[i] } : {}),
    ...(c.study ? { study: c.study[i], outcome: c.outcome[i] } : {}),
  }));
  const f = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ data, method: c.method ?? "REML", ...extra }));
  return f;
}

describe("homeward meta with diagnostics", () => {
  it("prints every issue-5 output key, matching metafor", async () => {
    const c = fx("bcg");
    const o = io();
    const code = await run(["meta", "--spec", spec("bcg", {
      diagnostics: ["leave1out", "influence", "egger", "begg", "trimfill", "tau2CI", "subgroups"], subgroup: "group",
    })], o);
    expect(code, o.stderr).toBe(0);
    const out = JSON.parse(o.stdout);
    for (const key of ["estimate", "se", "tau2", "I2"]) out.leave1out[key].forEach((v: number, i: number) => close(v, c.leave1out[key][i], `leave1out.${key}[${i}]`));
    for (const key of ["rstudent", "dffits", "cookD", "covRatio", "tau2Del", "QEDel", "hat", "weight"]) {
      out.influence[key].forEach((v: number, i: number) => close(v, c.influence[key][i], `influence.${key}[${i}]`));
    }
    close(out.egger.statistic, c.egger.statistic, "egger.statistic");
    close(out.egger.p, c.egger.p, "egger.p");
    close(out.egger.limitEstimate, c.egger.limitEstimate, "egger.limitEstimate");
    close(out.begg.tau, c.begg.tau, "begg.tau");
    close(out.begg.p, c.begg.p, "begg.p");
    expect([out.trimfill.k0, out.trimfill.side]).toEqual([c.trimfill.k0, c.trimfill.side]);
    close(out.trimfill.estimate, c.trimfill.estimate, "trimfill.estimate");
    close(out.trimfill.se, c.trimfill.se, "trimfill.se");
    close(out.tau2CI.lower, c.tau2CI.lower, "tau2CI.lower");
    close(out.tau2CI.upper, c.tau2CI.upper, "tau2CI.upper");
    expect(out.subgroups.levels).toEqual(c.subgroups.levels);
    for (const key of ["estimate", "se", "QW"]) out.subgroups[key].forEach((v: number, i: number) => close(v, c.subgroups[key][i], `subgroups.${key}[${i}]`));
    close(out.subgroups.QB, c.subgroups.QB, "QB");
    expect(out.subgroups.QBdf).toBe(c.subgroups.QBdf);
    close(out.subgroups.QBp, c.subgroups.QBp, "QBp");
  });

  it("leaves one study out for a multilevel model", async () => {
    const c = fx("konstantopoulos2011");
    const o = io();
    const code = await run(["meta", "--spec", spec("konstantopoulos2011", { random: ["study", "outcome"], diagnostics: ["leave1out"] })], o);
    expect(code, o.stderr).toBe(0);
    const out = JSON.parse(o.stdout);
    expect(out.leave1out.omitted).toEqual(c.leave1out.study);
    out.leave1out.estimate.forEach((v: number, i: number) => close(v, c.leave1out.estimate[i], `estimate[${i}]`));
    out.leave1out.I2.forEach((v: number, i: number) => close(v, c.leave1out.I2[i], `I2[${i}]`));
  });

  it("rejects unknown diagnostics and a missing subgroup column with exit code 2", async () => {
    let o = io();
    expect(await run(["meta", "--spec", spec("bcg", { diagnostics: ["nonsense"] })], o)).toBe(2);
    expect(o.stderr).toMatch(/unknown diagnostic "nonsense"/);
    o = io();
    expect(await run(["meta", "--spec", spec("bcg", { diagnostics: ["subgroups"] })], o)).toBe(2);
    expect(o.stderr).toMatch(/subgroup/);
    o = io();
    expect(await run(["meta", "--spec", spec("konstantopoulos2011", { random: ["study", "outcome"], diagnostics: ["influence"] })], o)).toBe(2);
    expect(o.stderr).toMatch(/univariate/);
  });
});

describe("homeward plot", () => {
  it.each(["forest", "funnel", "influence", "leave1out"])("writes the %s figure and prints its description", async (figure) => {
    const o = io();
    const out = join(dir, `${figure}.svg`);
    const code = await run(["plot", "--spec", spec("bangertdrowns2004"), "--figure", figure, "--out", out], o);
    expect(code, o.stderr).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    const title = o.stdout.split("\n")[0];
    expect(svg).toContain(`>${title}</title>`);
    expect(o.stdout.length).toBeGreaterThan(300);
  });

  it("draws a bubble plot for a one-moderator meta-regression and reports metafor's slope", async () => {
    const c = fx("bcg");
    const o = io();
    const code = await run(["plot", "--spec", spec("bcg", { moderators: [{ name: "mod" }] }), "--figure", "bubble", "--out", "bubble.svg"], o);
    expect(code, o.stderr).toBe(0);
    expect(o.stdout).toContain(`The estimated slope is ${c.metaRegression.slope.toFixed(3)}`);
  });

  it("groups a multilevel forest plot by study and writes PNG", async () => {
    const o = io();
    const code = await run(["plot", "--spec", spec("konstantopoulos2011", { random: ["study", "outcome"] }), "--figure", "forest", "--out", "ml.png", "--scale", "1"], o);
    expect(code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/56 outcomes from 11 studies/);
    expect(readFileSync(join(dir, "ml.png")).subarray(1, 4).toString("ascii")).toBe("PNG");
  });

  it("refuses bad requests with exit code 2 and writes nothing", async () => {
    for (const args of [
      ["--figure", "pie", "--out", "x.svg"],
      ["--figure", "forest", "--out", "x.pdf"],
      ["--figure", "bubble", "--out", "x.svg"],
    ]) {
      const o = io();
      expect(await run(["plot", "--spec", spec("bcg"), ...args], o)).toBe(2);
      expect(o.stderr).toMatch(/^homeward: /);
    }
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
  });
});
