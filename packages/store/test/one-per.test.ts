import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { parseProjectFile } from "@homeward/model";
import { currentSettings } from "@homeward/screening";
import { ConflictError, openStore, type Store } from "@homeward/store";
import { migrationProvider, type Dialect } from "../src/migrations.js";
import { SQLITE_FILE } from "../src/open.js";
import { scratchDatabase } from "./scratch-database.js";

/**
 * "One per" rules held by unique indexes (migration 0015), on both engines:
 * a database that already holds duplicates from older races is upgraded
 * (the row the engines read as current stays in force, the others are kept,
 * marked), such a project's file imports and exports unchanged, and writers
 * racing for one place leave one row and get 409s naming it.
 */

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
const at = (s: number) => `2025-01-01T00:00:${String(s).padStart(2, "0")}.000Z`;

interface Engine {
  name: string;
  dialect: Dialect;
  /** A database at every migration but 0015, then the store over it (migrated to the latest). */
  open: (seed: (db: Kysely<any>) => Promise<void>) => Promise<{ store: Store; done: () => Promise<void> }>;
}

const withoutIntegrity = (d: Dialect): MigrationProvider => ({
  async getMigrations() {
    const all = await migrationProvider(d).getMigrations();
    delete all["0015_integrity"];
    return all;
  },
});

const older = async (db: Kysely<any>, d: Dialect) => {
  const migrator = new Migrator({ db, provider: withoutIntegrity(d), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock", allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  expect(error).toBeUndefined();
};

const engines: Engine[] = [
  {
    name: "sqlite",
    dialect: "sqlite",
    open: async (seed) => {
      const dir = mkdtempSync(join(tmpdir(), "homeward-one-per-"));
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, SQLITE_FILE)) }) });
      await older(db, "sqlite");
      await seed(db);
      await db.destroy();
      const store = await openStore({ dataDir: dir });
      return { store, done: () => store.close() };
    },
  },
];
if (pgUrl) {
  engines.push({
    name: "postgres",
    dialect: "postgres",
    open: async (seed) => {
      const scratch = await scratchDatabase(pgUrl, `one_per_${process.pid}`);
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: scratch.url }) }) });
      await older(db, "postgres");
      await seed(db);
      await db.destroy();
      const store = await openStore({ databaseUrl: scratch.url });
      return {
        store,
        done: async () => {
          await store.close();
          await scratch.drop();
        },
      };
    },
  });
}

describe.each(engines)("one-per rules on $name", ({ open }) => {
  let store: Store;
  let done: (() => Promise<void>) | undefined;
  afterAll(async () => done?.());

  it("upgrades a database holding duplicates: the current row stays in force, the rest are kept", async () => {
    ({ store, done } = await open(async (db) => {
      await db.insertInto("projects").values({ id: "p", title: "P", description: "", created_at: at(0), updated_at: at(0), protocol: "{}", blinding: "{}" }).execute();
      await db.insertInto("records").values({ project_id: "p", id: "r1", title: "One", authors: "[]", keywords: "[]", extra: "{}", created_at: at(0), sort_title: "one", sort_authors: "", sort_journal: "" }).execute();
      const recon = (id: string, s: number, decision: string) => ({ project_id: "p", id, record_id: "r1", stage: "title_abstract", decision, reasons: "[]", resolved_by: "kim", reason: "x", at: at(s) });
      // Three reconciliations of one record from an old race; "b" and "c" share a time, "c" has the greater id.
      await db.insertInto("reconciliations").values([recon("a", 1, "include"), recon("c", 2, "exclude"), recon("b", 2, "include")]).execute();
      const settings = (id: string, s: number, mode: string) => ({ project_id: "p", id, stage: "title_abstract", mode, dual_fraction: null, reviewers: "[]", updated_at: at(s) });
      await db.insertInto("screening_settings").values([settings("s1", 5, "dual"), settings("s2", 3, "single")]).execute();
      const ft = (id: string, s: number, status: string) => ({ project_id: "p", id, record_id: "r1", status, file: "null", note: null, updated_by: "ana", updated_at: at(s) });
      await db.insertInto("full_text_retrievals").values([ft("f1", 1, "sought"), ft("f2", 9, "retrieved")]).execute();
    }));
    const flags = async (table: string) =>
      Object.fromEntries(((await (store as unknown as { db: Kysely<any> }).db.selectFrom(table).select(["id", "superseded"]).execute()) as { id: string; superseded: number }[]).map((r) => [r.id, Number(r.superseded)]));
    expect(await flags("reconciliations")).toEqual({ a: 1, b: 1, c: 0 });
    expect(await flags("screening_settings")).toEqual({ s1: 0, s2: 1 });
    expect(await flags("full_text_retrievals")).toEqual({ f1: 1, f2: 0 });
    // The row in force is the one the screening engine reads as current.
    expect(currentSettings(await store.list("p", "screeningSettings"))?.id).toBe("s1");
    const recons = await store.list("p", "reconciliations");
    expect(recons[recons.length - 1]!.id).toBe("c");

    // A new row at a held place: 409, with the row in force.
    const err = await store.insert("p", "reconciliations", [{ recordId: "r1", stage: "title_abstract", decision: "include", reasons: [], resolvedBy: "kim", reason: "again" }], { actor: "kim" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, current: { id: "c", decision: "exclude" } });
    // Another stage is another place.
    await store.insert("p", "reconciliations", [{ recordId: "r1", stage: "full_text", decision: "include", reasons: [], resolvedBy: "kim", reason: "ft" }], { actor: "kim" });
  });

  it("exports and re-imports such a project unchanged, its duplicates marked the same way", async () => {
    const file = await store.exportProject("p");
    expect(file.reconciliations.map((r) => r.id).sort()).toEqual(expect.arrayContaining(["a", "b", "c"]));
    const copy = await store.importProject(file, { actor: "ana", copy: true });
    const again = await store.exportProject(copy.id);
    expect(again.reconciliations).toEqual(file.reconciliations);
    expect(again.screeningSettings).toEqual(file.screeningSettings);
    expect(again.fullTextRetrievals).toEqual(file.fullTextRetrievals);
    const err = await store
      .insert(copy.id, "screeningSettings", [{ stage: "title_abstract", mode: "single", reviewers: [], updatedAt: at(30) }], { actor: "ana" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, current: { id: "s1" } });
    expect(parseProjectFile(again).project.id).toBe(copy.id);
  });

  it("leaves one row when writers race for a place, each loser told which row stands", async () => {
    const project = (await store.createProject({ title: "Race" }, { actor: "ana" })).id;
    const [rec] = await store.insert(project, "records", [{ title: "R" }], { actor: "ana" });
    const users = ["kim", "lou", "max", "ned", "ola"];
    const results = await Promise.allSettled(
      users.map((u) => store.insert(project, "reconciliations", [{ recordId: rec!.id, stage: "title_abstract", decision: "include", reasons: [], resolvedBy: u, reason: u }], { actor: u })),
    );
    const rows = await store.list(project, "reconciliations");
    expect(rows).toHaveLength(1);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409, current: { id: rows[0]!.id } });
    const members = await Promise.allSettled(users.map(() => store.insert(project, "members", [{ userName: "zed", role: "reviewer" }], { actor: "ana" })));
    expect((await store.list(project, "members", { userName: "zed" })).length).toBe(1);
    expect(members.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of members) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409 });
  });
});
