import { describe, expect, it } from "vitest";
import { collectionInfo, DuplicatePair, fileRuleContext, pairKey, permitDuplicatePair, Protocol, validateDuplicatePairs } from "@homeward/model";

const at = "2025-01-02T03:04:05.000Z";
const pair = (o: Partial<DuplicatePair> & Pick<DuplicatePair, "id" | "recordIdA" | "recordIdB">): DuplicatePair =>
  DuplicatePair.parse({ reasons: [], createdAt: at, ...o });
const ctxOf = (pairs: DuplicatePair[]) => fileRuleContext({ protocol: Protocol.parse({}), duplicatePairs: pairs });
const ana = { name: "ana", roles: [] };

describe("duplicate pair rules", () => {
  it("are the collection's rules", () => {
    expect(collectionInfo("duplicatePairs").validate).toBe(validateDuplicatePairs);
    expect(collectionInfo("duplicatePairs").permit).toBe(permitDuplicatePair);
  });

  it("need who and when for a decision, and neither while pending", async () => {
    await expect(validateDuplicatePairs([pair({ id: "p", recordIdA: "a", recordIdB: "b", status: "duplicate" })], ctxOf([]))).rejects.toThrow(/needs decidedBy and decidedAt/);
    await expect(validateDuplicatePairs([pair({ id: "p", recordIdA: "a", recordIdB: "b", status: "duplicate", decidedBy: "ana" })], ctxOf([]))).rejects.toThrow(/needs decidedBy and decidedAt/);
    await expect(validateDuplicatePairs([pair({ id: "p", recordIdA: "a", recordIdB: "b", decidedBy: "ana" })], ctxOf([]))).rejects.toThrow(/pending pair has no decidedBy/);
    await expect(validateDuplicatePairs([pair({ id: "p", recordIdA: "a", recordIdB: "b", status: "not_duplicate", decidedBy: "ana", decidedAt: at })], ctxOf([]))).resolves.toBeUndefined();
  });

  it("allow one pair per two records, whichever way round, and never a record with itself", async () => {
    const existing = pair({ id: "old", recordIdA: "a", recordIdB: "b" });
    await expect(validateDuplicatePairs([pair({ id: "new", recordIdA: "b", recordIdB: "a" })], ctxOf([existing]))).rejects.toMatchObject({ status: 409 });
    await expect(validateDuplicatePairs([pair({ id: "x", recordIdA: "a", recordIdB: "c" }), pair({ id: "y", recordIdA: "c", recordIdB: "a" })], ctxOf([]))).rejects.toMatchObject({ status: 409 });
    await expect(validateDuplicatePairs([pair({ id: "s", recordIdA: "a", recordIdB: "a" })], ctxOf([]))).rejects.toThrow(/with itself/);
    // Changing the existing pair is not a second one.
    await expect(validateDuplicatePairs([{ ...existing, status: "duplicate", decidedBy: "ana", decidedAt: at }], ctxOf([existing]))).resolves.toBeUndefined();
    expect(pairKey("a", "b")).toBe(pairKey("b", "a"));
  });

  it("sign a set or changed decision with the acting user", () => {
    const before = pair({ id: "p", recordIdA: "a", recordIdB: "b", status: "duplicate", decidedBy: "ben", decidedAt: at });
    // Setting someone else's name is refused; so is changing ben's decision while keeping his name on it.
    expect(() => permitDuplicatePair("create", null, { ...before, id: "q" }, ana)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => permitDuplicatePair("update", before, { ...before, status: "not_duplicate" }, ana)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => permitDuplicatePair("update", before, { ...before, status: "not_duplicate", decidedBy: "ana", decidedAt: "2025-02-01T00:00:00.000Z" }, ana)).not.toThrow();
    // An untouched decision may stay ben's while someone edits another field.
    expect(() => permitDuplicatePair("update", before, { ...before, reasons: ["checked"] }, ana)).not.toThrow();
  });
});
