import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

/**
 * Seeded pseudo-random source (xoroshiro128+, Blackman & Vigna 2018, via
 * pure-rand). Everything random in this package takes a seed, so that the same
 * seed and the same input give the same queue, sample or simulation.
 */
export class Random {
  private readonly rng;
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.rng = xoroshiro128plus(seed | 0);
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.rng, 0, n - 1);
  }
  /** Uniform float in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }
  /** Fisher–Yates shuffle in place (Knuth 1997, Algorithm P). */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
