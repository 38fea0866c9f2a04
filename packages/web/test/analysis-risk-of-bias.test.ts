/**
 * Risk of bias on the meta-analysis page, in headless Debian Chromium
 * against the real server: five studies, four appraised (RoB 2 Low and
 * High, Some concerns; ROBINS-I Serious), one not. The forest plot carries
 * a "Risk of bias" column, and one click refits without the two studies at
 * high risk of bias, the shown refit matching a direct fit of the reduced rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppHarness } from "./harness.js";
import { smallProject } from "./seed.js";

let app: AppHarness;
let projectId: string;
const yi = [0.42, 0.1, 0.65, -0.05, 0.3];
const vi = [0.02, 0.03, 0.05, 0.04, 0.03];
const designs = ["RCT", "RCT", "RCT", "QED", "QED"];

/** As the page shows numbers: fixed decimals, true minus sign. */
const shown = (x: number, digits = 4) => x.toFixed(digits).replace(/^-/, "−");

beforeAll(async () => {
  app = await startApp();
  const at = "2024-01-15T09:00:00.000Z";
  projectId = "rob-synthesis";
  // Appraisals are written only through the appraisal routes or an import, so the project is imported.
  await app.api("POST", "/projects/import", smallProject({
    id: projectId,
    title: "Risk of bias in the synthesis",
    studies: designs.map((design, i) => ({ id: `s${i + 1}`, name: `Trial ${i + 1}`, design, createdAt: at })),
    outcomes: designs.map((_, i) => ({ id: `o${i + 1}`, studyId: `s${i + 1}`, name: "Reunified" })),
    effectSizes: yi.map((y, i) => ({ id: `e${i + 1}`, outcomeId: `o${i + 1}`, measure: "SMD", yi: y, vi: vi[i]!, createdBy: "ana", createdAt: at })),
    appraisals: [
      { id: "a1", studyId: "s1", tool: "RoB2", overall: "Low", reviewer: "ana", at },
      { id: "a2", studyId: "s2", tool: "RoB2", overall: "High", reviewer: "ana", at },
      { id: "a3", studyId: "s3", tool: "RoB2", overall: "Some concerns", reviewer: "ana", at },
      { id: "a4", studyId: "s4", tool: "ROBINS-I", overall: "Serious", reviewer: "ana", at },
    ],
  }));
});

afterAll(async () => {
  await app?.close();
});

describe("risk of bias on the analysis page", () => {
  it("shows each study's risk of bias beside the forest plot and refits without the studies at high risk in one click", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${projectId}/analysis`);
    await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
    await page.getByText("5 effect sizes with yi and vi").waitFor();
    const column = page.getByLabel("Show each study's risk of bias beside the forest plot");
    expect(await column.isChecked()).toBe(true);
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.getByRole("table", { name: /^Coefficients/ }).waitFor();

    const forest = page.locator('[data-figure="forest"]');
    expect(await forest.locator("svg text", { hasText: /^Risk of bias$/ }).count()).toBe(1);
    expect(await forest.locator("svg text", { hasText: /^Serious$/ }).count()).toBe(1);
    expect(await forest.locator("svg text", { hasText: /^Some concerns$/ }).count()).toBe(1);
    await forest.getByText("Long description").click();
    expect(await forest.locator(".long-description").innerText()).toContain('A further column headed "Risk of bias"');

    // Keyboard: the refit is a button reached and pressed like any other.
    const exclude = page.getByRole("button", { name: "Exclude studies at high risk of bias" });
    await exclude.focus();
    await page.keyboard.press("Enter");
    const table = page.getByTestId("rob-sensitivity-table");
    await table.waitFor();
    expect(await page.getByTestId("rob-dropped").innerText()).toMatch(/^2 studies at high risk of bias dropped \(2 outcomes\): Trial 2 \(RoB 2 High\); Trial 4 \(ROBINS-I Serious\)\. 1 outcome has no risk-of-bias judgement/);
    const cells = async (row: string) => table.getByRole("row", { name: new RegExp(`^${row}`) }).getByRole("cell").allInnerTexts();
    expect(await cells("Outcomes")).toEqual(["5", "3"]);

    // Both columns are the fits of the full and the reduced rows.
    type Fit = { coefficients: { estimate: number; ciLower: number; ciUpper: number }[] };
    const fit = (keep: number[]) => app.api<Fit>("POST", `/projects/${projectId}/analysis`, { data: keep.map((i) => ({ yi: yi[i], vi: vi[i] })), method: "REML" });
    const [full, reduced] = await Promise.all([fit([0, 1, 2, 3, 4]), fit([0, 2, 4])]);
    const cell = (f: Fit) => `${shown(f.coefficients[0]!.estimate)} [${shown(f.coefficients[0]!.ciLower)}, ${shown(f.coefficients[0]!.ciUpper)}]`;
    expect(await cells("Intercept")).toEqual([cell(full), cell(reduced)]);
    expect(page.errors).toEqual([]);
  });
});
