/**
 * The Searches and imports page in headless Debian Chromium against the real
 * server: a reviewer records searches, imports real RIS and Web of Science
 * exports for them (chosen, dropped), sees every problem before anything is
 * written, and finds the batches and their problems in the history.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

const SHARED = fileURLToPath(new URL("../../../../shared/data/imports/", import.meta.url));
const WOS = `${SHARED}rispy-example_wos.ris`;
/** A RIS export with a numbering line before its record: one warning, on line 1. */
const NUMBERED = `${SHARED}rispy-example_custom_list_tags.ris`;
const EXTRANEOUS = `${SHARED}rispy-example_extraneous_data.ris`;

interface Overview {
  searches: { source: string; resultsCount: number | null; imported: number }[];
  batches: { id: string; fileName: string; counts: Record<string, number> }[];
}

let app: AppHarness;
let projectId: string;

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "Kinship care searches" })).id;
});

afterAll(async () => {
  await app?.close();
});

const overview = () => app.api<Overview>("GET", `/projects/${projectId}/imports`);
const fileCard = (page: Page, name: string) => page.locator(`section.file-card[data-file="${name}"]`);

/** Drops a file on the drop zone as a file manager would (a DataTransfer holding it). */
async function dropFile(page: Page, path: string, name: string): Promise<void> {
  const text = readFileSync(path, "latin1");
  const dt = await page.evaluateHandle(
    ([t, n]) => {
      const d = new DataTransfer();
      d.items.add(new File([Uint8Array.from(t, (c) => c.charCodeAt(0))], n));
      return d;
    },
    [text, name] as const,
  );
  await page.dispatchEvent("[data-testid=dropzone]", "dragover", { dataTransfer: dt });
  await page.dispatchEvent("[data-testid=dropzone]", "drop", { dataTransfer: dt });
}

describe("searches and imports", () => {
  it("records two searches, imports their files after a preview with the problems, and keeps the history", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${projectId}`);
    await page.getByRole("navigation").getByRole("link", { name: "Searches" }).click();
    await page.getByRole("heading", { level: 1, name: "Searches and imports" }).waitFor();
    await page.getByText("No searches recorded yet.").waitFor();
    expect(await page.getByLabel("Records files").isDisabled()).toBe(true);

    // A date in the future: a message by the field, focus on it, nothing recorded.
    await page.getByLabel("Source").fill("Web of Science Core Collection");
    await page.getByLabel("Date run").fill("2999-01-01");
    await page.getByRole("button", { name: "Record search" }).click();
    await page.getByText("The date is in the future; give the date the search was run.").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("search-date");
    expect((await overview()).searches).toEqual([]);

    await page.getByLabel("Date run").fill("2024-03-01");
    await page.getByLabel("Kind").selectOption({ label: "Database" });
    await page.getByLabel("Query").fill('TS=("kinship care" OR "relative care")');
    await page.getByLabel("Results found").fill("2");
    await page.getByRole("button", { name: "Record search" }).click();
    await page.getByRole("status").filter({ hasText: "Search of Web of Science Core Collection recorded." }).waitFor();
    await page.locator('tr[data-search="Web of Science Core Collection"]').waitFor();

    // The second search by keyboard alone: type, Tab between fields, Enter to record.
    await page.getByLabel("Source").focus();
    await page.keyboard.type("Embase via Ovid");
    await page.keyboard.press("Tab"); // kind: database
    // The date (not given) is three stops: day, month and year.
    for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement?.id)) !== "search-count"; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id), await page.evaluate(() => document.activeElement?.outerHTML)).toBe("search-count");
    await page.keyboard.type("3");
    await page.keyboard.press("Enter");
    await page.locator('tr[data-search="Embase via Ovid"]').waitFor();

    // Files for the first search: its row's button moves focus to the file chooser.
    await page.getByRole("button", { name: "Import files for Web of Science Core Collection" }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("import-files");
    expect(await page.getByLabel("Search the files came from").inputValue()).not.toBe("");
    await page.getByLabel("Records files").setInputFiles(WOS);
    const wos = fileCard(page, "rispy-example_wos.ris");
    await wos.getByRole("button", { name: "Import 2 records" }).waitFor();
    expect(await wos.locator(".report-summary").innerText()).toContain("Web of Science (detected)");
    expect(await wos.getByRole("table").first().locator("tbody tr").count()).toBe(2);
    expect(await wos.getByText("No problems found.").count()).toBe(1);
    expect((await overview()).batches).toEqual([]); // checked, not written
    await wos.getByRole("button", { name: "Import 2 records" }).click();
    await wos.getByText("Imported 2 records into Web of Science Core Collection.").waitFor();

    // A file for the second search, dropped: its problem is shown with its line before anything is written.
    await page.getByLabel("Search the files came from").selectOption({ label: "Embase via Ovid" });
    await dropFile(page, NUMBERED, "embase-export.ris");
    const embase = fileCard(page, "embase-export.ris");
    await embase.getByRole("button", { name: "Import 1 record" }).waitFor();
    const problems = embase.locator("table.problems-table");
    expect(await problems.locator("caption").innerText()).toContain("1 warning");
    const row = problems.locator("tbody tr");
    expect(await row.count()).toBe(1);
    expect(await row.locator('td[data-label="Line"]').innerText()).toBe("1");
    expect(await row.locator('td[data-label="Problem"]').innerText()).toBe('line 1: text outside any record was not read ("1.")');
    expect((await overview()).batches).toHaveLength(1);
    await embase.getByRole("button", { name: "Import 1 record" }).focus();
    await page.keyboard.press("Enter");
    await embase.getByText("Imported 1 record into Embase via Ovid, 1 warning kept with the batch.").waitFor();

    // A third file is checked, then cancelled: nothing of it is written.
    await page.getByLabel("Records files").setInputFiles(EXTRANEOUS);
    const extra = fileCard(page, "rispy-example_extraneous_data.ris");
    await extra.getByRole("button", { name: "Import 2 records" }).waitFor();
    await extra.getByRole("button", { name: "Cancel" }).click();
    await extra.getByText("Cancelled: nothing from this file was imported.").waitFor();

    // The Results column: what each source reported beside what was imported.
    const wosRow = page.locator('tr[data-search="Web of Science Core Collection"] td[data-label="Results"]');
    const embaseRow = page.locator('tr[data-search="Embase via Ovid"] td[data-label="Results"]');
    await embaseRow.getByText("1 imported").waitFor();
    expect(await wosRow.innerText()).toMatch(/2 found\s*2 imported/);
    expect(await embaseRow.innerText()).toMatch(/3 found\s*1 imported \(2 fewer than found\)/);

    // The history keeps each batch and its problem with its line.
    const o = await overview();
    expect(o.batches.map((b) => b.fileName)).toEqual(["embase-export.ris", "rispy-example_wos.ris"]);
    expect(o.searches.map((s) => [s.source, s.resultsCount, s.imported])).toEqual([
      ["Embase via Ovid", 3, 1],
      ["Web of Science Core Collection", 2, 2],
    ]);
    // A count learned later: the search is changed, focus returns to its row.
    await page.getByRole("button", { name: "Change the search of Embase via Ovid" }).click();
    await page.getByRole("heading", { name: "Change the search of Embase via Ovid" }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("search-source");
    expect(await page.getByLabel("Results found").inputValue()).toBe("3");
    await page.getByLabel("Results found").fill("1");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").filter({ hasText: "Search of Embase via Ovid changed." }).waitFor();
    await embaseRow.getByText("1 found").waitFor();
    expect(await embaseRow.innerText()).toMatch(/^1 found\s*1 imported$/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Change the search of Embase via Ovid");
    await page.getByRole("heading", { name: "Record a search" }).waitFor();

    await page.getByRole("button", { name: "Show 1 problem of embase-export.ris" }).click();
    const kept = page.locator(".batch-detail table.problems-table tbody tr");
    await kept.first().waitFor();
    expect(await kept.locator('td[data-label="Line"]').innerText()).toBe("1");
    expect(await kept.locator('td[data-label="Problem"]').innerText()).toContain("text outside any record");
    expect(page.errors).toEqual([]);
  });

  it("maps a CSV's pubmedID column to the PMID, lets the columns be changed, and fits 640 px without sideways scrolling", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 900 } });
    await page.goto(`${app.url}/projects/${projectId}/searches`);
    await page.getByRole("heading", { level: 1, name: "Searches and imports" }).waitFor();
    await page.getByLabel("Source").fill("Google Scholar");
    await page.getByLabel("Kind").selectOption({ label: "Website" });
    await page.getByRole("button", { name: "Record search" }).click();
    await page.locator('tr[data-search="Google Scholar"]').waitFor();
    expect(await page.getByLabel("Search the files came from").locator("option:checked").innerText()).toBe("Google Scholar");
    const csv = "Heading,Authors,Year,pubmedID\nKinship foster care and wellbeing,Winokur M.; Holtan A.,2014,24488572\n";
    await page.getByLabel("Records files").setInputFiles({ name: "rayyan.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const card = fileCard(page, "rayyan.csv");
    await card.getByRole("group", { name: "Columns" }).waitFor();
    expect(await card.getByLabel("PMID (PubMed ID)").inputValue()).toBe("pubmedID");
    expect(await card.locator(".preview-table td[data-label=Identifiers]").innerText()).toBe("PMID 24488572");
    // "Heading" is not a title column by name: the reviewer maps it.
    expect(await card.locator(".preview-table td[data-label=Title]").innerText()).toBe("No title");
    await card.getByLabel("Title", { exact: true }).selectOption("Heading");
    await card.getByRole("button", { name: "Check again with these columns" }).click();
    await card.locator(".preview-table td[data-label=Title]").getByText("Kinship foster care and wellbeing").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }
    // Keyboard focus is visible on the page's own controls.
    await card.getByRole("button", { name: "Check again with these columns" }).focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Import 1 record");
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe("none");
    await card.getByRole("button", { name: "Import 1 record" }).click();
    await card.getByText("Imported 1 record into Google Scholar.").waitFor();
    const recs = await app.api<{ items: { title: string }[] }>("GET", `/projects/${projectId}/records?offset=0&limit=50&q=kinship`);
    expect(recs.items.map((r) => r.title)).toContain("Kinship foster care and wellbeing");
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });
});
