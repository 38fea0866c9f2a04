import { randomUUID } from "node:crypto";
import { InputError } from "@homeward/model";

/**
 * Where the sign-in limiter keeps its attempts. The rule (which keys, how
 * many per window, how long to wait) is the limiter's; the log only has to
 * make "read the recent attempts, decide, record" one atomic step, so
 * attempts made at once, on one server or several, cannot all pass the
 * check before any is counted. The store's log is a table every server on
 * the database shares; `MemoryAttemptLog` is one process's.
 */
export interface AttemptLog {
  /**
   * Atomically: the times recorded under each of `keys` after `since`
   * (oldest first, one list per key), passed to `admit`; when it answers
   * true, `at` is recorded under every key as one attempt, whose id is
   * returned (null when refused). Times at or before `since` may be
   * forgotten.
   */
  take(keys: readonly string[], since: number, at: number, admit: (times: number[][]) => boolean): Promise<{ id: string | null; times: number[][] }>;
  /** Forgets every attempt under `key`. */
  forget(key: string): Promise<void>;
  /** Forgets attempt `id` under `key` only. */
  withdraw(id: string, key: string): Promise<void>;
}

export interface SignInLimiterOptions {
  /** Failed attempts allowed per (name, client address) within the window. */
  perName?: number;
  /** Failed attempts allowed per client address within the window, whatever the names. */
  perAddress?: number;
  windowMs?: number;
  /** Where attempts are kept (default: this process's memory, `MemoryAttemptLog`). */
  log?: AttemptLog;
  now?: () => number;
}

/** An attempt under way: settle it with one of these once the password has been checked. */
export interface SignInAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

/**
 * Failed sign-ins per (name, client address) and per client address: a
 * guesser is slowed to a few attempts per quarter hour per name, and one
 * address cannot try many names either. An attempt counts as it starts
 * (as a failure until it is settled). A success clears the (name, address)
 * count and takes back its own place in the address's, so a guesser cannot
 * reset their address's count by signing into their own account.
 */
export class SignInLimiter {
  private readonly perName: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  readonly log: AttemptLog;

  constructor(opts: SignInLimiterOptions = {}) {
    this.perName = opts.perName ?? 5;
    this.perAddress = opts.perAddress ?? 50;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? new MemoryAttemptLog();
  }

  /** Counts an attempt by `name` from `address`, or throws a 429 InputError saying how long to wait while either count is used up. */
  async attempt(name: string, address: string): Promise<SignInAttempt> {
    const keys = [nameKey(name, address), addressKey(address)] as const;
    const t = this.now();
    const since = t - this.windowMs;
    const waitFor = ([byName, byAddress]: number[][]) => Math.max(this.waitOn(byName!, this.perName, t), this.waitOn(byAddress!, this.perAddress, t));
    const { id, times } = await this.log.take(keys, since, t, (times) => waitFor(times) === 0);
    if (id === null) {
      const minutes = Math.max(1, Math.ceil(waitFor(times) / 60_000));
      throw new InputError(`too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, 429);
    }
    return {
      failed: async () => undefined,
      succeeded: async () => {
        await this.log.forget(keys[0]);
        await this.log.withdraw(id, keys[1]);
      },
    };
  }

  /** Milliseconds until one more attempt fits under `limit` (0: now), given the window's times oldest first. */
  private waitOn(times: number[], limit: number, t: number): number {
    if (times.length < limit) return 0;
    return times[times.length - limit]! + this.windowMs - t;
  }
}

export interface MemoryAttemptLogOptions {
  /** Keys kept; past this the least recently used are forgotten, so a flood of names cannot exhaust memory. */
  maxKeys?: number;
  /** Times kept per key (only the newest few can matter to a limit). */
  maxPerKey?: number;
}

/**
 * One process's attempts, for a store that has no log of its own. Atomic
 * because JavaScript runs `take` to the end before anything else runs.
 */
export class MemoryAttemptLog implements AttemptLog {
  private readonly maxKeys: number;
  private readonly maxPerKey: number;
  /** Insertion order is age order (a key touched again is moved to the end). */
  private readonly entries = new Map<string, { at: number; id: string }[]>();

  constructor(opts: MemoryAttemptLogOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.maxPerKey = opts.maxPerKey ?? 1_000;
  }

  async take(keys: readonly string[], since: number, at: number, admit: (times: number[][]) => boolean): Promise<{ id: string | null; times: number[][] }> {
    const lists = keys.map((k) => this.live(k, since));
    const times = lists.map((l) => l.map((e) => e.at));
    if (!admit(times)) return { id: null, times };
    const id = randomUUID();
    keys.forEach((k, i) => {
      const list = lists[i]!;
      list.push({ at, id });
      if (list.length > this.maxPerKey) list.splice(0, list.length - this.maxPerKey);
      this.entries.delete(k);
      this.entries.set(k, list);
    });
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    return { id, times };
  }

  async forget(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async withdraw(id: string, key: string): Promise<void> {
    const list = this.entries.get(key);
    const i = list ? list.findIndex((e) => e.id === id) : -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /** Keys held (for tests and monitoring). */
  get size(): number {
    return this.entries.size;
  }

  private live(key: string, since: number): { at: number; id: string }[] {
    const list = this.entries.get(key) ?? [];
    while (list.length > 0 && list[0]!.at <= since) list.shift();
    return list;
  }
}

// As JSON, so no name or address can make one key look like another (and no NUL, which PostgreSQL's text refuses).
const nameKey = (name: string, address: string) => JSON.stringify(["name", name.trim().toLowerCase(), address]);
const addressKey = (address: string) => JSON.stringify(["address", address]);
