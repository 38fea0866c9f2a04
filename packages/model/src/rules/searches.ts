import type { Search } from "../entities.js";
import { InputError } from "../errors.js";

/**
 * Searches: a date that has happened and a result count that can be one.
 * The date is compared with the clock of the machine making the write, with
 * a day's allowance so a team ahead of UTC can record a search run today.
 */
export async function validateSearches(searches: readonly Search[]): Promise<void> {
  const latest = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  for (const s of searches) {
    if (s.date !== null && s.date > latest) throw new InputError(`the search of ${s.source} is dated ${s.date}, in the future; give the date it was run`);
    if (s.resultsCount !== null && s.resultsCount < 0) throw new InputError(`the search of ${s.source} has ${s.resultsCount} results; a count cannot be negative`);
  }
}
