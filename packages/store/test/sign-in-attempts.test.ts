import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccounts, hashPassword, SignInLimiter } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { limiterCases } from "../../accounts/test/limiter-cases.js";
import { scratchDatabase } from "./scratch-database.js";

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;

/** Two stores on one database, as two servers would open it. */
const engines: { name: string; open: () => Promise<{ stores: [Store, Store]; done: () => Promise<void> }> }[] = [
  {
    name: "SQLite",
    open: async () => {
      // One store: a second connection to the file in the same process would wait on the first with the thread
      // blocked (better-sqlite3 is synchronous); processes sharing a file queue on its write lock instead.
      const a = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-attempts-")) });
      return { stores: [a, a], done: () => a.close() };
    },
  },
  ...(pgUrl
    ? [
        {
          name: "PostgreSQL",
          open: async () => {
            const db = await scratchDatabase(pgUrl, `attempts_${process.pid}`);
            const a = await openStore({ databaseUrl: db.url });
            const b = await openStore({ databaseUrl: db.url });
            return {
              stores: [a, b] as [Store, Store],
              done: async () => {
                await Promise.all([a.close(), b.close()]);
                await db.drop();
              },
            };
          },
        },
      ]
    : []),
];

describe.each(engines)("sign-in attempts kept by the store on $name", ({ open }) => {
  let stores: [Store, Store];
  let done: () => Promise<void>;
  let keys = 0;
  beforeAll(async () => {
    ({ stores, done } = await open());
  });
  afterAll(() => done());

  // The limiter's own cases, over the store's table (each case on fresh names and addresses via a prefix).
  describe("the limiter's rules", () => {
    limiterCases(async () => {
      const log = stores[0].accounts.signInAttempts;
      const prefix = `case${keys++}:`;
      return {
        take: (k, since, at, admit) => log.take(k.map((x) => prefix + x), since, at, admit),
        forget: (k) => log.forget(prefix + k),
        withdraw: (id, k) => log.withdraw(id, prefix + k),
      };
    });
  });

  it("holds a guesser to one count across two servers on the database", async () => {
    const [a, b] = stores.map((s) => new SignInLimiter({ now: () => 1_000, log: s.accounts.signInAttempts }));
    const tries = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => (i % 2 ? a! : b!).attempt("ana", "192.0.2.7")));
    expect(tries.filter((t) => t.status === "fulfilled")).toHaveLength(5);
    const refused = tries.flatMap((t) => (t.status === "rejected" ? [t.reason] : []));
    expect(refused).toHaveLength(11);
    for (const r of refused) expect(r).toMatchObject({ status: 429, message: "too many sign-in attempts; try again in 15 minutes" });
  });

  it("refuses a sixth wrong password on the other server, and forgets attempts past the window", async () => {
    const passwordHash = await hashPassword("the right passphrase");
    await stores[0].accounts.ensureAccountUser("ben", "Ben", new Date(0).toISOString());
    await stores[0].accounts.setPasswordHash("ben", passwordHash);
    let t = Date.parse("2026-01-01T00:00:00Z");
    const [one, two] = stores.map((s) => createAccounts(s, { now: () => new Date(t) }));
    for (let i = 0; i < 5; i++) await expect((i % 2 ? one! : two!).signIn("ben", "wrong passphrase", "198.51.100.1")).rejects.toMatchObject({ status: 401 });
    await expect(one!.signIn("ben", "the right passphrase", "198.51.100.1")).rejects.toMatchObject({ status: 429 });
    await expect(two!.signIn("ben", "the right passphrase", "198.51.100.1")).rejects.toMatchObject({ status: 429 });
    t += 15 * 60_000 + 1;
    expect((await two!.signIn("ben", "the right passphrase", "198.51.100.1")).user.name).toBe("ben");
    // Taking that attempt deleted every row past the window, and its success took back its own: none is left.
    const rows = await (stores[0] as unknown as { db: { selectFrom(t: string): any } }).db.selectFrom("sign_in_attempts").select(["at"]).execute();
    expect(rows).toEqual([]);
  });
});
