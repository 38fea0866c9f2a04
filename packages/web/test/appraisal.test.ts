/**
 * The appraisal stage in headless Debian Chromium against the real server,
 * as a team does it: two reviewers, each in their own browser, appraise the
 * same RCT with RoB 2 (the second does not see the first's answers before
 * submitting; a draft does not open them), an adjudicator compares the two
 * and records the consensus, and the robvis summary on the risk-of-bias page
 * shows the consensus judgement.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, type AppHarness, type TestPage } from "./harness.js";
import { smallProject, startAppWithProject } from "./seed.js";

let app: AppHarness;
const projectId = "web-test-appraisal";
const STUDY = "Trout 2012";
const SECRET = "Outcome assessors were the families' own caseworkers";

/**
 * Ana's answers, in the order the form asks them: D2's departure (participants'
 * awareness not a concern) turns a High into Low; D3 and D5 give Some concerns.
 * 2.7, 4.4 and 4.5 are not asked with these answers.
 */
const ANA: [string, string][] = [
  ["1.1", "Yes"], ["1.2", "Yes"], ["1.3", "No"],
  ["2.1", "Yes"], ["2.2", "No"], ["2.3", "Yes"], ["2.4", "Yes"], ["2.5", "No"], ["2.6", "Yes"],
  ["3.1", "No"], ["3.2", "No"], ["3.3", "Yes"], ["3.4", "No"],
  ["4.1", "No"], ["4.2", "No"], ["4.3", "No"],
  ["5.1", "No"], ["5.2", "No"], ["5.3", "No"],
];
/** Ben answers on the same side, hedged: every difference is minor and every proposal the same. */
const BEN: [string, string][] = ANA.map(([q, a]) => [q, a === "Yes" ? "Probably yes" : "Probably no"]);

const question = (page: Page, id: string) => page.locator(`fieldset[data-question="${id}"]`);
const answer = (page: Page, id: string, label: string) => question(page, id).getByLabel(label, { exact: true }).check();

beforeAll(async () => {
  app = await startAppWithProject(
    smallProject({ id: projectId, title: "Reunification appraisal", studies: [{ id: "trout-2012", name: STUDY, design: "RCT", createdAt: "2024-01-15T09:00:00.000Z" }] }),
  );
});

afterAll(async () => {
  await app?.close();
});

async function openForm(page: TestPage): Promise<void> {
  await page.goto(`${app.url}/projects/${projectId}`);
  await page.getByRole("navigation").getByRole("link", { name: "Appraisal", exact: true }).click();
  await page.getByRole("heading", { name: "Appraisal", level: 1 }).waitFor();
  await page.getByRole("link", { name: `Appraise ${STUDY}` }).click();
  await page.getByRole("heading", { name: `Appraise ${STUDY}`, level: 1 }).waitFor();
}

describe("appraisal", () => {
  it("lets two reviewers appraise one RCT with RoB 2 blind to each other, and an adjudicator record the consensus robvis shows", async () => {
    // ---- Ana, the first reviewer
    const ana = await app.newPageAs("ana", { project: projectId, role: "reviewer" });
    await openForm(ana);
    expect(await ana.locator("fieldset[data-question]").count()).toBeGreaterThan(0);
    await ana.getByText("Help for 1.1").click();
    await ana.getByText(/A random component in generating the sequence/).waitFor();
    for (const [q, a] of ANA.slice(0, 3)) await answer(ana, q, a);
    await ana.getByRole("button", { name: "Save draft" }).click();
    await ana.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    for (const [q, a] of ANA.slice(3)) await answer(ana, q, a);
    // Skipped questions are left out and said so.
    expect(await question(ana, "2.7").count()).toBe(0);
    await expect.poll(() => ana.locator('[data-skipped="D2"]').innerText()).toContain("2.7");
    await expect.poll(() => ana.locator('[data-skipped="D4"]').innerText()).toMatch(/4\.4.*4\.5/);
    // The proposal, with the departure that changed it.
    expect(await ana.locator('[data-proposed="D2"]').innerText()).toContain("Low");
    expect(await ana.locator('[data-domain="D2"] [data-departure="non-blinding-not-a-concern"]').innerText()).toContain("without it: High");
    expect(await ana.locator('[data-proposed="D3"]').innerText()).toContain("Some concerns");
    // Ana overrides D4 with her reason; the overall follows, with the engine's flag.
    await ana.getByLabel("Judgement for D4").selectOption("Some concerns");
    await ana.getByLabel("Reason for overriding the proposal (Low → Some concerns)").fill(SECRET);
    expect(await ana.locator('[data-proposed="overall"]').innerText()).toContain("Some concerns");
    await ana.locator('[data-flag="rob2-multiple-some-concerns"]').waitFor();
    await ana.getByRole("button", { name: "Submit assessment" }).click();
    await ana.getByRole("status").filter({ hasText: `Your assessment of ${STUDY} is submitted.` }).waitFor();

    // ---- Ben, the second reviewer, in his own browser
    const ben = await app.newPageAs("ben", { project: projectId, role: "reviewer" });
    await ben.goto(`${app.url}/projects/${projectId}/appraisal`);
    const row = ben.locator(`tr[data-study="${STUDY}"]`);
    await expect.poll(() => row.innerText()).toContain("ana (submitted)");
    await openForm(ben);
    await ben.getByText("1 other assessment of this study is hidden until you submit yours").waitFor();
    expect(await ben.content()).not.toContain(SECRET);
    expect(await ben.getByRole("heading", { name: "Other assessments" }).count()).toBe(0);
    // By keyboard: the first answer is reached with Tab-free arrow keys inside the radio group.
    await question(ben, "1.1").getByLabel("Yes", { exact: true }).focus();
    await ben.keyboard.press("ArrowRight");
    expect(await question(ben, "1.1").getByLabel("Probably yes", { exact: true }).isChecked()).toBe(true);
    for (const [q, a] of BEN.slice(1)) await answer(ben, q, a);
    await ben.getByRole("button", { name: "Save draft" }).click();
    await ben.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    // A draft does not open Ana's assessment.
    await ben.reload();
    await ben.getByText("1 other assessment of this study is hidden until you submit yours").waitFor();
    expect(await ben.content()).not.toContain(SECRET);
    await ben.getByRole("button", { name: "Submit assessment" }).click();
    await ben.getByRole("status").filter({ hasText: `Your assessment of ${STUDY} is submitted.` }).waitFor();
    const others = ben.getByRole("table", { name: "Domain judgements of the other assessors" });
    await others.waitFor();
    expect(await others.getByRole("row", { name: /^D4/ }).innerText()).toContain("Some concerns");

    // ---- Ada, the adjudicator
    const ada = await app.newPageAs("ada", { project: projectId, role: "adjudicator" });
    await ada.goto(`${app.url}/projects/${projectId}/appraisal`);
    await ada.getByRole("link", { name: `Compare and agree for ${STUDY}` }).click();
    await ada.getByRole("heading", { name: `Consensus for ${STUDY}`, level: 1 }).waitFor();
    const differing = ada.getByRole("table", { name: "Signalling questions answered differently" });
    await differing.waitFor();
    // 2.3–2.5 are not compared: under the departure (2.1 read as "Probably no") the tool does not ask them.
    expect(await differing.locator("tbody th").allInnerTexts()).toEqual(ANA.map(([q]) => q).filter((q) => !["2.3", "2.4", "2.5"].includes(q)).map((q) => expect.stringMatching(new RegExp(`^${q.replace(".", "\\.")} `))));
    expect(new Set(await differing.locator("tbody td:nth-child(4)").allInnerTexts())).toEqual(new Set(["minor (same side)"]));
    const domains = ada.getByRole("table", { name: "Domain judgements that differ" });
    expect(await domains.locator("tbody th").allInnerTexts()).toEqual(["D4"]);
    expect(await domains.innerText()).toContain(SECRET);
    expect(await question(ada, "1.1").innerText()).toContain("Assessors differ: ana Yes; ben Probably yes");
    for (const [q, a] of ANA) await answer(ada, q, a);
    expect(await ada.locator('[data-proposed="overall"]').innerText()).toContain("Some concerns");
    await ada.getByLabel("Overall judgement").selectOption("High");
    await ada.getByLabel("Reason for overriding the proposal (Some concerns → High)").fill("Concerns in two domains substantially lower confidence in the result");
    await ada.getByRole("button", { name: "Record consensus" }).click();
    await ada.getByRole("status").filter({ hasText: `Consensus recorded for ${STUDY}: overall High.` }).waitFor();

    await ada.goto(`${app.url}/projects/${projectId}/appraisal`);
    await expect.poll(() => ada.locator(`tr[data-study="${STUDY}"]`).innerText()).toContain("High (by ada)");
    // Agreement per domain between the two assessments: they differ only in D4, Ana's override.
    const agreement = ada.locator('[data-agreement="rob2"]');
    await agreement.waitFor();
    expect(await agreement.locator('tr[data-domain="D4"]').innerText()).toContain("0 of 1 (0%)");
    expect(await agreement.locator('tr[data-domain="D1"]').innerText()).toContain("1 of 1 (100%)");

    // ---- The robvis summary shows the consensus, not either assessor's.
    await ada.getByRole("navigation").getByRole("link", { name: "Risk of bias" }).click();
    await ada.getByRole("heading", { name: "Traffic-light plot" }).waitFor();
    await expect
      .poll(() => ada.locator(".long-description").first().textContent())
      .toContain(`${STUDY}: Low, Low, Some concerns, Low, Some concerns; overall High`);
    // robvis's own columns to download, and the override robvis has no column for, on the page.
    const robvis = ada.locator('[data-robvis="rob2"]');
    await robvis.waitFor();
    const href = await robvis.getByRole("link", { name: /Download robvis CSV/ }).getAttribute("href");
    expect(href).toContain("/appraisal/robvis?tool=rob2&format=csv");
    const csv = await ada.evaluate(async (u) => (await fetch(u)).text(), href!);
    expect(csv.split("\r\n").slice(0, 2)).toEqual(["Study,D1,D2,D3,D4,D5,Overall,Weight", `${STUDY},Low,Low,Some concerns,Low,Some concerns,High,1`]);
    expect(await robvis.getByRole("table", { name: /override the tool's proposal/ }).innerText()).toMatch(/Overall\s+Some concerns\s+High/);

    for (const p of [ana, ben, ada]) expect(p.errors).toEqual([]);
  });

  it("lets the owner change the set-up, a protocol section, at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    await page.goto(`${app.url}/projects/${projectId}/appraisal`);
    await page.getByText("RCT: RoB 2 (individually randomized").waitFor();
    await page.getByRole("button", { name: "Edit appraisal set-up" }).click();
    const share = page.getByLabel("Share of studies a senior reviewer checks (%)");
    expect(await share.inputValue()).toBe("5");
    await share.fill("10");
    await page.getByLabel("New departure: what the project does and why").fill("Outcome assessors' awareness is not a concern: outcomes come from administrative records");
    await page.getByLabel("Question").selectOption("4.3");
    await page.getByLabel("Read as").selectOption("N");
    await page.getByRole("button", { name: "Add this departure" }).click();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.getByLabel("Why (optional; kept in the audit log)").fill("agreed at the protocol meeting");
    await page.getByLabel("Why (optional; kept in the audit log)").press("Enter");
    await page.getByRole("status").filter({ hasText: "Appraisal set-up saved." }).waitFor();
    await page.getByText("A senior reviewer checks 10% of studies").waitFor();
    await page.getByText("4.3 read as N").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("reflows the form and the comparison at 200% zoom", async () => {
    // The owner may do an adjudicator's work; their session needs no second sign-in.
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    await page.goto(`${app.url}/projects/${projectId}/appraisal`);
    await page.locator(`tr[data-study="${STUDY}"]`).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.goto(`${app.url}/projects/${projectId}/appraisal/trout-2012`);
    await question(page, "1.1").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.goto(`${app.url}/projects/${projectId}/appraisal/trout-2012/compare`);
    await page.getByRole("table", { name: "Signalling questions answered differently" }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("keeps text contrast on the form and the comparison in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const path of ["appraisal", "appraisal/trout-2012", "appraisal/trout-2012/compare"]) {
        await page.goto(`${app.url}/projects/${projectId}/${path}`);
        await page.locator("h1").waitFor();
        await page.locator('tr[data-study], fieldset[data-question="1.1"]').first().waitFor();
        expect({ colorScheme, path, problems: await contrastProblems(page) }).toEqual({ colorScheme, path, problems: [] });
      }
    }
  });
});
