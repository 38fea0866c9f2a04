/**
 * The extraction stage in headless Debian Chromium against the real server,
 * as a team does it: the owner sets up a codebook, one reviewer extracts a
 * study (a value out of range is refused with the server's message at the
 * item), a second extracts it blind to the first, and an adjudicator
 * compares the two and records a consensus value with its note.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, type AppHarness } from "./harness.js";
import { smallProject, startAppWithProject } from "./seed.js";

let app: AppHarness;
const projectId = "web-test-extraction";
const STUDY = "Akin 2018";
const SECRET = "mean age 9.5 years (SD 3.1), Table 2";

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Reunification extraction",
    studies: [{ id: "akin-2018", name: STUDY, createdAt: "2024-01-15T09:00:00.000Z" }],
    studyReports: [{ id: "akin-2018-lead", studyId: "akin-2018", citation: "Akin BA, McDonald TP. Parenting intervention in foster care. 2018.", role: "lead" }],
    outcomes: [{ id: "akin-2018-reentry", studyId: "akin-2018", name: "Re-entry to care", timing: "12 months" }],
  }));
});

afterAll(async () => {
  await app?.close();
});

describe("extraction", () => {
  it("lets an owner set up a codebook, two reviewers extract a study blind, and an adjudicator record a consensus", async () => {
    // ---- The owner sets up the codebook
    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${projectId}`);
    await owner.getByRole("navigation").getByRole("link", { name: "Codebook", exact: true }).click();
    await owner.getByRole("heading", { name: "Codebook", level: 1 }).waitFor();
    await owner.getByText("No items yet.").waitFor();

    await owner.getByLabel("Code", { exact: true }).fill("age");
    await owner.getByLabel("Label", { exact: true }).fill("Mean age of children");
    await owner.getByLabel("Type", { exact: true }).selectOption({ label: "Number" });
    await owner.getByLabel("Unit", { exact: true }).fill("years");
    await owner.getByLabel("Lowest allowed").fill("0");
    await owner.getByLabel("Highest allowed").fill("18");
    await owner.getByLabel("Help for extractors").fill("At baseline, across arms");
    await owner.getByRole("button", { name: "Add item" }).click();
    await owner.getByRole("status").filter({ hasText: 'Item "Mean age of children" added.' }).waitFor();

    await owner.getByLabel("Code", { exact: true }).fill("design");
    await owner.getByLabel("Label", { exact: true }).fill("Study design");
    await owner.getByLabel("Type", { exact: true }).selectOption({ label: "Single choice" });
    await owner.getByLabel("Options, one a line").fill("rct = Randomised controlled trial\nQuasi-experimental design");
    await owner.getByRole("button", { name: "Add item" }).click();
    await owner.getByRole("status").filter({ hasText: 'Item "Study design" added.' }).waitFor();

    await owner.getByLabel("Code", { exact: true }).fill("country");
    await owner.getByLabel("Label", { exact: true }).fill("Country");
    await owner.getByLabel("Type", { exact: true }).selectOption({ label: "Text" });
    await owner.getByRole("button", { name: "Add item" }).click();
    await owner.getByRole("status").filter({ hasText: 'Item "Country" added.' }).waitFor();

    // Reordered and retired from the keyboard.
    await owner.getByRole("button", { name: "Up Study design" }).focus();
    await owner.keyboard.press("Enter");
    await owner.getByRole("status").filter({ hasText: '"Study design" moved up.' }).waitFor();
    await owner.getByRole("button", { name: "Retire Country" }).focus();
    await owner.keyboard.press("Enter");
    await owner.getByRole("status").filter({ hasText: '"Country" retired' }).waitFor();
    const list = owner.getByRole("list", { name: "Codebook items" });
    await expect.poll(() => list.locator("li").allInnerTexts()).toEqual([
      expect.stringMatching(/^1 Study design[\s\S]*Randomised controlled trial · Quasi-experimental design/),
      expect.stringMatching(/^2 Mean age of children \(age; Number, years, 0 to 18\)[\s\S]*At baseline/),
      expect.stringMatching(/^3 Country[\s\S]*Retired/),
    ]);

    // An item asked once per outcome of the study.
    await owner.getByLabel("Code", { exact: true }).fill("reentries");
    await owner.getByLabel("Label", { exact: true }).fill("Children re-entering care");
    await owner.getByLabel("Type", { exact: true }).selectOption({ label: "Whole number" });
    await owner.getByLabel("Asked", { exact: true }).selectOption({ label: "Once per outcome" });
    await owner.getByRole("button", { name: "Add item" }).click();
    await owner.getByRole("status").filter({ hasText: 'Item "Children re-entering care" added.' }).waitFor();
    await expect.poll(() => list.locator('li[data-code="reentries"]').innerText()).toContain("Whole number, per outcome");

    // ---- Ana extracts the study
    const ana = await app.newPageAs("ana", { project: projectId, role: "reviewer" });
    await ana.goto(`${app.url}/projects/${projectId}`);
    await ana.getByRole("navigation").getByRole("link", { name: "Extraction", exact: true }).click();
    await ana.getByRole("heading", { name: "Extraction", level: 1 }).waitFor();
    await ana.getByRole("link", { name: STUDY }).click();
    await ana.getByRole("heading", { name: `Extract ${STUDY}`, level: 1 }).waitFor();
    // The study's reports beside the form; a retired item takes no values.
    expect(await ana.getByRole("complementary").innerText()).toContain("Akin BA, McDonald TP. Parenting intervention in foster care. 2018.");
    expect(await ana.locator('[data-code="country"]').count()).toBe(0);

    await ana.getByLabel("Mean age of children (years)").fill("19");
    await ana.getByLabel("Study design", { exact: true }).selectOption({ label: "Randomised controlled trial" });
    await ana.getByRole("button", { name: "Save values" }).click();
    const refused = 'study "Akin 2018", item "age" (Mean age of children): must be at most 18 years, not 19';
    await ana.getByRole("alert").filter({ hasText: refused }).waitFor();
    expect(await ana.locator('[data-code="age"] .field-error').innerText()).toBe(refused);
    expect(await ana.getByLabel("Mean age of children (years)").getAttribute("aria-invalid")).toBe("true");
    expect(ana.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    ana.errors.length = 0; // the browser logs the intended 400

    await ana.getByLabel("Mean age of children (years)").fill("9.5");
    await ana.getByText("Source and note for Mean age of children").click();
    await ana.getByLabel("Page for Mean age of children").fill("4");
    await ana.getByLabel("Quoted text for Mean age of children").fill(SECRET);
    await ana.getByRole("heading", { name: "Outcome: Re-entry to care, 12 months" }).waitFor();
    await ana.getByLabel("Children re-entering care for outcome Re-entry to care").fill("7");
    await ana.getByRole("button", { name: "Save values" }).click();
    await ana.getByRole("status").filter({ hasText: `Saved 3 values for ${STUDY}.` }).waitFor();
    expect(await ana.getByRole("alert").count()).toBe(0);

    // ---- Ben extracts it blind to Ana
    const ben = await app.newPageAs("ben", { project: projectId, role: "reviewer" });
    await ben.goto(`${app.url}/projects/${projectId}/extraction`);
    await expect.poll(() => ben.locator(`tr[data-study="${STUDY}"]`).innerText()).toContain("ana");
    await ben.getByRole("link", { name: STUDY }).click();
    await ben.getByText("1 other extraction of this study is hidden until you have extracted it").waitFor();
    expect(await ben.content()).not.toContain(SECRET);
    expect(await ben.content()).not.toContain("9.5");
    await ben.getByLabel("Mean age of children (years)").fill("10.5");
    await ben.getByLabel("Study design", { exact: true }).selectOption({ label: "Quasi-experimental design" });
    await ben.getByRole("button", { name: "Save values" }).click();
    await ben.getByRole("status").filter({ hasText: `Saved 2 values for ${STUDY}.` }).waitFor();
    // Now that he has extracted it, Ana's values show beside his.
    await expect.poll(() => ben.getByRole("list", { name: "Other values of Mean age of children" }).innerText()).toContain("ana: 9.5 years");

    // ---- Ada compares and records a consensus
    const ada = await app.newPageAs("ada", { project: projectId, role: "adjudicator" });
    await ada.goto(`${app.url}/projects/${projectId}/extraction`);
    await ada.getByRole("link", { name: `Compare the extractions of ${STUDY}` }).click();
    await ada.getByRole("heading", { name: `Compare extractions of ${STUDY}`, level: 1 }).waitFor();
    await ada.getByText("ana and ben: 0 of 3 values agree; 3 differences, 3 without a consensus.").waitFor();
    expect(await ada.locator('tr[data-code="reentries"]').innerText()).toMatch(/Children re-entering care\s+Outcome: Re-entry to care\s+7\s+—\s+Only the first/);
    const ageRow = ada.locator('tr[data-code="age"]');
    expect(await ageRow.innerText()).toMatch(/9\.5 years\s+10\.5 years\s+Differ/);
    await ada.getByRole("button", { name: "Agree a value for Mean age of children" }).click();
    await ada.getByRole("form", { name: "Consensus for Mean age of children" }).getByLabel("Mean age of children (years)").fill("9.5");
    await ada.getByLabel("How it was agreed").fill("Table 2 gives 9.5; 10.5 is the follow-up age");
    await ada.getByRole("button", { name: "Record consensus" }).click();
    await ada.getByRole("status").filter({ hasText: "Consensus recorded for Mean age of children." }).waitFor();
    await expect.poll(() => ageRow.innerText()).toContain("9.5 years (Table 2 gives 9.5; 10.5 is the follow-up age; ada)");
    await ada.getByText("ana and ben: 0 of 3 values agree; 3 differences, 2 without a consensus.").waitFor();

    // Agreement per item on the studies page.
    await ada.goto(`${app.url}/projects/${projectId}/extraction`);
    const agreement = ada.getByRole("table", { name: "Agreement between each study's first two extractors, per item" });
    await expect.poll(() => agreement.getByRole("row", { name: /Study design/ }).innerText()).toMatch(/Study design\s+1\s+0%/);

    // ---- The owner narrows the range during extraction: a new version; Ana's value stays readable under the old one.
    await owner.getByRole("button", { name: "Edit Mean age of children" }).click();
    const edit = owner.getByRole("form", { name: "Edit Mean age of children" });
    await edit.getByLabel("Highest allowed").fill("12");
    await edit.getByRole("button", { name: "Save item" }).click();
    await owner.getByRole("status").filter({ hasText: 'Item "Mean age of children" saved.' }).waitFor();
    await expect.poll(() => list.locator('li[data-code="age"]').innerText()).toContain("0 to 12, version 2");
    await ana.reload();
    await ana.getByText("Entered under version 1 of this item (now version 2).").waitFor();
    expect(await ana.getByLabel("Mean age of children (years)").inputValue()).toBe("9.5");
    // A changed value is a new row; the earlier one stays, listed under the item.
    await ana.getByLabel("Mean age of children (years)").fill("9");
    await ana.getByRole("button", { name: "Save values" }).click();
    await ana.getByRole("status").filter({ hasText: `Saved 1 value for ${STUDY}.` }).waitFor();
    await ana.getByText("Your earlier values of Mean age of children").click();
    await expect.poll(() => ana.locator('[data-code="age"] .extraction-history').innerText()).toContain("9.5 years");

    for (const p of [owner, ana, ben, ada]) expect(p.errors).toEqual([]);
  });

  it("reflows the codebook, the form and the comparison at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    for (const path of ["codebook", "extraction", "extraction/akin-2018", "extraction/akin-2018/compare"]) {
      await page.goto(`${app.url}/projects/${projectId}/${path}`);
      await page.locator("h1").waitFor();
      await page.locator('li[data-code], tr[data-study], .extraction-item, tr[data-code]').first().waitFor();
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    expect(page.errors).toEqual([]);
  });

  it("keeps text contrast on the codebook, the form and the comparison in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const path of ["codebook", "extraction", "extraction/akin-2018", "extraction/akin-2018/compare"]) {
        await page.goto(`${app.url}/projects/${projectId}/${path}`);
        await page.locator("h1").waitFor();
        await page.locator("li[data-code], tr[data-study], .extraction-item, tr[data-code]").first().waitFor();
        expect({ colorScheme, path, problems: await contrastProblems(page) }).toEqual({ colorScheme, path, problems: [] });
      }
    }
  });
});
