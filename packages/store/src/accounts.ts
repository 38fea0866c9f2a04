import { randomUUID } from "node:crypto";
import type { AccountsStore, AccountUser, AttemptLog, LinkRecord, MemberRow, SessionRecord, Writer } from "@homeward/accounts";
import { Role, type BlindStage, type Member, type Project } from "@homeward/model";
import { sql, type Kysely } from "kysely";
import type { Dialect } from "./migrations.js";
import type { Store } from "./store.js";

/**
 * The accounts engine's storage over the store's tables: users and their
 * credentials, sessions and one-time links (rows outside any project, never
 * exported and never audited: they hold secrets' hashes, not review data),
 * and members and blinding through the store's audited, rule-checked
 * writes, so the members rule (one owner at least) holds here too.
 */
export class StoreAccounts implements AccountsStore {
  constructor(
    private readonly store: Store,
    private readonly db: Kysely<any>,
  ) {}

  transaction<T>(fn: (tx: AccountsStore) => Promise<T>): Promise<T> {
    return this.store.transaction((tx) => fn(tx.accounts));
  }

  get signInAttempts(): AttemptLog {
    return new StoreAttemptLog(this.db, this.store.dialect);
  }

  async getUser(name: string): Promise<AccountUser | null> {
    const r = await this.db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
    return r ? userFromRow(r) : null;
  }

  async listAccountUsers(): Promise<AccountUser[]> {
    return (await this.db.selectFrom("users").selectAll().orderBy("name").execute()).map(userFromRow);
  }

  async anyActiveUser(): Promise<boolean> {
    const r = await this.db
      .selectFrom("users")
      .select("name")
      .where((eb) => eb.or([eb("password_hash", "is not", null), eb("oidc_subject", "is not", null)]))
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  async ensureAccountUser(name: string, displayName: string, createdAt: string): Promise<AccountUser> {
    await this.store.ensureUser(name, displayName, createdAt);
    return (await this.getUser(name))!;
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<void> {
    await this.db.updateTable("users").set({ password_hash: passwordHash }).where("name", "=", name).execute();
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    await this.db.updateTable("users").set({ admin: admin ? 1 : 0 }).where("name", "=", name).execute();
  }

  async findUserByOidc(oidcSubject: string): Promise<AccountUser | null> {
    const r = await this.db.selectFrom("users").selectAll().where("oidc_subject", "=", oidcSubject).executeTakeFirst();
    return r ? userFromRow(r) : null;
  }

  async setOidcSubject(name: string, oidcSubject: string): Promise<boolean> {
    // Conditional on having none: an identity once linked is never silently replaced.
    const r = await this.db.updateTable("users").set({ oidc_subject: oidcSubject }).where("name", "=", name).where("oidc_subject", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async findSession(tokenHash: string): Promise<{ session: SessionRecord; user: AccountUser } | null> {
    const r = await this.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.name", "s.user_name")
      .select([
        "s.token_hash",
        "s.user_name",
        "s.created_at",
        "s.expires_at",
        "s.last_seen_at",
        "u.display_name",
        "u.password_hash",
        "u.oidc_subject",
        "u.admin",
        "u.created_at as user_created_at",
      ])
      .where("s.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (!r) return null;
    return {
      session: { tokenHash: r.token_hash, userName: r.user_name, createdAt: r.created_at, expiresAt: r.expires_at, lastSeenAt: r.last_seen_at },
      user: userFromRow({ ...r, name: r.user_name, created_at: r.user_created_at }),
    };
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({ token_hash: s.tokenHash, user_name: s.userName, created_at: s.createdAt, expires_at: s.expiresAt, last_seen_at: s.lastSeenAt })
      .execute();
  }

  async touchSession(tokenHash: string, lastSeenAt: string, expiresAt: string): Promise<void> {
    await this.db.updateTable("sessions").set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where("token_hash", "=", tokenHash).execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
  }

  async deleteSessionsOf(userName: string, except?: string | null): Promise<void> {
    let q = this.db.deleteFrom("sessions").where("user_name", "=", userName);
    if (except) q = q.where("token_hash", "<>", except);
    await q.execute();
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("expires_at", "<=", now).execute();
  }

  async insertLink(l: LinkRecord): Promise<void> {
    await this.db
      .insertInto("sign_in_links")
      .values({
        token_hash: l.tokenHash,
        user_name: l.userName,
        purpose: l.purpose,
        project_id: l.projectId,
        created_by: l.createdBy,
        created_at: l.createdAt,
        expires_at: l.expiresAt,
        used_at: l.usedAt,
      })
      .execute();
  }

  async findLink(tokenHash: string): Promise<LinkRecord | null> {
    const r = await this.db.selectFrom("sign_in_links").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    if (!r) return null;
    return {
      tokenHash: r.token_hash,
      userName: r.user_name,
      purpose: r.purpose,
      projectId: r.project_id,
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      usedAt: r.used_at,
    };
  }

  async useLink(tokenHash: string, usedAt: string): Promise<boolean> {
    // Conditional on being unused: of two requests racing with one link, one wins.
    const r = await this.db.updateTable("sign_in_links").set({ used_at: usedAt }).where("token_hash", "=", tokenHash).where("used_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async voidLinksOf(userName: string, usedAt: string): Promise<void> {
    await this.db.updateTable("sign_in_links").set({ used_at: usedAt }).where("user_name", "=", userName).where("used_at", "is", null).execute();
  }

  async projectIds(): Promise<string[]> {
    return (await this.db.selectFrom("projects").select("id").orderBy("id").execute()).map((r) => r.id as string);
  }

  getProject(projectId: string): Promise<Project> {
    return this.store.getProject(projectId);
  }

  async members(projectId: string): Promise<MemberRow[]> {
    const ms = await this.store.list(projectId, "members");
    const names = [...new Set(ms.map((m) => m.userName))];
    const users = new Map<string, AccountUser>();
    if (names.length) for (const r of await this.db.selectFrom("users").selectAll().where("name", "in", names).execute()) users.set(r.name, userFromRow(r));
    return ms.map((m) => {
      const u = users.get(m.userName);
      // Rows store the role as written; legacy names ("senior_reviewer") are read as today's roles.
      const role = Role.safeParse(m.role);
      return { ...m, role: role.success ? role.data : m.role, displayName: u?.displayName ?? "", active: !!u && (u.passwordHash !== null || u.oidcSubject !== null) };
    });
  }

  async insertMember(projectId: string, member: { userName: string; role: Role }, by: Writer): Promise<Member> {
    const [m] = await this.store.insert(projectId, "members", [member], by);
    return m!;
  }

  updateMemberRole(projectId: string, memberId: string, role: Role, by: Writer): Promise<Member> {
    return this.store.update(projectId, "members", memberId, { role }, by);
  }

  removeMember(projectId: string, memberId: string, by: Writer): Promise<void> {
    return this.store.remove(projectId, "members", memberId, by);
  }

  setBlinding(projectId: string, stage: BlindStage, blinded: boolean, by: Writer): Promise<Project> {
    return this.store.setBlinding(projectId, stage, blinded, by);
  }
}

export function userFromRow(r: any): AccountUser {
  return {
    name: r.name,
    displayName: r.display_name,
    passwordHash: r.password_hash ?? null,
    oidcSubject: r.oidc_subject ?? null,
    admin: Number(r.admin) === 1,
    createdAt: r.created_at ?? null,
  };
}

/** PostgreSQL advisory lock class of sign-in attempt keys (leases use 7301-7302, rankings 7303). */
const ATTEMPT_LOCK = 7304;

/**
 * The sign-in limiter's attempts in the `sign_in_attempts` table (migration
 * 0035), so several servers on one database hold a guesser to one count.
 * `take` is one transaction: on PostgreSQL under advisory locks on its keys
 * (in one order, so two takes never wait on each other in a cycle), so two
 * servers' takes of one address queue rather than both passing the check;
 * on SQLite its first statement writes, so the transaction holds the
 * database's write lock before it reads.
 */
class StoreAttemptLog implements AttemptLog {
  constructor(
    private readonly db: Kysely<any>,
    private readonly dialect: Dialect,
  ) {}

  async take(keys: readonly string[], since: number, at: number, admit: (times: number[][]) => boolean): Promise<{ id: string | null; times: number[][] }> {
    const run = async (trx: Kysely<any>) => {
      if (this.dialect === "postgres") {
        const locks = [...new Set(keys)].sort().map((k) => sql`pg_advisory_xact_lock(${ATTEMPT_LOCK}::int, hashtext(${k}))`);
        await sql`SELECT ${sql.join(locks)}`.execute(trx);
      }
      // Attempts past the window, every key's: the table holds no more than a window's attempts.
      await trx.deleteFrom("sign_in_attempts").where("at", "<=", since).execute();
      const rows = await trx.selectFrom("sign_in_attempts").select(["attempt_key", "at"]).where("attempt_key", "in", [...keys]).orderBy("at").execute();
      const times = keys.map((k) => rows.filter((r) => r.attempt_key === k).map((r) => Number(r.at)));
      if (!admit(times)) return { id: null, times };
      const id = randomUUID();
      await trx
        .insertInto("sign_in_attempts")
        .values(keys.map((k) => ({ attempt_key: k, at, attempt_id: id })))
        .execute();
      return { id, times };
    };
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async forget(key: string): Promise<void> {
    await this.db.deleteFrom("sign_in_attempts").where("attempt_key", "=", key).execute();
  }

  async withdraw(id: string, key: string): Promise<void> {
    await this.db.deleteFrom("sign_in_attempts").where("attempt_key", "=", key).where("attempt_id", "=", id).execute();
  }
}
