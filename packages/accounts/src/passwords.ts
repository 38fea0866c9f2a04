import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/*
 * Passwords are hashed with scrypt, which is memory-hard (a guesser pays in
 * memory as well as time). Node's own `crypto.scrypt` is used rather than a
 * library: it is OpenSSL's maintained implementation, runs on libuv's thread
 * pool (the async form does not block the event loop) and needs no native
 * build of our own.
 */

/** log2 of the scrypt cost N, block size r and parallelism p for new hashes. */
export const SCRYPT_LOG_N = 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse encodings asking for absurd work (a damaged or hostile row must not stall the server). */
const MAX_LOG_N = 20;

const b64url = (b: Buffer) => b.toString("base64url");

/** Memory scrypt needs is 128·N·r bytes (plus a little); Node's default cap (32 MiB) is exactly what N=2^15, r=8 needs, so leave headroom. */
const maxmem = (logN: number, r: number) => 128 * 2 ** logN * r * 2;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: maxmem(logN, r) };
  return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A new hash of `password`: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P);
  return ["scrypt", SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, b64url(salt), b64url(key)].join("$");
}

/**
 * Whether `password` matches `encoded`. The parameters are read from the
 * encoding, so hashes made before the cost is raised keep verifying. An
 * encoding this code cannot read never matches.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.logN, parsed.r, parsed.p);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash was made with weaker parameters than new hashes get (so it may be replaced at the next sign-in). */
export function needsRehash(encoded: string): boolean {
  const p = parseHash(encoded);
  return !p || p.logN < SCRYPT_LOG_N || p.r < SCRYPT_R || p.p < SCRYPT_P;
}

function parseHash(encoded: string): { logN: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [logN, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,3}$/.test(x!) ? Number(x) : NaN)) as [number, number, number];
  if (!(logN >= 1 && logN <= MAX_LOG_N && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return null;
  const salt = Buffer.from(parts[4]!, "base64url");
  const key = Buffer.from(parts[5]!, "base64url");
  if (salt.length === 0 || key.length === 0) return null;
  return { logN, r, p, salt, key };
}

/** A fresh secret for a session or a one-time link: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored of a token: its SHA-256 (hex), so a copy of the database signs no one in. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
