/**
 * The meta-analysis page in headless Debian Chromium against the real
 * server: dat.bcg pasted as CSV (log risk ratios and variances as metafor's
 * escalc gives them, taken from the committed metafor fixtures), fitted by
 * REML, and the displayed estimate and τ² compared with metafor's values at
 * the displayed precision; the forest plot has one row mark per trial. The
 * project path enters the same trials as studies, outcomes and effect sizes
 * through the collections API and fits a Knapp–Hartung meta-regression
 * with a categorical moderator.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

const fixtures = JSON.parse(readFileSync(new URL("../../meta/test/fixtures/parity.json", import.meta.url), "utf8"));
const fixture = (name: string) => fixtures.cases.find((c: { name: string }) => c.name === name);
const bcg = fixture("bcg REML z");
const bcgKnha = fixture("bcg ablat+alloc knha");
const [ablat, alloc] = bcgKnha.input.mods;

/** As the page shows numbers: fixed decimals, true minus sign. */
const shown = (x: number, digits = 4) => x.toFixed(digits).replace(/^-/, "−");

let app: AppHarness;
let projectId: string;

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "BCG vaccine trials" })).id;
  const n = bcgKnha.input.yi.length;
  const id = (i: number) => String(i + 1).padStart(2, "0");
  const base = `/projects/${projectId}/collections`;
  await app.api("POST", `${base}/studies`, Array.from({ length: n }, (_, i) => ({ id: `s${id(i)}`, name: `Trial ${i + 1}`, attributes: { ablat: ablat.values[i], alloc: alloc.values[i] } })));
  await app.api("POST", `${base}/outcomes`, Array.from({ length: n }, (_, i) => ({ id: `o${id(i)}`, studyId: `s${id(i)}`, name: "Tuberculosis" })));
  await app.api("POST", `${base}/effectSizes`, Array.from({ length: n }, (_, i) => ({ id: `e${id(i)}`, outcomeId: `o${id(i)}`, measure: "RR", yi: bcgKnha.input.yi[i], vi: bcgKnha.input.vi[i] })));
});

afterAll(async () => {
  await app?.close();
});

async function openPage(viewport?: { width: number; height: number }, colorScheme?: "light" | "dark"): Promise<Page & { errors: string[] }> {
  const page = await app.newPage({ ...(viewport ? { viewport } : {}), ...(colorScheme ? { colorScheme } : {}) });
  await page.goto(`${app.url}/projects/${projectId}/analysis`);
  await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
  return page;
}

describe("analysis page", () => {
  it("fits pasted dat.bcg by REML and shows metafor's estimate and τ², with a forest plot of 13 trials", async () => {
    const page = await openPage();
    await page.getByLabel("Pasted or uploaded CSV").check();
    const csv = ["trial,yi,vi", ...bcg.input.yi.map((y: number, i: number) => `Trial ${i + 1},${y},${bcg.input.vi[i]}`)].join("\n");
    await page.getByLabel("CSV data (header row first)").fill(csv);
    await page.getByText("13 rows; columns: trial, yi, vi.").waitFor();
    await page.getByLabel("Effect size column (yi)").selectOption("yi");
    await page.getByLabel("Sampling variance column (vi)").selectOption("vi");
    await page.getByLabel("Effect measure (axis title)").fill("Log risk ratio");
    await page.getByLabel("Estimator").selectOption("REML");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByRole("table", { name: /^Coefficients/ }).waitFor();

    const e = bcg.expected;
    expect(await page.locator('td[data-key="estimate"]').first().innerText()).toBe(shown(e.coefficients[0].estimate));
    expect(await page.locator('td[data-key="tau2"]').innerText()).toBe(shown(e.tau2));
    expect(await page.locator('td[data-key="I2"]').innerText()).toBe(`${shown(e.I2, 1)}%`);
    expect(await page.locator('td[data-key="prediction"]').innerText()).toBe(`${shown(e.prediction.lower)} to ${shown(e.prediction.upper)}`);
    // Row headers and column headers are marked up for assistive technology.
    expect(await page.getByRole("rowheader", { name: "Intercept" }).count()).toBe(1);
    expect(await page.getByRole("columnheader", { name: "Estimate" }).first().isVisible()).toBe(true);

    const forest = page.locator('[data-figure="forest"]');
    expect(await forest.locator(".estimates_marks path").count()).toBe(13);
    // Rows are labelled by the pasted trial column.
    expect(await forest.locator("svg text", { hasText: /^Trial 13$/ }).count()).toBe(1);
    expect(await forest.locator("svg[role=img]").count()).toBe(1);
    await forest.getByText("Long description").click();
    expect(await forest.locator(".long-description").innerText()).toMatch(/13/);
    const [svgDownload] = await Promise.all([page.waitForEvent("download"), forest.getByRole("button", { name: "Download SVG" }).click()]);
    expect(svgDownload.suggestedFilename()).toBe("forest.svg");
    const [pngDownload] = await Promise.all([page.waitForEvent("download"), forest.getByRole("button", { name: "Download PNG" }).click()]);
    expect(pngDownload.suggestedFilename()).toBe("forest.png");
    expect(readFileSync((await pngDownload.path())!).subarray(1, 4).toString()).toBe("PNG");
    expect(await page.locator('[data-figure="funnel"] .points_marks path').count()).toBe(13);
    expect(page.errors).toEqual([]);
  });

  it("fits the project's effect sizes with a categorical moderator under Knapp–Hartung, by keyboard", async () => {
    const page = await openPage();
    await page.getByText("13 effect sizes with yi and vi").waitFor();
    await page.getByLabel("Test", { exact: true }).selectOption("t");
    await page.getByRole("button", { name: "Add moderator" }).click();
    await page.getByLabel("Moderator 1", { exact: true }).selectOption("ablat");
    await page.getByRole("button", { name: "Add moderator" }).click();
    await page.getByLabel("Moderator 2", { exact: true }).selectOption("alloc");
    await page.getByLabel("Categorical").nth(1).check();
    // The levels default to the values found; the reference level is put first.
    expect(await page.getByLabel("Levels, reference first").inputValue()).toBe("alternate, random, systematic");
    await page.getByLabel("Levels, reference first").fill(alloc.levels.join(", "));
    await page.getByLabel("Forest plot", { exact: true }).uncheck();
    await page.getByLabel("Funnel plot", { exact: true }).uncheck();
    await page.getByRole("group", { name: "Diagnostics" }).getByLabel("Influence diagnostics").focus();
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Fit model" }).focus();
    await page.keyboard.press("Enter");
    await page.locator('[role="alert"], table.analysis-table').first().waitFor();
    expect(await page.getByRole("alert").count(), await page.locator("main").innerText()).toBe(0);
    // Focus moves to the results.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Model");

    const rows = page.getByRole("table", { name: /^Coefficients/ }).locator("tbody tr");
    expect(await rows.locator("th").allInnerTexts()).toEqual(["Intercept", "ablat", "alloc[alternate]", "alloc[systematic]"]);
    const cells = await rows.locator('td[data-key="estimate"]').allInnerTexts();
    expect(cells).toEqual(bcgKnha.expected.coefficients.map((c: { estimate: number }) => shown(c.estimate)));
    expect(await page.locator('td[data-key="tau2"]').innerText()).toBe(shown(bcgKnha.expected.tau2));
    expect(await page.locator('td[data-key="QM"]').innerText()).toBe(shown(bcgKnha.expected.QM, 3));
    // One influence row per trial, labelled by study.
    const influence = page.getByRole("table", { name: "Influence diagnostics" });
    expect(await influence.locator("tbody th").allInnerTexts()).toEqual(bcgKnha.input.yi.map((_: number, i: number) => `Trial ${i + 1}`));
    expect(page.errors).toEqual([]);
  });

  it("shows the server's reason when the model cannot be fitted, and does not scroll sideways at 200% zoom", async () => {
    const page = await openPage({ width: 640, height: 400 });
    await page.getByText("13 effect sizes with yi and vi").waitFor();
    await page.getByLabel("Effect size column (yi)").selectOption("study");
    await page.getByRole("button", { name: "Fit model" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/row 1, column "study": not a number \("Trial 1"\)/);
    await page.getByLabel("Effect size column (yi)").selectOption("yi");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.locator('[data-figure="forest"] svg').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it("keeps text contrast in light and dark schemes, with results and diagnostics shown", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await openPage(undefined, colorScheme);
      await page.getByText("13 effect sizes with yi and vi").waitFor();
      await page.getByRole("group", { name: "Diagnostics" }).getByLabel("Influence diagnostics").check();
      await page.getByRole("button", { name: "Fit model" }).click();
      await page.getByRole("table", { name: "Influence diagnostics" }).waitFor();
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }
  });
});
