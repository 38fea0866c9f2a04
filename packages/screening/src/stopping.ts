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
  /**
   * `estimate`: the test ran (p, sampleSize). `insufficient`: too little to
   * go on yet (see `STOPPING_MINIMUM`; `insufficient` says what is missing).
   * `complete`: every record has a decision, so recall is known and there is
   * nothing left to estimate.
   */
  state: "estimate" | "insufficient" | "complete";
  /** What the test still needs, in words, when `state` is `insufficient`; else null. */
  insufficient: string | null;
  /** Smallest p-value over the sample sizes tried; null unless `state` is `estimate`. */
  p: number | null;
  /** p < 1 − confidence (or every record screened): the recall target has likely been reached. */
  targetLikelyReached: boolean;
  /** Sample size (the last k screened records) at which p is smallest; null unless `state` is `estimate`. */
  sampleSize: number | null;
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

/**
 * The least the test needs before it says anything:
 * - one relevant record found: recall is a share of the relevant records,
 *   and with none found the bound K̂ on those missed has nothing to scale;
 * - 20 settled decisions: p is the smallest over every sample size k, so
 *   with a handful of decisions it is picked from samples of one or two
 *   records (near the end of a short list a single irrelevant record gives
 *   p = 0) and says nothing about recall. 20 is a floor chosen so a p-value
 *   never rests on so few records, not a figure from the paper; the test's
 *   own p decides above it.
 */
export const STOPPING_MINIMUM = { decisions: 20, relevant: 1 } as const;

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
  const base = { recallTarget: tau, confidence, screened: n, relevantFound: rSeen, total, assumptions: STOPPING_ASSUMPTIONS };
  if (total > 0 && n === total) return { state: "complete", insufficient: null, p: null, targetLikelyReached: true, sampleSize: null, ...base };
  const missing: string[] = [];
  if (n < STOPPING_MINIMUM.decisions) missing.push(`at least ${STOPPING_MINIMUM.decisions} settled decisions (${n} so far)`);
  if (rSeen < STOPPING_MINIMUM.relevant) missing.push("at least one record sent on (none yet)");
  if (missing.length) return { state: "insufficient", insufficient: `it needs ${missing.join(" and ")}`, p: null, targetLikelyReached: false, sampleSize: null, ...base };
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
  return { state: "estimate", insufficient: null, p: best, targetLikelyReached: best < 1 - confidence, sampleSize: bestK, ...base };
}
