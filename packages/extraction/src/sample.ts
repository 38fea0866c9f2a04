import { InputError } from "@homeward/model";
import { Random } from "@homeward/screening";

export interface SeniorCheckSample {
  /** The studies drawn, in the order given. */
  studyIds: string[];
  fraction: number;
  seed: number;
  /** Studies drawn from. */
  of: number;
}

/**
 * The studies a senior reviewer checks in full (the seed review: 5%). The
 * number is the fraction of the studies rounded up, at least one; the draw is
 * a seeded shuffle of the ids in sorted order, so the same seed and the same
 * studies give the same sample whatever order they arrive in.
 */
export function drawSeniorCheck(studyIds: readonly string[], fraction: number, seed: number): SeniorCheckSample {
  if (!(fraction > 0 && fraction <= 1)) throw new InputError(`the share of studies to check must be above 0 and at most 1, not ${fraction}`);
  if (!Number.isSafeInteger(seed)) throw new InputError(`the sample's seed must be a whole number, not ${seed}`);
  const ids = [...new Set(studyIds)];
  const n = ids.length === 0 ? 0 : Math.max(1, Math.ceil(fraction * ids.length - 1e-9));
  const drawn = new Set(new Random(seed).shuffle([...ids].sort()).slice(0, n));
  return { studyIds: ids.filter((id) => drawn.has(id)), fraction, seed, of: ids.length };
}
