/**
 * Checking extraction in headless Debian Chromium against the real server,
 * as the seed review's rule asks: the owner sets the mode "single, with a
 * second reviewer checking every outcome datum"; one reviewer enters a
 * study's two outcome data; a second agrees with one and proposes a change
 * to a value of the other, with a reason; the first accepts it, and the
 * recomputed effect size reaches the analysis page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escalc } from "@homeward/meta";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, type AppHarness, type TestPage } from "./harness.js";
import { smallProject, startAppWithProject } from "./seed.js";

let app: AppHarness;
const projectId = "web-test-extraction-checks";
const STUDY = "Akin 2018";

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Reunification checks",
    studies: [
      {
        id: "akin-2018",
        name: STUDY,
        arms: [{ id: "arm-1", label: "Programme", n: 60 }, { id: "arm-2", label: "Usual care", n: 60 }],
        createdAt: "2024-01-15T09:00:00.000Z",
      },
    ],
    outcomes: [
      { id: "o-wellbeing", studyId: "akin-2018", name: "Wellbeing", higherIsBetter: true },
      { id: "o-stability", studyId: "akin-2018", name: "Placement stability", higherIsBetter: true },
    ],
  }));
});

afterAll(async () => {
  await app?.close();
});

const fitEstimate = async (page: TestPage): Promise<string> => {
  await page.goto(`${app.url}/projects/${projectId}`);
  await page.getByRole("navigation").getByRole("link", { name: "Analysis", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Meta-analysis" }).waitFor();
  await page.getByRole("radio", { name: "This project's effect sizes" }).check();
  await page.getByText("2 effect sizes with yi and vi").waitFor();
  await page.getByRole("button", { name: "Fit model" }).click();
  await page.getByRole("table", { name: /^Coefficients/ }).waitFor();
  return page.locator('td[data-key="estimate"]').first().innerText();
};

describe("extraction checks", () => {
  it("lets a second reviewer check every outcome datum; a change the extractor accepts reaches the analysis", async () => {
    // ---- The owner chooses the seed review's rule.
    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${projectId}/extraction`);
    await owner.getByRole("heading", { name: "How values are checked" }).waitFor();
    await owner.getByRole("radio", { name: "Single, with a second reviewer checking every outcome datum" }).check();
    await owner.getByRole("button", { name: "Save the mode" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved: Single, with a second reviewer checking every outcome datum; a senior checks 5% of studies." }).waitFor();

    // ---- Ana enters the study's two outcome data as reported.
    const ana = await app.newPageAs("ana", { project: projectId, role: "reviewer" });
    await ana.goto(`${app.url}/projects/${projectId}/studies/akin-2018/outcomes`);
    const enter = async (outcome: string, values: Record<string, string>) => {
      await ana.getByRole("button", { name: `Add data to ${outcome}` }).click();
      const form = ana.getByRole("form", { name: `Add data of ${outcome}` });
      for (const [label, v] of Object.entries(values)) await form.getByLabel(label, { exact: true }).fill(v);
      await form.getByRole("button", { name: "Save data and compute the effect size" }).click();
      await ana.locator(`[data-outcome="${outcome}"] tr[data-effect]`).waitFor();
    };
    await enter("Wellbeing", { "Group 1 mean": "24", "Group 1 SD": "5", "Group 1 n": "60", "Group 2 mean": "22", "Group 2 SD": "5", "Group 2 n": "60" });
    await enter("Placement stability", { "Group 1 mean": "3.1", "Group 1 SD": "1.2", "Group 1 n": "60", "Group 2 mean": "3.0", "Group 2 SD": "1.2", "Group 2 n": "60" });
    const before = await fitEstimate(ana);

    // ---- Ben sees both unchecked, agrees with one and proposes a change to the other.
    const ben = await app.newPageAs("ben", { project: projectId, role: "reviewer" });
    await ben.goto(`${app.url}/projects/${projectId}/extraction`);
    await ben.getByTestId("unchecked-outcome-data-total").filter({ hasText: "2 outcome data not checked by a second reviewer yet." }).waitFor();
    await ben.getByRole("link", { name: `Check ${STUDY}` }).click();
    await ben.getByRole("heading", { level: 1, name: `Check ${STUDY}` }).waitFor();
    await ben.getByTestId("unchecked-outcome-data").filter({ hasText: "2 outcome data of 2 not checked yet." }).waitFor();
    const wellbeing = ben.getByRole("article", { name: "Wellbeing, Programme vs Usual care" });
    expect(await wellbeing.innerText()).toContain("As entered: Group 1 mean 24; Group 1 SD 5; Group 1 n 60; Group 2 mean 22; Group 2 SD 5; Group 2 n 60");
    await wellbeing.getByRole("button", { name: "Agree with Wellbeing, Programme vs Usual care" }).click();
    await ben.getByRole("status").filter({ hasText: "Saved. 1 outcome datum not checked yet." }).waitFor();
    await wellbeing.getByText("Checked: agreed").waitFor();

    const stability = ben.getByRole("article", { name: "Placement stability, Programme vs Usual care" });
    await stability.getByRole("button", { name: "Propose a change to Placement stability, Programme vs Usual care" }).click();
    const proposal = ben.getByRole("form", { name: "Propose a change to Placement stability, Programme vs Usual care" });
    expect(await proposal.getByText("entered: 3", { exact: true }).count()).toBe(1);
    await proposal.getByLabel("Group 2 mean", { exact: true }).fill("2.5");
    await proposal.getByLabel("Reason for the change").fill("Table 2 gives 2.5 for usual care");
    await proposal.getByRole("button", { name: "Propose" }).click();
    await stability.getByText("Change proposed").waitFor();
    await stability.getByText("Waiting for ana to accept or dispute it.").waitFor();
    // The checker does not answer their own proposal.
    expect(await stability.getByRole("button", { name: /^Accept/ }).count()).toBe(0);

    // ---- Ana sees the proposal beside her value and accepts it.
    await ana.goto(`${app.url}/projects/${projectId}/extraction`);
    await ana.locator(`tr[data-study="${STUDY}"]`).getByText("1 change proposed to your extraction").waitFor();
    await ana.getByRole("link", { name: `Check ${STUDY}` }).click();
    const mine = ana.getByRole("article", { name: "Placement stability, Programme vs Usual care" });
    await mine.getByText("ben proposes").waitFor();
    expect(await mine.getByRole("group", { name: "Proposed change to Placement stability, Programme vs Usual care" }).innerText()).toContain("Group 2 mean 2.5");
    // Her own values are not hers to check.
    expect(await ana.getByRole("button", { name: /^Agree with/ }).count()).toBe(0);
    await mine.getByRole("button", { name: "Accept the change to Placement stability, Programme vs Usual care" }).click();
    await ana.getByRole("status").filter({ hasText: "Saved. 0 outcome data not checked yet." }).waitFor();
    await mine.getByText("Checked: change accepted by ben").waitFor();
    const g = escalc("SMD", { m1i: [3.1], sd1i: [1.2], n1i: [60], m2i: [2.5], sd2i: [1.2], n2i: [60] })[0]!;
    expect(await mine.getByTestId("effect-size").innerText()).toBe(g.yi.toFixed(3));
    await mine.getByText("History (2 steps)").click();
    expect(await mine.locator("details ol").innerText()).toMatch(/ben proposed a change \(.*Group 2 mean 3;.*→.*Group 2 mean 2\.5;.*\): Table 2 gives 2\.5 for usual care[\s\S]*ana accepted/);
    await ana.getByTestId("unchecked-outcome-data").filter({ hasText: "0 outcome data of 2 not checked yet." }).waitFor();

    // ---- The analysis reads the recomputed effect size.
    const data = await app.api<{ rows: { outcome: string; yi: number }[] }>("GET", `/projects/${projectId}/analysis/data`);
    expect(data.rows.find((r) => r.outcome === "Placement stability")!.yi).toBeCloseTo(g.yi, 12);
    const after = await fitEstimate(ana);
    expect(after).not.toBe(before);
    expect(ana.errors).toEqual([]);
    expect(ben.errors).toEqual([]);
    expect(owner.errors).toEqual([]);
  });

  it("draws the senior check's sample once and shows how far each sampled study's check has come", async () => {
    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${projectId}/extraction`);
    await owner.getByLabel("Seed (optional)").fill("7");
    await owner.getByRole("button", { name: "Draw the sample (5% of studies)" }).click();
    const section = owner.getByRole("region", { name: "Senior check sample" });
    await section.getByText(/^1 study of 1 drawn by owner on .* \(seed 7\); kept as drawn\.$/).waitFor();
    // Ana's outcome data are checked, but no value of hers yet.
    expect(await section.getByRole("listitem").innerText()).toBe(`${STUDY}: not started (0 of 0 values checked)`);
    expect(await owner.getByRole("button", { name: /^Draw the sample/ }).count()).toBe(0);
    await section.getByRole("link", { name: STUDY }).click();
    await owner.getByText("This study is in the senior check's sample: check every value.").waitFor();
    expect(owner.errors).toEqual([]);
  });

  it("keeps text contrast on the checks page in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const path of ["extraction", "extraction/akin-2018/checks"]) {
        await page.goto(`${app.url}/projects/${projectId}/${path}`);
        await page.locator("h1").waitFor();
        await page.locator("tr[data-study], .check-item").first().waitFor();
        expect({ colorScheme, path, problems: await contrastProblems(page) }).toEqual({ colorScheme, path, problems: [] });
      }
    }
  });

  it("reflows the checks page at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    await page.goto(`${app.url}/projects/${projectId}/extraction/akin-2018/checks`);
    await page.getByTestId("unchecked-outcome-data").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });
});
