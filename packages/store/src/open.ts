import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { trackPoolClients } from "./bulk.js";
import { migrationProvider, type Dialect } from "./migrations.js";
import { Store } from "./store.js";

export type StoreOptions = { dataDir: string } | { databaseUrl: string };

export const SQLITE_FILE = "homeward.sqlite";

/**
 * Opens the store and brings its schema up to date: PostgreSQL when a
 * database URL is given, otherwise SQLite in `dataDir` (created if missing).
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  let db: Kysely<any>;
  let dialect: Dialect;
  let native: Database.Database | null = null;
  if ("databaseUrl" in opts) {
    dialect = "postgres";
    // COUNT(*) is int8, which pg hands back as a string; counts here fit a double.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection the server ends (a restart, a failover, an administrator) is an 'error'
    // event on the pool; unheard, it would end the process. pg drops that client and opens a new
    // one on the next query, so the error is only reported.
    pool.on("error", (err) => process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`));
    // Bulk record writes use COPY on the transaction's own connection (bulk.ts).
    trackPoolClients(pool);
    db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = "sqlite";
    const dir = resolve(opts.dataDir);
    mkdirSync(dir, { recursive: true });
    const sqlite = new Database(join(dir, SQLITE_FILE));
    // 16 KB pages (before WAL mode, which fixes the size): bulk writes of records took about a
    // quarter less CPU than with 4 KB pages (see README). A no-op for an existing database.
    sqlite.pragma("page_size = 16384");
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    // 64 MB page cache: full-text index merges during large imports touch many pages.
    sqlite.pragma("cache_size = -65536");
    db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    native = sqlite;
  }
  try {
    await migrate(db, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new Store(db, dialect, false, native);
}

/** Options from the environment: DATABASE_URL wins over the data folder. */
export function storeOptionsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir };
}

async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // Unordered: capabilities land in parallel, so a data folder may already hold a
  // later-numbered migration when an earlier-numbered one arrives; each migration
  // touches only its own tables and columns, so their order does not matter.
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableName: "homeward_migrations", migrationLockTableName: "homeward_migrations_lock", allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`database migration ${failed ?? ""} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
