import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore, type Store } from "@homeward/store";

/**
 * A PostgreSQL database of its own next to the test database (dropped by
 * `drop`), for tests that must not meet others resetting the test database
 * while they run (the store suite drops its public schema). Needs a role
 * allowed to create databases, as CI's is.
 */
export async function scratchDatabase(url: string, suffix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  const u = new URL(url);
  const name = `${u.pathname.slice(1)}_${suffix}`;
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export type OpenStore = () => Promise<{ store: Store; done: () => Promise<void> }>;

/**
 * The engines a suite runs on, for `describe.each`: SQLite in a temporary
 * folder always, PostgreSQL in a scratch database named after `suffix` when
 * HOMEWARD_TEST_DATABASE_URL is set.
 */
export function storeEngines(suffix: string): [string, OpenStore][] {
  const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
  const sqlite: OpenStore = async () => ({ store: await openStore({ dataDir: mkdtempSync(join(tmpdir(), `homeward-${suffix}-`)) }), done: async () => {} });
  const postgres: OpenStore = async () => {
    const db = await scratchDatabase(pgUrl!, `${suffix}_${process.pid}`);
    return { store: await openStore({ databaseUrl: db.url }), done: db.drop };
  };
  return pgUrl ? [["SQLite", sqlite], ["PostgreSQL", postgres]] : [["SQLite", sqlite]];
}
