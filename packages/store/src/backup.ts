import { once } from "node:events";
import { createReadStream, createWriteStream, openSync, renameSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { AccountUser } from "@homeward/accounts";
import { InputError } from "@homeward/model";
import type { Store, WriteContext } from "./store.js";

export const BACKUP_FORMAT = "homeward-backup";
export const BACKUP_VERSION = 1;

export interface BackupSummary {
  projects: number;
  users: number;
}

/** How far a backup has got: projects written of all, and the one being written. */
export interface BackupProgress {
  done: number;
  total: number;
  project: string | null;
}

/**
 * Writes a whole instance (users, then every project as the ordinary project
 * file, audit chain included) to `path` as gzip'd JSON lines: a header line,
 * one `{"user": …}` line per user, one `{"project": …}` line per project and an
 * `{"end": …}` line, so a cut-off file is told from a whole one. The file holds
 * no engine-specific value, so it restores on either engine. Memory is bounded
 * by the largest project, not the instance. Written beside `path` and renamed
 * when complete: a failed backup leaves no file that looks whole.
 */
export async function backupInstance(store: Store, path: string, now: () => Date = () => new Date(), onProgress?: (p: BackupProgress) => void): Promise<BackupSummary> {
  const partial = `${path}.partial`;
  const gzip = createGzip();
  // Opened now, so a folder that does not exist or cannot be written is refused before any reading.
  const done = pipeline(gzip, createWriteStream(partial, { fd: openSync(partial, "w") }));
  // Awaited below; marked handled now so a write error arriving mid-export is not an unhandled rejection.
  done.catch(() => undefined);
  const line = async (value: unknown) => {
    if (!gzip.write(JSON.stringify(value) + "\n")) await Promise.race([once(gzip, "drain"), done]);
  };
  try {
    // One snapshot for the whole instance (`Store.snapshot`), so a server writing meanwhile never
    // shows the backup half of a change. PostgreSQL: REPEATABLE READ gives the transaction
    // one snapshot (READ COMMITTED, the default, takes one per statement). SQLite: a read
    // transaction in WAL mode, on a read-only connection of its own, sees the database as of
    // its first read until it ends while the store's connection and other processes keep
    // writing; exporting through it (rather than copying the file with the online backup API
    // first) needs no temporary copy of the database.
    const summary = await store.snapshot(async (tx) => {
      // Users with their credentials, so people sign in to a restored instance as before. Sessions and
      // one-time links are not backed up: they are short-lived secrets of the running instance, a restored
      // instance starts with everyone signed out, and a backup file that opens no session is safer to keep.
      const users = (await tx.accounts.listAccountUsers()).map(userForBackup);
      const projects = await tx.listProjects();
      await line({ format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: now().toISOString(), engine: tx.dialect, users: users.length, projects: projects.length });
      for (const u of users) await line({ user: u });
      for (const [i, p] of projects.entries()) {
        onProgress?.({ done: i, total: projects.length, project: p.title });
        await line({ project: await tx.exportProject(p.id) });
      }
      onProgress?.({ done: projects.length, total: projects.length, project: null });
      await line({ end: { users: users.length, projects: projects.length } });
      return { users: users.length, projects: projects.length };
    });
    gzip.end();
    await done;
    renameSync(partial, path);
    return summary;
  } catch (err) {
    gzip.destroy();
    await done.catch(() => undefined);
    rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * Restores a backup written by `backupInstance` into an instance that holds no
 * project, in one transaction: a line that is not what the format expects, a
 * cut-off file or a project that does not import (its audit chain broken, say)
 * is an input error naming the line, and nothing is written. The restoring
 * actor's import of each project is recorded in its audit log (on this
 * instance only; an export leaves it out).
 */
export async function restoreInstance(store: Store, path: string, ctx: WriteContext): Promise<BackupSummary> {
  if ((await store.listProjects()).length > 0) throw new InputError("the instance already holds projects; restore needs an empty one", 409);
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.pipe(gunzip);
  input.on("error", (err) => gunzip.destroy(err));
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity });
  // Taken now: readline emits lines as soon as data flows, and only an iterator that exists holds them
  // while the transaction begins (a PostgreSQL BEGIN is a round trip; lines read meanwhile were lost).
  const iterator = lines[Symbol.asyncIterator]();
  const pending = { [Symbol.asyncIterator]: () => iterator };
  let n = 0;
  const bad = (why: string) => new InputError(`backup file line ${n}: ${why}`);
  try {
    return await store.transaction(async (tx) => {
      let header: { users: number; projects: number } | null = null;
      let users = 0;
      let projects = 0;
      let ended = false;
      try {
        for await (const text of pending) {
          n++;
          if (ended) throw bad("content after the end line");
          let value: Record<string, unknown>;
          try {
            value = JSON.parse(text);
          } catch {
            throw bad("not JSON");
          }
          if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad("not a JSON object");
          if (header === null) {
            if (value.format !== BACKUP_FORMAT) throw bad(`not a Homeward backup (format "${BACKUP_FORMAT}" expected)`);
            if (value.version !== BACKUP_VERSION) throw bad(`backup version ${JSON.stringify(value.version)} is not supported (${BACKUP_VERSION} is)`);
            header = { users: Number(value.users), projects: Number(value.projects) };
          } else if ("user" in value) {
            const u = value.user as Record<string, unknown> | null;
            if (!u || typeof u.name !== "string" || u.name === "" || (u.displayName !== undefined && typeof u.displayName !== "string")) throw bad("a user needs a name and a text displayName");
            const text = (k: string) => {
              const v = u[k];
              if (v !== undefined && v !== null && typeof v !== "string") throw bad(`user "${u.name}": ${k} is not text`);
              return (v as string | null | undefined) ?? null;
            };
            if (u.admin !== undefined && typeof u.admin !== "boolean") throw bad(`user "${u.name}": admin is not true or false`);
            await tx.ensureUser(u.name, (u.displayName as string | undefined) ?? "", text("createdAt") ?? undefined);
            await tx.restoreCredentials(u.name, { passwordHash: text("passwordHash"), oidcSubject: text("oidcSubject"), admin: u.admin === true, createdAt: text("createdAt") });
            users++;
          } else if ("project" in value) {
            try {
              await tx.importProject(value.project, { ...ctx, asOwner: false });
            } catch (err) {
              if (err instanceof InputError) throw bad(err.message);
              throw err;
            }
            projects++;
          } else if ("end" in value) {
            const end = value.end as { users?: unknown; projects?: unknown } | null;
            if (end?.users !== users || end?.projects !== projects) throw bad(`the end line counts ${JSON.stringify(end)}, the file holds ${users} users and ${projects} projects`);
            ended = true;
          } else {
            throw bad("neither a user, a project nor the end line");
          }
        }
      } catch (err) {
        if (err instanceof InputError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") throw new InputError(`cannot read backup ${path}: ${code}`);
        if (code?.startsWith("Z_")) throw new InputError(`backup file is cut off or damaged after line ${n} (${(err as Error).message})`);
        throw err;
      }
      if (header === null) throw new InputError("backup file is empty");
      if (!ended) throw new InputError(`backup file is cut off after line ${n} (no end line)`);
      return { users, projects };
    });
  } finally {
    lines.close();
    input.destroy();
  }
}

/** A user's line: credentials only when set, so a backup of users who never signed in reads as before. */
function userForBackup(u: AccountUser): Record<string, unknown> {
  const line: Record<string, unknown> = { name: u.name, displayName: u.displayName };
  if (u.passwordHash !== null) line.passwordHash = u.passwordHash;
  if (u.oidcSubject !== null) line.oidcSubject = u.oidcSubject;
  if (u.admin) line.admin = true;
  if (u.createdAt !== null) line.createdAt = u.createdAt;
  return line;
}
