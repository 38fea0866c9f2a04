import { z } from "zod";
import { BlindStage, Password, Role, UserName, type Project } from "@homeward/model";
import type { MemberView, SessionUser, UserAccount } from "@homeward/accounts";
import { route } from "./route.js";

// The accounts engine's own answer types: one definition, imported as types only (the web bundle gets none of its code).
export type { MemberView, SessionUser, UserAccount };

/** Who is signed in on this browser, and how one may sign in. */
export interface SessionView {
  user: SessionUser | null;
  /** No one can sign in yet: the instance waits for its first owner (a one-time link printed at start). */
  setupNeeded: boolean;
  /** Organisation sign-in (OpenID Connect), when the instance is configured for it. */
  oidc: { enabled: boolean; label: string };
}

/** A one-time sign-in link: a path of the web app carrying its token after `#` (so it never reaches a server log). */
export interface SignInLink {
  path: string;
  expiresAt: string;
}

export const Token = z.string().trim().min(16, "this sign-in link is incomplete").max(200, "this sign-in link is not one Homeward made");

export const SignInBody = z.object({ name: UserName, password: z.string().min(1, "enter your password").max(1024) }).strict();
export const SetupBody = z
  .object({ token: Token, name: UserName, displayName: z.string().trim().max(200).default(""), password: Password })
  .strict();
export const PasswordLinkBody = z.object({ token: Token, password: Password }).strict();
export const LinkInfoBody = z.object({ token: Token }).strict();
export const PasswordChangeBody = z.object({ current: z.string().min(1, "enter your current password").max(1024), password: Password }).strict();
export const UserParams = z.object({ name: UserName });
export const MemberParams = z.object({ id: z.string().min(1), userName: UserName });
export const MemberAddBody = z
  .object({ userName: UserName, displayName: z.string().trim().max(200).default(""), role: Role, reason: z.string().trim().max(10_000).optional() })
  .strict();
export const MemberRoleBody = z.object({ role: Role, reason: z.string().trim().max(10_000).optional() }).strict();
export const MemberRemoveBody = z.object({ reason: z.string().trim().max(10_000).optional() }).strict();
export const BlindingParams = z.object({ id: z.string().min(1), stage: BlindStage });
export const BlindingBody = z.object({ blinded: z.boolean(), reason: z.string().trim().min(1, "say why blinding changes").max(10_000) }).strict();
/** Where to return after organisation sign-in: a path of this site (anything else is replaced by "/"). */
export const OidcStartQuery = z.object({ next: z.string().max(2000).optional() });
const IdParams = z.object({ id: z.string().min(1) });
const SMALL = 16 * 1024;

/** Sign-in, sessions, the instance's users (administrators only) and each project's members and blinding. */
export const accountRoutes = {
  getSession: route<SessionView>()({ method: "GET", path: "/api/session", access: "public", summary: "who is signed in on this browser, and how to sign in" }),
  signIn: route<SessionView>()({
    method: "POST",
    path: "/api/session",
    access: "public",
    body: SignInBody,
    bodyName: "sign-in",
    bodyLimit: SMALL,
    summary: "sign in with name and password (sets the session cookie; attempts are rate-limited)",
  }),
  signOut: route<void>()({ method: "DELETE", path: "/api/session", access: "public", status: 204, summary: "sign out (ends this session)" }),
  linkInfo: route<{ userName: string | null; displayName: string; purpose: "setup" | "invite" | "reset"; expiresAt: string }>()({
    method: "POST",
    path: "/api/session/link/info",
    access: "public",
    body: LinkInfoBody,
    bodyLimit: SMALL,
    summary: "what a one-time link is for (without using it)",
  }),
  setup: route<SessionView>()({
    method: "POST",
    path: "/api/session/setup",
    access: "public",
    body: SetupBody,
    bodyName: "owner account",
    bodyLimit: SMALL,
    summary: "create the first owner with the one-time link printed at first start, and sign in",
  }),
  redeemLink: route<SessionView>()({
    method: "POST",
    path: "/api/session/link",
    access: "public",
    body: PasswordLinkBody,
    bodyName: "password",
    bodyLimit: SMALL,
    summary: "set a password with an invitation or reset link (used once), and sign in",
  }),
  oidcStart: route<void>()({
    method: "GET",
    path: "/api/auth/oidc/start",
    access: "public",
    query: OidcStartQuery,
    summary: "sign in with the organisation's OpenID provider: redirects there (404 when not configured)",
  }),
  oidcCallback: route<void>()({
    method: "GET",
    path: "/api/auth/oidc/callback",
    access: "public",
    summary: "where the OpenID provider returns: signs in and redirects to the app (errors to /signin?error=…)",
  }),
  changePassword: route<void>()({
    method: "POST",
    path: "/api/account/password",
    access: "signedIn",
    body: PasswordChangeBody,
    bodyName: "password change",
    bodyLimit: SMALL,
    status: 204,
    summary: "change your password (your other sessions end)",
  }),
  listUsers: route<UserAccount[]>()({ method: "GET", path: "/api/users", access: "admin", summary: "the instance's users" }),
  resetLink: route<SignInLink>()({
    method: "POST",
    path: "/api/users/:name/reset-link",
    access: "admin",
    params: UserParams,
    status: 201,
    summary: "a one-time link for a user to set a new password (their sessions end)",
  }),
  listMembers: route<MemberView[]>()({ method: "GET", path: "/api/projects/:id/members", access: "viewer", params: IdParams, summary: "the project's members and roles" }),
  addMember: route<{ member: MemberView; link: SignInLink | null }>()({
    method: "POST",
    path: "/api/projects/:id/members",
    access: "owner",
    params: IdParams,
    body: MemberAddBody,
    bodyName: "member",
    status: 201,
    summary: "add a member with a role; a new user gets a one-time invitation link to pass on",
  }),
  changeMemberRole: route<MemberView>()({
    method: "PATCH",
    path: "/api/projects/:id/members/:userName",
    access: "owner",
    params: MemberParams,
    body: MemberRoleBody,
    bodyName: "role change",
    summary: "change a member's role (a project keeps at least one owner)",
  }),
  removeMember: route<void>()({
    method: "DELETE",
    path: "/api/projects/:id/members/:userName",
    access: "owner",
    params: MemberParams,
    body: MemberRemoveBody,
    status: 204,
    summary: "remove a member (their decisions stay; a project keeps at least one owner)",
  }),
  memberLink: route<SignInLink>()({
    method: "POST",
    path: "/api/projects/:id/members/:userName/link",
    access: "owner",
    params: MemberParams,
    status: 201,
    summary: "a fresh invitation link for a member who has not yet signed in",
  }),
  setBlinding: route<Project>()({
    method: "PUT",
    path: "/api/projects/:id/blinding/:stage",
    access: "owner",
    params: BlindingParams,
    body: BlindingBody,
    bodyName: "blinding",
    summary: "lift or impose blinding of a stage's dual work (audited with the reason)",
  }),
} as const;
