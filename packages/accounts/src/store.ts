import type { AttemptLog } from "./limiter.js";
import type { BlindStage, Member, Project, Role } from "@homeward/model";

/** A user as the accounts engine sees them: the profile and the credentials. */
export interface AccountUser {
  name: string;
  displayName: string;
  /** `scrypt$…` (see passwords.ts), or null while the user has never set a password. */
  passwordHash: string | null;
  /** `<issuer> <subject>` of an organisation identity, for sign-in through OpenID Connect. */
  oidcSubject: string | null;
  admin: boolean;
  createdAt: string | null;
}

export interface SessionRecord {
  tokenHash: string;
  userName: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export type LinkPurpose = "setup" | "invite" | "reset";

export interface LinkRecord {
  tokenHash: string;
  userName: string | null;
  purpose: LinkPurpose;
  projectId: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** Who writes, and why: recorded in the project's audit log. */
export interface Writer {
  actor: string;
  reason?: string | null;
  roles?: readonly string[];
}

/** A member with what the members page shows of their user. */
export interface MemberRow extends Member {
  displayName: string;
  /** The user has a password or an organisation identity. */
  active: boolean;
}

/**
 * What the accounts use cases read and write. Times are ISO strings (UTC,
 * as `Date.toISOString` writes them), so they compare as text. Project
 * writes (members, blinding) go through the project's rules and audit log.
 */
export interface AccountsStore {
  /** Runs `fn` in one transaction (joins the current one if already inside). */
  transaction<T>(fn: (tx: AccountsStore) => Promise<T>): Promise<T>;
  /** Sign-in attempts the limiter counts (shared by every server on the store). */
  readonly signInAttempts: AttemptLog;

  getUser(name: string): Promise<AccountUser | null>;
  listAccountUsers(): Promise<AccountUser[]>;
  /** Whether any user has a password or an organisation identity. */
  anyActiveUser(): Promise<boolean>;
  /** Creates the user (no credential) if unknown; an existing user keeps their display name unless it is empty. */
  ensureAccountUser(name: string, displayName: string, createdAt: string): Promise<AccountUser>;
  setPasswordHash(name: string, passwordHash: string): Promise<void>;
  setAdmin(name: string, admin: boolean): Promise<void>;
  /** The user with this organisation identity (`<issuer> <subject>`), or null. */
  findUserByOidc(oidcSubject: string): Promise<AccountUser | null>;
  /** Links an organisation identity to a user who has none; false when the user is unknown or already has one. */
  setOidcSubject(name: string, oidcSubject: string): Promise<boolean>;

  /** The session with its user, in one indexed read. */
  findSession(tokenHash: string): Promise<{ session: SessionRecord; user: AccountUser } | null>;
  insertSession(session: SessionRecord): Promise<void>;
  touchSession(tokenHash: string, lastSeenAt: string, expiresAt: string): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of the user but `except`. */
  deleteSessionsOf(userName: string, except?: string | null): Promise<void>;
  deleteExpiredSessions(now: string): Promise<void>;

  insertLink(link: LinkRecord): Promise<void>;
  findLink(tokenHash: string): Promise<LinkRecord | null>;
  /** Marks the link used; false when it already was (another request used it first). */
  useLink(tokenHash: string, usedAt: string): Promise<boolean>;
  /** Marks the user's other unused links used: once a password is set, older links for it must not set another. */
  voidLinksOf(userName: string, usedAt: string): Promise<void>;

  projectIds(): Promise<string[]>;
  /** The project; a 404 InputError if there is none. */
  getProject(projectId: string): Promise<Project>;
  members(projectId: string): Promise<MemberRow[]>;
  insertMember(projectId: string, member: { userName: string; role: Role }, by: Writer): Promise<Member>;
  updateMemberRole(projectId: string, memberId: string, role: Role, by: Writer): Promise<Member>;
  removeMember(projectId: string, memberId: string, by: Writer): Promise<void>;
  setBlinding(projectId: string, stage: BlindStage, blinded: boolean, by: Writer): Promise<Project>;
}
