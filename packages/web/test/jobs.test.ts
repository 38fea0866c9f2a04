/**
 * The Background jobs page in headless Debian Chromium against the real
 * server: a reviewer starts duplicate detection from its page by keyboard and
 * finds the finished job listed with its progress; a long meta-analysis the
 * owner started shows as going with its progress bar, offers no Cancel to a
 * reviewer who did not start it, and is cancelled by the owner from the
 * keyboard (the server then reports it cancelled). Readable at 200% zoom.
 * Decisions on records of both classes ask for a screening ranking retrain,
 * listed by its name as finished.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
let project: string;

beforeAll(async () => {
  app = await startApp();
  project = (await app.api<{ id: string }>("POST", "/projects", { title: "Jobs review" })).id;
  await app.importRecords(project, [
    { title: "Mentoring and school attendance: a randomised trial", authors: ["Okafor, N."], year: 2010 },
    { title: "Mentoring and school attendance: a randomised trial.", authors: ["Okafor, N."], year: 2010 },
    { title: "Parenting support and reunification after foster care", authors: ["Haddad, R."], year: 2019 },
  ]);
});

afterAll(async () => {
  await app?.close();
});

/** `n` effect sizes nested 400 to a study, a fit of many seconds (cancelled long before it ends) (a seeded generator, so the data are the same on every run). */
function rows(n: number) {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  return Array.from({ length: n }, (_, i) => ({ study: `s${Math.floor(i / 400)}`, esid: `e${i}`, yi: 0.3 + (rnd() - 0.5), vi: 0.01 + 0.05 * rnd() }));
}

describe("Background jobs page", () => {
  it("lists a reviewer's duplicate detection with its progress, and lets the owner cancel a long analysis by keyboard", async () => {
    const rita = await app.newPageAs("rita", { project, role: "reviewer" });
    await rita.goto(`${app.url}/projects/${project}/duplicates`);
    await rita.getByRole("button", { name: "Find duplicates" }).focus();
    await rita.keyboard.press("Enter");
    await rita.getByRole("button", { name: "Find duplicates", exact: true }).waitFor();

    await rita.getByRole("navigation").getByRole("link", { name: "Jobs" }).focus();
    await rita.keyboard.press("Enter");
    await rita.getByRole("heading", { level: 1, name: "Background jobs" }).waitFor();
    const dedupeRow = rita.getByRole("row", { name: /Duplicate detection/ });
    await expect.poll(() => dedupeRow.getByRole("cell").first().textContent()).toBe("Finished");
    expect(await dedupeRow.getByRole("cell", { name: "rita" }).count()).toBe(1);
    // The bar is labelled with how far it got and what it was doing.
    const done = dedupeRow.getByRole("progressbar", { name: /100% — finished/ });
    expect(await done.getAttribute("value")).toBe("1");
    expect(await dedupeRow.getByRole("button", { name: /Cancel/ }).count()).toBe(0);

    // The owner starts a large multilevel fit (the analysis page's job; seeded here over the API).
    const job = await app.api<{ id: string }>("POST", `/projects/${project}/analysis/jobs`, { data: rows(20_000), random: ["study", "esid"] });
    // rita, who did not start it, is offered no Cancel.
    await rita.reload();
    const ritaRow = rita.getByRole("row", { name: /Meta-analysis/ });
    await ritaRow.waitFor();
    expect(await ritaRow.getByRole("progressbar").count()).toBe(1);
    expect(await ritaRow.getByRole("button", { name: /Cancel/ }).count()).toBe(0);

    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${project}/jobs`);
    const row = owner.getByRole("row", { name: /Meta-analysis/ });
    await row.waitFor();
    expect(await row.getByRole("cell").first().textContent()).toMatch(/^(Waiting to start|Running)/);
    expect(await row.getByRole("progressbar").count()).toBe(1);
    await row.getByRole("button", { name: /^Cancel meta-analysis/ }).focus();
    await owner.keyboard.press("Enter");
    await expect.poll(() => row.getByRole("cell").first().textContent(), { timeout: 20_000 }).toBe("Cancelled");
    await expect.poll(() => owner.getByRole("status").filter({ hasText: "Meta-analysis cancelled." }).count()).toBe(1);
    expect(await app.api<{ state: string; result: unknown }>("GET", `/projects/${project}/jobs/${job.id}`)).toMatchObject({ state: "cancelled", result: null });
    // rita's page follows without a reload.
    await expect.poll(() => ritaRow.getByRole("cell").first().textContent(), { timeout: 10_000 }).toBe("Cancelled");

    // 200% zoom of a 1280-pixel window: the table becomes stacked cards, nothing scrolls sideways.
    await owner.setViewportSize({ width: 640, height: 400 });
    expect(await horizontalOverflow(owner)).toBe(0);
    await expect.poll(() => owner.getByRole("progressbar").count()).toBe(2);
    expect(rita.errors).toEqual([]);
    expect(owner.errors).toEqual([]);
  }, 180_000);

  it("lists the screening ranking's retrain, asked for by the decisions themselves, as finished", async () => {
    // The owner screens two records, one of each class (over the API: the screening page has its own test); the retrain follows.
    for (const decision of ["include", "exclude"]) {
      const { record } = await app.api<{ record: { id: string } }>("GET", `/projects/${project}/screening/title_abstract/next`);
      await app.api("POST", `/projects/${project}/screening/title_abstract/decisions`, { recordId: record.id, decision });
    }
    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${project}/jobs`);
    const row = owner.getByRole("row", { name: /Screening ranking retrain/ }).first();
    await expect.poll(() => row.getByRole("cell").first().textContent(), { timeout: 30_000 }).toBe("Finished");
    expect(await row.getByRole("progressbar", { name: /100% — finished/ }).count()).toBe(1);
    expect(owner.errors).toEqual([]);
  }, 120_000);
});
