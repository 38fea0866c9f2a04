import { describe, expect, it } from "vitest";
import { MemoryAttemptLog, SignInLimiter } from "@homeward/accounts";
import { limiterCases } from "./limiter-cases.js";

describe("sign-in limiter in memory", () => {
  limiterCases(async () => new MemoryAttemptLog());

  it("forgets the least recently used keys past its bound, and keeps counting the newest", async () => {
    const log = new MemoryAttemptLog({ maxKeys: 100 });
    const l = new SignInLimiter({ log });
    for (let i = 0; i < 1000; i++) await (await l.attempt(`u${i}`, `addr${i}`)).failed();
    expect(log.size).toBeLessThanOrEqual(100);
    for (let i = 0; i < 4; i++) await (await l.attempt("u999", "addr999")).failed();
    await expect(l.attempt("u999", "addr999")).rejects.toThrow();
  });
});
