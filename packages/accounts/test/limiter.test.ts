import { describe, expect, it } from "vitest";
import { SignInLimiter } from "@homeward/accounts";

describe("sign-in limiter", () => {
  it("allows five failures per name and address in 15 minutes, then refuses with the wait", () => {
    let t = 0;
    const l = new SignInLimiter({ now: () => t });
    for (let i = 0; i < 5; i++) {
      l.check("ana", "10.0.0.1");
      l.fail("ana", "10.0.0.1");
      t += 60_000;
    }
    expect(() => l.check("ana", "10.0.0.1")).toThrow("too many sign-in attempts; try again in 10 minutes");
    try {
      l.check("ana", "10.0.0.1");
    } catch (e) {
      expect(e).toMatchObject({ kind: "input", status: 429 });
    }
    // Another address, or another name from this address, is not held back.
    l.check("ana", "10.0.0.2");
    l.check("ben", "10.0.0.1");
    // The oldest failure leaves the window after 15 minutes.
    t = 15 * 60_000 + 1;
    l.check("ana", "10.0.0.1");
  });

  it("allows fifty failures per address across names", () => {
    let t = 0;
    const l = new SignInLimiter({ now: () => t });
    for (let i = 0; i < 50; i++) l.fail(`user${i}`, "10.0.0.9");
    expect(() => l.check("someone-new", "10.0.0.9")).toThrow("try again in 15 minutes");
    l.check("someone-new", "10.0.0.8");
    t += 14 * 60_000;
    expect(() => l.check("someone-new", "10.0.0.9")).toThrow("try again in 1 minute");
  });

  it("a success clears the name's counter, not the address's", () => {
    const t = 0;
    const l = new SignInLimiter({ now: () => t, perAddress: 6 });
    for (let i = 0; i < 5; i++) l.fail("ana", "a");
    expect(() => l.check("ana", "a")).toThrow();
    l.succeed("ana", "a");
    l.check("ana", "a");
    l.fail("ana", "a");
    // Six failures from the address in all: the address is held back.
    expect(() => l.check("ana", "a")).toThrow();
  });

  it("forgets the oldest keys past its bound", () => {
    const l = new SignInLimiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.fail(`u${i}`, `addr${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
    // The newest are still counted.
    for (let i = 0; i < 4; i++) l.fail("u999", "addr999");
    expect(() => l.check("u999", "addr999")).toThrow();
  });

  it("counts an attempt as it starts, so concurrent attempts cannot all pass; a success takes it back", () => {
    const l = new SignInLimiter({ now: () => 0, perAddress: 7 });
    const inFlight = Array.from({ length: 5 }, () => l.attempt("ana", "a"));
    expect(() => l.attempt("ana", "a")).toThrow("too many sign-in attempts");
    inFlight[0]!.succeeded();
    // The success cleared the name's count and gave back its own place in the address's.
    for (let i = 0; i < 3; i++) l.attempt("ana", "a").succeeded();
    l.attempt("ana", "a").failed();
    l.attempt("ana", "a").failed();
    l.attempt("ana", "a").failed();
    // Seven failures from the address now (four still counted from before, three new).
    expect(() => l.attempt("ben", "a")).toThrow();
  });
});
