import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { backupInstance, openStore, restoreInstance, type Store } from "@homeward/store";
import { fullProjectFile } from "./fixture.js";
import { scratchDatabase } from "./scratch-database.js";

const dir = mkdtempSync(join(tmpdir(), "homeward-backup-"));
const ana = { actor: "ana" };
const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

const sqliteStore = () => openStore({ dataDir: mkdtempSync(join(dir, "data-")) });
async function pgStore(suffix: string): Promise<Store> {
  const db = await scratchDatabase(pgUrl!, `backup_${suffix}_${process.pid}`);
  drops.push(db.drop);
  return openStore({ databaseUrl: db.url });
}

/** An instance with two projects (one holding every collection), a change after import and a user in no project. */
async function seeded(): Promise<Store> {
  const s = await sqliteStore();
  await s.importProject(fullProjectFile("p-full"), ana);
  const p = await s.createProject({ title: "Second" }, { actor: "ben" });
  await s.insert(p.id, "studies", [{ id: "s1", name: "Smith 2010" }], { actor: "ben" });
  await s.ensureUser("carol", "Carol Q.");
  // Credentials travel with the users: a password, an administrator, an organisation identity.
  await s.accounts.setPasswordHash("carol", "scrypt$15$8$1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U");
  await s.accounts.setAdmin("carol", true);
  await s.restoreCredentials("ben", { passwordHash: null, oidcSubject: "https://login.example.org 248289761001", admin: false, createdAt: "2025-06-01T10:00:00.000Z" });
  // Sessions and one-time links are not backed up.
  await s.accounts.insertSession({ tokenHash: "f".repeat(64), userName: "carol", createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2099-01-01T00:00:00.000Z", lastSeenAt: "2026-01-01T00:00:00.000Z" });
  await s.accounts.insertLink({ tokenHash: "e".repeat(64), userName: "ana", purpose: "reset", projectId: null, createdBy: "carol", createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2099-01-01T00:00:00.000Z", usedAt: null });
  return s;
}

async function exports(s: Store) {
  const ps = await s.listProjects();
  const out: Record<string, unknown> = {};
  for (const p of ps) out[p.id] = await s.exportProject(p.id);
  return out;
}

async function expectSame(from: Store, to: Store) {
  expect(await exports(to)).toEqual(await exports(from));
  const users = await to.listUsers();
  for (const u of await from.listUsers()) expect(users).toContainEqual(u);
  for (const p of await to.listProjects()) expect((await to.verifyAudit(p.id)).break).toBeNull();
  // Every user's credentials and creation time as they were; a restored instance starts signed out.
  const accounts = await to.accounts.listAccountUsers();
  for (const u of await from.accounts.listAccountUsers()) expect(accounts).toContainEqual(u);
  expect(await to.accounts.findSession("f".repeat(64))).toBeNull();
  expect(await to.accounts.findLink("e".repeat(64))).toBeNull();
}

describe("backup and restore of a whole instance", () => {
  it("SQLite → file → SQLite: every project exports the same, users kept, chains verify", async () => {
    const a = await seeded();
    const file = join(dir, "a.hwbackup");
    expect(await backupInstance(a, file)).toEqual({ users: 3, projects: 2 });
    const lines = gunzipSync(readFileSync(file)).toString("utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: "homeward-backup", version: 1, engine: "sqlite", projects: 2 });
    const b = await sqliteStore();
    expect(await restoreInstance(b, file, { actor: "ana" })).toEqual({ users: 3, projects: 2 });
    await expectSame(a, b);
    expect((await b.listUsers()).find((u) => u.name === "carol")).toEqual({ name: "carol", displayName: "Carol Q." });
    expect(await b.accounts.getUser("carol")).toMatchObject({ admin: true, passwordHash: expect.stringMatching(/^scrypt\$15\$/), oidcSubject: null });
    expect(await b.accounts.getUser("ben")).toMatchObject({ admin: false, passwordHash: null, oidcSubject: "https://login.example.org 248289761001", createdAt: "2025-06-01T10:00:00.000Z" });
    expect(await b.isAdmin("carol")).toBe(true);
    // The backup file holds no session or link.
    expect(lines.join("\n")).not.toContain("f".repeat(64));
    // Restored as they were: the restoring user is not made an owner of the projects.
    expect(await b.roleOf("p-full", "ana")).toBe("owner");
    const second = (await b.listProjects()).find((p) => p.title === "Second")!;
    expect(await b.roleOf(second.id, "ana")).toBeNull();
    expect(await b.roleOf(second.id, "ben")).toBe("owner");
    await a.close();
    await b.close();
  });

  it.runIf(pgUrl)("SQLite → PostgreSQL → SQLite", async () => {
    const a = await seeded();
    const f1 = join(dir, "to-pg.hwbackup");
    await backupInstance(a, f1);
    const pgs = await pgStore("rt");
    const c = await sqliteStore();
    try {
      // Cut after the first project's line: refused, and PostgreSQL rolls the import back too.
      const cut = join(dir, "to-pg-cut.hwbackup");
      const lines = gunzipSync(readFileSync(f1)).toString("utf8").split("\n");
      writeFileSync(cut, gzipSync(lines.slice(0, 5).join("\n") + "\n"));
      await expect(restoreInstance(pgs, cut, ana)).rejects.toThrow("backup file is cut off after line 5 (no end line)");
      expect(await pgs.listProjects()).toEqual([]);
      expect(await pgs.listUsers()).toEqual([]);
      await restoreInstance(pgs, f1, ana);
      await expectSame(a, pgs);
      // The chain holds on PostgreSQL for writes after the restore, too.
      const second = (await pgs.listProjects()).find((p) => p.title === "Second")!;
      await pgs.insert(second.id, "studies", [{ id: "s2", name: "Jones 2012" }], ana);
      expect((await pgs.verifyAudit(second.id)).break).toBeNull();
      const f2 = join(dir, "from-pg.hwbackup");
      await backupInstance(pgs, f2);
      expect(JSON.parse(gunzipSync(readFileSync(f2)).toString("utf8").split("\n")[0]!).engine).toBe("postgres");
      await restoreInstance(c, f2, ana);
      await expectSame(pgs, c);
    } finally {
      await Promise.all([a.close(), pgs.close(), c.close()]);
    }
  });

  it("a truncated or damaged file is refused with the line, and nothing is written", async () => {
    const a = await seeded();
    const file = join(dir, "whole.hwbackup");
    await backupInstance(a, file);
    const text = gunzipSync(readFileSync(file)).toString("utf8");
    const lines = text.trimEnd().split("\n");
    const cases: [string, Buffer, RegExp][] = [
      ["no end line", gzipSync(lines.slice(0, -1).join("\n") + "\n"), /^backup file is cut off after line 6 \(no end line\)$/],
      ["cut mid-stream", readFileSync(file).subarray(0, Math.floor(readFileSync(file).length * 0.6)), /^backup file is cut off or damaged after line \d+/],
      ["a line cut short", gzipSync(lines.slice(0, 5).join("\n") + "\n" + lines[5]!.slice(0, 200)), /^backup file line 6: not JSON$/],
      ["a broken chain", gzipSync(text.replace('"actor":"ben"', '"actor":"mallory"')), /^backup file line \d: project file: audit chain broken at entry/],
      ["not a backup", gzipSync('{"format":"homeward-project"}\n'), /^backup file line 1: not a Homeward backup/],
      ["not gzip", Buffer.from("hello\n"), /^backup file is cut off or damaged after line 0/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, `bad-${name.replace(/ /g, "-")}`);
      writeFileSync(path, bytes);
      const b = await sqliteStore();
      await expect(restoreInstance(b, path, ana), name).rejects.toThrow(message);
      expect(await b.listProjects(), name).toEqual([]);
      expect(await b.listUsers(), name).toEqual([]);
      await b.close();
    }
    await a.close();
  });

  it("restore into an instance holding a project is refused", async () => {
    const a = await seeded();
    const file = join(dir, "busy.hwbackup");
    await backupInstance(a, file);
    await expect(restoreInstance(a, file, ana)).rejects.toThrow("the instance already holds projects; restore needs an empty one");
    expect((await a.listProjects()).length).toBe(2);
    await a.close();
  });
});
