import { scrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, newToken, tokenHash, verifyPassword } from "@homeward/accounts";

describe("passwords", () => {
  it("hashes with scrypt (N=2^15, r=8, p=1, 16-byte salt, 32-byte key) and verifies", async () => {
    const h = await hashPassword("correct horse battery");
    const [alg, n, r, p, salt, key] = h.split("$");
    expect([alg, n, r, p]).toEqual(["scrypt", "15", "8", "1"]);
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    // A fresh salt each time.
    expect(await hashPassword("correct horse battery")).not.toBe(h);
    expect(needsRehash(h)).toBe(false);
  });

  it("reads the cost from the encoding, so older hashes keep verifying", async () => {
    const salt = Buffer.alloc(16, 7);
    const key = await new Promise<Buffer>((res, rej) => scrypt("old password", salt, 32, { N: 2 ** 10, r: 8, p: 1 }, (e, k) => (e ? rej(e) : res(k))));
    const old = `scrypt$10$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("old password", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it("never matches an encoding it cannot read", async () => {
    for (const bad of ["", "plain", "scrypt$15$8$1$$", "bcrypt$10$x$y$z$w", "scrypt$40$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA"]) {
      expect(await verifyPassword("anything", bad), bad).toBe(false);
    }
  });

  it("makes 43-character tokens and stores only their SHA-256", () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
