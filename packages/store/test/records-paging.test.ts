import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

/**
 * Jumps into the records table start from marks (every `spacing`-th record
 * of an order, records-paging.ts): every page of every order must be the
 * page a reading of the whole order gives, before and after writes that
 * shift positions, on both engines. The expected orders are worked out here
 * from the records written, not read back through the code under test.
 */
const ana = { actor: "ana" };
const SPACING = 7;
const WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove"];

type Row = { id: string; title: string; year: number | null };
const rowsOf = (n: number, from = 0): Row[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    // Titles and years repeat, so many records share a key and the id decides between them; a fifth have no year.
    return { id: `r${String(i).padStart(4, "0")}`, title: `${WORDS[(i * 3) % WORDS.length]} ${WORDS[i % 3]}`, year: i % 5 === 0 ? null : 1990 + ((i * 7) % 13) };
  });

const byTitle = (a: Row, b: Row) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
// A missing year is the smallest.
const byYear = (a: Row, b: Row) => (a.year ?? -Infinity) - (b.year ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe.each(storeEngines("records_paging"))("records table jumps on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await open());
    // Marks every 7 records, so a table of a couple of hundred has dozens of them.
    (store as unknown as { marks: { spacing: number } }).marks.spacing = SPACING;
  });
  afterAll(async () => {
    await store.close();
    await done();
  });

  /** Every page of `limit` (offsets 0, limit, 2·limit, … and a few odd ones) in both directions, against `rows` sorted by `cmp`. */
  async function everyPage(projectId: string, rows: Row[], sort: "title" | "year", cmp: (a: Row, b: Row) => number, limit: number) {
    const asc = [...rows].sort(cmp).map((r) => r.id);
    for (const dir of ["asc", "desc"] as const) {
      const order = dir === "asc" ? asc : [...asc].reverse();
      const offsets = [...Array.from({ length: Math.ceil(rows.length / limit) + 1 }, (_, k) => k * limit), 1, SPACING - 1, SPACING, SPACING + 1, 3 * SPACING, rows.length - 1, Math.floor(rows.length / 2)];
      for (const offset of offsets) {
        const page = await store.queryRecords(projectId, { sort, dir, offset, limit });
        expect(page.items.map((r) => r.id), `${sort} ${dir} offset ${offset}`).toEqual(order.slice(offset, offset + limit));
      }
      // Scrolling (after the page before's last record) walks the same order.
      const walked: string[] = [];
      let after: string | undefined;
      for (;;) {
        const ids = (await store.queryRecords(projectId, { sort, dir, limit: 23, after })).items.map((r) => r.id);
        walked.push(...ids);
        if (ids.length < 23) break;
        after = ids[ids.length - 1];
      }
      expect(walked, `${sort} ${dir} scrolled`).toEqual(order);
    }
  }

  it("gives every page of every order, as a whole reading of it would", async () => {
    const p = await store.createProject({ title: "Jumps" }, ana);
    const rows = rowsOf(200);
    await store.insert(p.id, "records", rows, ana);
    for (const limit of [10, 25]) {
      await everyPage(p.id, rows, "title", byTitle, limit);
      await everyPage(p.id, rows, "year", byYear, limit);
    }
  });

  it("drops its marks when records are added or re-keyed, and keeps them through other writes", async () => {
    const p = await store.createProject({ title: "Shifts" }, ana);
    let rows = rowsOf(120);
    await store.insert(p.id, "records", rows, ana);
    await everyPage(p.id, rows, "title", byTitle, 10);
    await everyPage(p.id, rows, "year", byYear, 10);
    // New records sorting first shift every position after them.
    const added = [
      { id: "a001", title: "aardvark", year: null },
      { id: "a002", title: "aardwolf", year: 1900 },
    ];
    await store.insert(p.id, "records", added, ana);
    rows = [...rows, ...added];
    await everyPage(p.id, rows, "title", byTitle, 10);
    await everyPage(p.id, rows, "year", byYear, 10);
    // A changed title or year moves its record.
    await store.update(p.id, "records", "r0100", { title: "zzz last", year: 1850 }, ana);
    rows = rows.map((r) => (r.id === "r0100" ? { ...r, title: "zzz last", year: 1850 } : r));
    await everyPage(p.id, rows, "title", byTitle, 10);
    await everyPage(p.id, rows, "year", byYear, 10);
    // A write of something else leaves the marks standing (and the pages right).
    const marks = (store as unknown as { marks: { projects: Map<string, { lists: Map<string, { list: unknown[] }> }> } }).marks;
    const before = marks.projects.get(p.id)!.lists.get("sort_title asc")!;
    expect(before.list.length).toBeGreaterThan(3);
    await store.insert(p.id, "searches", [{ source: "Elsewhere", kind: "database" }], ana);
    await everyPage(p.id, rows, "title", byTitle, 10);
    expect(marks.projects.get(p.id)!.lists.get("sort_title asc")).toBe(before);
  });

  it("takes a large table's marks in the background when its first page is asked for", async () => {
    const p = await store.createProject({ title: "Warm" }, ana);
    const rows = rowsOf(8 * SPACING + 30);
    await store.insert(p.id, "records", rows, ana);
    const marks = (store as unknown as { marks: { projects: Map<string, { lists: Map<string, { list: unknown[] }> }>; idle: () => Promise<void> } }).marks;
    await store.queryRecords(p.id, { sort: "year", limit: 5 });
    await marks.idle();
    const half = Math.ceil(rows.length / 2);
    for (const way of ["asc", "desc"]) expect(marks.projects.get(p.id)!.lists.get(`year ${way}`)!.list.length).toBe(Math.floor(half / SPACING));
    await everyPage(p.id, rows, "year", byYear, 10);
  });
});

/**
 * A search means the same on both engines: every term matches as a prefix of
 * a word. SQLite asks it as the index's whole words beginning with each term
 * (search-sqlite.ts), remembered until the index changes, and reads a common
 * search's page along the sort index: these must not change what matches.
 */
describe.each(storeEngines("records_search"))("records search on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await open());
  });
  afterAll(async () => {
    await store.close();
    await done();
  });
  const ids = async (projectId: string, q: object, opts?: { countCap: number }) => (await store.queryRecords(projectId, q, opts)).items.map((r) => r.id);

  it("matches every word a term begins, however many, and words written after an earlier search", async () => {
    const p = await store.createProject({ title: "Words" }, ana);
    const words = ["trial", "trials", "trialling", "trio", "triage"];
    // Seventy words beginning "zq": more than SQLite spells out, so that term stays a prefix query there.
    const many = Array.from({ length: 70 }, (_, i) => ({ id: `z${String(i).padStart(2, "0")}`, title: `zq${i}x common` }));
    await store.insert(p.id, "records", [...words.map((w, i) => ({ id: `w${i}`, title: `${w} common` })), ...many], ana);
    expect(await ids(p.id, { q: "tria", sort: "title" })).toEqual(["w4", "w0", "w2", "w1"]);
    expect(await ids(p.id, { q: "tri common", sort: "title" })).toEqual(["w4", "w0", "w2", "w1", "w3"]);
    expect(await ids(p.id, { q: "trials", sort: "title" })).toEqual(["w1"]);
    expect(await ids(p.id, { q: "trialx" })).toEqual([]);
    expect((await store.queryRecords(p.id, { q: "zq", limit: 1000 })).items.map((r) => r.id).sort()).toEqual(many.map((r) => r.id));
    // "zq10x" sorts before "zq1x".
    expect(await ids(p.id, { q: "zq1 common", sort: "title", limit: 12 })).toEqual(["z10", "z11", "z12", "z13", "z14", "z15", "z16", "z17", "z18", "z19", "z01"]);
    // A word first written after "tria" was searched for is found by the next search.
    await store.insert(p.id, "records", [{ id: "w9", title: "trialists" }], ana);
    expect(await ids(p.id, { q: "tria", sort: "title" })).toEqual(["w4", "w0", "w9", "w2", "w1"]);
    await store.update(p.id, "records", "w3", { title: "triangle common" }, ana);
    expect(await ids(p.id, { q: "triang" })).toEqual(["w3"]);
    expect(await ids(p.id, { q: "trio" })).toEqual([]);
  });

  it("pages a search with more matches than it counts as it pages one with fewer", async () => {
    const p = await store.createProject({ title: "Common" }, ana);
    // Two records in three hold "common", every fifth "rare"; titles in a known order.
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: `c${String(i).padStart(3, "0")}`,
      title: `${String((i * 37) % 300).padStart(3, "0")} ${i % 3 === 2 ? "other" : "common"}${i % 5 === 0 ? " rare" : ""}`,
      year: i % 4 === 0 ? null : 1980 + (i % 40),
    }));
    await store.insert(p.id, "records", rows, ana);
    for (const [q, test] of [
      ["comm", (t: string) => t.includes("common")],
      ["common rare", (t: string) => t.includes("common") && t.includes("rare")],
      ["rar", (t: string) => t.includes("rare")],
    ] as const) {
      const matching = rows.filter((r) => test(r.title));
      const byTitle = [...matching].sort((a, b) => (a.title < b.title ? -1 : 1)).map((r) => r.id);
      const byYearDesc = [...matching].sort((a, b) => (b.year ?? -Infinity) - (a.year ?? -Infinity) || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      // A count cap of 5 marks every one of these as "more than" (the way a common word is at scale).
      for (const cap of [5, 1000]) {
        const page = await store.queryRecords(p.id, { q, sort: "title", limit: 20 }, { countCap: cap });
        expect(page.items.map((r) => r.id), `${q} cap ${cap}`).toEqual(byTitle.slice(0, 20));
        expect(page.totalCapped ?? false).toBe(cap < matching.length);
        expect(await ids(p.id, { q, sort: "title", offset: 15, limit: 10 }, { countCap: cap })).toEqual(byTitle.slice(15, 25));
        expect(await ids(p.id, { q, sort: "title", after: byTitle[9], limit: 10 }, { countCap: cap })).toEqual(byTitle.slice(10, 20));
        expect(await ids(p.id, { q, sort: "year", dir: "desc", limit: 30 }, { countCap: cap })).toEqual(byYearDesc.slice(0, 30));
        expect(await ids(p.id, { q, sort: "year", dir: "desc", after: byYearDesc[29], limit: 30 }, { countCap: cap })).toEqual(byYearDesc.slice(30, 60));
      }
    }
  });
});
