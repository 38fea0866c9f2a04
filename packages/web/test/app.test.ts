/**
 * End-to-end tests of the web app in headless Debian Chromium against the
 * real server (built CLI, `homeward serve`, temporary data directory).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, OWNER, pageHeading, settled, startApp, type AppHarness } from "./harness.js";
import { RARE_WORD, SEED_AUDIT_ENTRIES, seedProject, type SeedRecord } from "./seed.js";

let app: AppHarness;
let seeded: { id: string; records: SeedRecord[] };
const SEEDED_RECORDS = 1234;
/** Screening views (path under the project, heading); the stage pages show a record from the seeded project. */
const SCREENING_PAGES: [string, string][] = [
  ["/screening", "Title and abstract screening"],
  ["/screening/full-text", "Full text screening"],
  ["/screening/conflicts", "Screening conflicts"],
  ["/screening/agreement", "Screening agreement and QA"],
  ["/screening/settings", "Screening set-up"],
];

beforeAll(async () => {
  app = await startApp();
  const { file, records } = seedProject({ id: "web-test-seeded", title: "Seeded mentoring review", records: SEEDED_RECORDS });
  const project = await app.api<{ id: string }>("POST", "/projects/import", file);
  seeded = { id: project.id, records };
});

afterAll(async () => {
  await app?.close();
});

/** Titles of the record rows currently rendered in the table, top to bottom. */
async function visibleTitles(page: Page): Promise<string[]> {
  return page.$$eval(".records-scroll [role=row][data-record-id]", (rows) =>
    rows
      .map((r) => ({ top: r.getBoundingClientRect().top, title: r.querySelector(".cell-title")?.textContent ?? "" }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.title),
  );
}

async function waitForRows(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const g = document.querySelector<HTMLElement>("[role=grid]");
    return !!g && g.dataset.loadedKey === g.dataset.queryKey && g.getAttribute("aria-busy") === "false";
  });
}

const byTitle = (a: SeedRecord, b: SeedRecord) => {
  const x = a.title.trim().toLowerCase();
  const y = b.title.trim().toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
};

describe("web app", () => {
  it("opens on the project list, creates a project and lists it", async () => {
    const page = await app.newPage();
    await page.goto(app.url);
    await page.locator("h1").waitFor();
    expect(await page.locator("h1").innerText()).toBe("Projects");
    expect(await page.title()).toBe("Projects · Homeward");
    for (const landmark of ["banner", "main", "contentinfo"] as const) expect(await page.getByRole(landmark).count()).toBe(1);

    // Empty title: a message next to the field, focus on the field, nothing created.
    const before = (await app.api<unknown[]>("GET", "/projects")).length;
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByText("Enter a title for the project.").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("project-title");
    expect(await page.getByLabel("Title").getAttribute("aria-invalid")).toBe("true");
    expect((await app.api<unknown[]>("GET", "/projects")).length).toBe(before);

    await page.getByLabel("Title").fill("Family group conferencing");
    await page.getByLabel("Description (optional)").fill("Effects on re-referral to children's services.");
    await page.getByRole("button", { name: "Create project" }).click();
    const item = page.getByRole("list", { name: "Projects" }).getByRole("link", { name: "Family group conferencing" });
    await item.waitFor();

    const listed = await app.api<{ title: string; description: string }[]>("GET", "/projects");
    expect(listed.find((p) => p.title === "Family group conferencing")?.description).toBe(
      "Effects on re-referral to children's services.",
    );
    expect(await page.getByLabel("Title").inputValue()).toBe("");

    // The new project's dashboard is one click away and shows its stage counts.
    await item.click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.getByRole("heading", { name: "Progress by stage" }).waitFor();
    expect(page.errors).toEqual([]);
  });

  it("imports a project file, shows the server's reason when it refuses one, and edits project details", async () => {
    const page = await app.newPage();
    await page.goto(app.url);
    await page.locator("h1").waitFor();

    // Not a project file: the server's one-line reason is shown, nothing is created.
    const before = (await app.api<unknown[]>("GET", "/projects")).length;
    await page.getByLabel("Project file (.json)").setInputFiles({
      name: "wrong.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify({ format: "something-else" })),
    });
    const alert = page.getByRole("region", { name: "Import a project" }).getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("not a Homeward project file");
    expect((await app.api<unknown[]>("GET", "/projects")).length).toBe(before);
    page.errors.length = 0; // the browser logs the intended 400

    const { file } = seedProject({ id: "web-test-imported", title: "Imported kinship care review", records: 12, seed: 7 });
    await page.getByLabel("Project file (.json)").setInputFiles({
      name: "kinship.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await page.getByRole("link", { name: "Imported kinship care review" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();

    // Edit the title: saved through the API, shown in the breadcrumb, recorded with the signed-in user.
    await page.getByRole("button", { name: "Edit details" }).click();
    await page.getByLabel("Title").fill("Kinship care review (update 2026)");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByText("Kinship care review (update 2026)").waitFor();
    const stored = await app.api<{ title: string }>("GET", "/projects/web-test-imported");
    expect(stored.title).toBe("Kinship care review (update 2026)");
    const audit = await app.api<{ items: { action: string; actor: string }[] }>("GET", "/projects/web-test-imported/audit");
    expect(audit.items[0]!.actor).toBe(OWNER.name);
    expect(page.errors).toEqual([]);
  });

  it("shows the server's error message when a request fails", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/no-such-project`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain('no project with id "no-such-project"');
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("alert").count()).toBe(1);
    await alert.getByRole("link", { name: "Back to the project list" }).click();
    await page.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
  });

  it("can be used with the keyboard alone", async () => {
    const page = await app.newPage();
    await page.goto(app.url);
    await page.locator("h1").waitFor();

    // First Tab reaches the skip link; Enter moves focus to the main landmark.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to main content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    // Tab through the page to the create form; every stop has a visible focus indicator.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const s = getComputedStyle(el);
        return { id: el.id, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      expect(focused.outline).not.toBe("none");
      expect(focused.width).toBeGreaterThan(0);
      if (focused.id === "project-title") break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("project-title");
    await page.keyboard.type("Keyboard-made project");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("project-description");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Create project");
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "Keyboard-made project" }).waitFor();
    expect((await app.api<{ title: string }[]>("GET", "/projects")).some((p) => p.title === "Keyboard-made project")).toBe(true);
  });

  it("reflows without horizontal scrolling at 200% zoom on a 1280px screen", async () => {
    // 200% zoom on a 1280×800 window: the page lays out in 640×400 CSS pixels at two device pixels each.
    const page = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    const base = `${app.url}/projects/${encodeURIComponent(seeded.id)}`;
    const pages: [string, string][] = [
      [app.url, "Projects"],
      [base, "Dashboard"],
      [`${base}/protocol`, "Protocol"],
      [`${base}/records`, "Records"],
      [`${base}/records?record=${seeded.records[3]!.id}`, "Records"],
      [`${base}/studies`, "Studies"],
      [`${base}/audit`, "Audit log"],
      [`${base}/members`, "Members"],
      [`${app.url}/account`, "Your account"],
      [`${app.url}/users`, "Users"],
      [`${app.url}/signin`, "Sign in"],
      ...SCREENING_PAGES.map(([path, heading]) => [`${base}${path}`, heading] as [string, string]),
    ];
    for (const [url, heading] of pages) {
      await page.goto(url);
      await pageHeading(page, heading);
      await settled(page);
      expect({ url, overflow: await horizontalOverflow(page) }).toEqual({ url, overflow: 0 });
    }
    // The records table switched to its two-line layout rather than squeezing five columns.
    await page.goto(`${base}/records`);
    await waitForRows(page);
    expect(await page.locator(".records-grid.narrow").count()).toBe(1);
    expect(page.errors).toEqual([]);
  });

  it("keeps text contrast at WCAG AA in light and dark colour schemes", async () => {
    const base = `${app.url}/projects/${encodeURIComponent(seeded.id)}`;
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const [url, heading] of [
        [app.url, "Projects"],
        [base, "Dashboard"],
        [`${base}/protocol`, "Protocol"],
        [`${base}/records?record=${seeded.records[0]!.id}`, "Records"],
        [`${base}/studies`, "Studies"],
        [`${base}/audit`, "Audit log"],
        [`${base}/members`, "Members"],
        [`${app.url}/account`, "Your account"],
        [`${app.url}/users`, "Users"],
        [`${app.url}/signin`, "Sign in"],
        ...SCREENING_PAGES.map(([path, heading]) => [`${base}${path}`, heading] as const),
      ] as const) {
        await page.goto(url);
        await pageHeading(page, heading);
        await settled(page);
        expect({ colorScheme, url, problems: await contrastProblems(page) }).toEqual({ colorScheme, url, problems: [] });
      }
    }
  });

  it("pages, sorts and searches the records table on the server", async () => {
    const page = await app.newPage();
    const requests: URL[] = [];
    const counts: URL[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (/\/api\/projects\/[^/]+\/records$/.test(u.pathname)) requests.push(u);
      if (/\/api\/projects\/[^/]+\/records-count$/.test(u.pathname)) counts.push(u);
    });
    await page.goto(`${app.url}/projects/${encodeURIComponent(seeded.id)}/records`);
    await waitForRows(page);

    const count = page.locator(".row-count");
    expect(await count.innerText()).toBe(`${SEEDED_RECORDS.toLocaleString("en-GB")} records`);
    expect(await page.getByRole("grid").getAttribute("aria-rowcount")).toBe(String(SEEDED_RECORDS + 1));
    // Only a page of rows is fetched and only a screenful rendered, not all 1,234.
    expect(requests.length).toBe(1);
    expect(Number(requests[0]!.searchParams.get("limit"))).toBeLessThan(SEEDED_RECORDS);
    expect(await page.locator(".records-scroll [role=row]").count()).toBeLessThan(60);

    // Default order is the order records were added.
    const byCreated = [...seeded.records].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    expect((await visibleTitles(page))[0]).toBe(byCreated[0]!.title);

    // Scrolling on to the next page asks for the records after the last one shown (a range read of
    // the server's index at any depth), and they are the next ones in order.
    await page.locator(".records-scroll").evaluate((el, n) => el.scrollTo(0, (el.scrollHeight * 96) / n), SEEDED_RECORDS);
    await page.waitForFunction((id) => !!document.querySelector(`[role=row][data-record-id="${id}"]`), byCreated[100]!.id);
    const next = requests.find((u) => u.searchParams.get("offset") === "100");
    expect(next?.searchParams.get("after")).toBe(byCreated[99]!.id);
    expect(await page.locator(`.records-scroll [role=row][data-record-id="${byCreated[100]!.id}"]`).getAttribute("data-index")).toBe("100");
    await page.locator(".records-scroll").evaluate((el) => el.scrollTo(0, 0));

    // Keyboard: End jumps to the last record, fetching its page from the server.
    await page.getByRole("grid").focus();
    await page.keyboard.press("End");
    await page.waitForFunction(
      (id) => !!document.querySelector(`[role=row][data-record-id="${id}"]`),
      byCreated[byCreated.length - 1]!.id,
    );
    expect(requests.some((u) => Number(u.searchParams.get("offset")) >= SEEDED_RECORDS - 100)).toBe(true);

    // Sort by title: ascending, then descending.
    const titleHeader = page.getByRole("columnheader", { name: "Title" });
    await titleHeader.getByRole("button").click();
    await waitForRows(page);
    expect(await titleHeader.getAttribute("aria-sort")).toBe("ascending");
    const asc = [...seeded.records].sort(byTitle);
    expect((await visibleTitles(page)).slice(0, 5)).toEqual(asc.slice(0, 5).map((r) => r.title));
    await titleHeader.getByRole("button").click();
    await waitForRows(page);
    expect(await titleHeader.getAttribute("aria-sort")).toBe("descending");
    expect((await visibleTitles(page))[0]).toBe(asc[asc.length - 1]!.title);
    expect(await page.getByRole("columnheader", { name: "Year" }).getAttribute("aria-sort")).toBe("none");

    // Sort by year, newest first.
    const yearHeader = page.getByRole("columnheader", { name: "Year" });
    await yearHeader.getByRole("button").click();
    await waitForRows(page);
    await yearHeader.getByRole("button").click();
    await waitForRows(page);
    expect(await yearHeader.getAttribute("aria-sort")).toBe("descending");
    const maxYear = Math.max(...seeded.records.map((r) => r.year ?? -Infinity));
    expect(await page.locator(".records-scroll [role=row][data-index='0'] .cell-year").innerText()).toBe(String(maxYear));
    // Scrolling on in the year order asks for the records after the last one shown too (missing years last).
    const byYearDesc = [...seeded.records].sort((a, b) => (b.year ?? -Infinity) - (a.year ?? -Infinity) || (a.id < b.id ? 1 : -1));
    await page.locator(".records-scroll").evaluate((el, n) => el.scrollTo(0, (el.scrollHeight * 96) / n), SEEDED_RECORDS);
    await page.waitForFunction((id) => !!document.querySelector(`[role=row][data-record-id="${id}"]`), byYearDesc[100]!.id);
    const nextByYear = requests.find((u) => u.searchParams.get("sort") === "year" && u.searchParams.get("dir") === "desc" && u.searchParams.get("offset") === "100");
    expect(nextByYear?.searchParams.get("after")).toBe(byYearDesc[99]!.id);
    expect(await page.locator(`.records-scroll [role=row][data-record-id="${byYearDesc[100]!.id}"]`).getAttribute("data-index")).toBe("100");
    await page.locator(".records-scroll").evaluate((el) => el.scrollTo(0, 0));

    // Search (debounced): the server finds every record with the word, and only those.
    const matching = seeded.records.filter((r) => r.title.toLowerCase().includes(RARE_WORD));
    expect(matching.length).toBeGreaterThan(5);
    await page.getByLabel("Search records").fill(RARE_WORD.slice(0, 6));
    await page.waitForFunction((n) => document.querySelector(".row-count")?.textContent?.startsWith(`${n} records match`), matching.length);
    await waitForRows(page);
    const shown = await visibleTitles(page);
    expect(shown.length).toBe(matching.length);
    expect(shown.every((t) => t.toLowerCase().includes(RARE_WORD))).toBe(true);
    expect(new URL(page.url()).searchParams.get("q")).toBe(RARE_WORD.slice(0, 6));
    // The rows came without the count, which was asked for on its own and announced politely when in.
    expect(counts.map((u) => u.searchParams.get("q"))).toEqual([RARE_WORD.slice(0, 6)]);
    expect(await count.getAttribute("aria-live")).toBe("polite");

    // A word every record holds: counted to 1,000, and the page says there are more.
    await page.getByLabel("Search records").fill("background");
    await page.getByText("More than 1,000 records match “background”; the first 1,000 are listed. Add words to narrow the search.").waitFor();
    expect(await page.getByRole("grid").getAttribute("aria-rowcount")).toBe("1001");
    expect(counts.at(-1)?.searchParams.get("q")).toBe("background");

    await page.getByLabel("Search records").fill("nosuchwordanywhere");
    await page.getByText("No records match “nosuchwordanywhere”.").waitFor();

    // The table's state lives in the URL, so a link or a reload restores it.
    await page.goto(`${app.url}/projects/${encodeURIComponent(seeded.id)}/records?sort=year&dir=desc&q=${RARE_WORD}`);
    await waitForRows(page);
    expect(await page.getByLabel("Search records").inputValue()).toBe(RARE_WORD);
    expect(await page.getByRole("columnheader", { name: "Year" }).getAttribute("aria-sort")).toBe("descending");
    expect(await page.locator(".row-count").innerText()).toBe(`${matching.length} records match “${RARE_WORD}”`);
    const maxMatchingYear = Math.max(...matching.map((r) => r.year ?? -Infinity));
    expect(await page.locator(".records-scroll [role=row][data-index='0'] .cell-year").innerText()).toBe(String(maxMatchingYear));
    expect(page.errors).toEqual([]);
  });

  it("opens a record from the keyboard and returns to the table", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${encodeURIComponent(seeded.id)}/records`);
    await waitForRows(page);
    const byCreated = [...seeded.records].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));

    const grid = page.getByRole("grid");
    await grid.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    const activeId = await grid.getAttribute("aria-activedescendant");
    expect(await page.locator(`[id="${activeId}"]`).innerText()).toBe(byCreated[1]!.title);

    await page.keyboard.press("Enter");
    const panel = page.getByRole("complementary");
    await panel.getByRole("heading", { level: 2, name: byCreated[1]!.title }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("record-detail-heading");
    await panel.getByRole("link", { name: byCreated[1]!.doi }).waitFor();
    expect(await panel.innerText()).toContain(byCreated[1]!.abstract);
    expect(new URL(page.url()).searchParams.get("record")).toBe(byCreated[1]!.id);

    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("grid");
  });

  it("shows the protocol with exclusion reasons in rank order, the studies and the audit log", async () => {
    const page = await app.newPage();
    const base = `${app.url}/projects/${encodeURIComponent(seeded.id)}`;
    await page.goto(`${base}/protocol`);
    await page.getByRole("heading", { name: "PICOT" }).waitFor();
    expect(await page.getByText("Formal mentoring programmes").count()).toBe(1);
    const reasons = page.getByRole("region", { name: "Exclusion reasons" }).locator("tbody tr td:nth-child(3)");
    expect(await reasons.allInnerTexts()).toEqual(["Ineligible population", "Not a mentoring intervention", "Ineligible study design"]);
    // The searches have their own page, linked from the protocol.
    await page.getByRole("region", { name: "Searches" }).getByRole("link", { name: "Searches and imports" }).click();
    await page.getByRole("rowheader", { name: "PsycINFO" }).waitFor();

    // Navigation by the project menu moves focus to the new page's heading.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Studies" }).click();
    await page.getByRole("rowheader", { name: /Alpha mentoring trial/ }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Studies");
    const lead = page.getByRole("link", { name: seeded.records[0]!.title });
    expect(await lead.count()).toBe(1);

    // The audit log, newest first: the importer made owner, the import, then the file's own history, 50 a page.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("cell", { name: "project.import" }).waitFor();
    await page.getByRole("cell", { name: "members.create" }).waitFor();
    const total = SEED_AUDIT_ENTRIES + 2;
    await page.getByText(`Entries 1–50 of ${total}`).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "Older" }).first().click();
    await page.getByText(`Entries 51–${total} of ${total}`).waitFor();
    const auditReasons = await page.locator("tbody td[data-label=Reason]").allInnerTexts();
    expect(auditReasons[auditReasons.length - 1]).toBe("Corrected from the full text (1)");
    expect(await page.getByRole("button", { name: "Older" }).first().isDisabled()).toBe(true);
    expect(page.errors).toEqual([]);
  });
});
