import hypergeometricCdf from "@stdlib/stats-base-dists-hypergeometric-cdf";
import { ScreeningInputError } from "./errors.js";

/**
 * Stopping estimate of Callaghan & Müller-Hansen (2020, "Statistical stopping
 * criteria for automated screening in systematic reviews", Syst Rev 9:273).
 *
 * The last k screened records are treated as a sample drawn at random, without
 * replacement, from the records that were unscreened when the sample began
 * (N − n + k of them, n = records screened so far). The null hypothesis is that
 * recall is still below the target τ, i.e. that the urn holds at least
 *   K̂ = ⌊r_seen/τ − r_before + 1⌋
 * relevant records, r_seen being all relevant records found and r_before those
 * found before the sample. The p-value of the sample's r_k relevant records is
 * the hypergeometric P(X ≤ r_k; population N − n + k, K̂ successes, k draws),
 * and, as in the authors' reference implementation, the smallest p over all
 * k = 1..n is reported. Rejecting (p < 1 − confidence) says the target has
 * likely been reached.
 *
 * Advisory only: it assumes the sample is no more likely to contain relevant
 * records than the unscreened remainder, which prioritised screening makes
 * conservative (the ranked-first records are the likeliest relevant), and that
 * decisions in the sample are correct; it never stops anyone screening.
 */
export interface StoppingEstimate {
  /** Smallest p-value over the sample sizes tried. */
  p: number;
  /** p < 1 − confidence: the recall target has likely been reached. */
  targetLikelyReached: boolean;
  /** Sample size (the last k screened records) at which p is smallest. */
  sampleSize: number;
  recallTarget: number;
  confidence: number;
  screened: number;
  relevantFound: number;
  total: number;
  assumptions: string[];
}

export interface StoppingOptions {
  /** Recall target τ in (0, 1); default 0.95. */
  recallTarget?: number;
  /** Confidence level in (0, 1); default 0.95. */
  confidence?: number;
}

export const STOPPING_ASSUMPTIONS = [
  "The most recently screened records are treated as a random sample of the records unscreened when they were drawn; with prioritisation they were ranked likelier relevant than the rest, which makes the test conservative.",
  "Screening decisions in the sample are taken as correct.",
  "The estimate is advisory: it never stops screening and never excludes a record.",
];

/**
 * @param labels decisions in the order screened (1 relevant, 0 not)
 * @param total N, the number of records to be screened in all
 */
export function stoppingEstimate(labels: ArrayLike<number>, total: number, options: StoppingOptions = {}): StoppingEstimate {
  const tau = options.recallTarget ?? 0.95;
  const confidence = options.confidence ?? 0.95;
  if (!(tau > 0 && tau < 1)) throw new ScreeningInputError(`recall target must be in (0, 1), got ${tau}`);
  if (!(confidence > 0 && confidence < 1)) throw new ScreeningInputError(`confidence must be in (0, 1), got ${confidence}`);
  const n = labels.length;
  if (!Number.isInteger(total) || total < n) throw new ScreeningInputError(`total (${total}) must be an integer no smaller than the ${n} records screened`);
  let rSeen = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v !== 0 && v !== 1) throw new ScreeningInputError(`decision ${i} is ${v}; decisions must be 0 or 1`);
    rSeen += v;
  }
  let best = 1;
  let bestK = 0;
  let inSample = 0;
  for (let k = 1; k <= n; k++) {
    inSample += labels[n - k];
    const population = total - n + k;
    const kHat = Math.floor(rSeen / tau - (rSeen - inSample) + 1);
    // More relevant records than the urn holds: the null hypothesis cannot
    // hold for this sample, so it is rejected outright.
    const p = kHat > population ? 0 : hypergeometricCdf(inSample, population, kHat, k);
    if (p < best) {
      best = p;
      bestK = k;
    }
  }
  return {
    p: best,
    targetLikelyReached: n > 0 && best < 1 - confidence,
    sampleSize: bestK,
    recallTarget: tau,
    confidence,
    screened: n,
    relevantFound: rSeen,
    total,
    assumptions: STOPPING_ASSUMPTIONS,
  };
}
