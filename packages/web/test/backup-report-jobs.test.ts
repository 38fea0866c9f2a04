/**
 * A project backup, its export and the report's files as background jobs,
 * in headless Debian Chromium against the real server, as a person does
 * them: the owner starts a backup from the Jobs page by keyboard, watches it
 * finish with its progress bar and downloads the file (the project file,
 * gzip'd). A reviewer sees the backup listed but is offered neither the
 * button nor its download; on the Report page they make the draft's HTML,
 * bundle and PDF by keyboard, each followed there with its progress bar and
 * downloaded from the link that appears when it is done (the Jobs page
 * offers the same file). The owner exports the project from the Dashboard
 * the same way.
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
  it("lets the owner back the project up and export it, and a reviewer make the report's HTML, bundle and PDF, watching each finish and downloading it", async () => {
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

    // The report's files: asked for on the Report page, made in the background, followed and downloaded there.
    await rita.getByRole("navigation").getByRole("link", { name: "Report" }).click();
    await rita.getByRole("heading", { level: 1, name: /Report/ }).waitFor();
    const make = async (button: string, region: string, name: RegExp) => {
      await rita.getByRole("button", { name: button }).focus();
      await rita.keyboard.press("Enter");
      const followed = rita.getByRole("region", { name: region });
      await followed.waitFor();
      const bar = followed.getByRole("progressbar");
      expect(await bar.count()).toBe(1);
      const link = followed.getByRole("link", { name });
      await link.waitFor({ timeout: 60_000 });
      expect(await bar.getAttribute("value")).toBe("1");
      expect(await followed.getByRole("status").textContent()).toBe(`${region} is ready to download.`);
      await link.focus();
      const [download] = await Promise.all([rita.waitForEvent("download"), rita.keyboard.press("Enter")]);
      return download;
    };
    const html = await make("Make HTML", "The draft's HTML", /^Download report-draft\.html$/);
    expect(html.suggestedFilename()).toBe("report-draft.html");
    const text = readFileSync((await html.path())!, "utf8");
    expect(text).toMatch(/^<!doctype html>/i);
    expect(text).toContain("Backed-up review");
    const bundle = await make("Make bundle (zip)", "The draft's bundle (zip)", /^Download report-draft\.zip$/);
    const zip = readFileSync((await bundle.path())!);
    expect(zip.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(zip.includes(Buffer.from("manifest.json"))).toBe(true);
    const pdf = await make("Make PDF", "The draft's PDF", /^Download report-draft\.pdf$/);
    expect(pdf.suggestedFilename()).toBe("report-draft.pdf");
    expect(readFileSync((await pdf.path())!).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // The Jobs page lists them too, with the same download for whoever made them.
    await rita.getByRole("link", { name: "All background jobs" }).last().click();
    await rita.getByRole("heading", { level: 1, name: "Background jobs" }).waitFor();
    expect(await rita.getByRole("link", { name: /^Download report document finished/ }).count()).toBe(3);
    expect(rita.errors).toEqual([]);

    // The owner's export of the whole project, from the Dashboard.
    await page.goto(`${app.url}/projects/${project}`);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.getByRole("button", { name: "Export project" }).focus();
    await page.keyboard.press("Enter");
    const exported = page.getByRole("region", { name: "The project export" });
    await exported.waitFor();
    expect(await exported.getByRole("progressbar").count()).toBe(1);
    const exportLink = exported.getByRole("link", { name: /^Download Backed-up-review-\d{4}-\d{2}-\d{2}\.homeward\.json$/ });
    await exportLink.waitFor({ timeout: 30_000 });
    await exportLink.focus();
    const [exportFile] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    const projectFile = JSON.parse(readFileSync((await exportFile.path())!, "utf8"));
    expect(projectFile.format).toBe("homeward-project");
    expect(projectFile.records).toHaveLength(2);

    // 200% zoom of a 1280-pixel window: nothing scrolls sideways.
    await page.setViewportSize({ width: 640, height: 400 });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  }, 240_000);
});
