import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createAccounts } from "@homeward/accounts";
import { migrationProvider } from "../src/migrations.js";
import { openStore, SQLITE_FILE } from "../src/open.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-migrate-acct-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = "2025-01-01T00:00:00.000Z";

describe("migration: accounts", () => {
  it("keeps users and projects as they were: no credentials, every stage blind, roles readable, setup needed", async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(dir, SQLITE_FILE)) }) });
    const migrator = new Migrator({ db, provider: migrationProvider("sqlite"), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock" });
    expect((await migrator.migrateTo("0007_audit_chain")).error).toBeUndefined();
    await db.insertInto("users").values([{ name: "ana", display_name: "Ana" }, { name: "ben", display_name: "" }]).execute();
    await db.insertInto("projects").values({ id: "p", title: "P", description: "", created_at: at, updated_at: at, protocol: "{}" }).execute();
    // A legacy role name, stored as the mapping stores roles (JSON text).
    await db.insertInto("members").values({ project_id: "p", id: "m1", user_name: "ben", role: '"senior_reviewer"', added_at: at }).execute();
    await db.destroy();

    const store = await openStore({ dataDir: dir });
    try {
      expect(await store.accounts.getUser("ana")).toEqual({ name: "ana", displayName: "Ana", passwordHash: null, oidcSubject: null, admin: false, createdAt: null });
      expect((await store.getProject("p")).blinding).toEqual({});
      expect(await store.roleOf("p", "ben")).toBe("adjudicator");
      expect(await store.roleOf("p", "ana")).toBeNull();
      const accounts = createAccounts(store);
      expect(await accounts.setupNeeded()).toBe(true);
      // Setup gives the project (which had no owner) its first one.
      const link = await accounts.issueSetupLink();
      await accounts.setup(link.token, { name: "ana", password: "a long password" });
      expect(await store.roleOf("p", "ana")).toBe("owner");
      expect((await accounts.listMembers("p")).map((m) => [m.userName, m.role, m.pending])).toEqual([["ben", "adjudicator", true], ["ana", "owner", false]]);
    } finally {
      await store.close();
    }
  });
});
