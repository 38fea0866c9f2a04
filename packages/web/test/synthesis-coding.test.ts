/**
 * Framework coding from scratch, as a reviewer does it in headless Debian
 * Chromium against the real server: Proctor's outcomes as the framework, an
 * excerpt selected in a study's PDF in the full-text viewer, a typed one,
 * codes renamed, split and merged with their history, a focus-group
 * transcript coded with the same codes; then a finding assessed with CERQual
 * and marked for re-assessment once a contributing study is added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import type { AppHarness } from "./harness.js";
import { putTestPdf } from "./pdf.js";
import { smallProject, startAppWithProject } from "./seed.js";

const projectId = "web-test-synthesis-coding";
const SENTENCE = "Staff followed the manual in every session.";

/** The report's third page: the recommendation trail opens the viewer there. */
const PAGE_THREE = "Carers asked for more training before placements";

let app: AppHarness;

/** Opens a disclosure (a <details>) unless it is open already. */
async function openDetails(scope: Locator): Promise<void> {
  const d = scope.locator("details").first();
  if (!(await d.evaluate((el) => (el as HTMLDetailsElement).open))) await d.locator("summary").click();
}

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Coding against a framework",
    records: [{ id: "rec-akin", title: "Parenting intervention in foster care" }],
    studies: [
      { id: "akin-2018", name: "Akin 2018", createdAt: "2024-01-15T09:00:00.000Z" },
      { id: "lee-2020", name: "Lee 2020", createdAt: "2024-01-15T09:00:00.000Z" },
    ],
    studyReports: [{ id: "akin-2018-lead", studyId: "akin-2018", recordId: "rec-akin", citation: "Akin BA. Parenting intervention in foster care. 2018.", role: "lead" }],
  }));
  await app.signUp(projectId, "rhea", "reviewer");
  await putTestPdf(app, { project: projectId, record: "rec-akin", fileName: "akin-2018.pdf", pages: [SENTENCE, "Page two of the report", PAGE_THREE], as: "rhea" });
});

afterAll(async () => {
  await app?.close();
});

describe("framework coding", () => {
  it("codes a passage selected in the PDF and a transcript, and renames, splits and merges codes with their history", async () => {
    const page = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/coding`);
    await page.getByRole("heading", { level: 1, name: "Framework coding" }).waitFor();
    await page.getByText("No codes yet").waitFor();
    await page.getByRole("button", { name: "Add Implementation outcomes (Proctor et al., 2011)" }).click();
    const codes = page.getByRole("region", { name: "Codes" });
    for (const label of ["Acceptability", "Adoption", "Appropriateness", "Feasibility", "Fidelity", "Implementation cost", "Reach/penetration", "Sustainability"])
      await codes.locator("li > strong", { hasText: new RegExp(`^${label.replace("/", "\\/")}$`) }).waitFor();

    // A sentence selected in the study's PDF becomes the excerpt, with its page.
    await page.getByLabel("Study or transcript").selectOption({ label: "Akin 2018" });
    await page.getByRole("button", { name: "Open the PDF of the lead report" }).click();
    const viewer = page.getByRole("region", { name: /^Full text: / });
    const line = viewer.locator(".textLayer span", { hasText: "Staff followed" });
    await line.waitFor();
    await line.evaluate((span) => {
      const range = document.createRange();
      range.selectNodeContents(span);
      window.getSelection()!.removeAllRanges();
      window.getSelection()!.addRange(range);
    });
    await viewer.getByRole("button", { name: "Use as quote" }).click();
    await expect.poll(() => page.getByLabel("Excerpt", { exact: true }).inputValue()).toBe(SENTENCE);
    expect(await page.getByLabel("Page", { exact: true }).inputValue()).toBe("1");
    await page.getByText("Taken from the full-text viewer.").waitFor();
    await page.getByRole("group", { name: "Codes" }).getByLabel("Fidelity").check();
    await page.getByRole("button", { name: "Save excerpt" }).click();
    await page.getByRole("status").filter({ hasText: "Excerpt coded (1 code)." }).waitFor();
    const saved = await app.apiAs<{ items: { source: string; page: number; recordId: string; text: string }[] }>("rhea", "GET", `/projects/${projectId}/collections/codedExcerpts`);
    expect(saved.items).toEqual([expect.objectContaining({ source: "viewer", page: 1, recordId: "rec-akin", text: SENTENCE })]);

    // An inductive code, renamed, split in two, and one half merged into a framework code.
    await page.getByLabel("New code (added while coding)").fill("Trust");
    await page.getByRole("button", { name: "Add code", exact: true }).click();
    await codes.locator("li > strong", { hasText: /^Trust$/ }).waitFor();
    const trust = codes.getByRole("listitem").filter({ has: page.locator("strong", { hasText: /^Trust$/ }) });
    await openDetails(trust);
    await trust.getByLabel("New name for Trust").fill("Trusting relationships");
    await trust.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("status").filter({ hasText: "Renamed to “Trusting relationships”." }).waitFor();
    const renamed = codes.getByRole("listitem").filter({ has: page.locator("strong", { hasText: /^Trusting relationships$/ }) });
    await openDetails(renamed);
    await renamed.getByText("renamed: Trust (rhea,").waitFor();
    await renamed.getByLabel("Split Trusting relationships into (one new code a line)").fill("Parents' trust\nChildren's trust");
    await renamed.getByRole("button", { name: "Split" }).click();
    await page.getByRole("status").filter({ hasText: "Split “Trusting relationships” into Parents' trust, Children's trust." }).waitFor();
    await renamed.getByText("— split into Parents' trust, Children's trust").waitFor();
    const child = codes.getByRole("listitem").filter({ has: page.locator("strong", { hasText: /^Children's trust$/ }) });
    await openDetails(child);
    await child.getByLabel("Merge Children's trust into").selectOption({ label: "Acceptability" });
    await child.getByRole("button", { name: "Merge" }).click();
    await child.getByText("— merged into Acceptability").waitFor();
    await openDetails(child);
    await child.getByText("split from: Trusting relationships").waitFor();
    await child.getByText("merged into: Acceptability").waitFor();

    // A focus group, coded with the same codes, is a column of the matrix.
    await page.goto(`${app.url}/projects/${projectId}/survey`);
    await page.getByLabel("Transcript label").fill("Focus group with foster carers");
    await page.getByLabel("Kind").selectOption({ label: "Focus group" });
    await page.getByLabel("Transcript text").fill("We trusted the family support worker.");
    await page.getByRole("button", { name: "Add transcript" }).click();
    await page.getByRole("status").filter({ hasText: "Transcript added: Focus group with foster carers." }).waitFor();
    await page.goto(`${app.url}/projects/${projectId}/coding`);
    await page.getByLabel("Study or transcript").selectOption({ label: "Focus group with foster carers" });
    await page.getByLabel("Excerpt", { exact: true }).fill("We trusted the family support worker.");
    await page.getByRole("group", { name: "Codes" }).getByLabel("Parents' trust").check();
    await page.getByRole("button", { name: "Save excerpt" }).click();
    await page.getByRole("status").filter({ hasText: "Excerpt coded (1 code)." }).waitFor();
    const matrix = page.getByRole("table", { name: /Codes × studies/ });
    await matrix.getByRole("columnheader", { name: "Focus group with foster carers" }).waitFor();
    await matrix.getByRole("button", { name: "1 excerpt: Fidelity, Akin 2018" }).waitFor();
    await matrix.getByRole("button", { name: "1 excerpt: Parents' trust, Focus group with foster carers" }).waitFor();
    // Merged and split codes are not rows any more.
    expect(await matrix.getByRole("rowheader", { name: "Children's trust" }).count()).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("marks an assessed finding for re-assessment once a contributing study is added", async () => {
    const page = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/findings`);
    await page.getByRole("heading", { level: 1, name: "Review findings and CERQual" }).waitFor();
    await page.getByText("Write a finding", { exact: true }).click();
    await page.getByLabel("Finding statement").fill("Providers deliver the programme as its manual prescribes");
    await page.getByRole("group", { name: "Supporting excerpts" }).getByLabel(/Staff followed the manual/).check();
    await page.getByRole("button", { name: "Save finding" }).click();
    const sheet = page.getByRole("form", { name: "CERQual assessment of: Providers deliver the programme as its manual prescribes" });
    // One study, one excerpt: adequacy is pre-filled from the suggestion, and says so.
    await expect.poll(() => sheet.getByLabel("Adequacy: level of concern").inputValue()).toBe("serious");
    await sheet.getByText("Pre-filled from the suggestion: the team's judgement once saved.").waitFor();
    await sheet.getByLabel("Methodological limitations: level of concern").selectOption({ label: "Minor concerns" });
    await sheet.getByLabel("Coherence: level of concern").selectOption({ label: "No or very minor concerns" });
    await sheet.getByLabel("Relevance: level of concern").selectOption({ label: "Minor concerns" });
    await sheet.getByLabel("Confidence in the finding").selectOption({ label: "Low" });
    await sheet.getByRole("button", { name: "Save the CERQual assessment" }).click();
    await page.getByRole("status").filter({ hasText: "CERQual assessment saved" }).waitFor();
    const card = page.getByRole("listitem").filter({ has: page.getByText("Providers deliver the programme as its manual prescribes", { exact: true }) });
    expect(await card.getByText(/Needs re-assessment/).count()).toBe(0);

    await card.locator("summary", { hasText: "Change the contributing studies" }).click();
    await card.getByLabel("Contributing studies", { exact: true }).selectOption(["akin-2018", "lee-2020"]);
    await card.getByRole("button", { name: "Save the contributing studies" }).click();
    await card.getByText("Needs re-assessment: contributing study added: lee-2020.").waitFor();
    expect(page.errors).toEqual([]);
  });

  it("opens an excerpt of a recommendation's trail in the full-text viewer at the excerpt's page", async () => {
    const codes = await app.apiAs<{ items: { id: string; status: string }[] }>("rhea", "GET", `/projects/${projectId}/collections/synthesisCodes`);
    const code = codes.items.find((c) => c.status === "active")!;
    const excerpt = await app.apiAs<{ id: string }>("rhea", "POST", `/projects/${projectId}/collections/codedExcerpts`, { studyId: "akin-2018", recordId: "rec-akin", page: 3, text: PAGE_THREE, codeIds: [code.id], source: "typed" });
    const finding = await app.apiAs<{ id: string }>("rhea", "POST", `/projects/${projectId}/collections/qualitativeFindings`, { statement: "Carers want training before a placement", studyIds: ["akin-2018"], excerptIds: [excerpt.id] });
    await app.api("POST", `/projects/${projectId}/collections/recommendations`, { text: "Train carers before the first placement", kind: "recommendation", findingIds: [finding.id] });

    const page = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/guide`);
    const item = page.getByRole("listitem").filter({ hasText: "Train carers before the first placement" });
    await item.locator("summary", { hasText: "Evidence trail" }).click();
    await item.getByRole("button", { name: "Open the excerpt from Akin 2018, page 3" }).click();
    await item.getByRole("button", { name: "Open the report at page 3" }).click();
    const viewer = page.getByRole("region", { name: /^Full text: Akin 2018/ });
    await viewer.locator(".textLayer span", { hasText: PAGE_THREE }).waitFor();
    expect(await viewer.getByLabel("Page number, of 3").inputValue()).toBe("3");
    expect(page.errors).toEqual([]);
  });
});
