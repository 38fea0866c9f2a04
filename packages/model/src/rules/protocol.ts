import { studyClassificationIssues, type Study } from "../entities.js";
import { InputError } from "../errors.js";
import type { Protocol, ProtocolSection } from "../protocol.js";

const SECTIONS: readonly ProtocolSection[] = ["question", "picot", "eligibility", "exclusionReasons", "outcomeDomains", "classifications", "ratingScheme", "lists", "appraisal"];

/** What a protocol change needs to know of the data that uses the protocol's codes; the store answers inside the write's transaction. */
export interface ProtocolUsage {
  /** Screening decisions and reconciliations giving this exclusion reason. */
  reasonUses(code: string): Promise<number>;
  /** Outcomes in this outcome domain. */
  domainUses(code: string): Promise<number>;
  /** Recommendations given this rating. */
  ratingUses(code: string): Promise<number>;
  /** The studies that carry a classification (studies are few: one per included study). */
  classifiedStudies(): Promise<Pick<Study, "id" | "classifications">[]>;
}

export type ProtocolVersions = Record<ProtocolSection, string>;

/**
 * A short fingerprint of one section's content. An editor sends the version
 * of the section it opened; the store refuses the save when the section has
 * changed since, so two people editing different sections never overwrite
 * each other and two editing the same one are told rather than overwritten.
 * A hash of the content (not a counter) needs nothing stored beside the
 * protocol, and an edit that is undone gives back the same version.
 */
export function sectionVersion(protocol: Protocol, section: ProtocolSection): string {
  // A section a protocol written before it existed does not have (the appraisal set-up) reads as null.
  return cyrb53(canonical(protocol[section] ?? null)).toString(36);
}

export function protocolVersions(protocol: Protocol): ProtocolVersions {
  return Object.fromEntries(SECTIONS.map((s) => [s, sectionVersion(protocol, s)])) as ProtocolVersions;
}

/**
 * Refuses a protocol change that would take away a code still in use: an
 * exclusion reason given on stored decisions (the reported reason of a past
 * exclusion must stay readable), an outcome domain of stored outcomes, a
 * rating given to recommendations, a
 * classification scheme or value studies carry, or a scheme switched
 * between one value and several while studies hold the other shape. The
 * team keeps a used code and may relabel it; the message says how many
 * uses there are. Codes unchanged between `before` and `after` are not
 * looked up, so an ordinary edit reads nothing.
 */
export async function checkProtocolChange(before: Protocol, after: Protocol, usage: ProtocolUsage): Promise<void> {
  const gone = (a: { code: string }[], b: { code: string }[]) => {
    const kept = new Set(b.map((x) => x.code));
    return a.map((x) => x.code).filter((c) => !kept.has(c));
  };
  for (const code of gone(before.exclusionReasons, after.exclusionReasons)) {
    const n = await usage.reasonUses(code);
    if (n > 0) throw new InputError(`exclusion reason "${code}" is given on ${count(n, "stored screening decision")}; it cannot be removed (change its label instead)`, 409);
  }
  for (const code of gone(before.outcomeDomains, after.outcomeDomains)) {
    const n = await usage.domainUses(code);
    if (n > 0) throw new InputError(`outcome domain "${code}" has ${count(n, "outcome")}; it cannot be removed (change its label instead)`, 409);
  }
  for (const code of gone(before.ratingScheme, after.ratingScheme)) {
    const n = await usage.ratingUses(code);
    if (n > 0) throw new InputError(`rating "${code}" is given to ${count(n, "recommendation")}; it cannot be removed (change its label instead)`, 409);
  }
  if (canonical(before.classifications) === canonical(after.classifications)) return;
  const studies = (await usage.classifiedStudies()).filter((s) => Object.keys(s.classifications).length > 0);
  // Only issues the change introduces: a study that already did not fit is not this change's doing.
  const broken = new Map<string, { n: number; message: string }>();
  for (const s of studies) {
    const was = new Set(studyClassificationIssues(before, s.classifications).map((i) => i.path.join(".")));
    for (const issue of studyClassificationIssues(after, s.classifications)) {
      const key = issue.path.join(".");
      if (was.has(key)) continue;
      const scheme = issue.path[1] ?? "";
      const e = broken.get(scheme) ?? { n: 0, message: issue.message };
      e.n++;
      broken.set(scheme, e);
      break;
    }
  }
  for (const [scheme, { n }] of broken) {
    const schemeAfter = after.classifications.find((c) => c.code === scheme);
    const what = schemeAfter ? `the change to classification "${scheme}"` : `removing classification "${scheme}"`;
    throw new InputError(`${what} would leave ${count(n, "study", "studies")} with a value the protocol no longer has; change those studies first, or keep the value`, 409);
  }
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

/** JSON with object keys sorted, so equal content gives one text whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** cyrb53: a small, well-mixed 53-bit string hash (no crypto needed: it detects change, it guards nothing). */
function cyrb53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
