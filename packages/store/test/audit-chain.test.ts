import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@homeward/store";
import { migrationProvider } from "../src/migrations.js";
import { openStore, SQLITE_FILE } from "../src/open.js";
import { fullProjectFile } from "./fixture.js";
import { scratchDatabase, storeEngines } from "./scratch-database.js";

const ana = { actor: "ana" };
const rawDb = (s: Store) => (s as unknown as { db: Kysely<any> }).db;

describe.each(storeEngines("audit_chain"))("audit chain on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await open());
  });
  afterEach(async () => {
    await store.close();
    await done();
  });

  it("chains every write and finds an entry changed in the database", async () => {
    const p = await store.createProject({ title: "Chain" }, ana);
    await store.insert(p.id, "studies", [{ id: "s1", name: "Smith 2010" }, { id: "s2", name: "Jones 2012" }], ana);
    await store.update(p.id, "studies", "s1", { name: "Smith 2011" }, { actor: "bo", reason: "typo" });
    // The project's creation, its creator made owner, two studies, the change.
    expect(await store.verifyAudit(p.id)).toEqual({ entries: 5, break: null });
    const items = (await store.listAudit(p.id)).items.reverse();
    expect(items[0]!.prevHash).toBeNull();
    for (let i = 1; i < items.length; i++) expect(items[i]!.prevHash).toBe(items[i - 1]!.hash);

    await sql`UPDATE audit SET actor = 'ana' WHERE project_id = ${p.id} AND id = ${items[4]!.id}`.execute(rawDb(store));
    expect((await store.verifyAudit(p.id)).break).toMatchObject({ index: 4, id: items[4]!.id, reason: expect.stringContaining("changed") });
    await sql`UPDATE audit SET actor = 'bo' WHERE project_id = ${p.id} AND id = ${items[4]!.id}`.execute(rawDb(store));
    await sql`DELETE FROM audit WHERE project_id = ${p.id} AND id = ${items[2]!.id}`.execute(rawDb(store));
    expect((await store.verifyAudit(p.id)).break).toMatchObject({ index: 2, id: items[3]!.id });
  });

  it("keeps an imported history as it came, verified, and refuses a file whose chain breaks", async () => {
    // A file written before the chain: chained on import, exported as it came.
    const legacy = fullProjectFile("ac-1");
    await store.importProject(legacy, ana);
    const first = JSON.stringify(await store.exportProject("ac-1"));
    expect(JSON.parse(first).audit.every((a: object) => !("hash" in a))).toBe(true);
    const imported = (await store.listAudit("ac-1")).items[0]!;
    expect(imported).toMatchObject({ action: "project.import", after: { chain: { verified: 0, chainedOnImport: legacy.audit!.length } } });
    expect((await store.verifyAudit("ac-1")).break).toBeNull();

    // Changes after the import chain onto it; the export carries their hashes and the import entry.
    await store.insert("ac-1", "studies", [{ id: "s-new", name: "New 2020" }], { actor: "bo" });
    const file = await store.exportProject("ac-1");
    const n = file.audit.length;
    expect(file.audit[n - 1]).toMatchObject({ action: "studies.create", prevHash: file.audit[n - 2]!.hash });
    expect(file.audit[n - 2]!.action).toBe("project.import");

    // A copy keeps every hash and verifies; its export is the file it came from.
    const copy = await store.importProject(JSON.parse(JSON.stringify(file)), { ...ana, copy: true });
    expect((await store.verifyAudit(copy.id)).break).toBeNull();
    const copied = (await store.listAudit(copy.id)).items[0]!;
    expect(copied.after).toMatchObject({ chain: { verified: n - legacy.audit!.length, chainedOnImport: legacy.audit!.length } });
    expect(JSON.stringify({ ...(await store.exportProject(copy.id)), project: file.project })).toBe(JSON.stringify(file));

    const tampered = (f: (a: any[]) => any[]) => {
      const t = JSON.parse(JSON.stringify(file));
      t.project.id = "ac-tampered";
      t.audit = f(t.audit);
      return t;
    };
    const last = file.audit[n - 1]!;
    const before = file.audit[n - 2]!;
    await expect(store.importProject(tampered((a) => a.filter((e) => e.id !== before.id)), ana)).rejects.toThrow(`audit chain broken at entry ${n - 1} ("${last.id}")`);
    await expect(store.importProject(tampered((a) => a.map((e) => (e.id === last.id ? { ...e, actor: "mallory" } : e))), ana)).rejects.toThrow(
      `audit chain broken at entry ${n} ("${last.id}"): its content does not match its hash`,
    );
    await expect(store.importProject(tampered((a) => a.map((e) => (e.id === before.id ? { ...e, at: "2019-01-01T00:00:00.000Z" } : e))), ana)).rejects.toThrow(`("${before.id}")`);
    // Hashes dropped from an entry after hashed ones: no longer a file written before the chain.
    await expect(store.importProject(tampered((a) => a.map((e) => (e.id === last.id ? { ...e, hash: undefined, prevHash: undefined } : e))), ana)).rejects.toThrow("it has no hash");
    expect(await store.hasProject("ac-tampered")).toBe(false);
  });

  it("keeps one chain under concurrent writes", async () => {
    const p = await store.createProject({ title: "Busy" }, ana);
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.insert(p.id, "studies", [{ id: `c${i}`, name: `Study ${i}` }], { actor: i % 2 ? "ana" : "bo" })));
    const v = await store.verifyAudit(p.id);
    // The creation, its creator made owner, twelve inserts.
    expect(v).toEqual({ entries: 14, break: null });
    const prevs = (await store.listAudit(p.id)).items.map((a) => a.prevHash);
    expect(new Set(prevs).size).toBe(14);
  });
});

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;

/** A database migrated up to just before the audit chain, and how to open a store on it. */
type Before = { db: Kysely<any>; open: () => Promise<Store>; done: () => Promise<void> };
const migrationEngines: [string, () => Promise<Before>][] = [
  [
    "SQLite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "homeward-migrate-chain-"));
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, SQLITE_FILE)) }) });
      return { db: await migratedBefore(db, "sqlite"), open: () => openStore({ dataDir: dir }), done: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];
if (pgUrl) {
  migrationEngines.push([
    "PostgreSQL",
    async () => {
      const scratch = await scratchDatabase(pgUrl, `audit_migrate_${process.pid}`);
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: scratch.url, max: 1 }) }) });
      return { db: await migratedBefore(db, "postgres"), open: () => openStore({ databaseUrl: scratch.url }), done: scratch.drop };
    },
  ]);
}

async function migratedBefore(db: Kysely<any>, d: "sqlite" | "postgres"): Promise<Kysely<any>> {
  const migrator = new Migrator({ db, provider: migrationProvider(d), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock" });
  const names = Object.keys(await migrationProvider(d).getMigrations()).sort();
  const { error } = await migrator.migrateTo(names[names.findIndex((n) => n.endsWith("_audit_chain")) - 1]!);
  if (error) throw error;
  return db;
}

describe.each(migrationEngines)("migration: audit chain on %s", (_name, before) => {
  it("chains the rows already in the log, in log order", async () => {
    const { db, open, done } = await before();
    const at = "2025-01-01T00:00:00.000Z";
    await db.insertInto("users").values({ name: "ana", display_name: "" }).execute();
    for (const id of ["p", "q"]) await db.insertInto("projects").values({ id, title: id, description: "", created_at: at, updated_at: at, protocol: "{}" }).execute();
    const row = (project_id: string, id: string) => ({ project_id, id, at, actor: "ana", action: "studies.create", entity: "studies", entity_id: id, before: "null", after: `{"id":"${id}","b":[1,{"y":2,"x":1}]}`, reason: null });
    // Interleaved projects: each chain follows its own project's entries.
    await db.insertInto("audit").values([row("p", "z1"), row("q", "y1"), row("p", "a2"), row("p", "m3")]).execute();
    await db.destroy();

    const store = await open();
    try {
      expect(await store.verifyAudit("p")).toEqual({ entries: 3, break: null });
      expect(await store.verifyAudit("q")).toEqual({ entries: 1, break: null });
      await store.insert("p", "studies", [{ id: "s4", name: "S 2004" }], ana);
      const log = (await store.listAudit("p")).items.reverse();
      expect(log.map((a) => a.id).slice(0, 3)).toEqual(["z1", "a2", "m3"]);
      expect(log[0]!.prevHash).toBeNull();
      expect(log[3]!.prevHash).toBe(log[2]!.hash);
      expect(await store.verifyAudit("p")).toEqual({ entries: 4, break: null });
      // A migrated row changed afterwards is found like any other.
      await sql`UPDATE audit SET reason = 'later' WHERE project_id = 'p' AND id = 'a2'`.execute(rawDb(store));
      expect((await store.verifyAudit("p")).break).toMatchObject({ index: 1, id: "a2" });
    } finally {
      await store.close();
      await done();
    }
  });
});
