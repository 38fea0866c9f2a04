import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccounts, SignInLimiter, tokenHash, type Accounts } from "@homeward/accounts";
import type { Store } from "@homeward/store";
import { fullProjectFile } from "./fixture.js";
import { storeEngines } from "./scratch-database.js";

const PW = "correct horse battery";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe.each(storeEngines("accounts"))("accounts on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  let t: number;
  let accounts: Accounts;
  beforeEach(async () => {
    ({ store, done } = await open());
    t = Date.parse("2026-01-01T12:00:00.000Z");
    accounts = createAccounts(store.accounts, { now: () => new Date(t) });
  });
  afterEach(async () => {
    await store.close();
    await done();
  });

  /** Sets up the first owner "ana" and returns her session token. */
  async function setUp(): Promise<string> {
    const link = await accounts.issueSetupLink();
    return (await accounts.setup(link.token, { name: "ana", displayName: "Ana P.", password: PW })).token;
  }

  it("sets up the first owner: admin, owner of every existing project, audited as them; the link is used", async () => {
    // Projects from before sign-in (an import by a CLI user, an example nobody owns).
    const old = fullProjectFile("p-old");
    old.members = [{ id: "m1", userName: "zed", role: "owner", addedAt: "2024-01-01T09:01:00.000Z" }];
    await store.importProject(old, { actor: "cli", asOwner: false });
    const p2 = await store.createProject({ title: "Second" }, { actor: "ben" });
    await store.insert(p2.id, "members", [{ userName: "ana", role: "viewer" }], { actor: "ben" });
    expect(await accounts.setupNeeded()).toBe(true);
    const first = await accounts.issueSetupLink();
    const second = await accounts.issueSetupLink();
    expect(first.expiresAt).toBe(new Date(t + DAY).toISOString());
    expect(await accounts.linkInfo(second.token)).toEqual({ userName: null, displayName: "", purpose: "setup", expiresAt: second.expiresAt });
    const s = await accounts.setup(second.token, { name: "ana", displayName: "Ana P.", password: PW });
    expect(s.user).toEqual({ name: "ana", displayName: "Ana P.", admin: true });
    expect(await accounts.session(s.token)).toEqual(s.user);
    expect(await accounts.setupNeeded()).toBe(false);
    expect(await store.isAdmin("ana")).toBe(true);
    expect(await store.isAdmin("ben")).toBe(false);
    expect(await store.roleOf("p-old", "ana")).toBe("owner");
    expect(await store.roleOf(p2.id, "ana")).toBe("owner");
    expect((await store.listAudit("p-old")).items[0]).toMatchObject({ actor: "ana", action: "members.create", after: { userName: "ana", role: "owner" } });
    expect((await store.listAudit(p2.id)).items[0]).toMatchObject({ actor: "ana", action: "members.update", after: { role: "owner" } });
    // Used, and no more setup once someone can sign in (the earlier link too).
    await expect(accounts.setup(second.token, { name: "eve", password: PW })).rejects.toMatchObject({ status: 410, message: "this link has been used" });
    await expect(accounts.setup(first.token, { name: "eve", password: PW })).rejects.toMatchObject({ status: 410 });
    await expect(accounts.issueSetupLink()).rejects.toMatchObject({ status: 409 });
  });

  it("signs in; a wrong password and an unknown user get the same 401", async () => {
    await setUp();
    const s = await accounts.signIn("ana", PW, "10.0.0.1");
    expect(s.user).toEqual({ name: "ana", displayName: "Ana P.", admin: true });
    expect(s.token).toHaveLength(43);
    // Only the token's hash is stored.
    expect(await store.accounts.findSession(s.token)).toBeNull();
    expect(await store.accounts.findSession(tokenHash(s.token))).not.toBeNull();
    for (const [name, pw] of [["ana", "wrong password!"], ["nobody", PW]]) {
      await expect(accounts.signIn(name!, pw!, "10.0.0.1")).rejects.toMatchObject({ kind: "input", status: 401, message: "wrong name or password" });
    }
    // A user without a password (invited, not yet signed in) cannot sign in either.
    await accounts.addMember((await store.createProject({ title: "P" }, { actor: "ana" })).id, { userName: "ben", role: "reviewer" }, { actor: "ana" });
    await expect(accounts.signIn("ben", "", "10.0.0.1")).rejects.toMatchObject({ status: 401, message: "wrong name or password" });
    await accounts.signOut(s.token);
    expect(await accounts.session(s.token)).toBeNull();
    expect(await accounts.session("not a token at all, just text")).toBeNull();
    expect(await accounts.session(undefined)).toBeNull();
  });

  it("rate-limits failed sign-ins per name and address (injected clock)", async () => {
    let now = 0;
    accounts = createAccounts(store.accounts, { now: () => new Date(t + now), limiter: new SignInLimiter({ now: () => now }) });
    await setUp();
    for (let i = 0; i < 5; i++) await expect(accounts.signIn("ana", "wrong password!", "1.2.3.4")).rejects.toMatchObject({ status: 401 });
    await expect(accounts.signIn("ana", PW, "1.2.3.4")).rejects.toMatchObject({ status: 429, message: "too many sign-in attempts; try again in 15 minutes" });
    // From another address she still signs in.
    await accounts.signIn("ana", PW, "5.6.7.8");
    now += 15 * MIN + 1;
    await accounts.signIn("ana", PW, "1.2.3.4");
    // Attempts at once count as they start: of eight, five are answered and three refused.
    const answers = await Promise.allSettled(Array.from({ length: 8 }, () => accounts.signIn("ana", "wrong password!", "9.9.9.9")));
    const statuses = answers.map((a) => (a.status === "rejected" ? (a.reason as { status: number }).status : 200)).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it("slides a session's idle expiry (14 days), ends it after 30 days whatever, writes last-seen at most every 10 minutes", async () => {
    const token = await setUp();
    const row = async () => (await store.accounts.findSession(tokenHash(token)))!.session;
    const start = t;
    expect((await row()).expiresAt).toBe(new Date(start + 14 * DAY).toISOString());
    t += 5 * MIN;
    expect(await accounts.session(token)).not.toBeNull();
    expect((await row()).lastSeenAt).toBe(new Date(start).toISOString());
    t += 6 * MIN;
    await accounts.session(token);
    expect((await row()).lastSeenAt).toBe(new Date(t).toISOString());
    expect((await row()).expiresAt).toBe(new Date(t + 14 * DAY).toISOString());
    // Used every 10 days: alive until day 30, then gone.
    for (let d = 10; d < 30; d += 10) {
      t = start + d * DAY;
      expect(await accounts.session(token), `day ${d}`).not.toBeNull();
    }
    expect((await row()).expiresAt).toBe(new Date(start + 30 * DAY).toISOString());
    t = start + 30 * DAY;
    expect(await accounts.session(token)).toBeNull();
    expect(await store.accounts.findSession(tokenHash(token))).toBeNull();
    // Unused for 14 days: gone.
    const s = await accounts.signIn("ana", PW, "x");
    t += 14 * DAY;
    expect(await accounts.session(s.token)).toBeNull();
  });

  it("invites a new member with a link used once; the second use is 410", async () => {
    await setUp();
    const p = await store.createProject({ title: "Kinship" }, { actor: "ana" });
    const added = await accounts.addMember(p.id, { userName: "ben", displayName: "Ben K.", role: "reviewer", reason: "screens" }, { actor: "ana" });
    expect(added.member).toMatchObject({ userName: "ben", displayName: "Ben K.", role: "reviewer", pending: true });
    expect(added.link!.expiresAt).toBe(new Date(t + 7 * DAY).toISOString());
    expect((await store.listAudit(p.id)).items[0]).toMatchObject({ actor: "ana", action: "members.create", reason: "screens" });
    expect(await accounts.linkInfo(added.link!.token)).toMatchObject({ userName: "ben", displayName: "Ben K.", purpose: "invite" });
    const s = await accounts.redeemLink(added.link!.token, "bens own password");
    expect(s.user).toEqual({ name: "ben", displayName: "Ben K.", admin: false });
    await expect(accounts.redeemLink(added.link!.token, "another password")).rejects.toMatchObject({ status: 410, message: "this link has been used" });
    await expect(accounts.linkInfo(added.link!.token)).rejects.toMatchObject({ status: 410 });
    expect((await accounts.listMembers(p.id)).find((m) => m.userName === "ben")).toMatchObject({ pending: false, role: "reviewer" });
    // An active user added to another project gets no link; a second membership is refused.
    const q = await store.createProject({ title: "Other" }, { actor: "ana" });
    expect((await accounts.addMember(q.id, { userName: "ben", role: "viewer" }, { actor: "ana" })).link).toBeNull();
    await expect(accounts.addMember(q.id, { userName: "ben", role: "reviewer" }, { actor: "ana" })).rejects.toMatchObject({ status: 409 });
    await expect(accounts.inviteLink("ana", q.id, "ben")).rejects.toMatchObject({ status: 409 });
    await expect(accounts.linkInfo("x".repeat(43))).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an expired link with 410", async () => {
    await setUp();
    const p = await store.createProject({ title: "P" }, { actor: "ana" });
    const { link } = await accounts.addMember(p.id, { userName: "cy", role: "viewer" }, { actor: "ana" });
    t += 7 * DAY;
    await expect(accounts.redeemLink(link!.token, "a fine password")).rejects.toMatchObject({ status: 410, message: "this link has expired; ask for a new one" });
    const fresh = await accounts.inviteLink("ana", p.id, "cy");
    await accounts.redeemLink(fresh.token, "a fine password");
  });

  it("a reset link ends the user's sessions, and its use ends any others; other links are void after", async () => {
    await setUp();
    const p = await store.createProject({ title: "P" }, { actor: "ana" });
    const { link } = await accounts.addMember(p.id, { userName: "ben", role: "reviewer" }, { actor: "ana" });
    const ben = await accounts.redeemLink(link!.token, "bens own password");
    const other = await accounts.signIn("ben", "bens own password", "x");
    await expect(accounts.resetLink("ben", "ana")).rejects.toMatchObject({ status: 403 });
    await expect(accounts.resetLink("ana", "nobody")).rejects.toMatchObject({ status: 404 });
    // The instance itself (the CLI, given the store) may make one too.
    const byCli = await createAccounts(store, { now: () => new Date(t) }).resetLink(null, "ben");
    expect(await accounts.linkInfo(byCli.token)).toMatchObject({ purpose: "reset", userName: "ben" });
    const r1 = await accounts.resetLink("ana", "ben");
    const r2 = await accounts.resetLink("ana", "ben");
    expect(await accounts.session(ben.token)).toBeNull();
    expect(await accounts.session(other.token)).toBeNull();
    expect(await accounts.linkInfo(r1.token)).toMatchObject({ purpose: "reset", userName: "ben" });
    const s = await accounts.redeemLink(r1.token, "bens new password");
    expect(await accounts.session(s.token)).toMatchObject({ name: "ben" });
    await expect(accounts.signIn("ben", "bens own password", "x")).rejects.toMatchObject({ status: 401 });
    await accounts.signIn("ben", "bens new password", "x");
    // The other reset link cannot set the password again.
    await expect(accounts.redeemLink(r2.token, "someone elses password")).rejects.toMatchObject({ status: 410 });
    // A setup link is not an invitation.
    await expect(accounts.listUsers()).resolves.toEqual([
      expect.objectContaining({ name: "ana", admin: true, active: true }),
      expect.objectContaining({ name: "ben", admin: false, active: true }),
    ]);
  });

  it("changes a password given the current one; other sessions end, this one stays", async () => {
    const mine = await setUp();
    const other = await accounts.signIn("ana", PW, "x");
    await expect(accounts.changePassword("ana", "not my password", "a new password", mine)).rejects.toMatchObject({ status: 401 });
    await expect(accounts.changePassword("ana", PW, "short", mine)).rejects.toMatchObject({ status: 400 });
    await accounts.changePassword("ana", PW, "a new password", mine);
    expect(await accounts.session(mine)).toMatchObject({ name: "ana" });
    expect(await accounts.session(other.token)).toBeNull();
    await accounts.signIn("ana", "a new password", "x");
  });

  it("keeps an owner: changing or removing the last owner is refused; roles change and members go", async () => {
    await setUp();
    const p = await store.createProject({ title: "P" }, { actor: "ana" });
    const ana = { actor: "ana" };
    await expect(accounts.changeMemberRole(p.id, "ana", "reviewer", ana)).rejects.toMatchObject({ status: 409, message: expect.stringContaining("at least one owner") });
    await accounts.addMember(p.id, { userName: "ben", role: "viewer" }, ana);
    await expect(accounts.removeMember(p.id, "ana", ana)).rejects.toMatchObject({ status: 409 });
    expect(await accounts.changeMemberRole(p.id, "ben", "owner", { actor: "ana", reason: "co-lead" })).toMatchObject({ userName: "ben", role: "owner" });
    await accounts.removeMember(p.id, "ana", { actor: "ben" });
    expect((await accounts.listMembers(p.id)).map((m) => m.userName)).toEqual(["ben"]);
    await expect(accounts.removeMember(p.id, "ana", ana)).rejects.toMatchObject({ status: 404 });
    // The store's generic write meets the same rules.
    await expect(store.insert(p.id, "members", [{ userName: "ben", role: "viewer" }], ana)).rejects.toMatchObject({ status: 409 });
    const [m] = await store.list(p.id, "members");
    await expect(store.remove(p.id, "members", m!.id, ana)).resolves.toBeUndefined();
  });

  it("lifts and imposes blinding, audited with the reason", async () => {
    await setUp();
    const p = await store.createProject({ title: "P" }, { actor: "ana" });
    await expect(accounts.setBlinding(p.id, "full_text", false, { actor: "ana" })).rejects.toThrow("say why blinding changes");
    await expect(accounts.setBlinding(p.id, "nope", false, { actor: "ana", reason: "x" })).rejects.toMatchObject({ status: 400 });
    const lifted = await accounts.setBlinding(p.id, "full_text", false, { actor: "ana", reason: "consensus meeting" });
    expect(lifted.blinding).toEqual({ full_text: { liftedBy: "ana", liftedAt: expect.any(String) } });
    expect((await store.getProject(p.id)).blinding).toEqual(lifted.blinding);
    expect((await store.listAudit(p.id)).items[0]).toMatchObject({ action: "project.blinding", actor: "ana", reason: "consensus meeting", after: { stage: "full_text", blinded: false } });
    // Carried by export and import.
    const file = await store.exportProject(p.id);
    expect(file.project.blinding).toEqual(lifted.blinding);
    const again = await accounts.setBlinding(p.id, "full_text", true, { actor: "ana", reason: "new reviewers" });
    expect(again.blinding).toEqual({});
    expect("blinding" in (await store.exportProject(p.id)).project).toBe(false);
  });

  it("backs a user's credentials up and restores them (sessions are not)", async () => {
    const { backupInstance, restoreInstance, openStore } = await import("@homeward/store");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const token = await setUp();
    await store.createProject({ title: "P" }, { actor: "ana" });
    const dir = mkdtempSync(join(tmpdir(), "homeward-acct-backup-"));
    await backupInstance(store, join(dir, "b.hwbackup"));
    const other = await openStore({ dataDir: dir });
    try {
      await restoreInstance(other, join(dir, "b.hwbackup"), { actor: "ana" });
      const restored = createAccounts(other.accounts, { now: () => new Date(t) });
      expect(await restored.session(token)).toBeNull();
      expect((await restored.signIn("ana", PW, "x")).user).toEqual({ name: "ana", displayName: "Ana P.", admin: true });
      expect(await restored.setupNeeded()).toBe(false);
    } finally {
      await other.close();
    }
  });
});
