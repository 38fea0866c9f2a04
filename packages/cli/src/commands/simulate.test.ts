import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, type Io } from "../io.js";

const fixture = fileURLToPath(new URL("../../../screening/test/fixtures/cohen2006_adhd_subset.csv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "homeward-simulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string; stderr: string } {
  return captureIo(dir);
}

describe("homeward simulate", () => {
  it("prints every row once, priors first, with the metrics", async () => {
    const c = io();
    expect(await run(["simulate", "--input", fixture, "--priors", "9,163", "--seed", "1"], c)).toBe(0);
    const out = JSON.parse(c.stdout);
    expect(out.order.slice(0, 2)).toEqual([9, 163]);
    expect([...out.order].sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    for (const k of ["wss95", "recall10", "atd"]) expect(typeof out.metrics[k]).toBe("number");
  });

  it("runs the named model, says which model served the rankings, and lists the models in --help", async () => {
    for (const model of ["elas_u4", "elas_u2", "committee"]) {
      const c = io();
      expect(await run(["simulate", "--input", fixture, "--priors", "9,163", "--seed", "1", "--model", model], c)).toBe(0);
      const out = JSON.parse(c.stdout);
      expect(out.model).toBe(model);
      expect(out.servedBy[0].servedBy.startsWith(`${model} (`)).toBe(true);
      expect(out.fits).toBeGreaterThan(1);
    }
    const a = io();
    await run(["simulate", "--input", fixture, "--priors", "9,163", "--seed", "1", "--model", "elas_u2"], a);
    const b = io();
    await run(["simulate", "--input", fixture, "--priors", "9,163", "--seed", "1", "--model", "elas_u4"], b);
    expect(JSON.parse(a.stdout).order).not.toEqual(JSON.parse(b.stdout).order);
    const h = io();
    await run(["simulate", "--help"], h);
    for (const name of ["elas_u4", "elas_u2", "committee", "elas_u4_batched"]) expect(h.stdout + h.stderr).toContain(name);
  });

  it("reads a `label` column too", async () => {
    const f = join(dir, "small.csv");
    writeFileSync(f, "title,abstract,label\nstatins heart,trial of statins,1\nbirds,migration of birds,0\nstatins,cholesterol statins trial,1\nfish,ocean fish,0\n");
    const c = io();
    expect(await run(["simulate", "--input", "small.csv", "--priors", "0,1"], c)).toBe(0);
    expect(JSON.parse(c.stdout).order).toEqual([0, 1, 2, 3]);
  });

  it("answers bad input with exit code 2 and one line", async () => {
    const cases: [string[], RegExp][] = [
      [["simulate", "--input", fixture, "--priors", "9,x"], /--priors/],
      [["simulate", "--input", fixture, "--priors", "163,164"], /relevant and one irrelevant/],
      [["simulate", "--input", "missing.csv", "--priors", "0,1"], /cannot read/],
      [["simulate", "--input", fixture, "--priors", "9,163", "--seed", "1.5"], /--seed/],
      [["simulate", "--input", fixture, "--priors", "9,163", "--model", "svm9"], /unknown --model "svm9".*elas_u4/],
    ];
    for (const [argv, msg] of cases) {
      const c = io();
      expect(await run(argv, c)).toBe(2);
      expect(c.stderr).toMatch(msg);
      expect(c.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
