/**
 * The appraisal form's second half, in headless Debian Chromium against the
 * real server, as a team does it: a reviewer reads the study's PDF beside the
 * RoB 2 form and takes a supporting quote from it, appraises one result (an
 * outcome) on its own, and submits an overall that contradicts its domains;
 * an adjudicator accepts that flag with a justification from the form and,
 * the study being in the senior-check sample, records that they disagree
 * with a note. The example review's recorded appraisals open in the forms
 * with their domain judgements and no signalling answers (the harness's
 * server opens with the example review loaded).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, type AppHarness } from "./harness.js";
import { putTestPdf } from "./pdf.js";
import { smallProject, startAppWithProject } from "./seed.js";

const projectId = "web-test-appraisal-results";
const STUDY = "Akin 2018";
const OUTCOME = "Reunified at 12 months";
const SENTENCE = "Allocation used sealed opaque envelopes.";

/** RoB 2 answers that give Low in every domain (the project's departure reads 2.1 as "Probably no"). */
const LOW: [string, string][] = [
  ["1.1", "Yes"], ["1.2", "Yes"], ["1.3", "No"],
  ["2.1", "No"], ["2.2", "No"], ["2.6", "Yes"],
  ["3.1", "Yes"],
  ["4.1", "No"], ["4.2", "No"], ["4.3", "No"],
  ["5.1", "Yes"], ["5.2", "No"], ["5.3", "No"],
];

const question = (page: Page, id: string) => page.locator(`fieldset[data-question="${id}"]`);
const answer = (page: Page, id: string, label: string) => question(page, id).getByLabel(label, { exact: true }).check();

let app: AppHarness;

beforeAll(async () => {
  app = await startAppWithProject(smallProject({
    id: projectId,
    title: "Appraisal per result",
    records: [{ id: "rec-akin", title: "Parenting intervention in foster care" }],
    studies: [
      { id: "akin-2018", name: STUDY, design: "RCT", createdAt: "2024-01-15T09:00:00.000Z" },
      { id: "cohort-2019", name: "Cohort 2019", design: "QED", createdAt: "2024-01-15T09:00:00.000Z" },
    ],
    studyReports: [{ id: "akin-2018-lead", studyId: "akin-2018", recordId: "rec-akin", citation: "Akin BA. Parenting intervention in foster care. 2018.", role: "lead" }],
    outcomes: [{ id: "akin-reunified", studyId: "akin-2018", name: OUTCOME }],
  }));
  await app.signUp(projectId, "rhea", "reviewer");
  await putTestPdf(app, { project: projectId, record: "rec-akin", fileName: "akin-2018.pdf", pages: [SENTENCE], as: "rhea" });
  // Ben's independent assessment of the study, Low throughout, submitted before Rhea's (seeded: his form is not what is under test).
  await app.signUp(projectId, "ben", "reviewer");
  await app.apiAs("ben", "POST", `/projects/${projectId}/appraisal/studies/akin-2018/mine/submit`, {
    tool: "rob2",
    answers: { "1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y", "3.1": "Y", "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "Y", "5.2": "N", "5.3": "N" },
  });
});

afterAll(async () => {
  await app?.close();
});

describe("appraisal beside the full text, per result, with flags and the senior check", () => {
  it("takes a quote from the PDF beside the form, appraises a result on its own, and lets an adjudicator accept a flag and record a senior check", async () => {
    // ---- Rhea, a reviewer: the PDF beside the form, a quote from it.
    const rhea = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await rhea.goto(`${app.url}/projects/${projectId}/appraisal`);
    await rhea.getByRole("link", { name: `Appraise ${STUDY}` }).click();
    await rhea.getByRole("heading", { name: `Appraise ${STUDY}`, level: 1 }).waitFor();
    await rhea.getByRole("heading", { name: "Reports of this study" }).waitFor();
    await rhea.getByRole("button", { name: "Open the full text of Akin BA. Parenting intervention in foster care. 2018." }).click();
    const viewer = rhea.getByRole("region", { name: "Full text: Akin BA. Parenting intervention in foster care. 2018." });
    const line = viewer.locator(".textLayer span", { hasText: "sealed opaque envelopes" });
    await line.waitFor();
    await question(rhea, "1.2").getByLabel("Yes", { exact: true }).check();
    await line.evaluate((span) => {
      const range = document.createRange();
      range.selectNodeContents(span);
      window.getSelection()!.removeAllRanges();
      window.getSelection()!.addRange(range);
    });
    await viewer.getByRole("button", { name: "Use as quote" }).click();
    await expect.poll(() => rhea.getByLabel("Supporting quote for 1.2").inputValue()).toBe(`${SENTENCE} (p. 1)`);
    await viewer.getByRole("button", { name: "Close the full text" }).click();

    // The study as a whole, Low throughout, with an overall of High against its domains (a reason given): submitted, then flagged.
    for (const [q, a] of LOW) await answer(rhea, q, a);
    expect(await rhea.locator('[data-proposed="overall"]').innerText()).toContain("Low");
    await rhea.getByLabel("Overall judgement").selectOption("High");
    await rhea.getByLabel("Reason for overriding the proposal (Low → High)").fill("The trial stopped early for benefit");
    await rhea.getByRole("button", { name: "Submit assessment" }).click();
    await rhea.getByRole("status").filter({ hasText: `Your assessment of ${STUDY} is submitted.` }).waitFor();
    const flag = rhea.locator('[data-flag-of="rhea"]');
    await flag.waitFor();
    expect(await flag.innerText()).toMatch(/recorded overall High; the tool's rule gives Low/);
    expect(await flag.innerText()).toContain("an adjudicator can accept it");

    // One result on its own: the form of the outcome, empty, then submitted.
    await rhea.getByLabel("Result assessed").selectOption({ label: `Result: ${OUTCOME}` });
    await rhea.getByRole("heading", { name: `Appraise ${STUDY}: ${OUTCOME}`, level: 1 }).waitFor();
    expect(rhea.url()).toContain("outcome=akin-reunified");
    await expect.poll(() => rhea.locator("[data-status=mine]").innerText()).toContain("You have not started this assessment.");
    expect(await question(rhea, "1.1").getByLabel("Yes", { exact: true }).isChecked()).toBe(false);
    for (const [q, a] of LOW) await answer(rhea, q, a);
    await answer(rhea, "3.1", "No");
    await answer(rhea, "3.2", "No");
    await answer(rhea, "3.3", "Yes");
    await answer(rhea, "3.4", "Yes");
    expect(await rhea.locator('[data-proposed="D3"]').innerText()).toContain("High");
    await rhea.getByRole("button", { name: "Submit assessment" }).click();
    await rhea.getByRole("status").filter({ hasText: `Your assessment of ${STUDY}, result ${OUTCOME}, is submitted.` }).waitFor();
    await rhea.goto(`${app.url}/projects/${projectId}/appraisal`);
    const result = rhea.locator(`tr[data-study="${STUDY}"] [data-result="${OUTCOME}"]`);
    await expect.poll(() => result.innerText()).toContain("1 assessment submitted");

    // ---- Ada, the adjudicator: accepts the flag, checks the assessment as the senior.
    const ada = await app.newPageAs("ada", { project: projectId, role: "adjudicator" });
    await ada.goto(`${app.url}/projects/${projectId}/appraisal`);
    // The only appraised study: 5% of one rounds up to it.
    await ada.locator(`tr[data-study="${STUDY}"]`).getByText("Senior check").waitFor();
    await ada.goto(`${app.url}/projects/${projectId}/appraisal/akin-2018`);
    await ada.getByRole("heading", { name: "Flags on recorded judgements" }).waitFor();
    await ada.getByLabel("Justification for accepting the flag on rhea's assessment").fill("Early stopping for benefit overstates the effect");
    await ada.getByRole("button", { name: "Accept the flag" }).click();
    await expect.poll(() => ada.locator('[data-flag-of="rhea"]').innerText()).toContain("Accepted by ada");
    // Nothing overwritten: rhea's overall is still High (Ben's, beside it, Low).
    expect(await ada.getByRole("table", { name: "Domain judgements of the other assessors" }).getByRole("row", { name: /^Overall/ }).innerText()).toMatch(/High/);

    const senior = ada.locator("[data-senior-check]");
    await senior.getByText("This study is in the sample drawn for a senior check.").waitFor();
    await senior.getByLabel("Assessment checked").selectOption({ label: "rhea" });
    await senior.getByLabel("Disagree", { exact: true }).check();
    await senior.getByLabel("Note on the check").fill("D1 should be Some concerns: envelopes were not numbered");
    await senior.getByRole("button", { name: "Record the senior check" }).click();
    await senior.getByRole("status").filter({ hasText: "Senior check recorded: disagree." }).waitFor();
    await expect.poll(() => senior.locator("[data-check=disagree]").innerText()).toContain("ada disagrees with rhea: D1 should be Some concerns");
    await ada.goto(`${app.url}/projects/${projectId}/appraisal`);
    await expect.poll(() => ada.locator(`tr[data-study="${STUDY}"] [data-senior-checks]`).innerText()).toContain("ada disagrees");

    // ---- The risk-of-bias page lists the senior check beside the robvis data.
    await ada.getByRole("navigation").getByRole("link", { name: "Risk of bias" }).click();
    const checks = ada.getByRole("table", { name: /^Senior checks/ });
    await checks.waitFor();
    expect(await checks.innerText()).toMatch(/Akin 2018\s+Disagrees\s+ada\s+D1 should be Some concerns/);

    // ---- The robvis CSV has the result as a row of its own (Rhea sees her own result; Ben's study-level assessment came before hers).
    const csv = await rhea.evaluate(async (u) => (await fetch(u)).text(), `/api/projects/${projectId}/appraisal/robvis?tool=rob2&format=csv`);
    expect(csv.trimEnd().split("\r\n")).toEqual([
      "Study,D1,D2,D3,D4,D5,Overall,Weight",
      `${STUDY},Low,Low,Low,Low,Low,High,1`,
      `${STUDY} — ${OUTCOME},Low,Low,High,Low,Low,High,1`,
    ]);
    for (const p of [rhea, ada]) expect(p.errors).toEqual([]);
  });

  it("keeps text contrast on the form with its reports, flags and senior check, in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      await page.goto(`${app.url}/projects/${projectId}/appraisal/akin-2018`);
      await page.locator("[data-senior-check]").waitFor();
      await page.locator('[data-flag-of="rhea"]').waitFor();
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }
  });

  it("reflows the form with its reports and flags at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 } });
    await page.goto(`${app.url}/projects/${projectId}/appraisal/akin-2018`);
    await page.getByRole("heading", { name: "Reports of this study" }).waitFor();
    await page.getByRole("heading", { name: "Senior check" }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("opens the example review's recorded appraisals in the new forms: domain judgements present, signalling answers empty", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/reunification/appraisal/akin-mcdonald-2018`);
    await page.getByRole("heading", { name: /^Appraise /, level: 1 }).waitFor();
    const recorded = page.getByRole("table", { name: "Domain judgements of the other assessors" });
    await recorded.waitFor();
    for (const d of ["D1", "D2", "D3", "D4", "D5"]) expect(await recorded.getByRole("row", { name: new RegExp(`^${d}`) }).innerText()).toMatch(/\tLow$/);
    // The owner has not answered: no signalling answer is checked.
    expect(await page.locator("fieldset[data-question] input[type=radio]:checked").count()).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("lets the owner choose ROBINS-I V2 for a design in the set-up, and a reviewer appraise with it: section B first, then each domain's proposal", async () => {
    const owner = await app.newPage();
    await owner.goto(`${app.url}/projects/${projectId}/appraisal`);
    await owner.getByRole("button", { name: "Edit appraisal set-up" }).click();
    const qed = await owner.locator("input[id^=setup-design-]").evaluateAll((els) => els.findIndex((e) => (e as HTMLInputElement).value === "QED"));
    expect(qed).toBeGreaterThanOrEqual(0);
    await owner.getByLabel(`Tool for design class ${qed + 1}`, { exact: true }).selectOption({ label: "ROBINS-I V2 (follow-up studies; intention-to-treat effect, domain 1 variant A)" });
    await owner.getByLabel("Why (optional; kept in the audit log)").fill("ROBINS-I V2 for the cohort studies");
    await owner.getByLabel("Why (optional; kept in the audit log)").press("Enter");
    await owner.getByRole("status").filter({ hasText: "Appraisal set-up saved." }).waitFor();

    const rhea = await app.newPageAs("rhea", { project: projectId, role: "reviewer" });
    await rhea.goto(`${app.url}/projects/${projectId}/appraisal/cohort-2019`);
    await rhea.getByRole("heading", { name: "Appraise Cohort 2019", level: 1 }).waitFor();
    await rhea.getByText(/ROBINS-I V2 \(follow-up studies.*version 2025/).waitFor();
    await expect.poll(() => rhea.locator('[data-not-applying="D1"]').innerText()).toBe("Asked once the questions of B are answered.");
    await answer(rhea, "B1", "Yes");
    await answer(rhea, "B3", "No");
    expect(await question(rhea, "B2").count()).toBe(0);
    await question(rhea, "1.1").waitFor();
    expect(await rhea.locator('[data-proposed="B"]').innerText()).toContain("Proceed");
    await answer(rhea, "1.1", "Yes");
    await answer(rhea, "1.2", "Probably yes");
    await answer(rhea, "1.3", "No");
    await answer(rhea, "1.4", "No");
    expect(await rhea.locator('[data-proposed="D1"]').innerText()).toContain("Low (except for concerns about uncontrolled confounding)");
    // A path the figure's transcriptions read differently: no proposal, and the page to judge from.
    await answer(rhea, "1.2", "No, but not substantially");
    expect(await rhea.locator('[data-proposed="D1"]').innerText()).toContain("none (the tool leaves it to the assessor)");
    await rhea.locator('[data-domain="D1"]').getByText(/p\. 20 of the tool disagree/).waitFor();
    await rhea.getByLabel("Judgement for D1").selectOption("Moderate");
    await rhea.getByRole("button", { name: "Save draft" }).click();
    await rhea.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    const saved = await app.apiAs<{ mine: { answers: Record<string, string>; judgements: Record<string, { judgement: string | null }> } }>("rhea", "GET", `/projects/${projectId}/appraisal/studies/cohort-2019`);
    expect(saved.mine.answers).toMatchObject({ B1: "Y", B3: "N", "1.2": "WN" });
    expect(saved.mine.judgements.D1!.judgement).toBe("Moderate");
    for (const p of [owner, rhea]) expect(p.errors).toEqual([]);
  });
});
