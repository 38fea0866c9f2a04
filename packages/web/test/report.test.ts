/**
 * The review report as a team meets it, in headless Debian Chromium against
 * the real server: an analysis is saved, the report builder shows the draft
 * (default PRISMA 2020 sections, preview), a section's text is written and
 * saved by keyboard, a version is frozen, one effect size changes and the
 * "what changed" page lists it with the estimate it moved and the audit entry
 * behind it; the version's PDF is made as a job, followed and downloaded; the report's HTML passes the WCAG 2.2 contrast check and the
 * builder does not scroll sideways at 200% zoom.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
let projectId: string;

// Made-up SMDs: six trials, one outcome each.
const yi = [0.31, 0.12, 0.55, 0.41, -0.05, 0.08];
const vi = [0.04, 0.05, 0.03, 0.06, 0.05, 0.04];

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "Family group conferencing: a living review" })).id;
  const base = `/projects/${projectId}/collections`;
  await app.api("POST", `${base}/studies`, yi.map((_, i) => ({ id: `s${i + 1}`, name: `Trial ${i + 1}` })));
  await app.api("POST", `${base}/outcomes`, yi.map((_, i) => ({ id: `o${i + 1}`, studyId: `s${i + 1}`, name: "Reunified" })));
  await app.api("POST", `${base}/effectSizes`, yi.map((y, i) => ({ id: `es${i + 1}`, outcomeId: `o${i + 1}`, measure: "SMD", yi: y, vi: vi[i] })));
  // Saving an analysis by name through the page is the saved-analyses test's; here it is saved as a script would.
  await app.api("POST", `/projects/${projectId}/saved-analyses`, { name: "Reunification, random effects", spec: { data: "effectSizes", method: "REML", figures: ["forest", "funnel"] } });
});

afterAll(async () => {
  await app?.close();
});

describe("report", () => {
  it("builds the report, freezes a version, and lists a changed effect size on the what-changed page", async () => {
    const page = await app.newPage({ acceptDownloads: true });
    await page.goto(`${app.url}/projects/${projectId}/report`);
    await page.getByRole("heading", { level: 1, name: "Report" }).waitFor();
    await page.getByText("No version has been frozen yet.").waitFor();
    await page.getByText(/missing: .*3 \(Rationale\)/).waitFor();

    // The preview is the report's own HTML: headings, the saved analysis and Appendix A.
    const preview = page.frameLocator('iframe[title="Report preview"]');
    await preview.getByRole("heading", { name: "Reunification, random effects (version 1)", exact: true }).waitFor();
    await preview.getByRole("heading", { name: "Appendix A. Long descriptive text" }).waitFor();
    await preview.getByRole("img", { name: /forest plot/i }).first().waitFor();

    // Write the rationale, by keyboard.
    await page.getByRole("button", { name: "Rationale", exact: true }).click();
    await page.getByRole("heading", { name: "Edit: Rationale" }).waitFor();
    await page.getByLabel("Text", { exact: true }).focus();
    await page.keyboard.type("Reunification is the most common way out of care.");
    await page.getByRole("button", { name: "Save draft" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    await expect.poll(() => page.getByText(/missing: .*3 \(Rationale\)/).count()).toBe(0);
    await preview.getByText("Reunification is the most common way out of care.").waitFor();

    // Freeze version 1.
    await page.getByLabel("Note (optional)").fill("first release");
    await page.getByRole("button", { name: "Freeze version 1" }).click();
    await page.getByRole("status").filter({ hasText: "Version 1 frozen." }).waitFor();
    await page.getByText("The draft renders the same data as version 1.").waitFor();

    // One effect size changes, with a reason.
    const res = await app.request(`/projects/${projectId}/collections/effectSizes/es3`, {
      method: "PATCH",
      headers: { "content-type": "application/json", "x-homeward-reason": "corrected from Table 2" },
      body: JSON.stringify({ yi: 0.9 }),
    });
    expect(res.status).toBe(200);

    await page.reload();
    await page.getByText("The project's data have changed since version 1: this draft would become version 2.").waitFor();
    await page.getByRole("link", { name: "What changed since version 1" }).click();
    await page.getByRole("heading", { level: 1, name: "What changed" }).waitFor();
    const table = page.getByRole("table", { name: "Changes with their causes" });
    const changed = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Changed effect size" }) });
    await expect.poll(() => changed.count()).toBe(1);
    const cells = await changed.getByRole("cell").allInnerTexts();
    expect(cells[0]).toBe("Trial 3: Reunified (SMD)");
    expect(cells[1]).toBe("yi 0.5500, vi 0.0300");
    expect(cells[2]).toBe("yi 0.9000, vi 0.0300");
    expect(cells[3]).toMatch(/^effectSizes\.update by owner on .*: “corrected from Table 2”$/);
    const moved = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Estimate moved" }) }).filter({ hasText: "Reunification, random effects: intrcpt" });
    await expect.poll(() => moved.count()).toBe(1);
    expect(await moved.getByRole("cell").nth(3).innerText()).toContain("effectSizes.update by owner");

    // The versions page lists version 1 with its files.
    await page.goto(`${app.url}/projects/${projectId}/report/versions`);
    await page.getByRole("rowheader", { name: "Version 1" }).waitFor();
    await page.getByRole("link", { name: "Read version 1" }).waitFor();
    // A version's file is made as a background job, followed below the table and downloaded from there once done.
    await page.getByRole("button", { name: "Make version 1 as PDF" }).click();
    const followed = page.getByRole("region", { name: "Version 1's PDF" });
    await followed.getByRole("progressbar").waitFor();
    const link = followed.getByRole("link", { name: "Download report-v1.pdf" });
    await link.waitFor({ timeout: 60_000 });
    const [pdf] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(pdf.suggestedFilename()).toBe("report-v1.pdf");
    expect(readFileSync((await pdf.path())!).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(page.errors).toEqual([]);
  });

  it("the report's HTML and the builder meet the contrast minimum; the builder does not scroll sideways at 200% zoom", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/api/projects/${projectId}/report/html`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await contrastProblems(page)).toEqual([]);
    // Every table has a caption and column headers; every image its alternative text.
    expect(await page.locator("table:not(:has(caption))").count()).toBe(0);
    expect(await page.locator("img:not([alt])").count()).toBe(0);

    // The builder's own text, in both colour schemes (the preview is the report's HTML, checked above).
    for (const colorScheme of ["light", "dark"] as const) {
      const builder = await app.newPage({ colorScheme });
      await builder.goto(`${app.url}/projects/${projectId}/report`);
      await builder.getByRole("heading", { level: 1, name: "Report" }).waitFor();
      await builder.getByText(/PRISMA 2020 items are reported/).waitFor();
      expect({ colorScheme, problems: await contrastProblems(builder) }).toEqual({ colorScheme, problems: [] });
    }

    const zoomed = await app.newPage({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
    await zoomed.goto(`${app.url}/projects/${projectId}/report`);
    await zoomed.getByRole("heading", { level: 1, name: "Report" }).waitFor();
    expect(await horizontalOverflow(zoomed)).toBe(0);
  });
});
