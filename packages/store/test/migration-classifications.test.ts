import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrationProvider } from "../src/migrations.js";
import { openStore, SQLITE_FILE } from "../src/open.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = "2025-01-01T00:00:00.000Z";

describe("migration: study classifications", () => {
  it("moves a database's strands, design classes, typology and equity characteristics as a version-1 file's import does", async () => {
    // A database as the previous version left it.
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, SQLITE_FILE)) }) });
    const migrator = new Migrator({ db, provider: migrationProvider("sqlite"), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock" });
    const names = Object.keys(await migrationProvider("sqlite").getMigrations()).sort();
    const before = names[names.findIndex((n) => n.endsWith("_study_classifications")) - 1]!;
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    const protocol = {
      question: "Q", interventionTypology: [{ code: "skills", label: "Parent skills", description: null }],
      equityCharacteristics: [{ code: "place", label: "Place of residence", description: null }],
    };
    await db.insertInto("projects").values({ id: "p", title: "P", description: "", created_at: at, updated_at: at, protocol: JSON.stringify(protocol) }).execute();
    await db.insertInto("projects").values({ id: "empty", title: "E", description: "", created_at: at, updated_at: at, protocol: JSON.stringify({}) }).execute();
    const study = (id: string, strand: string | null, design: string, attributes: object) =>
      ({ project_id: "p", id, name: id, short_citation: null, design, country: null, arms: "[]", strand, attributes: JSON.stringify(attributes), created_at: at });
    await db.insertInto("studies").values([
      study("a", "both", "Randomised trial", { interventionType: "skills", progressPlus: ["place"], year: 2001 }),
      study("b", "implementation", "Qualitative", { interventionType: "skills" }),
      study("c", null, "RCT", {}),
    ]).execute();
    await db.destroy();

    const store = await openStore({ dataDir: dir });
    try {
      const p = await store.getProtocol("p");
      expect(p.question).toBe("Q");
      expect(p.classifications.map((c) => [c.code, c.role])).toEqual([
        ["strand", "strand"], ["designClass", "design"], ["interventionType", "typology"], ["progressPlus", "equity"],
      ]);
      const studies = await store.list("p", "studies");
      expect(studies.map((s) => [s.id, s.classifications, s.attributes])).toEqual([
        ["a", { strand: ["effectiveness", "implementation"], designClass: "RCT", interventionType: "skills", progressPlus: ["place"] }, { year: 2001 }],
        ["b", { strand: ["implementation"] }, { interventionType: "skills" }],
        ["c", { strand: [] }, {}],
      ]);
      expect((await store.getProtocol("empty")).classifications).toEqual([]);
      // The migrated rows are ordinary entities: they export as a current-version file.
      expect((await store.exportProject("p")).studies[0]).not.toHaveProperty("strand");
    } finally {
      await store.close();
    }
  });
});
