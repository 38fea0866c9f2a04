/**
 * The Outcomes page in headless Debian Chromium against the real server: a
 * reviewer opens a study's outcomes from the Studies page, sets its arms and
 * time point, adds two outcomes and enters one as means and SDs (an outcome
 * where higher is worse, so recoded) and one as an odds ratio with its CI; a
 * zero SD is refused with the server's one-line reason; the effect sizes,
 * with their chains in words, reach the analysis page's data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escalc, logOrToSmd, logRatioFromCi } from "@homeward/meta";
import { horizontalOverflow, type AppHarness } from "./harness.js";
import { smallProject, startAppWithProject } from "./seed.js";

let app: AppHarness;
const projectId = "web-test-outcomes";
const STUDY = "Akin 2017";

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Reunification outcomes",
    protocol: { outcomeDomains: [{ code: "behaviour", label: "Child behaviour" }, { code: "reunification", label: "Reunification" }] },
    studies: [{ id: "akin-2017", name: STUDY, createdAt: "2024-01-15T09:00:00.000Z" }],
  }));
});

afterAll(async () => {
  await app?.close();
});

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

describe("outcomes", () => {
  it("lets a reviewer enter two outcomes as reported and shows their effect sizes, which reach the analysis data", async () => {
    const page = await app.newPageAs("ana", { project: projectId, role: "reviewer" });
    await page.goto(`${app.url}/projects/${projectId}/studies`);
    await page.getByRole("link", { name: `Outcomes of ${STUDY}` }).click();
    await page.getByRole("heading", { level: 1, name: `Outcomes of ${STUDY}` }).waitFor();

    // Arms and the time point, by keyboard where a person would type.
    await page.getByRole("button", { name: "Add an arm" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("arms-label-0");
    await page.keyboard.type("Strengthening Families");
    await page.getByLabel("Arm 1 n").fill("50");
    await page.getByRole("button", { name: "Add an arm" }).click();
    await page.getByLabel("Arm 2 label").fill("Usual care");
    await page.getByLabel("Arm 2 n").fill("50");
    await page.getByRole("button", { name: "Save arms" }).click();
    await page.getByRole("status").filter({ hasText: "Arms saved." }).waitFor();
    await page.getByRole("button", { name: "Add a time point" }).click();
    await page.getByLabel("Time point 1 label").fill("12 months");
    await page.getByRole("button", { name: "Save time points" }).click();
    await page.getByRole("status").filter({ hasText: "Time points saved." }).waitFor();

    // Two outcomes, domains from the protocol.
    const addOutcome = async (name: string, domain: string, direction: "Higher is better" | "Higher is worse") => {
      await page.getByLabel("Outcome name").fill(name);
      await page.getByLabel("Outcome domain").selectOption({ label: domain });
      await page.getByLabel("Direction", { exact: true }).selectOption({ label: direction });
      await page.getByRole("button", { name: "Add outcome" }).click();
      await page.getByRole("status").filter({ hasText: `Outcome "${name}" added.` }).waitFor();
    };
    await addOutcome("Behaviour problems (CBCL)", "Child behaviour", "Higher is worse");
    await addOutcome("Reunified", "Reunification", "Higher is better");

    // Means and SDs: a zero SD first, refused with the server's reason; then the reported values.
    const behaviour = page.getByRole("region", { name: "Behaviour problems (CBCL)" });
    await behaviour.getByRole("button", { name: "Add data to Behaviour problems (CBCL)" }).click();
    const form1 = page.getByRole("form", { name: "Add data of Behaviour problems (CBCL)" });
    await expect.poll(() => form1.getByLabel("Group 1 (intervention)").evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await form1.getByLabel("Time point").inputValue()).not.toBe("");
    const means = { "Group 1 mean": "58", "Group 1 SD": "0", "Group 1 n": "50", "Group 2 mean": "62", "Group 2 SD": "9", "Group 2 n": "50" };
    for (const [label, v] of Object.entries(means)) await form1.getByLabel(label, { exact: true }).fill(v);
    await form1.getByRole("button", { name: "Save data and compute the effect size" }).click();
    await form1.getByRole("alert").filter({ hasText: `study "${STUDY}", outcome "Behaviour problems (CBCL)": sd1: an SD must be > 0` }).waitFor();
    expect(page.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    page.errors.length = 0; // the browser logs the intended 400
    await form1.getByLabel("Group 1 SD", { exact: true }).fill("8");
    await form1.getByRole("button", { name: "Save data and compute the effect size" }).click();
    const g = escalc("SMD", { m1i: [58], sd1i: [8], n1i: [50], m2i: [62], sd2i: [9], n2i: [50] })[0]!;
    // Higher is worse: fewer problems in group 1 is a benefit, so the sign is reversed, once.
    const meansRow = behaviour.locator("tr[data-effect]");
    await meansRow.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Behaviour problems (CBCL)");
    expect(await meansRow.locator(".effect-value").innerText()).toContain(`SMD ${fmt(-g.yi)} (SE ${fmt(Math.sqrt(g.vi))})`);
    expect(await meansRow.locator(".effect-value").innerText()).toContain("recoded: higher is worse");
    expect(await meansRow.locator(".effect-chain").innerText()).toBe(
      `SMD ${fmt(g.yi)} (SE ${fmt(Math.sqrt(g.vi))}) by g = c(n1+n2−2)·(m1−m2)/s_p (Hedges 1981) → recoded (higher is worse): SMD ${fmt(-g.yi)} (SE ${fmt(Math.sqrt(g.vi))}) by y → −y (sign reversal so that higher means better)`,
    );
    expect(await meansRow.getByRole("rowheader").innerText()).toBe("Strengthening Families vs Usual care");

    // An odds ratio with its 95% CI: the fields follow the kind chosen.
    const reunified = page.getByRole("region", { name: "Reunified" });
    await reunified.getByRole("button", { name: "Edit name, domain or measure of Reunified" }).click();
    const edit = page.getByRole("form", { name: "Edit Reunified" });
    await expect.poll(() => edit.getByLabel("Outcome name").evaluate((el) => el === document.activeElement)).toBe(true);
    await edit.getByLabel("Measure or instrument").fill("Case records");
    await edit.getByRole("button", { name: "Save outcome" }).click();
    await reunified.getByText("Measure: Case records").waitFor();
    await reunified.getByRole("button", { name: "Add data to Reunified" }).click();
    const form2 = page.getByRole("form", { name: "Add data of Reunified" });
    await form2.getByLabel("Reported as").selectOption({ label: "odds ratio with its CI" });
    expect(await form2.getByLabel("Group 1 mean", { exact: true }).count()).toBe(0);
    await form2.getByLabel("Odds ratio").fill("2.25");
    await form2.getByLabel("CI lower limit").fill("1.2");
    await form2.getByLabel("CI upper limit").fill("4.2");
    await form2.getByRole("button", { name: "Save data and compute the effect size" }).click();
    const or = logOrToSmd(logRatioFromCi({ estimate: 2.25, lower: 1.2, upper: 4.2, measure: "OR" }));
    const orRow = reunified.locator("tr[data-effect]");
    await orRow.waitFor();
    expect(await orRow.locator(".effect-value").innerText()).toBe(`SMD ${fmt(or.yi)} (SE ${fmt(Math.sqrt(or.vi))})`);
    const chain = await orRow.locator(".effect-chain").innerText();
    expect(chain).toContain(`log OR ${fmt(Math.log(2.25))} (SE ${fmt(Math.sqrt(or.chain[0]!.variance!))})`);
    expect(chain).toContain(`→ SMD ${fmt(or.yi)} (SE ${fmt(Math.sqrt(or.vi))}) by d = log OR·√3/π`);

    // The analysis page reads both effect sizes from the project's data.
    await page.getByRole("navigation").getByRole("link", { name: "Analysis", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
    await page.getByText("2 effect sizes with yi and vi").waitFor();
    const data = await app.api<{ rows: { outcome: string; yi: number; vi: number; measure: string }[] }>("GET", `/projects/${projectId}/analysis/data`);
    const byOutcome = Object.fromEntries(data.rows.map((r) => [r.outcome, r]));
    expect(Object.keys(byOutcome).sort()).toEqual(["Behaviour problems (CBCL)", "Reunified"]);
    expect(byOutcome["Behaviour problems (CBCL)"]!.yi).toBeCloseTo(-g.yi, 12);
    expect(byOutcome["Reunified"]!.yi).toBeCloseTo(or.yi, 12);
    expect(data.rows.every((r) => r.measure === "SMD")).toBe(true);
    expect(page.errors).toEqual([]);
  });

  it("reflows the Outcomes page at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    await page.goto(`${app.url}/projects/${projectId}/studies/akin-2017/outcomes`);
    await page.locator("tr[data-effect]").first().waitFor();
    await page.getByRole("button", { name: "Add data to Reunified" }).click();
    await page.getByRole("form", { name: "Add data of Reunified" }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });
});
