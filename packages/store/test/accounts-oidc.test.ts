import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccounts, type Accounts } from "@homeward/accounts";
import type { Store } from "@homeward/store";
import { storeEngines } from "./scratch-database.js";

const PW = "correct horse battery";
const ISS = "https://id.example.org";

describe.each(storeEngines("accounts_oidc"))("organisation sign-in on %s", (_name, open) => {
  let store: Store;
  let done: () => Promise<void>;
  let accounts: Accounts;
  let projectId: string;
  beforeEach(async () => {
    ({ store, done } = await open());
    accounts = createAccounts(store.accounts);
    const link = await accounts.issueSetupLink();
    await accounts.setup(link.token, { name: "ana", displayName: "Ana P.", password: PW });
    projectId = (await store.createProject({ title: "P" }, { actor: "ana" })).id;
  });
  afterEach(async () => {
    await store.close();
    await done();
  });

  it("creates a new user with no project, then signs the same identity in as that user", async () => {
    const first = await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-1", preferredName: "cleo", displayName: "Cleo D." });
    expect(first.outcome).toBe("created");
    expect(first.user).toEqual({ name: "cleo", displayName: "Cleo D.", admin: false });
    expect(await accounts.session(first.token)).toEqual(first.user);
    expect(await store.roleOf(projectId, "cleo")).toBeNull();
    expect((await store.accounts.getUser("cleo"))?.oidcSubject).toBe(`${ISS} s-1`);
    expect((await accounts.listUsers()).find((u) => u.name === "cleo")?.active).toBe(true);
    // The name in the token may change later; the identity (issuer and subject) decides.
    const again = await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-1", preferredName: "cleo.d" });
    expect(again).toMatchObject({ outcome: "returning", user: { name: "cleo" } });
    expect(again.token).not.toBe(first.token);
  });

  it("links an invited member who has not signed in yet, keeps their role, and ends their invitation link", async () => {
    const { link } = await accounts.addMember(projectId, { userName: "ben", displayName: "Ben K.", role: "reviewer" }, { actor: "ana" });
    const s = await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-ben", preferredName: "ben", displayName: "Benjamin" });
    expect(s).toMatchObject({ outcome: "linked", user: { name: "ben", displayName: "Ben K.", admin: false } });
    expect(await store.roleOf(projectId, "ben")).toBe("reviewer");
    expect((await accounts.listMembers(projectId)).find((m) => m.userName === "ben")?.pending).toBe(false);
    await expect(accounts.redeemLink(link!.token, "another good password")).rejects.toMatchObject({ status: 410 });
    expect((await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-ben" })).user.name).toBe("ben");
  });

  it("never links by name a user who has a password or another identity: a new name is made instead", async () => {
    const s = await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-evil", preferredName: "ana" });
    expect(s).toMatchObject({ outcome: "created", user: { name: "ana-2", admin: false } });
    expect((await store.accounts.getUser("ana"))?.oidcSubject).toBeNull();
    // A second identity with the same name does not take the first's user either.
    const other = await accounts.signInWithOrganisation({ issuer: "https://other.example", subject: "s-1", preferredName: "ana-2" });
    expect(other).toMatchObject({ outcome: "created", user: { name: "ana-2-2" } });
    // The same subject at another issuer is another person.
    const a = await accounts.signInWithOrganisation({ issuer: ISS, subject: "same", preferredName: "dee" });
    const b = await accounts.signInWithOrganisation({ issuer: "https://other.example", subject: "same", preferredName: "dee" });
    expect([a.user.name, b.user.name]).toEqual(["dee", "dee-2"]);
  });

  it("names a user without a usable preferred name after the identity; refuses an empty identity", async () => {
    const s = await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-x", preferredName: "  " });
    expect(s.user.name).toMatch(/^user-[0-9a-f]{8}$/);
    expect((await accounts.signInWithOrganisation({ issuer: ISS, subject: "s-x" })).user.name).toBe(s.user.name);
    await expect(accounts.signInWithOrganisation({ issuer: ISS, subject: " " })).rejects.toMatchObject({ status: 400 });
  });
});

describe.each(storeEngines("accounts_oidc_setup"))("organisation sign-in before setup on %s", (_name, open) => {
  it("is refused while the instance has no first owner, so setup stays possible", async () => {
    const { store, done } = await open();
    try {
      const accounts = createAccounts(store.accounts);
      await expect(accounts.signInWithOrganisation({ issuer: ISS, subject: "s-1", preferredName: "cleo" })).rejects.toMatchObject({ status: 409 });
      expect(await accounts.setupNeeded()).toBe(true);
      expect(await store.accounts.getUser("cleo")).toBeNull();
    } finally {
      await store.close();
      await done();
    }
  });
});
