/**
 * The extraction outputs in headless Debian Chromium against the real server
 * and its built-in reunification project, whose studies carry the review's
 * transcribed characteristics as values under the review team's account
 * (seed ../shared/seeds/000_727b90ba171410e5.txt, Appendices C and D): the
 * Characteristics page rebuilds Appendix C from the codebook, its table
 * downloads as CSV, and a study opens in the extraction form with its
 * transcribed values.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
const base = "/projects/reunification";

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await app?.close();
});

describe("extraction outputs", () => {
  it("shows the characteristics of the effectiveness studies from the codebook and downloads the table", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}${base}`);
    await page.getByRole("navigation").getByRole("link", { name: "Characteristics" }).click();
    await page.getByRole("heading", { level: 1, name: "Characteristics of studies" }).waitFor();
    await page.locator("caption", { hasText: "Characteristics of included studies (73 studies)" }).waitFor();

    await page.getByLabel("Studies", { exact: true }).selectOption({ label: "Effectiveness" });
    const table = page.getByRole("table", { name: /Characteristics of included studies: Effectiveness \(26 studies\)/ });
    await table.waitFor();
    // Appendix C's columns are codebook items, with the section they sit under as a column group.
    await table.getByRole("columnheader", { name: "Risk of bias rating" }).waitFor();
    await table.getByRole("columnheader", { name: "As the review's appendices print them" }).waitFor();
    // Seed 000, line 3492: Akin et al., 2017.
    const akin = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Akin et al., 2017" }) });
    for (const text of ["Quasi-experimental design", "Strengthening Families Program", "Treatment-as-usual (TAU)", "Moderate"]) {
      await akin.getByRole("cell", { name: text, exact: true }).waitFor();
    }
    // The wide table scrolls in its own region, reachable by keyboard; the page does not scroll sideways.
    expect(await page.getByRole("region", { name: /Characteristics of included studies: Effectiveness/ }).getAttribute("tabindex")).toBe("0");
    expect(await horizontalOverflow(page)).toBe(0);

    // Fewer columns (they keep the codebook's order), then the table as CSV with those columns.
    await page.getByText(/Choose the columns/).click();
    const keep = /^(Study design|Country|Risk of bias rating) \(/;
    const boxes = page.locator(".characteristics-columns input[type=checkbox]");
    for (let k = 0; k < (await boxes.count()); k++) {
      const box = boxes.nth(k);
      const label = (await box.evaluate((el) => el.parentElement!.textContent ?? "")).trim();
      if (keep.test(label) !== (await box.isChecked())) await box.click();
    }
    await page.waitForFunction(() => document.querySelectorAll(".characteristics-table thead tr:last-child th").length === 4);
    expect(await table.locator("thead tr:last-child th").allInnerTexts()).toEqual(["Study", "Country", "Study design", "Risk of bias rating"]);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download this table (CSV)" }).click()]);
    expect(download.suggestedFilename()).toBe("characteristics-of-studies-effectiveness.csv");
    const lines = readFileSync((await download.path())!, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("Study,Country,Study design,Risk of bias rating");
    expect(lines).toHaveLength(27);
    expect(lines).toContain('"Akin et al., 2017",US,Quasi-experimental design,Moderate');

    const [long] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download every value/ }).click()]);
    const rows = readFileSync((await long.path())!, "utf8").split("\r\n");
    expect(rows[0]).toBe("study_id,study,item,item_label,outcome_id,outcome,value,reviewer,status,source,at");
    expect(rows.some((r) => r.startsWith('akin-2017,"Akin et al., 2017",risk_of_bias_rating,Risk of bias rating,,,Moderate,ncb-review-team,single,'))).toBe(true);
    expect(page.errors).toEqual([]);
  });

  it("keeps text contrast on the Characteristics page in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      await page.goto(`${app.url}${base}/characteristics`);
      await page.locator("tr[data-study]").first().waitFor();
      await page.getByText(/Choose the columns/).click();
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
      expect(page.errors).toEqual([]);
    }
  });

  it("opens an example study in the extraction form with its transcribed values", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}${base}/extraction/akin-2017`);
    await page.getByRole("heading", { level: 1, name: /Akin et al., 2017/ }).waitFor();
    // The review team's values (extraction blinding is lifted in the example), as Appendix C prints them.
    await page.getByText("ncb-review-team: Moderate").first().waitFor();
    await page.getByText("ncb-review-team: Strengthening Families Program").first().waitFor();
    expect(await page.locator("[data-hidden-others]").count()).toBe(0);
    expect(page.errors).toEqual([]);
  });
});
