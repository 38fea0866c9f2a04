/**
 * A stored full text read beside the extraction form in headless Debian
 * Chromium against the real server: a reviewer opens the study's PDF (pdf.js,
 * its worker served with the app), selects a sentence on the page, puts it in
 * the source of the value they are filling with "Use as quote", and saves; the
 * saved value's source names the report, the page and the quote.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppHarness } from "./harness.js";
import { putTestPdf } from "./pdf.js";
import { smallProject, startAppWithProject } from "./seed.js";

const projectId = "web-test-fulltext-viewer";
const SENTENCE = "Mean age was 9.5 years at baseline.";

let app: AppHarness;

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Full texts beside the form",
    records: [{ id: "rec-akin", title: "Parenting intervention in foster care" }],
    studies: [{ id: "akin-2018", name: "Akin 2018", createdAt: "2024-01-15T09:00:00.000Z" }],
    studyReports: [{ id: "akin-2018-lead", studyId: "akin-2018", recordId: "rec-akin", citation: "Akin BA. Parenting intervention in foster care. 2018.", role: "lead" }],
  }));
  await app.api("POST", `/projects/${projectId}/extraction/codebook`, { code: "age", label: "Mean age of children", type: "text" });
  await app.signUp(projectId, "rhea", "reviewer");
  await putTestPdf(app, { project: projectId, record: "rec-akin", fileName: "akin-2018.pdf", pages: [SENTENCE], as: "rhea" });
});

afterAll(async () => {
  await app?.close();
});

describe("the full-text viewer", () => {
  it("opens the study's PDF beside the form, and selected text becomes the quote of the value being edited", async () => {
    const page = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/extraction/akin-2018`);
    await page.getByRole("heading", { name: "Extract Akin 2018", level: 1 }).waitFor();

    await page.getByLabel("Mean age of children", { exact: true }).fill("9.5");
    await page.getByRole("button", { name: "Open the full text of Akin BA. Parenting intervention in foster care. 2018." }).click();
    const viewer = page.getByRole("region", { name: "Full text: Akin BA. Parenting intervention in foster care. 2018." });
    await viewer.waitFor();
    const line = viewer.locator(".textLayer span", { hasText: "Mean age was 9.5" });
    await line.waitFor();
    await expect.poll(() => viewer.getByLabel(/^Page number/).inputValue()).toBe("1");
    await viewer.getByText("of 1", { exact: true }).waitFor();

    // Zoom from the keyboard: the page is drawn larger.
    const width = async () => (await viewer.locator(".pdf-page").boundingBox())!.width;
    const before = await width();
    await viewer.getByRole("document").focus();
    await page.keyboard.press("+");
    await expect.poll(width).toBeGreaterThan(before);
    await line.waitFor();

    // Select the line on the page, as a mouse drag over it would.
    await line.evaluate((span) => {
      const range = document.createRange();
      range.selectNodeContents(span);
      const sel = window.getSelection()!;
      sel.removeAllRanges();
      sel.addRange(range);
    });
    await viewer.getByRole("button", { name: "Use as quote" }).click();
    await viewer.getByRole("status").filter({ hasText: "Quote from page 1 put in the source of Mean age of children." }).waitFor();
    await expect.poll(() => page.getByLabel("Quoted text for Mean age of children").inputValue()).toBe(SENTENCE);
    expect(await page.getByLabel("Page for Mean age of children").inputValue()).toBe("1");

    await page.getByRole("button", { name: "Save values" }).click();
    await page.getByRole("status").filter({ hasText: "Saved 1 value for Akin 2018." }).waitFor();
    const form = await app.apiAs<{ mine: { value: unknown; source: unknown }[] }>("rhea", "GET", `/projects/${projectId}/extraction/studies/akin-2018`);
    expect(form.mine).toEqual([expect.objectContaining({ value: "9.5", source: { reportId: "akin-2018-lead", page: "1", quote: SENTENCE } })]);

    // The shortcut does the same from anywhere on the page.
    await page.getByLabel("Mean age of children", { exact: true }).focus();
    await line.evaluate((span) => {
      const range = document.createRange();
      range.setStart(span.firstChild!, 0);
      range.setEnd(span.firstChild!, "Mean age".length);
      window.getSelection()!.removeAllRanges();
      window.getSelection()!.addRange(range);
    });
    await page.keyboard.press("Alt+Shift+KeyQ");
    await expect.poll(() => page.getByLabel("Quoted text for Mean age of children").inputValue()).toBe("Mean age");
    expect(page.errors).toEqual([]);
  });
});
