/**
 * The audit log's hash chain: each entry's hash covers its own content and
 * the hash of the entry before it in its project's log, so an entry removed,
 * reordered or edited (in a file or in the database) breaks the chain from
 * that entry on. Pure: the digest is passed in (the store uses Node's
 * SHA-256), so the web can import this module without a crypto dependency.
 */
import type { AuditEntry } from "./entities.js";

/** Hex SHA-256 (or any digest) of UTF-8 text. */
export type Digest = (text: string) => string;

/** The hash the first entry of a log chains onto. */
export const CHAIN_START: string | null = null;

/**
 * JSON with object keys in JavaScript's string order (UTF-16 code units) at
 * every depth and no spaces: the same bytes whichever engine or file the
 * entry was read from, whatever order its keys came in. The project id is
 * not covered, so a copy keeps its history's hashes. Hand-written (a dozen
 * lines) because it runs over every after-value of a bulk write: string
 * building in one pass, no intermediate sorted copies of the objects.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJson(value[i]);
    return out + "]";
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(v);
    first = false;
  }
  return out + "}";
}

/** The fields of an entry its hash covers (not the hashes themselves). */
export function chainedContent(e: AuditEntry): Record<string, unknown> {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: e.reason ?? null,
  };
}

export function entryHash(digest: Digest, prevHash: string | null, e: AuditEntry): string {
  return digest(`${prevHash ?? ""}\n${canonicalJson(chainedContent(e))}`);
}

export interface ChainBreak {
  /** Position in the log, counting from 0. */
  index: number;
  id: string;
  reason: string;
}

export interface Chained {
  prevHash: string | null;
  hash: string;
}

/**
 * Checks a log and gives each entry's hashes, or the first entry where the
 * chain breaks. With `legacyPrefix`, entries before the first hashed one may
 * carry no hashes (a file written before the chain): they are chained here,
 * and `legacy` counts them; every entry after the first hashed one must chain.
 */
export function checkChain(
  digest: Digest,
  entries: Iterable<AuditEntry>,
  opts: { start?: string | null; legacyPrefix?: boolean } = {},
): { hashes: Chained[]; legacy: number; break: ChainBreak | null } {
  let prev: string | null = opts.start ?? CHAIN_START;
  let index = 0;
  let legacy = 0;
  const hashes: Chained[] = [];
  const broken = (e: AuditEntry, reason: string) => ({ hashes, legacy, break: { index, id: e.id, reason } });
  for (const e of entries) {
    if (e.hash == null) {
      if (!opts.legacyPrefix || legacy !== index || e.prevHash != null) return broken(e, "it has no hash");
      const hash = entryHash(digest, prev, e);
      hashes.push({ prevHash: prev, hash });
      prev = hash;
      legacy++;
      index++;
      continue;
    }
    if ((e.prevHash ?? null) !== prev) {
      return broken(e, index === 0 ? "it does not start the log (an entry before it was removed?)" : "its previous hash is not the hash of the entry before it (an entry was removed or moved?)");
    }
    if (entryHash(digest, prev, e) !== e.hash) return broken(e, "its content does not match its hash (it was changed)");
    hashes.push({ prevHash: prev, hash: e.hash });
    prev = e.hash;
    index++;
  }
  return { hashes, legacy, break: null };
}

/** The first entry where a fully hashed log breaks, or null. */
export function verifyChain(digest: Digest, entries: Iterable<AuditEntry>, start: string | null = CHAIN_START): ChainBreak | null {
  return checkChain(digest, entries, { start }).break;
}

/** Describes a break for a one-line error. */
export function describeBreak(b: ChainBreak): string {
  return `audit chain broken at entry ${b.index + 1} ("${b.id}"): ${b.reason}`;
}
