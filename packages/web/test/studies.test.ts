/**
 * The Studies page in headless Debian Chromium against the real server: the
 * team forms studies from the records included at full text, links a report
 * included later to the study it reports on and makes it the lead, merges
 * two studies of one trial and splits a report off, with the reasons in the
 * audit log. The screening decisions are set up through the API; everything
 * under test is done in the page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, OWNER, startApp, type AppHarness } from "./harness.js";
import { smallProject } from "./seed.js";

let app: AppHarness;
let projectId: string;

const RECORDS = [
  { id: "rec-1", title: "Family drug treatment court: a randomised trial", authors: ["Brook, J.", "McDonald, T."], year: 2015 },
  { id: "rec-2", title: "Family drug treatment court: two-year follow-up", authors: ["Brook, J."], year: 2017 },
  { id: "rec-3", title: "Strengthening Families Program for reunification", authors: ["Akin, B."], year: 2017 },
  { id: "rec-4", title: "Intensive reunification services", authors: ["Choi, S."], year: 2020 },
  { id: "rec-5", title: "Excluded at full text: wrong population", authors: ["Ng, A."], year: 2019 },
  { id: "rec-6", title: "Strengthening Families Program: fidelity study", authors: ["Akin, B.", "Brook, J."], year: 2018 },
];

/** A reviewer's decision through the screening routes, as the screening page makes it (screening is personal: the reviewer is named). */
async function decide(stage: "title_abstract" | "full_text", body: { recordId: string; decision: string; reasons?: string[] }): Promise<void> {
  const res = await app.request(`/projects/${projectId}/screening/${stage}/decisions`, {
    as: "ana",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`decision on ${body.recordId}: ${res.status} ${await res.text()}`);
}

async function screen(recordId: string, fullText: "include" | "exclude"): Promise<void> {
  await decide("title_abstract", { recordId, decision: "include" });
  await decide("full_text", { recordId, decision: fullText, reasons: fullText === "exclude" ? ["population"] : [] });
}

beforeAll(async () => {
  app = await startApp();
  // Imported as a project file, so the records keep the ids the test names them by.
  projectId = "web-test-studies";
  await app.api(
    "POST",
    "/projects/import",
    smallProject({ id: projectId, title: "Reunification studies", protocol: { exclusionReasons: [{ code: "population", label: "Population", rank: 1 }] }, records: RECORDS }),
  );
  await app.signUp(projectId, "ana", "reviewer");
  for (const r of RECORDS.slice(0, 4)) await screen(r.id, "include");
  await screen("rec-5", "exclude");
});

afterAll(async () => {
  await app?.close();
});

const studyNames = (page: Page) => page.locator(".studies-table tbody tr[data-study] th[scope=row]").evaluateAll((ths) => ths.map((t) => t.firstChild!.textContent!.trim()));
const reportsOf = (page: Page, study: string) =>
  page.locator(`.studies-table tr[data-study="${study}"] .study-reports li`).evaluateAll((lis) => lis.map((li) => `${li.getAttribute("data-report")}${li.querySelector(".badge") ? " (lead)" : ""}`));
const activeText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

describe("studies", () => {
  it("forms studies from full-text includes, links a later include, merges and splits, with the reasons in the audit log", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${projectId}/studies`);
    const includes = page.getByRole("region", { name: "Included reports not in a study" });
    await includes.getByText("4 records included at full text; 4 not yet in a study.").waitFor();
    expect(await includes.getByRole("rowheader").allInnerTexts()).toEqual(RECORDS.slice(0, 4).map((r) => r.title));
    await page.getByText("No studies yet.").waitFor();

    await includes.getByRole("button", { name: "Form 4 studies, one per record" }).click();
    await page.getByRole("status").filter({ hasText: "Formed 4 studies, each with its record as the lead report." }).waitFor();
    // Each study says where its extraction stands and leads to its form.
    const akin = page.locator('tr[data-study="Akin 2017"] td[data-label="Extraction"]');
    await akin.getByText("not started").waitFor();
    expect(await akin.getByRole("link", { name: "Extract Akin 2017" }).getAttribute("href")).toMatch(/\/extraction\/[^/]+$/);
    await includes.getByText("4 records included at full text; each is a report of a study.").waitFor();
    await expect.poll(() => studyNames(page)).toEqual(["Akin 2017", "Brook 2015", "Brook 2017", "Choi 2020"]);
    await expect.poll(() => reportsOf(page, "Brook 2015")).toEqual([`${RECORDS[0]!.title} (lead)`]);
    // Focus on the first new study (of the first included record), so a keyboard user continues from there.
    await expect.poll(() => activeText(page)).toBe("Brook 2015");

    // A report included later (a living review's next update) is linked to the study it reports on.
    await screen("rec-6", "include");
    await page.reload();
    await includes.getByText("5 records included at full text; 1 not yet in a study.").waitFor();
    await includes.getByLabel(`Study "${RECORDS[5]!.title}" reports on`).selectOption({ label: "Akin 2017" });
    await includes.getByRole("button", { name: `Link "${RECORDS[5]!.title}" to the chosen study` }).click();
    await page.getByRole("status").filter({ hasText: `"${RECORDS[5]!.title}" linked to Akin 2017.` }).waitFor();
    await expect.poll(() => reportsOf(page, "Akin 2017")).toEqual([`${RECORDS[2]!.title} (lead)`, RECORDS[5]!.title]);
    await page.getByRole("button", { name: `Make "${RECORDS[5]!.title}" the lead report of Akin 2017` }).click();
    await page.getByRole("status").filter({ hasText: "is now the lead report of Akin 2017." }).waitFor();
    await expect.poll(() => reportsOf(page, "Akin 2017")).toEqual([`${RECORDS[5]!.title} (lead)`, RECORDS[2]!.title]);

    // Merge by keyboard: the follow-up's study into the trial's, with the reason.
    await page.getByRole("button", { name: "Merge another study into Brook 2015" }).focus();
    await page.keyboard.press("Enter");
    const merge = page.getByRole("form", { name: "Merge another study into Brook 2015" });
    await merge.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await merge.getByLabel("Study to merge into Brook 2015").getAttribute("id"));
    // Without a reason: told, nothing written.
    await merge.getByLabel("Study to merge into Brook 2015").selectOption({ label: "Brook 2017 (1 report)" });
    await merge.getByRole("button", { name: "Merge" }).click();
    await merge.getByRole("alert").getByText("Say why the two are one study.").waitFor();
    expect(await studyNames(page)).toHaveLength(4);
    await merge.getByLabel("Why (kept in the audit log)").focus();
    await page.keyboard.type("Same trial: the 2017 paper is its two-year follow-up");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Brook 2017 merged into Brook 2015: 1 report moved." }).waitFor();
    await expect.poll(() => studyNames(page)).toEqual(["Akin 2017", "Brook 2015", "Choi 2020"]);
    await expect.poll(() => reportsOf(page, "Brook 2015")).toEqual([`${RECORDS[0]!.title} (lead)`, RECORDS[1]!.title]);
    await expect.poll(() => activeText(page)).toBe("Brook 2015");

    // The programme paper turns out to be a study of its own: split off, with the reason.
    await page.getByRole("button", { name: `Split "${RECORDS[2]!.title}" off Akin 2017` }).click();
    const split = page.getByRole("form", { name: `Split "${RECORDS[2]!.title}" off Akin 2017` });
    await split.getByLabel("Why (kept in the audit log)").fill("A different cohort from the fidelity study");
    await split.getByRole("button", { name: "Split off" }).click();
    await page.getByRole("status").filter({ hasText: "Split off into a new study, Akin 2017b." }).waitFor();
    await expect.poll(() => studyNames(page)).toEqual(["Akin 2017", "Akin 2017b", "Brook 2015", "Choi 2020"]);
    await expect.poll(() => reportsOf(page, "Akin 2017b")).toEqual([`${RECORDS[2]!.title} (lead)`]);
    await expect.poll(() => reportsOf(page, "Akin 2017")).toEqual([`${RECORDS[5]!.title} (lead)`]);

    // A reviewer changes their mind on a formed study's record: the study stays, its report is marked.
    await decide("full_text", { recordId: "rec-4", decision: "exclude", reasons: ["population"] });
    await page.reload();
    const choi = page.locator('.studies-table tr[data-study="Choi 2020"]');
    await choi.getByText("Excluded at full text since").waitFor();
    expect(await page.getByText("Excluded at full text since").count()).toBe(1);

    // The history: the merge and the split with their reasons, by the signed-in user.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Audit log" }).click();
    const rows = page.locator(".audit-table tbody tr");
    await rows.first().locator("code", { hasText: "screeningDecisions.create" }).waitFor();
    const splitRow = rows.filter({ has: page.locator("code", { hasText: /^studies\.split$/ }) });
    expect(await splitRow.locator('td[data-label="Reason"]').innerText()).toBe("A different cohort from the fidelity study");
    const mergeRow = rows.filter({ has: page.locator("code", { hasText: /^studies\.merge$/ }) });
    expect(await mergeRow.locator('td[data-label="Reason"]').innerText()).toBe("Same trial: the 2017 paper is its two-year follow-up");
    expect(await mergeRow.locator('td[data-label="Who"]').innerText()).toBe(OWNER.name);
    expect(page.errors).toEqual([]);
  });

  it("lays out without sideways scrolling at 200% zoom, its text legible in light and dark schemes", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}/projects/${projectId}/studies`);
    await page.getByRole("rowheader", { name: "Brook 2015" }).waitFor();
    await page.getByRole("button", { name: "Merge another study into Brook 2015" }).click();
    await page.getByLabel("Study to merge into Brook 2015").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }
  });
});
