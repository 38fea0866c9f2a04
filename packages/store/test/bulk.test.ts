import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, searchTerms, SQLITE_FILE, syntheticRecords, type Store } from "@homeward/store";
import { fold, indexWords, searchLiteral } from "../src/bulk.js";
import { migrationProvider, type Dialect } from "../src/migrations.js";
import { scratchDatabase } from "./scratch-database.js";

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;


/** Where to open a fresh store of each engine, and a raw Kysely on it migrated only to `upTo`. */
const engines: { name: Dialect; fresh: () => Promise<{ open: () => Promise<Store>; raw: (upTo: string) => Promise<Kysely<any>> }> }[] = [
  {
    name: "sqlite",
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), "homeward-bulk-"));
      return {
        open: () => openStore({ dataDir: dir }),
        raw: async (upTo) => migrated(new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, SQLITE_FILE)) }) }), "sqlite", upTo),
      };
    },
  },
];
if (pgUrl) {
  engines.push({
    name: "postgres",
    fresh: async () => {
      // A database of its own, made afresh per test, so suites running beside this one never meet it.
      const { url } = await scratchDatabase(pgUrl, "bulk_suite");
      return {
        open: () => openStore({ databaseUrl: url }),
        raw: async (upTo) => migrated(new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) }), "postgres", upTo),
      };
    },
  });
}

async function migrated(db: Kysely<any>, d: Dialect, upTo: string): Promise<Kysely<any>> {
  const m = new Migrator({ db, provider: migrationProvider(d), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock" });
  const { error } = await m.migrateTo(upTo);
  if (error) throw error;
  return db;
}

const ana = { actor: "ana" };

describe("search words", () => {
  it("folds a search box as the original word match did", () => {
    // The definition the store has always used: NFKD, marks removed, lower case, runs of letters and digits.
    const reference = (q: string) => (q.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 20);
    const alphabet = ["a", "Z", "9", " ", "-", "é", "Ü", "ß", "İ", "ﬁ", "Ⅻ", "\u0301", "ø", "Σ", "中", "😀", "\t", "'", "½", "٣"];
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      const q = Array.from({ length: Math.floor(rnd() * 40) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
      expect(searchTerms(q), JSON.stringify(q)).toEqual(reference(q));
    }
  });

  it("indexes each distinct word once and skips words too long for a PostgreSQL lexeme", () => {
    expect(indexWords("Müller and MULLER; müller-Lüdenscheidt 10.1000/Xyz", "r")).toBe("muller and ludenscheidt 10 1000 xyz");
    expect(indexWords(`short ${"é".repeat(1023)} ${"e".repeat(2047)} tail`, "r")).toBe(`short ${"e".repeat(1023)} tail`);
    // Limits are in UTF-8 bytes: "ø" (no decomposition) is two.
    expect(indexWords(`${"ø".repeat(1023)} ${"ø".repeat(1024)}`, "r")).toBe("ø".repeat(1023));
    const huge = Array.from({ length: 200_000 }, (_, i) => `w${i.toString(36)}x`).join(" ");
    expect(() => indexWords(huge, "r9")).toThrow(/record "r9"/);
  });

  it("holds a vector's lexemes to PostgreSQL's 1,048,575 bytes exactly, counted in UTF-8", () => {
    // 512 distinct words of 2,046 bytes and one of 1,023: 1,048,575 bytes of lexemes, the most a tsvector holds.
    const full = Array.from({ length: 512 }, (_, i) => i.toString(36).padStart(2, "0") + "a".repeat(2044));
    expect(searchLiteral(`${full.join(" ")} ${"b".repeat(1023)}`, "r").length).toBe(512 * 2048 + 1025 + 512);
    expect(() => searchLiteral(`${full.join(" ")} ${"b".repeat(1024)}`, "r1")).toThrow(/record "r1"/);
    // The same bytes with two-byte letters: 511 characters of "ø" are 1,022 bytes, one more is over.
    expect(searchLiteral(`${full.join(" ")} ${"ø".repeat(511)}b`, "r").length).toBeGreaterThan(0);
    expect(() => searchLiteral(`${full.join(" ")} ${"ø".repeat(512)}`, "r2")).toThrow(/record "r2"/);
    // Repeated and over-long words take no room.
    expect(searchLiteral(`${full.join(" ")} ${full.join(" ")} ${"c".repeat(2047)} ${"b".repeat(1023)}`, "r").length).toBe(512 * 2048 + 1025 + 512);
  });

  it("writes each distinct word as a quoted lexeme, in the order first met", () => {
    expect(searchLiteral("Trial of CHILDREN: children's trial, 10.1000/x1", "r")).toBe("'trial' 'of' 'children' 's' '10' '1000' 'x1'");
    expect(searchLiteral(" -- ", "r")).toBe("");
  });

  it("folds ASCII text as the Unicode definition does", () => {
    const reference = (q: string) => (q.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(" ");
    let s = 11;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      // Every ASCII character, control characters included, and now and then one past it.
      const q = Array.from({ length: Math.floor(rnd() * 60) }, () => String.fromCharCode(rnd() < 0.02 ? 0xc0 + Math.floor(rnd() * 64) : Math.floor(rnd() * 128))).join("");
      expect(fold(q), JSON.stringify(q)).toBe(reference(q));
    }
  });
});

describe("SQLite file", () => {
  it("is created with the page size chosen for bulk writes (it must be set before WAL mode)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "homeward-page-"));
    await (await openStore({ dataDir: dir })).close();
    const db = new Database(join(dir, SQLITE_FILE));
    try {
      expect(db.pragma("page_size", { simple: true })).toBe(16384);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });
});

describe.each(engines)("bulk writes on $name", ({ name, fresh }) => {
  let store: Store;
  let raw: (upTo: string) => Promise<Kysely<any>>;
  beforeAll(async () => {
    const f = await fresh();
    // A database created before the bulk-search migration, holding a record written the old way.
    const old = await f.raw("0001_initial");
    await sql`INSERT INTO users (name, display_name) VALUES ('ana', '')`.execute(old);
    await sql`INSERT INTO projects (id, title, description, created_at, updated_at, protocol) VALUES ('old', 'Old', '', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}')`.execute(old);
    const oldCols = sql`project_id, id, title, authors, keywords, extra, created_at`;
    const oldVals = sql`'old', 'r-old', 'Kinship kinship care', '[]', '[]', '{}', '2024-01-01T00:00:00Z'`;
    if (name === "sqlite") await sql`INSERT INTO records (${oldCols}) VALUES (${oldVals})`.execute(old);
    // Version 1 stored every folded word (repeats, and words longer than a lexeme, which to_tsvector skipped).
    else await sql`INSERT INTO records (${oldCols}, search_text) VALUES (${oldVals}, ${`kinship kinship care ${"x".repeat(3000)}`})`.execute(old);
    await old.destroy();
    store = await f.open();
    raw = f.raw;
  });
  afterAll(async () => {
    await store?.close();
  });

  it("keeps records written before the search-index migration searchable", async () => {
    const page = await store.queryRecords("old", { q: "kinsh care" });
    expect(page.items.map((r) => r.id)).toEqual(["r-old"]);
    await store.update("old", "records", "r-old", { title: "Guardianship" }, ana);
    expect((await store.queryRecords("old", { q: "kinship" })).total).toBe(0);
    expect((await store.queryRecords("old", { q: "guardian" })).total).toBe(1);
  });

  it("writes a multi-batch insert with its search index, sort keys and one audit entry", async () => {
    const p = await store.createProject({ title: "Bulk" }, ana);
    const records = syntheticRecords(5200, 3).map((r, i) => (i === 4321 ? { ...r, title: "Zyzzyva Ärger of the Ōtaki", abstract: null } : r));
    await store.insert(p.id, "records", records, ana);
    await store.settle();
    expect((await store.queryRecords(p.id)).total).toBe(5200);
    // Every record is found by its own DOI, whichever batch it was written in.
    for (const i of [0, 1999, 2000, 3999, 4000, 5199]) {
      const hits = await store.queryRecords(p.id, { q: records[i]!.doi! });
      expect(hits.items.map((r) => r.id)).toContain(records[i]!.id);
    }
    expect((await store.queryRecords(p.id, { q: "zyzzyv arger otaki" })).items.map((r) => r.id)).toEqual([records[4321]!.id]);
    // Counting a common word the slow way, from the records themselves.
    const word = "reunification";
    const expected = records.filter((r) => searchTerms([r.title, r.abstract, (r.authors ?? []).join(" "), r.journal, (r.keywords ?? []).join(" "), r.doi].join(" "), Infinity).some((t) => t.startsWith(word))).length;
    expect(expected).toBeGreaterThan(1000);
    // Counted exactly when the cap allows; by default the page says "more than" the cap.
    expect((await store.queryRecords(p.id, { q: word }, { countCap: records.length })).total).toBe(expected);
    expect(await store.queryRecords(p.id, { q: word, limit: 1 })).toMatchObject({ total: 1000, totalCapped: true });
    const first = await store.queryRecords(p.id, { sort: "title", limit: 3 });
    const byTitle = [...records].sort((a, b) => (a.title!.toLowerCase() < b.title!.toLowerCase() ? -1 : 1)).slice(0, 3);
    expect(first.items.map((r) => r.id)).toEqual(byTitle.map((r) => r.id));
    const audit = await store.listAudit(p.id);
    // The project's creation, its creator made owner, eleven parts of 500 records' after-values, the summary.
    expect(audit.total).toBe(14);
    expect(audit.items[0]).toMatchObject({ action: "records.create", after: { count: 5200, firstId: records[0]!.id, lastId: records[5199]!.id, parts: 11 } });
    // The parts are whole in the export (a listing carries only their size).
    const log = (await store.exportProject(p.id)).audit;
    const last = log[log.length - 2]!.after as { part: number; parts: number; items: { id: string; title: string }[] };
    expect(last).toMatchObject({ part: 11, parts: 11 });
    expect(last.items.map((r) => [r.id, r.title])).toEqual(records.slice(5000).map((r) => [r.id, r.title]));
    // Parts 1 to 11 in log order hold every record once, in the order given; the summary comes last and the chain holds.
    const parts = log.slice(-12, -1).map((e) => e.after as { part: number; items: { id: string }[] });
    expect(parts.map((x) => x.part)).toEqual(Array.from({ length: 11 }, (_, k) => k + 1));
    expect(parts.flatMap((x) => x.items.map((r) => r.id))).toEqual(records.map((r) => r.id));
    expect(await store.verifyAudit(p.id)).toEqual({ entries: 14, break: null });
    // A record written in bulk can be changed, and the index follows.
    await store.update(p.id, "records", records[4321]!.id, { title: "Quokka" }, ana);
    expect((await store.queryRecords(p.id, { q: "zyzzyva" })).total).toBe(0);
    expect((await store.queryRecords(p.id, { q: "quokka" })).items.map((r) => r.id)).toEqual([records[4321]!.id]);
  });

  it("chains the audit parts of bulk writes one after another in one transaction", async () => {
    const p = await store.createProject({ title: "One after another" }, ana);
    const records = syntheticRecords(5800, 5);
    // On PostgreSQL the second write's first ten parts are hashed as they are serialised, on the head
    // the first left (the project is held); its eleventh as it is linked.
    await store.transaction(async (tx) => {
      await tx.insert(p.id, "records", records.slice(0, 600), ana);
      await tx.insert(p.id, "records", records.slice(600), ana);
    });
    // The project's creation and its owner, then the parts and a summary of each write.
    expect(await store.verifyAudit(p.id)).toEqual({ entries: 2 + 3 + 12, break: null });
    const parts = (await store.exportProject(p.id)).audit.filter((e) => (e.after as { part?: number } | null)?.part !== undefined);
    expect(parts.map((e) => (e.after as { part: number }).part)).toEqual([1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parts.flatMap((e) => (e.after as { items: { id: string }[] }).items.map((r) => r.id))).toEqual(records.map((r) => r.id));
  });

  it("rolls back rows and search index of a bulk insert when its transaction fails", async () => {
    const p = await store.createProject({ title: "Rollback" }, ana);
    await store.insert(p.id, "records", [{ id: "keep", title: "Kept platypus" }], ana);
    const before = await store.exportProject(p.id);
    const records = syntheticRecords(3000, 5).map((r) => ({ ...r, title: `${r.title} platypus` }));
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(p.id, "records", records, ana);
        expect((await tx.queryRecords(p.id, { q: "platypus" }, { countCap: 5000 })).total).toBe(3001);
        throw new Error("cancelled");
      }),
    ).rejects.toThrow("cancelled");
    expect(await store.exportProject(p.id)).toEqual(before);
    expect((await store.queryRecords(p.id, { q: "platypus" })).items.map((r) => r.id)).toEqual(["keep"]);
    // The same ids are free again, and the index is intact after another bulk write.
    await store.insert(p.id, "records", records, ana);
    expect((await store.queryRecords(p.id, { q: "platypus" }, { countCap: 5000 })).total).toBe(3001);
    if (name === "sqlite") {
      const db = await raw("0002_bulk_search_index");
      try {
        await sql`INSERT INTO records_fts(records_fts, rank) VALUES ('integrity-check', 1)`.execute(db);
      } finally {
        await db.destroy();
      }
    }
  });

  // PostgreSQL only (COPY); not declared on SQLite, where there is nothing to run.
  if (name === "postgres") {
    it("refuses a record whose words overflow a search vector part-way through a COPY, and the connection goes on", async () => {
      const p = await store.createProject({ title: "Overflow" }, ana);
      const huge = Array.from({ length: 200_000 }, (_, i) => `w${i.toString(36)}x`).join(" ");
      const records = syntheticRecords(2000, 13).map((r, i) => (i === 1200 ? { ...r, abstract: huge } : r));
      await expect(store.insert(p.id, "records", records, ana)).rejects.toMatchObject({ status: 400, message: expect.stringContaining(`record "${records[1200]!.id}"`) });
      expect((await store.queryRecords(p.id)).total).toBe(0);
      await store.insert(p.id, "records", records.filter((_, i) => i !== 1200), ana);
      expect((await store.queryRecords(p.id)).total).toBe(1999);
    });
  }

  it("checks ids and references of a large batch in one pass", async () => {
    const p = await store.createProject({ title: "Checks" }, ana);
    await store.insert(p.id, "records", syntheticRecords(2500, 9), ana);
    const again = syntheticRecords(2600, 9).slice(2499);
    await expect(store.insert(p.id, "records", again, ana)).rejects.toMatchObject({ status: 409, message: 'record "rec-2499" already exists' });
    const orphans = syntheticRecords(3, 11).map((r, i) => ({ ...r, id: `o${i}`, searchId: i === 2 ? "nowhere" : null }));
    await expect(store.insert(p.id, "records", orphans, ana)).rejects.toThrow(/refers to unknown search "nowhere"/);
    expect((await store.queryRecords(p.id)).total).toBe(2500);
  });
});

describe.each(engines)("records written before migration 0026 on $name", ({ name, fresh }) => {
  it("stay findable and changeable; new vectors equal the ones the generated column made", async () => {
    const f = await fresh();
    const old = await f.raw("0024_synthesis_links");
    await sql`INSERT INTO users (name, display_name) VALUES ('ana', '')`.execute(old);
    await sql`INSERT INTO projects (id, title, description, created_at, updated_at, protocol) VALUES ('old', 'Old', '', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}')`.execute(old);
    const title = "Kinship CARE in Ōtaki, 2019–2020: naïve Müller-Lüdenscheidt ½ ٣ 中文 carers";
    const cols = sql`project_id, id, title, authors, keywords, extra, created_at, sort_title`;
    const vals = sql`'old', 'r-old', ${title}, '[]', '[]', '{}', '2024-01-01T00:00:00Z', ${title.toLowerCase()}`;
    if (name === "sqlite") {
      await sql`INSERT INTO records (${cols}) VALUES (${vals})`.execute(old);
      await sql`INSERT INTO records_fts(rowid, title) SELECT rid, title FROM records WHERE id = 'r-old'`.execute(old);
    } else await sql`INSERT INTO records (${cols}, search_text) VALUES (${vals}, ${indexWords(title, "r-old")})`.execute(old);
    await old.destroy();
    const store = await f.open();
    try {
      expect((await store.queryRecords("old", { q: "kinsh otaki ludensch 中文" })).items.map((r) => r.id)).toEqual(["r-old"]);
      await store.insert("old", "records", [{ id: "r-new", title }], ana);
      expect((await store.queryRecords("old", { q: "naive carer" })).items.map((r) => r.id).sort()).toEqual(["r-new", "r-old"]);
      // The store's own connection: a migrator here would try to take later migrations back down.
      const db = (store as unknown as { db: Kysely<any> }).db;
      {
        if (name === "postgres") {
          // The vector the store now writes is the one array_to_tsvector made from the same words.
          const { rows } = await sql<{ id: string; v: string }>`SELECT id, search::text AS v FROM records ORDER BY id`.execute(db);
          expect(rows[0]!.v).toBe(rows[1]!.v);
          expect(rows[0]!.v).toContain("'ludenscheidt'");
          const columns = await sql<{ column_name: string; is_generated: string }>`SELECT column_name, is_generated FROM information_schema.columns WHERE table_name = 'records' AND column_name IN ('search', 'search_text')`.execute(db);
          expect(columns.rows).toEqual([{ column_name: "search", is_generated: "NEVER" }]);
        }
        const indexes =
          name === "sqlite"
            ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'`.execute(db)
            : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'records'`.execute(db);
        const names = indexes.rows.map((r) => r.name);
        expect(names).toContain("records_group_search");
        expect(names).not.toContain("records_duplicate_group_id");
      }
      await store.update("old", "records", "r-old", { title: "Guardianship" }, ana);
      expect((await store.queryRecords("old", { q: "kinship" })).items.map((r) => r.id)).toEqual(["r-new"]);
      expect((await store.queryRecords("old", { q: "guardian" })).items.map((r) => r.id)).toEqual(["r-old"]);
    } finally {
      await store.close();
    }
  });
});
