import pg from "pg";

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
