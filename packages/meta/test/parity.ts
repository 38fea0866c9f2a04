/** Shared helpers for the parity tests: load fixtures, build inputs, compare numbers. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Moderator, RandomLevel } from "@homeward/meta";

export interface FixtureMod { name: string; values: (number | string)[]; levels?: string[] }
export interface FixtureCase {
  name: string;
  kind: "uni" | "mv";
  input: {
    yi: number[]; vi: number[]; mods: FixtureMod[] | Record<string, never>; intercept: boolean;
    method: string; test: "z" | "t"; cluster: string[] | null;
    random?: { name: string; values: string[] }[];
  };
  expected: Record<string, unknown>;
}

export const fixtures = JSON.parse(readFileSync(new URL("./fixtures/parity.json", import.meta.url), "utf8")) as {
  versions: Record<string, string>;
  cases: FixtureCase[];
  escalc: { name: string; measure: string; columns: Record<string, number[]>; expected: { yi: number[]; vi: number[] } }[];
  conversions: Record<string, Record<string, number[]>>;
};

export const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

export function mods(c: FixtureCase): Moderator[] {
  const m = Array.isArray(c.input.mods) ? c.input.mods : [];
  return m.map((x) => (x.levels ? { name: x.name, values: arr(x.values).map(String), levels: arr(x.levels) } : { name: x.name, values: arr(x.values).map(Number) }));
}

export function random(c: FixtureCase): RandomLevel[] {
  return (c.input.random ?? []).map((r) => ({ name: r.name, values: arr(r.values) }));
}

/** Relative 1e-6 with an absolute floor for values near zero. */
export function close(actual: number | null | undefined, expected: unknown, what: string, rel = 1e-6, abs = 1e-9): void {
  if (expected === null || expected === undefined) {
    expect(actual === null || actual === undefined || Number.isNaN(actual), `${what}: expected null/NA, got ${actual}`).toBe(true);
    return;
  }
  const e = Number(expected);
  const a = Number(actual);
  const ok = Math.abs(a - e) <= rel * Math.abs(e) + abs;
  expect(ok, `${what}: got ${a}, expected ${e} (rel. diff ${Math.abs(a - e) / Math.abs(e)})`).toBe(true);
}

export interface CoefRow { estimate: number; se: number; statistic: number; df: number | null; p: number; ciLower: number; ciUpper: number }

export function compareCoefs(actual: CoefRow[], expected: unknown, what: string): void {
  const exp = arr(expected as CoefRow | CoefRow[]);
  expect(actual.length, `${what}: number of coefficients`).toBe(exp.length);
  exp.forEach((e, j) => {
    for (const key of ["estimate", "se", "statistic", "df", "p", "ciLower", "ciUpper"] as const) {
      close(actual[j][key], e[key], `${what} coef ${j} ${key}`);
    }
  });
}
