/**
 * Sign-in cost on this machine: one scrypt hash and verify, and sign-ins per
 * second through `createAccounts` (over an in-memory store, so the figure is
 * the password work, not a database) one at a time and several at once
 * (Node runs scrypt on libuv's thread pool, UV_THREADPOOL_SIZE, default 4).
 * Prints figures; asserts nothing.
 */
import { availableParallelism } from "node:os";
import { createAccounts, hashPassword, MemoryAttemptLog, SignInLimiter, verifyPassword, type AccountsStore, type AccountUser } from "../index.js";

const PASSWORD = "correct horse battery staple";

function memoryStore(user: AccountUser): AccountsStore {
  const sessions = new Map<string, unknown>();
  const partial: Partial<AccountsStore> = {
    getUser: async (name) => (name === user.name ? user : null),
    insertSession: async (s) => void sessions.set(s.tokenHash, s),
    deleteExpiredSessions: async () => undefined,
    setPasswordHash: async (_n, h) => void (user.passwordHash = h),
  };
  return partial as AccountsStore;
}

async function timed<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return performance.now() - start;
}

async function main() {
  const hash = await hashPassword(PASSWORD);
  const n = 20;
  const hashMs = (await timed(n, 1, () => hashPassword(PASSWORD))) / n;
  const verifyMs = (await timed(n, 1, () => verifyPassword(PASSWORD, hash))) / n;
  console.log(`cpus ${availableParallelism()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`);
  console.log(`scrypt N=2^15 r=8 p=1: hash ${hashMs.toFixed(1)} ms, verify ${verifyMs.toFixed(1)} ms (one at a time)`);

  const user: AccountUser = { name: "ana", displayName: "", passwordHash: hash, oidcSubject: null, admin: false, createdAt: null };
  // A limiter with room for the run: the bench measures the hash, not the refusal.
  const accounts = createAccounts(memoryStore(user), { limiter: new SignInLimiter({ perName: 1e9, perAddress: 1e9 }) });
  for (const c of [1, 2, 4]) {
    const total = 40;
    const ms = await timed(total, c, (i) => accounts.signIn("ana", PASSWORD, `10.0.0.${i % 250}`));
    console.log(`sign-ins, ${c} at once: ${((total / ms) * 1000).toFixed(1)} per second (${(ms / total).toFixed(1)} ms each on average)`);
  }
  const unknown = await timed(20, 1, () => accounts.signIn("nobody", PASSWORD, "10.1.0.1").catch(() => undefined));
  console.log(`unknown name (dummy verify): ${(unknown / 20).toFixed(1)} ms each`);

  const log = new MemoryAttemptLog();
  const limiter = new SignInLimiter({ log });
  const ops = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const name = `u${i % 20_000}`;
    const address = `a${i % 5_000}`;
    try {
      await (await limiter.attempt(name, address)).failed();
    } catch {
      // refused: timed like any other attempt
    }
  }
  const t1 = performance.now();
  console.log(`limiter in memory: ${(((t1 - t0) / ops) * 1000).toFixed(2)} µs per attempt, ${log.size} keys held (bound 10,000)`);
}

await main();
