/**
 * The meta-analysis page in headless Debian Chromium against the real
 * server: dat.bcg pasted as CSV (log risk ratios and variances as metafor's
 * escalc gives them, taken from the committed metafor fixtures), fitted by
 * REML, and the displayed estimate and τ² compared with metafor's values at
 * the displayed precision; the forest plot has one row mark per trial. The
 * project path enters the same trials as studies, outcomes and effect sizes
 * through the collections API and fits a Knapp–Hartung meta-regression
 * with a categorical moderator.
 *
 * A second project holds data shaped like the reunification review (26
 * studies, 112 SMDs, an 8-level intervention type with single-study
 * levels; metafor/clubSandwich references in the same fixtures) next to
 * dat.bcg's 13 log risk ratios: the page pools one measure, refuses a
 * mixed selection naming both, warns beside CR2 tests on fewer than 4
 * Satterthwaite df, and lists one-study subgroups without an estimate.
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
const review = fixture("review-shaped intervention type");
const reviewUni = fixture("review-shaped uni REML");
const [itype] = review.input.mods as { values: string[]; levels: string[] }[];
const [reviewStudy, reviewEsid] = review.input.random as { values: string[] }[];

/** As the page shows numbers: fixed decimals, true minus sign. */
const shown = (x: number, digits = 4) => x.toFixed(digits).replace(/^-/, "−");

let app: AppHarness;
let projectId: string;
let reviewProjectId: string;

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "BCG vaccine trials" })).id;
  const n = bcgKnha.input.yi.length;
  const id = (i: number) => String(i + 1).padStart(2, "0");
  const base = `/projects/${projectId}/collections`;
  await app.api("POST", `${base}/studies`, Array.from({ length: n }, (_, i) => ({ id: `s${id(i)}`, name: `Trial ${i + 1}`, attributes: { ablat: ablat.values[i], alloc: alloc.values[i] } })));
  await app.api("POST", `${base}/outcomes`, Array.from({ length: n }, (_, i) => ({ id: `o${id(i)}`, studyId: `s${id(i)}`, name: "Tuberculosis" })));
  await app.api("POST", `${base}/effectSizes`, Array.from({ length: n }, (_, i) => ({ id: `e${id(i)}`, outcomeId: `o${id(i)}`, measure: "RR", yi: bcgKnha.input.yi[i], vi: bcgKnha.input.vi[i] })));

  reviewProjectId = (await app.api<{ id: string }>("POST", "/projects", { title: "Reunification" })).id;
  const rbase = `/projects/${reviewProjectId}/collections`;
  const studyIds = [...new Set(reviewStudy.values)];
  // The intervention type is the study's: every outcome of a study has the same.
  await app.api("POST", `${rbase}/studies`, [
    ...studyIds.map((s) => ({ id: `r${s}`, name: `Study ${s}`, attributes: { itype: itype.values[reviewStudy.values.indexOf(s)] } })),
    ...Array.from({ length: n }, (_, i) => ({ id: `t${id(i)}`, name: `Trial ${i + 1}` })),
  ]);
  // Outcome names repeat across studies, as a review's do.
  await app.api("POST", `${rbase}/outcomes`, [
    ...reviewStudy.values.map((s, i) => ({ id: `ro${i}`, studyId: `r${s}`, name: `Outcome ${reviewEsid.values[i]}` })),
    ...Array.from({ length: n }, (_, i) => ({ id: `to${id(i)}`, studyId: `t${id(i)}`, name: "Tuberculosis" })),
  ]);
  await app.api("POST", `${rbase}/effectSizes`, [
    ...review.input.yi.map((y: number, i: number) => ({ id: `re${i}`, outcomeId: `ro${i}`, measure: "SMD", yi: y, vi: review.input.vi[i] })),
    ...Array.from({ length: n }, (_, i) => ({ id: `te${id(i)}`, outcomeId: `to${id(i)}`, measure: "RR", yi: bcgKnha.input.yi[i], vi: bcgKnha.input.vi[i] })),
  ]);
});

afterAll(async () => {
  await app?.close();
});

async function openPage(viewport?: { width: number; height: number }, colorScheme?: "light" | "dark", project = projectId): Promise<Page & { errors: string[] }> {
  const page = await app.newPage({ ...(viewport ? { viewport } : {}), ...(colorScheme ? { colorScheme } : {}) });
  await page.goto(`${app.url}/projects/${project}/analysis`);
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

  it("pools one effect measure: the filter defaults to the most frequent, and a mixed selection is refused with both measures named", async () => {
    const page = await openPage(undefined, undefined, reviewProjectId);
    await page.getByText("125 effect sizes with yi and vi").waitFor();
    const filter = page.getByLabel("Effect measure to pool");
    expect(await filter.locator("option:checked").innerText()).toBe("SMD (112 effect sizes)");
    expect(await filter.locator("option").allInnerTexts()).toEqual(["SMD (112 effect sizes)", "RR (13 effect sizes)", "All measures together (refused when they differ)"]);

    await filter.selectOption({ label: "All measures together (refused when they differ)" });
    await page.getByRole("button", { name: "Fit model" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/the rows mix effect measures: SMD \(112 rows\), RR \(13 rows\)/);
    expect(await page.getByRole("table", { name: /^Coefficients/ }).count()).toBe(0);

    // By keyboard: back to SMD, forest rows labelled by outcome.
    await filter.focus();
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    expect(await filter.inputValue()).toBe("SMD");
    await page.getByLabel("Row labels").selectOption("outcome");
    await page.getByRole("button", { name: "Fit model" }).click();
    await page.locator('[data-figure="forest"] svg').waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.locator('[data-key="measure"]').innerText()).toBe("Pooled effect measure: SMD (112 effect sizes; 13 of other measures left out).");
    expect(await page.locator('td[data-key="k"]').innerText()).toBe("112");
    // The 112 SMDs alone, as metafor fits them (rma REML).
    expect(await page.locator('td[data-key="estimate"]').first().innerText()).toBe(shown(reviewUni.expected.coefficients[0].estimate));
    expect(await page.locator('td[data-key="tau2"]').innerText()).toBe(shown(reviewUni.expected.tau2));
    // Outcome labels repeat across studies; the plot counts the studies.
    const studies = new Set(reviewStudy.values).size;
    expect(await page.locator('[data-figure="forest"] figcaption').innerText()).toBe(`Forest plot of 112 outcomes from ${studies} studies`);
    // The refused fit is the only failed request.
    expect(page.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  });

  it("shows the small-df warning beside the CR2 coefficients and the HTZ test it qualifies", async () => {
    const page = await openPage(undefined, undefined, reviewProjectId);
    await page.getByText("125 effect sizes with yi and vi").waitFor();
    await page.getByLabel("Test", { exact: true }).selectOption("t");
    await page.getByLabel("Random effect: studies").selectOption("study");
    await page.getByLabel("Random effect: outcomes within studies").selectOption("outcome");
    await page.getByLabel("Robust inference: cluster").selectOption("study");
    await page.getByRole("button", { name: "Add moderator" }).click();
    await page.getByLabel("Moderator 1", { exact: true }).selectOption("itype");
    await page.getByLabel("Categorical").check();
    // The levels offered are those of the SMD rows only (the RR trials have no intervention type).
    expect((await page.getByLabel("Levels, reference first").inputValue()).split(", ").sort()).toEqual([...itype.levels].sort());
    await page.getByLabel("Levels, reference first").fill(itype.levels.join(", "));
    await page.getByLabel("Forest plot", { exact: true }).uncheck();
    await page.getByLabel("Funnel plot", { exact: true }).uncheck();
    await page.getByRole("button", { name: "Fit model" }).click();
    const robustTable = page.getByRole("table", { name: /^Coefficients with CR2/ });
    await robustTable.waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);

    const expected = review.expected.robust as { coefficients: { df: number }[]; QM: number; QMdf: number[] };
    const dfCells = await robustTable.locator('td[data-key="df"]').allInnerTexts();
    expect(dfCells.map((t) => t.replace(" ⚠", ""))).toEqual(expected.coefficients.map((c) => shown(c.df, 2)));
    // Every df below 4 is marked, and its cell points to the warning under the table.
    expect(dfCells.map((t) => t.endsWith("⚠"))).toEqual(expected.coefficients.map((c) => c.df < 4));
    const flagged = robustTable.locator('td[data-key="df"][aria-describedby="warn-robust-coefficients"]');
    expect(await flagged.count()).toBe(expected.coefficients.filter((c) => c.df < 4).length);
    const coefWarning = page.locator("#warn-robust-coefficients");
    expect(await coefWarning.getAttribute("role")).toBe("note");
    expect(await coefWarning.locator("li").first().innerText()).toBe(
      `Warning: "intrcpt": Satterthwaite df = ${expected.coefficients[0]!.df.toFixed(2)}, below 4; its p-value and confidence interval may be unreliable (Tipton 2015).`,
    );
    // The HTZ test's warning follows its table directly.
    const htzWarning = await page.evaluate(() => {
      const table = [...document.querySelectorAll("table")].find((t) => t.caption?.textContent === "HTZ test of the moderators");
      const next = table?.closest(".table-wrap")?.nextElementSibling;
      return next?.id === "warn-robust-test" ? (next as HTMLElement).innerText : null;
    });
    expect(htzWarning).toBe(
      `Warning: HTZ test: F = ${expected.QM.toPrecision(4)} on ${expected.QMdf[0]} and ${expected.QMdf[1]!.toFixed(2)} df; with denominator df below 4 its p-value may be unreliable (Tipton 2015).`,
    );
    expect(await page.locator('td[data-key="robust-QM"]').innerText()).toBe(shown(expected.QM, 3));
    expect(await contrastProblems(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  it("lists a one-study subgroup as such, with the other subgroups estimated and compared", async () => {
    const page = await openPage({ width: 640, height: 400 }, "dark", reviewProjectId);
    await page.getByText("125 effect sizes with yi and vi").waitFor();
    await page.getByLabel("Random effect: studies").selectOption("study");
    await page.getByLabel("Random effect: outcomes within studies").selectOption("outcome");
    await page.getByRole("group", { name: "Diagnostics" }).getByLabel("Subgroup analysis").check();
    await page.getByLabel("Subgroup column").selectOption("itype");
    await page.getByLabel("Forest plot", { exact: true }).uncheck();
    await page.getByLabel("Funnel plot", { exact: true }).uncheck();
    await page.getByRole("button", { name: "Fit model" }).click();
    const table = page.getByRole("table", { name: "Subgroups by itype" });
    await table.waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);

    const studiesOf = (level: string) => new Set(reviewStudy.values.filter((_, i) => itype.values[i] === level)).size;
    const levels = [...itype.levels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(await table.locator("tbody th").allInnerTexts()).toEqual(levels);
    const headers = await table.locator("thead th").allInnerTexts();
    const col = (name: string) => headers.indexOf(name);
    for (const [r, level] of levels.entries()) {
      const cells = await table.locator("tbody tr").nth(r).locator("th, td").allInnerTexts();
      expect(cells[col("Studies")]).toBe(String(studiesOf(level)));
      if (studiesOf(level) === 1) {
        expect(cells[col("Estimate")]).toBe("—");
        expect(cells[col("Note")]).toBe("One study: no subgroup estimate");
      } else {
        expect(cells[col("Estimate")]).toMatch(/^−?\d+\.\d{4}$/);
        expect(cells[col("Note")]).toBe("");
      }
    }
    const single = levels.filter((l) => studiesOf(l) === 1);
    expect(single.length).toBeGreaterThan(0);
    expect(await page.locator("#warn-subgroups li").allInnerTexts()).toEqual(
      single.map((l) => `Warning: subgroup "${l}" has one study (${itype.values.filter((v) => v === l).length} outcomes): no subgroup estimate, and it is left out of the between-subgroups test.`),
    );
    const estimated = levels.length - single.length;
    expect(await page.locator('[data-key="QB"]').innerText()).toMatch(new RegExp(`^Between-subgroups test \\(the ${estimated} subgroups with an estimate\\): QB = \\d+\\.\\d{3}, df = ${estimated - 1}, p = `));
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await contrastProblems(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });
});
