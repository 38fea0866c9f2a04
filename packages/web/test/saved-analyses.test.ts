/**
 * Saved analyses on the meta-analysis page, in headless Debian Chromium
 * against the real server: a reviewer fits a three-level model, saves it
 * under a name, an effect size changes, and the re-run lists that effect
 * size as changed with the estimate that moved; the keyboard reaches every
 * control, and at 200% zoom nothing scrolls sideways. The first owner finds
 * the built-in outcome-level example (assink2016) with its saved analyses,
 * which re-run unchanged.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

const metafor = JSON.parse(readFileSync(new URL("../../../examples/assink2016/reference/metafor.json", import.meta.url), "utf8"));
/** As the page shows numbers: fixed decimals, true minus sign. */
const shown = (x: number, digits = 4) => x.toFixed(digits).replace(/^-/, "−");

let app: AppHarness;
let projectId: string;

// Made-up SMDs: six trials with two outcomes each.
const yi = [0.31, 0.12, 0.55, 0.41, -0.05, 0.08, 0.62, 0.47, 0.2, 0.35, 0.15, 0.02];
const vi = [0.04, 0.05, 0.03, 0.06, 0.05, 0.04, 0.07, 0.05, 0.03, 0.04, 0.06, 0.05];

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "Kinship care outcomes" })).id;
  const base = `/projects/${projectId}/collections`;
  await app.api("POST", `${base}/studies`, [1, 2, 3, 4, 5, 6].map((n) => ({ id: `s${n}`, name: `Trial ${n}` })));
  await app.api("POST", `${base}/outcomes`, yi.map((_, i) => ({ id: `o${i + 1}`, studyId: `s${Math.floor(i / 2) + 1}`, name: i % 2 ? "Re-entry" : "Reunified" })));
  await app.api("POST", `${base}/effectSizes`, yi.map((y, i) => ({ id: `es${String(i + 1).padStart(2, "0")}`, outcomeId: `o${i + 1}`, measure: "SMD", yi: y, vi: vi[i] })));
  await app.signUp(projectId, "rita", "reviewer");
});

afterAll(async () => {
  await app?.close();
});

describe("saved analyses", () => {
  it("saves a fitted model by name, and after one effect size changes the re-run lists it as moved", async () => {
    const page = await app.newPageAs("rita", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/analysis`);
    await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
    await page.getByText("12 effect sizes with yi and vi").waitFor();
    await page.getByLabel("Random effect: studies").selectOption("study");
    await page.getByLabel("Random effect: outcomes within studies").selectOption("outcome");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByRole("table", { name: /^Coefficients/ }).waitFor();
    const estimate = await page.locator('td[data-key="estimate"]').first().innerText();

    const saved = page.getByRole("region", { name: "Saved analyses" });
    await expect.poll(() => saved.getByText("No analysis has been saved yet.").isVisible()).toBe(true);
    // A name is needed: the field says so and takes focus.
    await saved.getByRole("button", { name: "Save as named analysis" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("save-name");
    expect(await saved.getByText("Give the analysis a name.").isVisible()).toBe(true);
    // By keyboard: type the name, Tab to the note, Enter on the button.
    await page.keyboard.type("Primary three-level model");
    await page.keyboard.press("Tab");
    await page.keyboard.type("As planned in the protocol");
    await saved.getByRole("button", { name: "Save as named analysis" }).focus();
    await page.keyboard.press("Enter");
    await saved.getByRole("status").filter({ hasText: 'Saved "Primary three-level model" as version 1.' }).waitFor();
    const item = saved.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Primary three-level model" }) });
    await item.waitFor();
    expect(await item.innerText()).toMatch(/Version 1 of 1, saved by rita .*12 effect sizes \(SMD\)/);
    expect(await item.innerText()).toContain("As planned in the protocol");

    // Someone corrects one effect size.
    await app.api("PATCH", `/projects/${projectId}/collections/effectSizes/es05`, { yi: 0.95, reason: "transcription error" });

    await item.getByRole("button", { name: /Re-run "Primary three-level model" version 1 against current data/ }).press("Enter");
    const moved = item.getByRole("table", { name: "Effect sizes added, removed or changed since the saved version" });
    await moved.waitFor();
    const row = moved.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "es05" }) });
    expect(await row.innerText()).toMatch(/Trial 3\s+Changed\s+−0\.0500 \(0\.0500\)\s+0\.9500 \(0\.0500\)/);
    const estimates = item.getByRole("table", { name: "Estimates: saved version 1 against today's data" });
    const intercept = estimates.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Intercept", exact: true }) });
    const cells = await intercept.getByRole("cell").allInnerTexts();
    expect(cells[0]).toMatch(new RegExp(`^${estimate.replace(/[.]/g, "\\.")} \\[`));
    expect(cells[1]).not.toBe(cells[0]);
    expect(cells[2]).toBe("Yes");
    expect(await item.getByRole("status").innerText()).toMatch(/1 effect size added, removed or changed; k 12 → 12/);
    expect(page.errors).toEqual([]);
  });

  it("lists a second save of the same name as version 2, and reads at 200% zoom without scrolling sideways, with readable contrast", async () => {
    const page = await app.newPageAs("rita", { project: projectId, role: "reviewer", options: { viewport: { width: 640, height: 480 } } });
    await page.goto(`${app.url}/projects/${projectId}/analysis`);
    await page.getByText("12 effect sizes with yi and vi").waitFor();
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByRole("table", { name: /^Coefficients/ }).waitFor();
    const saved = page.getByRole("region", { name: "Saved analyses" });
    await saved.getByRole("textbox", { name: "Name", exact: true }).fill("Primary three-level model");
    await saved.getByRole("button", { name: "Save as named analysis" }).click();
    await saved.getByRole("status").filter({ hasText: "as version 2." }).waitFor();
    const item = saved.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Primary three-level model" }) });
    await expect.poll(() => item.innerText()).toMatch(/Version 2 of 2/);
    await item.getByLabel('Version of "Primary three-level model"').selectOption({ index: 1 });
    await item.getByRole("button", { name: /version 1 against current data/ }).click();
    await item.getByRole("table", { name: "Effect sizes added, removed or changed since the saved version" }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await contrastProblems(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  it("shows the first owner the outcome-level example's saved analyses, which re-run unchanged and open with metafor's estimate and their figures", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/assink2016/analysis`);
    await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
    const saved = page.getByRole("region", { name: "Saved analyses" });
    const item = saved.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Overall effect, three-level model" }) });
    await item.waitFor();
    expect(await saved.getByRole("heading", { level: 3 }).allInnerTexts()).toEqual(expect.arrayContaining([
      "Overall effect, three-level model", "Overall effect, cluster-robust (CR2)", "Moderator: publication year",
      "Moderator: type of delinquent behaviour", "Small-study effects (univariate check)",
    ]));
    expect(await item.innerText()).toMatch(/100 effect sizes \(SMD\)\. Model: multilevel \(study\/esid\)/);
    await item.getByRole("button", { name: /Re-run/ }).click();
    await item.getByRole("status").filter({ hasText: "nothing moved" }).waitFor();
    // Shown as if just fitted: metafor's three-level estimate, and the forest plot the analysis was saved with.
    await item.getByRole("button", { name: /Show "Overall effect, three-level model" version 1 with its figures/ }).click();
    await page.getByRole("table", { name: /^Coefficients/ }).waitFor();
    expect(await page.locator('td[data-key="estimate"]').first().innerText()).toBe(shown(metafor.threeLevel.estimate[0]));
    await page.locator('[data-figure="forest"] svg').waitFor();
    expect(page.errors).toEqual([]);
  });
});
