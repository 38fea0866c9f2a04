import { BlindStage, InputError, Password, Role, UserName, type Project } from "@homeward/model";
import { SignInLimiter } from "./limiter.js";
import { hashPassword, needsRehash, newToken, tokenHash, verifyPassword } from "./passwords.js";
import type { AccountsStore, AccountUser, LinkPurpose, LinkRecord, MemberRow, Writer } from "./store.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** A session unused this long ends. */
export const SESSION_IDLE_MS = 14 * DAY;
/** A session ends this long after sign-in, however much it is used. */
export const SESSION_MAX_MS = 30 * DAY;
/** Last-seen is written at most this often, so most requests only read. */
export const SESSION_TOUCH_MS = 10 * MINUTE;
export const SETUP_LINK_MS = DAY;
export const USER_LINK_MS = 7 * DAY;

/** The signed-in user as the web app shows them. */
export interface SessionUser {
  name: string;
  displayName: string;
  /** Administers the instance: users and password resets. */
  admin: boolean;
}

export interface SignedIn {
  /** The session's secret, for the cookie; only its hash is stored. */
  token: string;
  user: SessionUser;
}

/** A one-time link's secret; the server makes it a path of the web app. */
export interface IssuedLink {
  token: string;
  expiresAt: string;
}

export interface LinkInfo {
  userName: string | null;
  displayName: string;
  purpose: LinkPurpose;
  expiresAt: string;
}

export interface UserAccount {
  name: string;
  displayName: string;
  admin: boolean;
  /** Has a password or an organisation identity (false for an invited user who has not yet signed in). */
  active: boolean;
  createdAt: string | null;
}

export interface MemberView {
  userName: string;
  displayName: string;
  role: Role;
  addedAt: string;
  /** Invited, and has not yet signed in. */
  pending: boolean;
}

export interface NewMember {
  userName: string;
  displayName?: string;
  role: Role | string;
  reason?: string | null;
}

/** An identity the organisation's OpenID provider vouched for (the server has validated its ID token). */
export interface OrganisationIdentity {
  /** The provider's issuer identifier (`iss`). */
  issuer: string;
  /** The provider's stable identifier of the person (`sub`). */
  subject: string;
  /** `preferred_username`, or the local part of `email`: the Homeward user name it maps to. */
  preferredName?: string | null;
  /** `name`, shown for a user created at this sign-in. */
  displayName?: string | null;
}

/** How an organisation sign-in found its user. */
export type OrganisationOutcome = "returning" | "linked" | "created";

export interface AccountsOptions {
  now?: () => Date;
  limiter?: SignInLimiter;
}

export type Accounts = ReturnType<typeof createAccounts>;

const WRONG = "wrong name or password";
/** Tokens are 43 characters; anything much longer is not ours and is not hashed. */
const MAX_TOKEN = 200;

/**
 * The accounts use cases: sign-in and sessions, one-time links (first
 * setup, invitations, password resets), the instance's users, and each
 * project's members and blinding. The server and the CLI call these; every
 * rule about accounts lives here, the storage behind `AccountsStore`.
 */
export function createAccounts(source: AccountsStore | { readonly accounts: AccountsStore }, opts: AccountsOptions = {}) {
  // The store itself may be passed (its `accounts` are the storage), or the storage.
  const store: AccountsStore = "accounts" in source ? source.accounts : source;
  const clock = opts.now ?? (() => new Date());
  // Attempts are kept where the store keeps them, so every server on one database counts the same ones.
  const limiter = opts.limiter ?? new SignInLimiter({ now: () => clock().getTime(), log: store.signInAttempts });
  const iso = (ms: number) => new Date(ms).toISOString();
  // Verified against when the name is unknown, so an answer takes as long whether or not the user exists.
  // Made at once, so the first unknown name does not pay for it (and so stand out).
  const dummy = hashPassword(newToken());
  dummy.catch(() => undefined);
  const dummyHash = () => dummy;

  async function openSession(tx: AccountsStore, user: AccountUser): Promise<SignedIn> {
    const token = newToken();
    const t = clock().getTime();
    await tx.insertSession({ tokenHash: tokenHash(token), userName: user.name, createdAt: iso(t), lastSeenAt: iso(t), expiresAt: iso(Math.min(t + SESSION_IDLE_MS, t + SESSION_MAX_MS)) });
    return { token, user: sessionUser(user) };
  }

  /** The link behind `token`, still usable, for one of `purposes`. */
  async function usableLink(tx: AccountsStore, token: string, purposes: readonly LinkPurpose[]): Promise<LinkRecord> {
    const link = wellFormed(token) ? await tx.findLink(tokenHash(token)) : null;
    if (!link) throw new InputError("this sign-in link is not known; check that it was copied whole", 404);
    if (link.usedAt !== null) throw new InputError("this link has been used", 410);
    if (clock().toISOString() >= link.expiresAt) throw new InputError("this link has expired; ask for a new one", 410);
    if (!purposes.includes(link.purpose)) {
      throw new InputError(link.purpose === "setup" ? "this is the instance's setup link: open it to create the first account" : `this is ${link.purpose === "invite" ? "an invitation" : "a password reset"} link, not a setup link`, 400);
    }
    if (link.purpose === "setup" && (await tx.anyActiveUser())) throw new InputError("this instance has been set up already; sign in instead", 410);
    return link;
  }

  async function issue(tx: AccountsStore, purpose: LinkPurpose, ms: number, fields: { userName?: string | null; projectId?: string | null; createdBy?: string | null }): Promise<IssuedLink> {
    const token = newToken();
    const t = clock().getTime();
    const expiresAt = iso(t + ms);
    await tx.insertLink({ tokenHash: tokenHash(token), purpose, userName: fields.userName ?? null, projectId: fields.projectId ?? null, createdBy: fields.createdBy ?? null, createdAt: iso(t), expiresAt, usedAt: null });
    return { token, expiresAt };
  }

  async function requireUser(tx: AccountsStore, name: string): Promise<AccountUser> {
    const u = await tx.getUser(name);
    if (!u) throw new InputError(`user "${name}" not found`, 404);
    return u;
  }

  async function memberOf(tx: AccountsStore, projectId: string, userName: string): Promise<MemberRow> {
    await tx.getProject(projectId);
    const m = (await tx.members(projectId)).find((x) => x.userName === userName);
    if (!m) throw new InputError(`"${userName}" is not a member of this project`, 404);
    return m;
  }

  function checkPassword(password: string): void {
    const r = Password.safeParse(password);
    if (!r.success) throw new InputError(r.error.issues[0]?.message ?? "unusable password");
  }

  return {
    /** The user signed in with `token`, or null (unknown, ended or expired). Slides the idle expiry forward. */
    async session(token: string | null | undefined): Promise<SessionUser | null> {
      if (!token || !wellFormed(token)) return null;
      const hash = tokenHash(token);
      const found = await store.findSession(hash);
      if (!found) return null;
      const { session } = found;
      const t = clock().getTime();
      const created = Date.parse(session.createdAt);
      if (t >= Date.parse(session.expiresAt) || t >= created + SESSION_MAX_MS) {
        await store.deleteSession(hash);
        return null;
      }
      if (t - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_MS) {
        await store.touchSession(hash, iso(t), iso(Math.min(t + SESSION_IDLE_MS, created + SESSION_MAX_MS)));
      }
      return sessionUser(found.user);
    },

    /** Signs in with a password; an unknown name and a wrong password get the same answer, in about the same time. */
    async signIn(name: string, password: string, address: string): Promise<SignedIn> {
      const attempt = await limiter.attempt(name, address);
      const user = await store.getUser(name);
      if (!user || user.passwordHash === null) {
        await verifyPassword(password, await dummyHash());
        await attempt.failed();
        throw new InputError(WRONG, 401);
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        await attempt.failed();
        throw new InputError(WRONG, 401);
      }
      await attempt.succeeded();
      // Hashes made at a lower cost are replaced while the password is at hand.
      if (needsRehash(user.passwordHash)) await store.setPasswordHash(user.name, await hashPassword(password));
      await store.deleteExpiredSessions(clock().toISOString());
      return openSession(store, user);
    },

    /**
     * Signs in with an organisation identity: the user already linked to it;
     * else the user named `preferredName` if they have no credential yet (an
     * invited member who has not signed in), who is linked to it from now on;
     * else a new user, a member of no project until an owner adds them. A
     * user with a password or another identity is never linked by name, so
     * a provider's account cannot take over one it does not own.
     */
    async signInWithOrganisation(who: OrganisationIdentity): Promise<SignedIn & { outcome: OrganisationOutcome }> {
      const issuer = who.issuer.trim();
      const subject = who.subject.trim();
      if (!issuer || !subject) throw new InputError("the organisation's sign-in did not say who you are", 400);
      const key = `${issuer} ${subject}`;
      const wanted = organisationName(who.preferredName);
      const displayName = (who.displayName ?? "").trim().slice(0, 200);
      return store.transaction(async (tx) => {
        const known = await tx.findUserByOidc(key);
        if (known) return { ...(await openSession(tx, known)), outcome: "returning" as const };
        // Before the first owner exists, the first identity to arrive would end setup with no administrator.
        if (!(await tx.anyActiveUser())) {
          throw new InputError("this Homeward is not set up yet: its first owner sets it up with the link printed at start", 409);
        }
        const at = clock().toISOString();
        const pending = wanted === null ? null : await tx.getUser(wanted);
        if (pending && !isActive(pending) && (await tx.setOidcSubject(pending.name, key))) {
          // Their invitation links would otherwise still set a password on an account now in use.
          await tx.voidLinksOf(pending.name, at);
          if (!pending.displayName && displayName) await tx.ensureAccountUser(pending.name, displayName, at);
          return { ...(await openSession(tx, await requireUser(tx, pending.name))), outcome: "linked" as const };
        }
        const name = await freeName(tx, wanted ?? `user-${tokenHash(key).slice(0, 8).toLowerCase()}`);
        await tx.ensureAccountUser(name, displayName, at);
        if (!(await tx.setOidcSubject(name, key))) throw new InputError("this organisation account is being signed in already; try again", 409);
        return { ...(await openSession(tx, await requireUser(tx, name))), outcome: "created" as const };
      });
    },

    async signOut(token: string | null | undefined): Promise<void> {
      if (token && wellFormed(token)) await store.deleteSession(tokenHash(token));
    },

    /** True while no user can sign in: the instance waits for its first owner. */
    async setupNeeded(): Promise<boolean> {
      return !(await store.anyActiveUser());
    },

    /** A one-time link (24 hours) to create the first owner; only while setup is needed. Earlier ones stay valid until they expire. */
    async issueSetupLink(): Promise<IssuedLink> {
      return store.transaction(async (tx) => {
        if (await tx.anyActiveUser()) throw new InputError("this instance has been set up already", 409);
        return issue(tx, "setup", SETUP_LINK_MS, {});
      });
    },

    /**
     * Creates the first owner with a setup link (or gives a password to an
     * existing user who has none, e.g. one named in imported projects):
     * an administrator of the instance and an owner of every project, in
     * one transaction audited as that user. Signs them in.
     */
    async setup(token: string, account: { name: string; displayName?: string; password: string }): Promise<SignedIn> {
      const name = parseName(account.name);
      checkPassword(account.password);
      await usableLink(store, token, ["setup"]);
      const passwordHash = await hashPassword(account.password);
      return store.transaction(async (tx) => {
        await usableLink(tx, token, ["setup"]);
        if (!(await tx.useLink(tokenHash(token), clock().toISOString()))) throw new InputError("this link has been used", 410);
        await tx.ensureAccountUser(name, (account.displayName ?? "").trim(), clock().toISOString());
        await tx.setPasswordHash(name, passwordHash);
        await tx.setAdmin(name, true);
        const by: Writer = { actor: name, reason: "first owner of the instance" };
        for (const projectId of await tx.projectIds()) {
          const m = (await tx.members(projectId)).find((x) => x.userName === name);
          if (!m) await tx.insertMember(projectId, { userName: name, role: "owner" }, by);
          else if (m.role !== "owner") await tx.updateMemberRole(projectId, m.id, "owner", by);
        }
        return openSession(tx, await requireUser(tx, name));
      });
    },

    /** What a one-time link is for, without using it. */
    async linkInfo(token: string): Promise<LinkInfo> {
      const link = await usableLink(store, token, ["setup", "invite", "reset"]);
      const user = link.userName === null ? null : await store.getUser(link.userName);
      return { userName: link.userName, displayName: user?.displayName ?? "", purpose: link.purpose, expiresAt: link.expiresAt };
    },

    /** Sets a password with an invitation or reset link (once); the user's other sessions and links end. Signs them in. */
    async redeemLink(token: string, password: string): Promise<SignedIn> {
      checkPassword(password);
      await usableLink(store, token, ["invite", "reset"]);
      const passwordHash = await hashPassword(password);
      return store.transaction(async (tx) => {
        const link = await usableLink(tx, token, ["invite", "reset"]);
        const at = clock().toISOString();
        if (!(await tx.useLink(link.tokenHash, at))) throw new InputError("this link has been used", 410);
        const user = link.userName === null ? null : await tx.getUser(link.userName);
        if (!user) throw new InputError("the user this link was made for no longer exists", 410);
        await tx.setPasswordHash(user.name, passwordHash);
        await tx.voidLinksOf(user.name, at);
        await tx.deleteSessionsOf(user.name);
        return openSession(tx, user);
      });
    },

    /** Changes a password given the current one; the user's other sessions end, the one making the change (`sessionToken`) stays. */
    async changePassword(userName: string, current: string, next: string, sessionToken: string | null): Promise<void> {
      checkPassword(next);
      // Limited like sign-in: a session left open must not let a passer-by guess the password.
      const key = `password change ${userName}`;
      const attempt = await limiter.attempt(userName, key);
      const user = await requireUser(store, userName);
      if (user.passwordHash === null || !(await verifyPassword(current, user.passwordHash))) {
        await attempt.failed();
        throw new InputError("your current password is wrong", 401);
      }
      await attempt.succeeded();
      const passwordHash = await hashPassword(next);
      await store.transaction(async (tx) => {
        await tx.setPasswordHash(userName, passwordHash);
        await tx.deleteSessionsOf(userName, sessionToken && wellFormed(sessionToken) ? tokenHash(sessionToken) : null);
        await tx.voidLinksOf(userName, clock().toISOString());
      });
    },

    async listUsers(): Promise<UserAccount[]> {
      return (await store.listAccountUsers()).map((u) => ({ name: u.name, displayName: u.displayName, admin: u.admin, active: isActive(u), createdAt: u.createdAt }));
    },

    /**
     * A one-time link (7 days) for `userName` to set a new password; their
     * sessions end now. `adminName` null: the instance itself (the CLI, run
     * by whoever holds the data).
     */
    async resetLink(adminName: string | null, userName: string): Promise<IssuedLink> {
      return store.transaction(async (tx) => {
        const admin = adminName === null ? null : await tx.getUser(adminName);
        if (adminName !== null && !admin?.admin) throw new InputError("only an administrator of the instance can make password reset links", 403);
        await requireUser(tx, userName);
        await tx.deleteSessionsOf(userName);
        return issue(tx, "reset", USER_LINK_MS, { userName, createdBy: adminName });
      });
    },

    /** A fresh invitation link (7 days) for a member who has not yet signed in. */
    async inviteLink(byUser: string, projectId: string, userName: string): Promise<IssuedLink> {
      return store.transaction(async (tx) => {
        await memberOf(tx, projectId, userName);
        const user = await requireUser(tx, userName);
        if (isActive(user)) throw new InputError(`"${userName}" has signed in already; an administrator can make them a password reset link`, 409);
        return issue(tx, "invite", USER_LINK_MS, { userName, projectId, createdBy: byUser });
      });
    },

    async listMembers(projectId: string): Promise<MemberView[]> {
      await store.getProject(projectId);
      return (await store.members(projectId)).map(memberView);
    },

    /** Adds a member; a user new to the instance is created without a password and gets an invitation link to pass on. */
    async addMember(projectId: string, input: NewMember, by: Writer): Promise<{ member: MemberView; link: IssuedLink | null }> {
      const userName = parseName(input.userName);
      const role = parseRole(input.role);
      const w: Writer = { ...by, reason: input.reason ?? by.reason ?? null };
      return store.transaction(async (tx) => {
        await tx.getProject(projectId);
        const existing = (await tx.members(projectId)).find((m) => m.userName === userName);
        if (existing) throw new InputError(`"${userName}" is already a member (${existing.role}); change their role instead`, 409);
        const user = await tx.ensureAccountUser(userName, (input.displayName ?? "").trim(), clock().toISOString());
        const m = await tx.insertMember(projectId, { userName, role }, w);
        const active = isActive(user);
        const link = active ? null : await issue(tx, "invite", USER_LINK_MS, { userName, projectId, createdBy: by.actor });
        return { member: memberView({ ...m, displayName: user.displayName, active }), link };
      });
    },

    /** Changes a member's role (a project keeps at least one owner: the members rule refuses otherwise). */
    async changeMemberRole(projectId: string, userName: string, role: Role | string, by: Writer): Promise<MemberView> {
      const r = parseRole(role);
      return store.transaction(async (tx) => {
        const m = await memberOf(tx, projectId, userName);
        const after = await tx.updateMemberRole(projectId, m.id, r, by);
        return memberView({ ...m, ...after });
      });
    },

    /** Removes a member; their decisions stay (signed with their name). */
    async removeMember(projectId: string, userName: string, by: Writer): Promise<void> {
      await store.transaction(async (tx) => {
        const m = await memberOf(tx, projectId, userName);
        await tx.removeMember(projectId, m.id, by);
      });
    },

    /** Lifts (`blinded` false) or imposes blinding of a stage's dual work; audited with the reason, which is required. */
    async setBlinding(projectId: string, stage: BlindStage | string, blinded: boolean, by: Writer): Promise<Project> {
      const s = BlindStage.safeParse(stage);
      if (!s.success) throw new InputError(`"${stage}" is not a stage with blinding (${BlindStage.options.join(", ")})`);
      if (!by.reason?.trim()) throw new InputError("say why blinding changes");
      return store.setBlinding(projectId, s.data, blinded, by);
    },
  };
}

/** The user name an organisation's `preferred_username` (or e-mail) asks for, or null when unusable. */
function organisationName(preferred: string | null | undefined): string | null {
  const r = UserName.safeParse((preferred ?? "").trim());
  return r.success ? r.data : null;
}

/** `wanted`, or `wanted-2`, `wanted-3`…: a taken name belongs to someone else. */
async function freeName(tx: AccountsStore, wanted: string): Promise<string> {
  const base = wanted.slice(0, 90);
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? wanted : `${base}-${n}`;
    if (!(await tx.getUser(name))) return name;
  }
  throw new InputError(`no free user name near "${wanted}"; an administrator can add the user by name first`, 409);
}

const isActive = (u: Pick<AccountUser, "passwordHash" | "oidcSubject">) => u.passwordHash !== null || u.oidcSubject !== null;
const sessionUser = (u: AccountUser): SessionUser => ({ name: u.name, displayName: u.displayName, admin: u.admin });
const memberView = (m: MemberRow): MemberView => ({ userName: m.userName, displayName: m.displayName, role: m.role, addedAt: m.addedAt, pending: !m.active });
const wellFormed = (token: string) => typeof token === "string" && token.length >= 16 && token.length <= MAX_TOKEN;

function parseName(name: string): string {
  const r = UserName.safeParse(name);
  if (!r.success) throw new InputError(r.error.issues[0]?.message ?? "unusable user name");
  return r.data;
}

function parseRole(role: string): Role {
  const r = Role.safeParse(role);
  if (!r.success) throw new InputError(`"${role}" is not a role (owner, adjudicator, reviewer, viewer)`);
  return r.data;
}
