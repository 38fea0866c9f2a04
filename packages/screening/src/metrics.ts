/**
 * Metrics of a screening order, computed from the order and the true labels
 * alone (as the shared benchmark's scoring script does):
 * - WSS@95 = (N − n95)/N − 0.05, n95 the number screened when 95% of the
 *   relevant records (rounded up) had been found (Cohen et al. 2006, JAMIA 13:206);
 * - recall@10% = share of relevant records among the first ⌊0.1 N⌋ (at least 1);
 * - ATD, average time to discovery = mean 1-based position of the relevant
 *   records, as a share of N (Ferdinands et al. 2023, Syst Rev 12:100).
 */
import { ScreeningInputError } from "./errors.js";

export interface OrderMetrics {
  records: number;
  relevant: number;
  n95: number;
  wss95: number;
  recall10: number;
  atd: number;
}

export function orderMetrics(order: ArrayLike<number>, labels: ArrayLike<number>): OrderMetrics {
  const n = labels.length;
  checkPermutation(order, n);
  let r = 0;
  for (let i = 0; i < n; i++) if (labels[i]) r++;
  if (r === 0) throw new ScreeningInputError("the labels contain no relevant record, so recall is undefined");
  const target = Math.ceil(0.95 * r);
  const cut = Math.max(1, Math.floor(0.1 * n));
  let found = 0;
  let n95 = 0;
  let at10 = 0;
  let posSum = 0;
  for (let k = 0; k < n; k++) {
    if (labels[order[k]]) {
      found++;
      posSum += k + 1;
    }
    if (n95 === 0 && found >= target) n95 = k + 1;
    if (k + 1 === cut) at10 = found;
  }
  return { records: n, relevant: r, n95, wss95: (n - n95) / n - 0.05, recall10: at10 / r, atd: posSum / r / n };
}

/** Throws unless `order` holds each of 0..n−1 exactly once. */
export function checkPermutation(order: ArrayLike<number>, n: number): void {
  if (order.length !== n) throw new ScreeningInputError(`the order has ${order.length} entries but there are ${n} records`);
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ScreeningInputError(`order entry ${k} (${i}) is not a row index in 0..${n - 1}`);
    if (seen[i]) throw new ScreeningInputError(`row ${i} appears twice in the order`);
    seen[i] = 1;
  }
}
