import type { TopLevelSpec } from "vega-lite";
import { baseConfig, type PaletteName } from "../theme.js";

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Options every chart builder accepts. */
export interface ChartOptions {
  /** Overrides the generated title. */
  title?: string;
  palette?: PaletteName;
  /** Plot width in pixels (the data area; labels come on top). */
  width?: number;
}

/** Wraps a body (layer/concat/…) into a top-level spec with the shared config. */
export function topLevel(body: Record<string, unknown>, palette?: PaletteName): TopLevelSpec {
  return { $schema: SCHEMA, config: baseConfig(palette), ...body } as TopLevelSpec;
}

/** Range of finite values, [NaN, NaN] when there are none. */
export function extent(xs: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/** Requires equal-length arrays of finite numbers; throws a RangeError naming the field. */
export function checkSeries(name: string, xs: readonly number[], n?: number): void {
  if (n !== undefined && xs.length !== n) throw new RangeError(`${name} has ${xs.length} values, expected ${n}`);
  xs.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`${name}[${i}] is not a finite number`);
  });
}
