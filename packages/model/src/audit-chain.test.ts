import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, checkChain, entryHash, verifyChain } from "./audit-chain.js";
import type { AuditEntry } from "./entities.js";

const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");

function entry(i: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { id: `a${i}`, at: `2026-01-0${i}T00:00:00.000Z`, actor: "ana", action: "studies.create", entity: "studies", entityId: `s${i}`, before: null, after: { b: 1, a: [i, { z: 1, y: null }] }, reason: null, ...extra };
}

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev: string | null = null;
  for (let i = 1; i <= n; i++) {
    const e = entry(i);
    const hash = entryHash(sha, prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe("audit chain", () => {
  it("serialises with keys in string order at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: "x" }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[1,{"e":"x","f":2}]},"b":1}');
    expect(canonicalJson({ B: 1, a: 2, "é": 3 })).toBe('{"B":1,"a":2,"é":3}');
  });

  it("verifies an intact chain and hashes the same content the same whatever its key order", () => {
    const log = chain(4);
    expect(verifyChain(sha, log)).toBeNull();
    const reordered = { ...log[1]!, after: { a: [2, { y: null, z: 1 }], b: 1 } };
    expect(verifyChain(sha, [log[0]!, reordered, log[2]!, log[3]!])).toBeNull();
  });

  it("finds an entry removed, renamed or re-dated", () => {
    const log = chain(4);
    expect(verifyChain(sha, [log[0]!, log[2]!, log[3]!])).toMatchObject({ index: 1, id: "a3", reason: expect.stringContaining("previous hash") });
    expect(verifyChain(sha, log.slice(1))).toMatchObject({ index: 0, id: "a2", reason: expect.stringContaining("start") });
    expect(verifyChain(sha, log.map((e, i) => (i === 2 ? { ...e, actor: "mallory" } : e)))).toMatchObject({ index: 2, id: "a3", reason: expect.stringContaining("changed") });
    expect(verifyChain(sha, log.map((e, i) => (i === 1 ? { ...e, at: "2019-01-01T00:00:00.000Z" } : e)))).toMatchObject({ index: 1, id: "a2" });
    expect(verifyChain(sha, log.map((e, i) => (i === 3 ? { ...e, hash: undefined } : e)))).toMatchObject({ index: 3, reason: "it has no hash" });
  });

  it("chains a legacy prefix without hashes, and only a prefix", () => {
    const plain = [entry(1), entry(2)];
    const r = checkChain(sha, plain, { legacyPrefix: true });
    expect(r.break).toBeNull();
    expect(r.legacy).toBe(2);
    expect(r.hashes).toEqual(chain(2).map((e) => ({ prevHash: e.prevHash, hash: e.hash })));
    // Entries written after the import chain onto the hashes computed for the prefix.
    const next = entry(3);
    const tail = { ...next, prevHash: r.hashes[1]!.hash, hash: entryHash(sha, r.hashes[1]!.hash, next) };
    expect(checkChain(sha, [...plain, tail], { legacyPrefix: true }).break).toBeNull();
    expect(checkChain(sha, [chain(1)[0]!, entry(2)], { legacyPrefix: true }).break).toMatchObject({ index: 1, reason: "it has no hash" });
    expect(checkChain(sha, plain).break).toMatchObject({ index: 0 });
  });
});
