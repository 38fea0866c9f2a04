import { expect, it } from "vitest";
import { SignInLimiter, type AttemptLog } from "@homeward/accounts";

/**
 * The limiter's rules over any attempt log. Run by the accounts suite over the
 * memory log and by the store's suite over its table
 * (packages/store/test/sign-in-attempts.test.ts).
 */
export function limiterCases(newLog: () => Promise<AttemptLog>) {
  const fail = async (l: SignInLimiter, name: string, address: string) => (await l.attempt(name, address)).failed();

  it("allows five failures per name and address in 15 minutes, then refuses with the wait", async () => {
    let t = 0;
    const l = new SignInLimiter({ now: () => t, log: await newLog() });
    for (let i = 0; i < 5; i++) {
      await fail(l, "ana", "10.0.0.1");
      t += 60_000;
    }
    await expect(l.attempt("ana", "10.0.0.1")).rejects.toThrow("too many sign-in attempts; try again in 10 minutes");
    await expect(l.attempt("ana", "10.0.0.1")).rejects.toMatchObject({ kind: "input", status: 429 });
    // Another address, or another name from this address, is not held back.
    await fail(l, "ana", "10.0.0.2");
    await fail(l, "ben", "10.0.0.1");
    // The oldest failure leaves the window after 15 minutes.
    t = 15 * 60_000 + 1;
    await fail(l, "ana", "10.0.0.1");
    await expect(l.attempt("ana", "10.0.0.1")).rejects.toThrow("try again in 1 minute");
  });

  it("allows fifty failures per address across names", async () => {
    let t = 0;
    const l = new SignInLimiter({ now: () => t, log: await newLog() });
    for (let i = 0; i < 50; i++) await fail(l, `user${i}`, "10.0.0.9");
    await expect(l.attempt("someone-new", "10.0.0.9")).rejects.toThrow("try again in 15 minutes");
    await fail(l, "someone-new", "10.0.0.8");
    t += 14 * 60_000;
    await expect(l.attempt("someone-new", "10.0.0.9")).rejects.toThrow("try again in 1 minute");
  });

  it("a success clears the name's counter, not the address's", async () => {
    const l = new SignInLimiter({ now: () => 0, perAddress: 6, log: await newLog() });
    for (let i = 0; i < 4; i++) await fail(l, "ana", "a");
    // The fifth attempt succeeds: the name's four failures are forgotten, the address keeps them.
    await (await l.attempt("ana", "a")).succeeded();
    await fail(l, "ana", "a");
    await fail(l, "ana", "a");
    // Six failures from the address in all: the address is held back, for every name.
    await expect(l.attempt("ana", "a")).rejects.toThrow();
    await expect(l.attempt("ben", "a")).rejects.toThrow();
  });

  it("counts an attempt as it starts, so attempts made at once cannot all pass; a success takes its own back", async () => {
    const l = new SignInLimiter({ now: () => 0, perAddress: 7, log: await newLog() });
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => l.attempt("ana", "a")));
    const inFlight = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    expect(inFlight).toHaveLength(5);
    await inFlight[0]!.succeeded();
    // The success cleared the name's count and gave back its own place in the address's (four left there).
    for (let i = 0; i < 3; i++) await fail(l, "ana", "a");
    // Seven failures from the address now.
    await expect(l.attempt("ben", "a")).rejects.toThrow("too many sign-in attempts");
  });
}

