import { InputError } from "@homeward/model";

export interface SignInLimiterOptions {
  /** Failed attempts allowed per (name, client address) within the window. */
  perName?: number;
  /** Failed attempts allowed per client address within the window, whatever the names. */
  perAddress?: number;
  windowMs?: number;
  /** Keys kept; past this the oldest are forgotten, so a flood of names cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

interface Counter {
  /** Times of failed attempts still inside the window, oldest first. */
  failures: number[];
}

/**
 * Failed sign-ins per (name, client address) and per client address, in
 * memory: a guesser is slowed to a few attempts per quarter hour per name,
 * and one address cannot try many names either. One process's view only; an
 * instance run as several servers limits per server, which still bounds
 * guessing. A success clears the (name, address) counter only, so a guesser
 * cannot reset their address's count by signing into their own account.
 */
export class SignInLimiter {
  private readonly perName: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Insertion order is age order (a key touched again is moved to the end). */
  private readonly counters = new Map<string, Counter>();

  constructor(opts: SignInLimiterOptions = {}) {
    this.perName = opts.perName ?? 5;
    this.perAddress = opts.perAddress ?? 50;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Throws a 429 InputError while `name` from `address` (or `address` alone) has used up its attempts. */
  check(name: string, address: string): void {
    const t = this.now();
    const wait = Math.max(this.waitFor(nameKey(name, address), this.perName, t), this.waitFor(addressKey(address), this.perAddress, t));
    if (wait > 0) {
      const minutes = Math.max(1, Math.ceil(wait / 60_000));
      throw new InputError(`too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, 429);
    }
  }

  /**
   * Checks and counts an attempt at once (as a failure until it is settled),
   * so attempts made concurrently cannot all pass the check before any has
   * failed. `succeeded` takes it back and clears the (name, address) count.
   */
  attempt(name: string, address: string): { failed(): void; succeeded(): void } {
    this.check(name, address);
    const t = this.now();
    this.fail(name, address, t);
    return {
      failed: () => undefined,
      succeeded: () => {
        this.succeed(name, address);
        const c = this.counters.get(addressKey(address));
        const i = c ? c.failures.lastIndexOf(t) : -1;
        if (c && i >= 0) c.failures.splice(i, 1);
      },
    };
  }

  fail(name: string, address: string, t = this.now()): void {
    this.add(nameKey(name, address), t);
    this.add(addressKey(address), t);
  }

  succeed(name: string, address: string): void {
    this.counters.delete(nameKey(name, address));
  }

  /** Keys held (for tests and monitoring). */
  get size(): number {
    return this.counters.size;
  }

  private live(key: string, t: number): number[] {
    const c = this.counters.get(key);
    if (!c) return [];
    const from = t - this.windowMs;
    while (c.failures.length > 0 && c.failures[0]! <= from) c.failures.shift();
    if (c.failures.length === 0) this.counters.delete(key);
    return c.failures;
  }

  /** Milliseconds until an attempt under `key` is allowed again (0: now). */
  private waitFor(key: string, limit: number, t: number): number {
    const f = this.live(key, t);
    if (f.length < limit) return 0;
    return f[f.length - limit]! + this.windowMs - t;
  }

  private add(key: string, t: number): void {
    const failures = this.live(key, t);
    this.counters.delete(key);
    failures.push(t);
    // Only the newest `perAddress` times can matter to either limit.
    if (failures.length > this.perAddress) failures.splice(0, failures.length - this.perAddress);
    this.counters.set(key, { failures });
    while (this.counters.size > this.maxKeys) this.counters.delete(this.counters.keys().next().value!);
  }
}

const nameKey = (name: string, address: string) => `n\u0000${name.trim().toLowerCase()}\u0000${address}`;
const addressKey = (address: string) => `a\u0000${address}`;
