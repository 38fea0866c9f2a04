import { describe, expect, it } from "vitest";
import { storeEngines } from "./scratch-database.js";

/**
 * A large batch of records (written with COPY on PostgreSQL, prepared
 * inserts on SQLite) reads back exactly as written, whatever characters COPY's
 * text format must escape, and is found by search.
 */
const awkward = ["tab\there", "line\nfeed", "carriage\rreturn", "back\\slash", "\\N", "\\\\N\t\\", "quote \" and ' and ,", "ünïcödé — 日本語", "", "trailing\\"];

describe.each(storeEngines("bulk_copy"))("bulk record writes (%s)", (_engine, open) => {
  it("keeps every character of 1,200 records and their nulls, and indexes them for search", async () => {
    const { store, done } = await open();
    try {
      const p = await store.createProject({ title: "Copy" }, { actor: "ana" });
      const records = Array.from({ length: 1200 }, (_, i) => ({
        id: `r${i}`,
        title: `${awkward[i % awkward.length]} title ${i}`,
        abstract: i % 3 === 0 ? null : `abstract ${awkward[(i + 3) % awkward.length]} zebrafish${i}x`,
        authors: i % 4 === 0 ? [] : [`Doe\t${i}, J.`, "O'Neil, K\\"],
        year: i % 5 === 0 ? null : 1990 + (i % 30),
        keywords: [awkward[(i + 1) % awkward.length]!],
        extra: { note: awkward[(i + 2) % awkward.length], n: i },
      }));
      await store.insert(p.id, "records", records, { actor: "ana" });
      const back = new Map((await store.list(p.id, "records")).map((r) => [r.id, r]));
      expect(back.size).toBe(1200);
      for (const r of records) {
        const b = back.get(r.id)!;
        expect({ id: b.id, title: b.title, abstract: b.abstract ?? null, authors: b.authors, year: b.year ?? null, keywords: b.keywords, extra: b.extra }).toEqual(r);
      }
      const found = await store.queryRecords(p.id, { q: "zebrafish7x", offset: 0, limit: 10, sort: "createdAt", dir: "asc" });
      expect(found.items.map((x) => x.id)).toEqual(["r7"]);
    } finally {
      await store.close();
      await done();
    }
  });
});
