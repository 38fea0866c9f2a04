/**
 * A project backup and the report's PDF as background jobs, in headless
 * Debian Chromium against the real server, as a person does them: the owner
 * starts a backup from the Jobs page by keyboard, watches it finish with its
 * progress bar and downloads the file (the project file, gzip'd); then asks
 * for the report's PDF on the Report page, is taken to the Jobs page, watches
 * it finish and downloads the PDF. A reviewer sees the backup listed but is
 * offered neither the button nor its download.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
let project: string;

beforeAll(async () => {
  app = await startApp();
  project = (await app.api<{ id: string }>("POST", "/projects", { title: "Backed-up review" })).id;
  await app.importRecords(project, [
    { title: "Mentoring and school attendance: a randomised trial", authors: ["Okafor, N."], year: 2010 },
    { title: "Parenting support and reunification after foster care", authors: ["Haddad, R."], year: 2019 },
  ]);
});

afterAll(async () => {
  await app?.close();
});

describe("Backups and report documents as jobs", () => {
  it("lets the owner back the project up and make the report's PDF, watch both finish on the Jobs page and download them", async () => {
    const page = await app.newPage({ acceptDownloads: true });
    await page.goto(`${app.url}/projects/${project}/jobs`);
    await page.getByRole("heading", { level: 1, name: "Background jobs" }).waitFor();
    await page.getByRole("button", { name: "Back up the project" }).focus();
    await page.keyboard.press("Enter");

    const backupRow = page.getByRole("row", { name: /Project backup/ });
    await backupRow.waitFor();
    await expect.poll(() => backupRow.getByRole("cell").first().textContent(), { timeout: 30_000 }).toBe("Finished");
    expect(await backupRow.getByRole("progressbar", { name: /100% — finished/ }).getAttribute("value")).toBe("1");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Project backup finished." }).count()).toBe(1);

    const link = backupRow.getByRole("link", { name: /^Download project backup finished/ });
    await link.focus();
    const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    expect(download.suggestedFilename()).toMatch(/^Backed-up-review-\d{4}-\d{2}-\d{2}\.homeward\.json\.gz$/);
    const file = JSON.parse(gunzipSync(readFileSync((await download.path())!)).toString("utf8"));
    expect(file.format).toBe("homeward-project");
    expect(file.project.id).toBe(project);
    expect(file.records.map((r: { title: string }) => r.title).sort()).toEqual(["Mentoring and school attendance: a randomised trial", "Parenting support and reunification after foster care"]);

    // A reviewer sees that it ran, but the whole project is an owner's to take.
    const rita = await app.newPageAs("rita", { project, role: "reviewer" });
    await rita.goto(`${app.url}/projects/${project}/jobs`);
    const ritaRow = rita.getByRole("row", { name: /Project backup/ });
    await ritaRow.waitFor();
    expect(await ritaRow.getByRole("link", { name: /Download/ }).count()).toBe(0);
    expect(await rita.getByRole("button", { name: "Back up the project" }).count()).toBe(0);

    // The report's PDF: asked for on the Report page, made in the background.
    await page.getByRole("navigation").getByRole("link", { name: "Report" }).click();
    await page.getByRole("heading", { level: 1, name: /Report/ }).waitFor();
    await page.getByRole("button", { name: "Make PDF" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Background jobs" }).waitFor();
    const reportRow = page.getByRole("row", { name: /Report document/ });
    await reportRow.waitFor();
    expect(await reportRow.getByRole("progressbar").count()).toBe(1);
    await expect.poll(() => reportRow.getByRole("cell").first().textContent(), { timeout: 60_000 }).toBe("Finished");
    const [pdf] = await Promise.all([page.waitForEvent("download"), reportRow.getByRole("link", { name: /^Download report document finished/ }).click()]);
    expect(pdf.suggestedFilename()).toBe("report-draft.pdf");
    expect(readFileSync((await pdf.path())!).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // 200% zoom of a 1280-pixel window: nothing scrolls sideways.
    await page.setViewportSize({ width: 640, height: 400 });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  }, 180_000);
});
