/**
 * A review team in headless Debian Chromium against the real server, each
 * person in their own browser: the first start (the one-time set-up link the
 * server prints), signing in and out, a wrong password, a project whose owner
 * invites two reviewers and a viewer from the Members page by keyboard, each
 * setting a password from their own link; dual screening in which the two
 * reviewers screen the same record blind to each other, the conflict the
 * owner reconciles, the viewer refused; blinding lifted with a reason; a
 * password reset; and the new pages at 200% zoom.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { horizontalOverflow, launchChromium, nextRecord, startServer, type ServerHandle } from "./harness.js";

const OWNER = { name: "olive", displayName: "Olive Owner", password: "a long owner passphrase" };
const ANA = { name: "ana", displayName: "Ana Reviewer", password: "ana's own passphrase" };
const BEN = { name: "ben", displayName: "Ben Reviewer", password: "ben's own passphrase" };
const VIC = { name: "vic", displayName: "Vic Viewer", password: "vic's own passphrase" };
const RECORDS = [
  { title: "Peer mentoring for first-year students: a cluster randomised trial", author: "Lee, K.", year: 2021, abstract: "Mentoring by second-year students." },
  { title: "A survey of tutoring services in universities", author: "Ng, A.", year: 2019, abstract: "A descriptive survey." },
];
const RIS = RECORDS.map((r) => `TY  - JOUR\nTI  - ${r.title}\nAU  - ${r.author}\nPY  - ${r.year}\nAB  - ${r.abstract}\nER  - \n`).join("\n");

let server: ServerHandle;
let browser: Browser;
const contexts: BrowserContext[] = [];
let projectId = "";
let recordIds: string[] = [];
const links: Record<string, string> = {};

type TestPage = Page & { errors: string[] };

async function newPage(options?: BrowserContextOptions): Promise<TestPage> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  contexts.push(ctx);
  const page = (await ctx.newPage()) as TestPage;
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    // A refusal (401, 403) the page shows as an alert is the app working, not a page error.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

/** Waits for the page's h1; on failure says what the page showed instead. */
async function heading(page: Page, name: string): Promise<void> {
  try {
    await page.getByRole("heading", { level: 1, name }).waitFor();
  } catch (err) {
    const shown = await page.locator("body").innerText().catch(() => "(unreadable)");
    throw new Error(`no heading "${name}" at ${page.url()}; the page shows:\n${shown.slice(0, 1500)}\n${(err as Error).message}`);
  }
}
const banner = (page: Page) => page.getByRole("banner");

async function signIn(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.getByLabel("User name").fill(who.name);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Opens a one-time link in a browser of one's own and sets a password; signed in on the project list. */
async function acceptInvitation(link: string, who: { name: string; displayName: string; password: string }): Promise<TestPage> {
  const page = await newPage();
  await page.goto(link);
  await heading(page, "Welcome to Homeward");
  await page.getByText(`you have been invited to review with Homeward as ${who.name}`, { exact: false }).waitFor();
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByLabel("Repeat the password").fill(who.password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await heading(page, "Projects");
  await banner(page).getByText(who.displayName).waitFor();
  // The used token is gone from the address bar.
  expect(new URL(page.url()).hash).toBe("");
  return page;
}

beforeAll(async () => {
  server = await startServer({ signIn: false });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
});

describe("a review team", () => {
  let owner: TestPage;

  it("sets Homeward up from the link printed at first start, signs out, refuses a wrong password and signs back in", async () => {
    const link = await server.setupLink();
    expect(link).toMatch(new RegExp(`^${server.url.replace(/[.]/g, "\\.")}/setup#token=\\S{16,}$`));

    // Before set-up, the app sends a visitor to the sign-in page, which says how to begin.
    const stranger = await newPage();
    await stranger.goto(`${server.url}/`);
    await heading(stranger, "Sign in");
    await stranger.getByText("Homeward is not set up yet.").waitFor();

    owner = await newPage();
    await owner.goto(link);
    await heading(owner, "Set up Homeward");
    // A typing slip in the repeated password is caught before anything is sent.
    await owner.getByLabel("User name").fill(OWNER.name);
    await owner.getByLabel("Your name (optional)").fill(OWNER.displayName);
    await owner.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await owner.getByLabel("Repeat the password").fill(`${OWNER.password}!`);
    await owner.getByRole("button", { name: "Create the owner account" }).click();
    await owner.getByText("The two passwords differ.").waitFor();
    await owner.waitForFunction(() => document.activeElement?.id === "repeat-password");
    await owner.getByLabel("Repeat the password").fill(OWNER.password);
    await owner.keyboard.press("Enter");
    await heading(owner, "Projects");
    await banner(owner).getByText(OWNER.displayName).waitFor();
    expect(new URL(owner.url()).hash).toBe("");

    // The link worked once.
    const again = await newPage();
    await again.goto(link);
    await heading(again, "Set up Homeward");
    await again.getByRole("alert").first().waitFor();

    // Sign out: the project list is no longer open to this browser.
    await banner(owner).getByRole("button", { name: "Sign out" }).click();
    await heading(owner, "Sign in");
    await owner.goto(`${server.url}/`);
    await heading(owner, "Sign in");

    // A wrong password: the server's refusal is shown, and nobody is signed in.
    await signIn(owner, { name: OWNER.name, password: "not the password at all" });
    const alert = owner.getByRole("alert");
    await alert.waitFor();
    expect((await alert.innerText()).length).toBeGreaterThan(8);
    await heading(owner, "Sign in");
    expect(await banner(owner).getByText(OWNER.displayName).count()).toBe(0);

    await signIn(owner, OWNER);
    await heading(owner, "Projects");
    await banner(owner).getByText(OWNER.displayName).waitFor();
    expect(owner.errors).toEqual([]);
  });

  it("returns to the page the user was on after signing in", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/account`);
    await heading(page, "Sign in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/account");
    await signIn(page, OWNER);
    await heading(page, "Your account");
    await page.getByText(OWNER.name, { exact: true }).waitFor();
  });

  it("creates a project and invites two reviewers and a viewer from the Members page, by keyboard", async () => {
    await owner.goto(`${server.url}/`);
    await heading(owner, "Projects");
    await owner.getByLabel("Title").fill("Peer mentoring at university");
    await owner.getByRole("button", { name: "Create project" }).click();
    await owner.getByRole("link", { name: "Peer mentoring at university" }).click();
    await heading(owner, "Dashboard");
    projectId = decodeURIComponent(new URL(owner.url()).pathname.split("/")[2]!);
    // A search's export, imported as the Searches page sends a file (that page has its own test).
    const res = await owner.request.post(`${server.url}/api/projects/${projectId}/imports?fileName=eric.ris&source=ERIC`, {
      data: Buffer.from(RIS),
      headers: { origin: server.url, "content-type": "application/octet-stream" },
    });
    expect(res.status(), await res.text()).toBe(201);
    const listed = await owner.request.get(`${server.url}/api/projects/${projectId}/records?offset=0&limit=10`);
    recordIds = ((await listed.json()) as { items: { id: string }[] }).items.map((r) => r.id);
    expect(recordIds).toHaveLength(RECORDS.length);

    await owner.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Members" }).click();
    await heading(owner, "Members");
    await owner.locator('[data-member="olive"]').getByText(/· Owner ·/).waitFor();

    for (const who of [ANA, BEN]) {
      await owner.getByLabel("User name").focus();
      await owner.keyboard.type(who.name);
      await owner.keyboard.press("Tab");
      await owner.keyboard.type(who.displayName);
      await owner.keyboard.press("Tab");
      // Reviewer is the role offered; the keyboard leaves it.
      expect(await owner.evaluate(() => (document.activeElement as HTMLSelectElement).value)).toBe("reviewer");
      await owner.keyboard.press("Tab");
      expect(await owner.evaluate(() => document.activeElement?.textContent)).toBe("Add member");
      await owner.keyboard.press("Enter");
      const panel = owner.getByRole("region", { name: `Invitation link for ${who.displayName}` });
      await panel.waitFor();
      // Focus moves to the result, which names who the link is for.
      expect(await owner.evaluate(() => document.activeElement?.textContent)).toBe(`Invitation link for ${who.displayName}`);
      links[who.name] = await panel.getByLabel(`One-time link for ${who.displayName}`).inputValue();
      expect(links[who.name]).toMatch(new RegExp(`^${server.url.replace(/[.]/g, "\\.")}/welcome#token=\\S{16,}$`));
      await owner.locator(`[data-member="${who.name}"]`).getByText("Invited, not yet signed in").waitFor();
    }
    await owner.getByLabel("User name").fill(VIC.name);
    await owner.getByLabel("Name (optional)").fill(VIC.displayName);
    await owner.getByLabel("Role", { exact: true }).selectOption("viewer");
    await owner.getByRole("button", { name: "Add member" }).click();
    const panel = owner.getByRole("region", { name: `Invitation link for ${VIC.displayName}` });
    await panel.waitFor();
    links[VIC.name] = await panel.getByLabel(`One-time link for ${VIC.displayName}`).inputValue();
    await owner.locator('[data-member="vic"]').getByText(/· Viewer ·/).waitFor();

    // A fresh link for a pending member replaces the old one.
    await owner.getByRole("button", { name: `New link for ${VIC.displayName}` }).click();
    const fresh = owner.getByRole("region", { name: `New invitation link for ${VIC.displayName}` });
    await fresh.waitFor();
    links[VIC.name] = await fresh.getByLabel(`One-time link for ${VIC.displayName}`).inputValue();
    expect(owner.errors).toEqual([]);
  });

  let ana: TestPage;
  let ben: TestPage;
  let vic: TestPage;

  it("lets each invited person set a password from their own link", async () => {
    ana = await acceptInvitation(links.ana!, ANA);
    ben = await acceptInvitation(links.ben!, BEN);
    vic = await acceptInvitation(links.vic!, VIC);
    for (const p of [ana, ben, vic]) await p.getByRole("link", { name: "Peer mentoring at university" }).waitFor();
    // A used link does not work twice.
    const replay = await newPage();
    await replay.goto(links.ana!);
    await heading(replay, "Welcome to Homeward");
    await replay.getByLabel("Password", { exact: true }).fill("someone else's password");
    await replay.getByLabel("Repeat the password").fill("someone else's password");
    await replay.getByRole("button", { name: "Set password and sign in" }).click();
    await replay.getByRole("alert").first().waitFor();
    expect(await replay.getByRole("banner").getByText(ANA.displayName).count()).toBe(0);

    // The owner sees them active; a reviewer sees the members but cannot change them.
    await owner.reload();
    await heading(owner, "Members");
    for (const n of ["ana", "ben", "vic"]) await owner.locator(`[data-member="${n}"]`).getByText("Active").waitFor();
    await ana.goto(`${server.url}/projects/${projectId}/members`);
    await heading(ana, "Members");
    await ana.locator('[data-member="olive"]').waitFor();
    expect(await ana.getByRole("button", { name: /Remove|Add member|Lift blinding/ }).count()).toBe(0);
    await ana.getByText("only its owners change members and blinding").waitFor();
  });

  it("dual-screens one record blind: neither reviewer sees the other's decision, the conflict goes to the owner", async () => {
    await owner.goto(`${server.url}/projects/${projectId}/screening/settings`);
    await heading(owner, "Screening set-up");
    await owner.getByLabel("Dual screening").check();
    await owner.getByLabel("Reviewers").fill("ana, ben");
    await owner.getByRole("button", { name: "Save set-up" }).click();
    await owner.getByRole("status").filter({ hasText: "dual screening saved" }).waitFor();

    const screenFirst = async (page: Page) => {
      await page.goto(`${server.url}/projects/${projectId}/screening`);
      await heading(page, "Title and abstract screening");
      const id = await nextRecord(page, null);
      expect(id).not.toBeNull();
      return id!;
    };
    const first = await screenFirst(ana);
    const title = await ana.locator("#screening-record-title").innerText();
    const before = await ana.locator("main").innerText();
    expect(before).not.toMatch(/Ben Reviewer|\bben\b/);
    await ana.keyboard.press("i");
    await ana.locator(".screening-outcome", { hasText: "Include" }).waitFor();

    // Ben is served the same record and, before deciding, sees nothing of Ana's decision.
    let served: string | null = await screenFirst(ben);
    while (served !== null && served !== first) {
      await ben.keyboard.press("m");
      served = await nextRecord(ben, served);
    }
    expect(served).toBe(first);
    expect(await ben.locator("#screening-record-title").innerText()).toBe(title);
    const benSees = await ben.locator("main").innerText();
    expect(benSees).not.toMatch(/Ana Reviewer|\bana\b/i);
    expect(benSees).not.toMatch(/included by|other reviewer (included|excluded)/i);
    const answer = await ben.request.get(`${server.url}/api/projects/${projectId}/screening/title_abstract/records/${first}/reviewers`);
    if (answer.ok()) expect(JSON.stringify(await answer.json())).not.toMatch(/"include"/);
    await ben.keyboard.press("e");
    await ben.locator(".screening-outcome", { hasText: "Exclude" }).waitFor();

    // The disagreement is a conflict; the owner reconciles it with a reason.
    await owner.goto(`${server.url}/projects/${projectId}/screening/conflicts`);
    await heading(owner, "Screening conflicts");
    const card = owner.locator(".conflict-list > li").filter({ has: owner.getByRole("heading", { name: title }) });
    await card.waitFor();
    await card.getByLabel("Include").check();
    await card.getByLabel("Reason for this resolution").fill("Students mentoring students: eligible");
    await card.getByRole("button", { name: /^Reconcile as / }).click();
    await owner.getByRole("status").filter({ hasText: "1 record reconciled" }).waitFor();
    expect(owner.errors).toEqual([]);
    expect(ana.errors).toEqual([]);
    expect(ben.errors).toEqual([]);
  });

  it("refuses a viewer screening: no screen action, and the server's refusal", async () => {
    await vic.goto(`${server.url}/projects/${projectId}/screening`);
    await heading(vic, "Title and abstract screening");
    await vic.getByRole("region", { name: "You are not a reviewer of this stage" }).waitFor();
    expect(await vic.getByRole("button", { name: "Start screening" }).count()).toBe(0);
    await vic.keyboard.press("s");
    expect(await vic.locator("article.screening-record").count()).toBe(0);
    const res = await vic.request.post(`${server.url}/api/projects/${projectId}/screening/title_abstract/decisions`, {
      data: { recordId: recordIds[1], decision: "include" },
      headers: { origin: server.url },
    });
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
  });

  it("lets the owner lift blinding of a stage with a reason, and impose it again", async () => {
    await owner.goto(`${server.url}/projects/${projectId}/members`);
    await heading(owner, "Members");
    const row = owner.locator('tr[data-stage="full_text"]');
    await row.getByText("Blind", { exact: true }).waitFor();
    await row.getByRole("button", { name: /Lift blinding/ }).click();
    await owner.waitForFunction(() => document.activeElement?.id === "blinding-reason");
    await owner.getByRole("button", { name: "Lift blinding", exact: true }).click();
    await owner.getByText("Say why: the reason is recorded in the audit log.").waitFor();
    await owner.keyboard.type("Pilot of ten records discussed together");
    await owner.getByRole("button", { name: "Lift blinding", exact: true }).click();
    await row.getByText(/Lifted by olive/).waitFor();
    // Focus returns to the stage's button, which now offers the reverse.
    await owner.waitForFunction(() => document.activeElement?.textContent?.startsWith("Blind again"));
    await row.getByRole("button", { name: /Blind again/ }).click();
    await owner.getByLabel("Reason").fill("Pilot over");
    await owner.getByRole("button", { name: "Blind again", exact: true }).click();
    await row.getByText("Blind", { exact: true }).waitFor();

    // A reviewer has no blinding controls, and the server refuses them.
    const res = await ana.request.put(`${server.url}/api/projects/${projectId}/blinding/title_abstract`, {
      data: { blinded: false, reason: "curious" },
      headers: { origin: server.url },
    });
    expect(res.status()).toBe(403);
    expect(owner.errors).toEqual([]);
  });

  it("lets the owner change a member's role and remove a member, confirming first", async () => {
    await owner.goto(`${server.url}/projects/${projectId}/members`);
    await heading(owner, "Members");
    await owner.getByLabel("User name").fill("tess");
    await owner.getByLabel("Role", { exact: true }).selectOption("viewer");
    await owner.getByRole("button", { name: "Add member" }).click();
    const tess = owner.locator('[data-member="tess"]');
    await tess.getByText(/^Viewer ·/).waitFor();
    await owner.getByLabel("Role of tess").selectOption("adjudicator");
    await owner.getByRole("button", { name: "Save role of tess" }).click();
    await tess.getByText(/^Adjudicator ·/).waitFor();
    // Removing asks first; Cancel puts focus back on the Remove button.
    await owner.getByRole("button", { name: "Remove tess" }).click();
    await owner.waitForFunction(() => document.activeElement?.textContent === "Remove tess");
    await owner.getByRole("button", { name: "Cancel" }).click();
    await owner.waitForFunction(() => document.activeElement?.textContent === "Remove tess" && document.activeElement.className.includes("button-secondary"));
    await owner.getByRole("button", { name: "Remove tess" }).click();
    await owner.getByRole("group", { name: "Remove tess" }).getByRole("button", { name: "Remove tess" }).click();
    await tess.waitFor({ state: "detached" });
    const members = await owner.request.get(`${server.url}/api/projects/${projectId}/members`);
    expect(((await members.json()) as { userName: string }[]).map((m) => m.userName)).not.toContain("tess");
    expect(owner.errors).toEqual([]);
  });

  it("lets an administrator reset a forgotten password with a one-time link", async () => {
    await owner.goto(`${server.url}/`);
    await banner(owner).getByRole("link", { name: "Users" }).click();
    await heading(owner, "Users");
    await owner.getByRole("row", { name: /ben/ }).getByText("Active").waitFor();
    await owner.getByRole("button", { name: "Reset password of ben" }).click();
    const panel = owner.getByRole("region", { name: `Password reset link for ${BEN.displayName}` });
    await panel.waitFor();
    const link = await panel.getByLabel(`One-time link for ${BEN.displayName}`).inputValue();
    expect(link).toMatch(/\/welcome#token=/);
    // Ben's session has ended: his next request takes him to sign in.
    await ben.goto(`${server.url}/projects/${projectId}`);
    await heading(ben, "Sign in");

    const page = await newPage();
    await page.goto(link);
    await heading(page, "Choose a new password");
    await page.getByLabel("New password").fill("ben's second passphrase");
    await page.getByLabel("Repeat the password").fill("ben's second passphrase");
    await page.getByRole("button", { name: "Save the new password" }).click();
    await heading(page, "Projects");
    await banner(page).getByText(BEN.displayName).waitFor();

    // A reviewer is no administrator.
    await ana.goto(`${server.url}/users`);
    await heading(ana, "Users");
    await ana.getByText("Only an administrator").waitFor();
    expect(await banner(ana).getByRole("link", { name: "Users" }).count()).toBe(0);
  });

  it("changes a password on the account page", async () => {
    await banner(ana).getByRole("link", { name: "Account" }).click();
    await heading(ana, "Your account");
    await ana.getByLabel("Current password").fill("not it at all");
    await ana.getByLabel("New password").fill("ana's better passphrase");
    await ana.getByLabel("Repeat the password").fill("ana's better passphrase");
    await ana.getByRole("button", { name: "Change password" }).click();
    await ana.getByRole("alert").waitFor();
    await ana.getByLabel("Current password").fill(ANA.password);
    await ana.getByLabel("New password").fill("ana's better passphrase");
    await ana.getByLabel("Repeat the password").fill("ana's better passphrase");
    await ana.getByRole("button", { name: "Change password" }).click();
    await ana.getByRole("status").filter({ hasText: "Password changed." }).waitFor();
    const page = await newPage();
    await page.goto(`${server.url}/signin`);
    await signIn(page, { name: ANA.name, password: "ana's better passphrase" });
    await heading(page, "Projects");
  });

  it("tells someone guessing a password to wait, in the server's words", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/signin`);
    const alert = page.getByRole("alert");
    let text = "";
    for (let i = 0; i < 8 && !/too many/i.test(text); i++) {
      await signIn(page, { name: VIC.name, password: `guess number ${i}` });
      await alert.waitFor();
      await page.waitForFunction(() => !document.querySelector("button[aria-disabled=true]"));
      text = await alert.innerText();
    }
    expect(text).toMatch(/too many sign-in attempts; try again in \d+ minutes?/);
    await heading(page, "Sign in");
  });

  it("reflows the sign-in, set-up, welcome, account, users and members pages at 200% zoom", async () => {
    const zoom = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 };
    const anonymous = await newPage(zoom);
    for (const [path, title] of [
      ["/signin", "Sign in"],
      ["/setup#token=0123456789abcdef0123", "Set up Homeward"],
      ["/welcome#token=0123456789abcdef0123", "Welcome to Homeward"],
    ] as const) {
      await anonymous.goto(`${server.url}${path}`);
      await heading(anonymous, title);
      await anonymous.waitForLoadState("networkidle");
      expect({ path, overflow: await horizontalOverflow(anonymous) }).toEqual({ path, overflow: 0 });
    }
    const zoomed = await newPage(zoom);
    await zoomed.goto(`${server.url}/signin`);
    await signIn(zoomed, OWNER);
    await heading(zoomed, "Projects");
    for (const [path, title] of [
      ["/account", "Your account"],
      ["/users", "Users"],
      [`/projects/${projectId}/members`, "Members"],
    ] as const) {
      await zoomed.goto(`${server.url}${path}`);
      await heading(zoomed, title);
      await zoomed.waitForLoadState("networkidle");
      expect({ path, overflow: await horizontalOverflow(zoomed) }).toEqual({ path, overflow: 0 });
    }
    // A link panel with its long address reflows too.
    await zoomed.goto(`${server.url}/users`);
    await heading(zoomed, "Users");
    await zoomed.getByRole("button", { name: "Reset password of vic" }).click();
    await zoomed.getByRole("region", { name: /Password reset link/ }).waitFor();
    expect(await horizontalOverflow(zoomed)).toBe(0);
    expect(zoomed.errors).toEqual([]);
  });
});
