import type { Random } from "./random.js";

/**
 * Balancers: how much each labelled record weighs in a fit. Relevant records
 * are few (often 1–5%), so unweighted learners mostly learn "irrelevant".
 * Each returns one weight per labelled row (parallel to `labels`, 1 relevant).
 */

/**
 * ASReview 2's `Balanced` balancer (asreview/models/balancers.py): relevant
 * rows weigh 1 and irrelevant ones n₁/(ratio·n₀), so the irrelevant rows
 * together weigh 1/ratio of the relevant ones; then every weight is scaled by
 * n/Σw so the weights sum to the number of rows. The rescaling matters for an
 * SVM, whose per-row penalty is C·w_i. `normalise: false` leaves it out, as
 * the shared benchmark's `screening.py` replica does.
 */
export function balancedWeights(labels: ArrayLike<number>, ratio: number, normalise = true): Float64Array {
  const n = labels.length;
  let n1 = 0;
  for (let k = 0; k < n; k++) n1 += labels[k] ? 1 : 0;
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) throw new RangeError("balancing needs at least one relevant and one irrelevant record");
  const w0 = n1 / (ratio * n0);
  const w = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += w[k] = labels[k] ? 1 : w0;
  if (normalise) {
    const s = n / sum;
    for (let k = 0; k < n; k++) w[k] *= s;
  }
  return w;
}

export interface DoubleBalanceOptions {
  a: number;
  alpha: number;
  b: number;
  beta: number;
}

/**
 * ASReview 1's default `DoubleBalance` (asreview/models/balance/double.py,
 * defaults a = 2.155, alpha = 0.94, b = 0.789, beta = 1.0): the training set
 * keeps its size n but is resampled so that relevant records fill
 *   n₁' = random_round(w₁n₁·n / (w₁n₁ + w₀n₀)),  1 ≤ n₁' ≤ n − 2,
 *   w₁ = a·(n₁/n₀)^(−alpha),  w₀ = 1 − (1 − b)(1 + ln n)^(−beta),
 * places (random_round rounds up with probability equal to the fraction),
 * and irrelevant records the other n − n₁'. Each class fills its places with
 * whole copies of all its records and the remainder drawn without
 * replacement. Returned as copy counts: a learner that sums over rows (naive
 * Bayes) gives the same fit on counts as on the resampled rows. The draws
 * use our seeded generator, so the resample matches ASReview's in
 * distribution, not draw for draw (numpy's generator is not reproduced).
 */
export function doubleBalanceCounts(labels: ArrayLike<number>, options: DoubleBalanceOptions, random: Random): Float64Array {
  const n = labels.length;
  const ones: number[] = [];
  const zeros: number[] = [];
  for (let k = 0; k < n; k++) (labels[k] ? ones : zeros).push(k);
  if (ones.length === 0 || zeros.length === 0) throw new RangeError("balancing needs at least one relevant and one irrelevant record");
  const { oneWeight, zeroWeight } = doubleBalanceWeights(ones.length, zeros.length, options);
  const total = oneWeight * ones.length + zeroWeight * zeros.length;
  const raw = (oneWeight * ones.length * n) / total;
  let nOne = Math.floor(raw);
  if (random.float() < raw - nOne) nOne++;
  nOne = Math.max(1, Math.min(n - 2, nOne));
  const counts = new Float64Array(n);
  fill(ones, nOne, counts, random);
  fill(zeros, n - nOne, counts, random);
  return counts;
}

export function doubleBalanceWeights(nOne: number, nZero: number, o: DoubleBalanceOptions): { oneWeight: number; zeroWeight: number } {
  return { oneWeight: o.a * Math.pow(nOne / nZero, -o.alpha), zeroWeight: 1 - (1 - o.b) * Math.pow(1 + Math.log(nOne + nZero), -o.beta) };
}

function fill(src: number[], places: number, counts: Float64Array, random: Random): void {
  const copies = Math.floor(places / src.length);
  for (const k of src) counts[k] += copies;
  const rest = places - copies * src.length;
  if (rest === 0) return;
  const pool = src.slice();
  // Partial Fisher–Yates: the first `rest` of a shuffled pool, drawn without replacement.
  for (let i = 0; i < rest; i++) {
    const j = i + random.int(pool.length - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
    counts[pool[i]]++;
  }
}
