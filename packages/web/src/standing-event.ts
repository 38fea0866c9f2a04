/**
 * The clash's announcement, apart from the notice's component: `call` (and
 * the unit tests that load it outside a browser) need it without the router.
 */
import { standingInWords } from "./standing-words";

/** Dispatched on `window` with the words of what stands as `detail`. */
export const STANDING_EVENT = "homeward:standing";

/** Messages the notice says, which a page's `ErrorMessage` then leaves out. */
const said = new Set<string>();
export const saidByNotice = (message: string): boolean => said.has(message);

/** Called by `call` for a 409 carrying `current`: answers the words, and tells the page. */
export function announceStanding(current: unknown): string {
  const words = standingInWords(current);
  said.add(words);
  window.dispatchEvent(new CustomEvent(STANDING_EVENT, { detail: words }));
  return words;
}

