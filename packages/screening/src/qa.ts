import { ScreeningInputError } from "./errors.js";
import { Random } from "./random.js";

export interface QaSampleOptions {
  /** Share of the records to re-check; default 0.1 (the review checked 10% at both stages). */
  fraction?: number;
  seed: number;
}

/**
 * A reproducible random sample of records (e.g. single-screened excludes) for
 * a senior reviewer to re-check: ⌈fraction × n⌉ of them, drawn by a seeded
 * shuffle of the ids in sorted order, so the same seed and the same set of
 * ids give the same sample whatever order the ids come in.
 */
export function qaSample(ids: readonly string[], options: QaSampleOptions): string[] {
  const fraction = options.fraction ?? 0.1;
  if (!(fraction > 0 && fraction <= 1)) throw new ScreeningInputError(`QA fraction must be in (0, 1], got ${fraction}`);
  if (!Number.isInteger(options.seed)) throw new ScreeningInputError(`QA seed must be an integer, got ${options.seed}`);
  const unique = [...new Set(ids)].sort();
  if (unique.length !== ids.length) throw new ScreeningInputError("QA sampling got the same record twice");
  // The epsilon keeps float noise (0.1 × 30 = 3.0000000000000004) from adding a record.
  const size = Math.ceil(fraction * unique.length - 1e-9);
  const shuffled = new Random(options.seed).shuffle(unique);
  return shuffled.slice(0, size).sort();
}
