/**
 * Plain-language reading of a standardised mean difference.
 *
 * Cohen's U3 (Cohen 1988, §2.2) = Φ(d): the share of the comparison group
 * whose outcome lies below the mean of the intervention group, assuming two
 * normal distributions with equal SDs shifted by d. d = 0.25 gives 59.9%,
 * the "better than 60% of those who do not receive an intervention" reading.
 */
import pnormal from "@stdlib/stats-base-dists-normal-cdf";

export function cohensU3(d: number): number {
  return pnormal(d, 0, 1);
}

export interface EffectReading {
  d: number;
  /** Φ(d), a proportion in (0, 1). */
  u3: number;
  /** One sentence a lay reader can follow. */
  sentence: string;
}

/**
 * `group` and `comparison` name the two groups, e.g. "families receiving an
 * intervention" and "those who do not".
 */
export function readEffect(d: number, group = "those receiving the intervention", comparison = "those who do not"): EffectReading {
  const u3 = cohensU3(d);
  const pct = Math.round(100 * u3);
  const sentence =
    pct === 50
      ? `An effect size of ${d.toFixed(2)} means that ${group} score, on average, about the same as ${comparison}.`
      : `An effect size of ${d.toFixed(2)} means that, on average, ${group} score better than ${pct}% of ${comparison}.`;
  return { d, u3, sentence };
}
