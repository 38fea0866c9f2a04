/**
 * The chain from a quote to a recommendation, done as a reviewer would in
 * headless Debian Chromium against the real server and its built-in
 * reunification project (seed 000): code excerpts of two studies against
 * Proctor's implementation outcomes, write a finding from them, assess its
 * GRADE-CERQual confidence, join it to the pooled meta-analysis result in the
 * joint display, and draft a rated recommendation whose trail opens each
 * excerpt. Bad input (a recommendation with no evidence) is refused with a
 * message. The example's published Table 13 still reads as printed.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
const base = "/projects/reunification";
const QUOTES = [
  { study: "berry-2007", cite: "Berry, McCauley and Lansing, 2007", page: "12", text: "Parents described the reunification worker as someone they could trust" },
  { study: "jivanjee-1999", cite: "Jivanjee, 1999", page: "5", text: "Families valued being listened to by foster carers and staff" },
];
const FINDING = "Parents and families accept reunification support from workers they trust";
const REC = "Build trusting relationships between workers and families from the first contact";

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await app?.close();
});

describe("synthesis: quote to recommendation", () => {
  it("codes two studies, writes and assesses a finding, integrates it and drafts a rated recommendation whose trail opens each excerpt", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}${base}`);
    await page.getByRole("navigation").getByRole("link", { name: "Synthesis" }).click();
    await page.getByRole("heading", { level: 1, name: "Framework coding" }).waitFor();

    // Proctor's eight outcomes come with the example (its Table 13 sits under them); barriers and facilitators and a code of the team's own are added.
    await page.getByRole("region", { name: "Codes" }).locator("li > strong", { hasText: "Reach/penetration" }).waitFor();
    await page.getByRole("button", { name: "Add Barriers and facilitators" }).click();
    await page.getByRole("status").filter({ hasText: "Added the codes of Barriers and facilitators" }).waitFor();
    await page.getByLabel("New code (added while coding)").fill("Trust in workers");
    await page.getByRole("button", { name: "Add code", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Added the code “Trust in workers”" }).waitFor();

    for (const q of QUOTES) {
      await page.getByLabel("Study or transcript").selectOption(`s:${q.study}`);
      await page.getByLabel("Page", { exact: true }).fill(q.page);
      await page.getByLabel("Excerpt", { exact: true }).fill(q.text);
      const codes = page.getByRole("group", { name: "Codes" });
      await codes.getByLabel("Acceptability").check();
      if (q.study === "berry-2007") await codes.getByLabel("Trust in workers").check();
      else await codes.getByLabel("Facilitator").check();
      await page.getByRole("button", { name: "Save excerpt" }).click();
      await page.getByRole("status").filter({ hasText: /Excerpt coded/ }).waitFor();
      await expect.poll(() => page.getByLabel("Excerpt", { exact: true }).inputValue()).toBe("");
    }
    // The matrix counts them per code and study, and a cell opens its excerpts.
    const matrix = page.getByRole("table", { name: /Codes × studies/ });
    await matrix.getByRole("columnheader", { name: "Berry, McCauley and Lansing, 2007" }).waitFor();
    await matrix.getByRole("button", { name: "1 excerpt: Acceptability, Jivanjee, 1999" }).click();
    await page.getByText(QUOTES[1]!.text).last().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);

    // A finding from the two excerpts (their studies contribute).
    await page.getByRole("navigation", { name: "Synthesis steps" }).getByRole("link", { name: "2. Findings and CERQual" }).click();
    await page.getByRole("heading", { level: 1, name: "Review findings and CERQual" }).waitFor();
    await page.getByText("Write a finding", { exact: true }).click();
    await page.getByLabel("Finding statement").fill(FINDING);
    for (const q of QUOTES) await page.getByRole("group", { name: "Supporting excerpts" }).getByLabel(new RegExp(q.text.slice(0, 30))).check();
    await page.getByRole("button", { name: "Save finding" }).click();
    await page.getByRole("status").filter({ hasText: `Finding saved: ${FINDING}` }).waitFor();

    // Its CERQual worksheet: adequacy as suggested (two studies), the rest judged, the overall confidence.
    const card = page.getByRole("listitem").filter({ has: page.getByText(FINDING, { exact: true }) });
    await expect.poll(() => card.getByText("2 contributing studies, 2 supporting excerpts").count()).toBe(1);
    const sheet = page.getByRole("form", { name: `CERQual assessment of: ${FINDING}` });
    if (!(await sheet.isVisible())) await card.getByRole("button", { name: "Assess CERQual for this finding" }).click();
    await sheet.getByText(/Suggestion \(the team decides\): Moderate concerns\. 2 contributing studies and 2 supporting excerpts/).waitFor();
    await sheet.getByRole("button", { name: "Use the suggestion for adequacy" }).click();
    expect(await sheet.getByLabel("Adequacy: level of concern").inputValue()).toBe("moderate");
    await sheet.getByLabel("Methodological limitations: level of concern").selectOption({ label: "Minor concerns" });
    await sheet.getByLabel("Methodological limitations: explanation").fill("One contributing study has a negative CASP rating");
    await sheet.getByLabel("Coherence: level of concern").selectOption({ label: "No or very minor concerns" });
    await sheet.getByLabel("Relevance: level of concern").selectOption({ label: "No or very minor concerns" });
    await sheet.getByLabel("Confidence in the finding").selectOption({ label: "Moderate" });
    await sheet.getByRole("button", { name: "Save the CERQual assessment" }).click();
    await page.getByRole("status").filter({ hasText: `CERQual assessment saved for: ${FINDING}` }).waitFor();
    await expect.poll(() => card.getByText(/CERQual: Moderate confidence/).count()).toBe(1);
    // The Summary of Qualitative Findings carries it with the explanation written from the judgements.
    const soqf = page.getByRole("table", { name: "Summary of Qualitative Findings" });
    const row = soqf.getByRole("row").filter({ has: page.getByRole("rowheader", { name: FINDING }) });
    await row.getByText("This finding was graded as moderate confidence because of moderate concerns about adequacy and minor concerns about methodological limitations, and no or very minor concerns about coherence and relevance.").waitFor();
    // Table 13 as published stays as printed (seed 000, Table 13, first row).
    await soqf.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^Interpersonal skills of intervention providers are essential/ }) }).getByRole("cell", { name: "Moderate", exact: true }).waitFor();

    // The joint display: the finding beside the pooled result.
    await page.getByRole("navigation", { name: "Synthesis steps" }).getByRole("link", { name: "4. Joint display" }).click();
    await page.getByRole("heading", { level: 1, name: "Joint display" }).waitFor();
    await page.getByText("Add a row", { exact: true }).click();
    await page.getByLabel("Question or theme").fill("Is reunification support acceptable and effective?");
    await page.getByLabel("Meta-analysis results").selectOption({ label: "Overall effect of reunification interventions" });
    await page.getByLabel("Qualitative findings").selectOption({ label: FINDING });
    await page.getByLabel("Judgement", { exact: true }).selectOption({ label: "Complements" });
    await page.getByLabel("Note on the judgement").fill("Trust explains why families take up support that works");
    await page.getByRole("button", { name: "Add row" }).click();
    const jd = page.getByRole("table", { name: "Convergent segregated joint display" });
    const jdRow = jd.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Is reunification support acceptable and effective?" }) });
    await jdRow.getByText("Overall effect of reunification interventions").waitFor();
    await jdRow.getByText("(Moderate confidence)").waitFor();
    await jdRow.getByText("Complements").waitFor();

    // A recommendation: refused with no evidence, then rated and resting on the row.
    await page.getByRole("navigation", { name: "Synthesis steps" }).getByRole("link", { name: "5. Recommendations" }).click();
    await page.getByRole("heading", { level: 1, name: "Recommendations and the practice guide" }).waitFor();
    await page.getByText("Draft a recommendation", { exact: true }).click();
    const form = page.getByRole("form", { name: "Draft a recommendation" });
    await form.getByLabel("Recommendation", { exact: true }).fill(REC);
    await form.getByLabel("Rating").selectOption({ label: "Promising evidence" });
    await form.getByRole("button", { name: "Save the recommendation" }).click();
    await form.getByRole("alert").filter({ hasText: "has no evidence: link it to at least one finding, result, saved analysis or joint-display row" }).waitFor();
    await form.getByLabel("Joint-display rows").selectOption({ label: "Is reunification support acceptable and effective?" });
    await form.getByLabel("Pooled SMD for the generated statement (optional)").selectOption({ label: "Overall effect of reunification interventions" });
    await form.getByRole("button", { name: "Save the recommendation" }).click();
    await page.getByRole("status").filter({ hasText: `Recommendation drafted: ${REC}` }).waitFor();

    const rec = page.getByRole("listitem").filter({ has: page.getByText(REC, { exact: true }) });
    await rec.getByText("Promising evidence").first().waitFor();
    // The guide's sentence, from the pooled SMD of 0.253 (seed 001 line 481: "around 60%").
    await rec.getByText(/better outcomes than around 60% of those who do not receive an intervention/).waitFor();
    await rec.getByText(/^Evidence trail: 1 finding, 2 excerpts, 1 result, 1 joint-display row, \d+ studies$/).click();
    for (const q of QUOTES) {
      await rec.getByRole("button", { name: `Open the excerpt from ${q.cite}, page ${q.page}` }).click();
      const shown = rec.getByRole("region", { name: `Excerpt from ${q.cite}` });
      await shown.getByText(q.text).waitFor();
      await shown.getByText(/Codes: Acceptability/).waitFor();
    }
    expect(await horizontalOverflow(page)).toBe(0);
    // The refused recommendation's answer, and nothing else.
    expect(page.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  });

  it("refuses survey rows whose answers are not in the dictionary, naming them, and tabulates a good import by group", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}${base}/survey`);
    await page.getByRole("heading", { level: 1, name: "Primary research" }).waitFor();
    const dictionary = "question,text,type,answer,label\npolicy,Local authority has a written reunification policy,single,yes,Yes\npolicy,Local authority has a written reunification policy,single,no,No\npolicy,Local authority has a written reunification policy,single,not_sure,Not sure\n";
    await page.getByLabel("Question dictionary (CSV text)").fill(dictionary);
    await page.getByLabel("Responses (CSV text)").fill("respondent,group,policy\nR1,Local authority,yes\nR2,Local authority,maybe\n");
    await page.getByRole("button", { name: "Import the survey" }).click();
    await page.getByRole("alert").filter({ hasText: 'line 3 (respondent R2): "maybe" is not an answer of policy (allowed: yes, no, not_sure)' }).waitFor();
    await page.getByLabel("Responses (CSV text)").fill("respondent,group,policy\nR1,Local authority,yes\nR2,Local authority,not_sure\nR3,Other organisation,not_sure\nR4,Local authority,yes\n");
    await page.getByRole("button", { name: "Import the survey" }).click();
    const t = page.getByRole("table", { name: "Local authority has a written reunification policy" });
    // 2 of 3 in local authorities said yes: 66.7%.
    await t.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Yes" }) }).getByRole("cell", { name: "66.7% (2)" }).waitFor();
    await t.getByRole("columnheader", { name: "Other organisation (N = 1)" }).waitFor();
    // The question's figure, with its long description, and the tables as CSV.
    const fig = page.locator("figure[data-figure='survey-policy']");
    await fig.getByRole("img").waitFor();
    await fig.getByText("Long description").click();
    await fig.locator("details").getByText("Yes: All respondents 2 (50.0%), Local authority 2 (66.7%), Other organisation 0 (0.0%).").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the survey tables (CSV)" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[1]).toBe("policy,Local authority has a written reunification policy,Yes,2,50,2,66.7,0,0");
    // The refused import's answer, and nothing else.
    expect(page.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  });
  it("assesses GRADE for the pooled result with the suggestions shown, and its certainty reaches the summary of findings and the joint display", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}${base}/grade`);
    await page.getByRole("heading", { level: 1, name: "GRADE for the quantitative outcomes" }).waitFor();
    await page.getByLabel("Result to assess").selectOption({ label: "Overall effect of reunification interventions" });
    const form = page.getByRole("form", { name: "GRADE assessment of Overall effect of reunification interventions" });
    // Seed 000's overall model: I² 86.1%, prediction interval −0.476 to 0.824.
    await form.getByRole("group", { name: "Inconsistency" }).getByText(/Suggestion \(the team decides\): Very serious\. I² = 86\.1%; 95% prediction interval -0\.476 to 0\.824, which crosses no effect/).waitFor();
    await form.getByRole("group", { name: "Imprecision" }).getByText(/95% CI 0\.08 to 0\.42: does not cross no effect/).waitFor();
    await form.getByLabel("Risk of bias: judgement").selectOption({ label: "Serious" });
    await form.getByLabel("Risk of bias: reason").fill("Most weight from QEDs at moderate or serious risk");
    await form.getByLabel("Inconsistency: judgement").selectOption({ label: "Very serious" });
    await form.getByLabel("Inconsistency: reason").fill("I² 86%, prediction interval crosses zero");
    await form.getByLabel("Indirectness: judgement").selectOption({ label: "Not serious" });
    await form.getByLabel("Imprecision: judgement").selectOption({ label: "Not serious" });
    await form.getByLabel("Publication bias: judgement").selectOption({ label: "Not serious" });
    await form.getByLabel("Certainty of the evidence").selectOption({ label: "Very low" });
    await form.getByRole("button", { name: "Save the GRADE assessment" }).click();
    await page.getByRole("status").filter({ hasText: "GRADE assessment saved for Overall effect of reunification interventions." }).waitFor();
    const sof = page.getByRole("table", { name: "Summary of findings (GRADE)" });
    const row = sof.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Overall effect of reunification interventions" }) });
    await row.getByRole("cell", { name: "Very low" }).waitFor();
    await row.getByText("Risk of bias: Most weight from QEDs at moderate or serious risk; Inconsistency: I² 86%, prediction interval crosses zero").waitFor();
    await page.goto(`${app.url}${base}/joint-display`);
    const jd = page.getByRole("table", { name: "Convergent segregated joint display" });
    await jd.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Is reunification support acceptable and effective?" }) }).getByText("(Very low)").waitFor();
    expect(page.errors).toEqual([]);
  });

  it("grades a saved analysis of assink2016 and rests a recommendation on it; its U3 sentence changes when an effect size does", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 });
    const assink = "/projects/assink2016";
    const from = "Overall effect, three-level model, version 1, refitted to today's data (k = 100)";
    await page.goto(`${app.url}${assink}/grade`);
    await page.getByRole("heading", { level: 1, name: "GRADE for the quantitative outcomes" }).waitFor();
    await page.getByLabel("Result to assess").selectOption({ label: "Overall effect, three-level model, version 1" });
    const form = page.getByRole("form", { name: "GRADE assessment of Overall effect, three-level model (version 1)" });
    await form.getByText(`Computed from ${from}: pooled SMD`).waitFor();
    // Egger's test computed on the analysis's rows, not read from a result's label.
    await form.getByRole("group", { name: "Publication bias" }).getByText(/Suggestion \(the team decides\): Serious\. Egger's regression test p = 0\.001, computed on the analysis's 100 rows/).waitFor();
    await form.getByRole("group", { name: "Inconsistency" }).getByText(/I² = \d+(\.\d)?%; 95% prediction interval/).waitFor();
    await form.getByLabel("Publication bias: judgement").selectOption({ label: "Serious" });
    await form.getByLabel("Publication bias: reason").fill("Egger's test on the refitted model");
    await form.getByLabel("Certainty of the evidence").selectOption({ label: "Low" });
    await form.getByRole("button", { name: "Save the GRADE assessment" }).press("Enter");
    await page.getByRole("status").filter({ hasText: "GRADE assessment saved for Overall effect, three-level model (version 1)." }).waitFor();
    const sof = page.getByRole("table", { name: "Summary of findings (GRADE)" });
    await sof.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Overall effect, three-level model (version 1)" }) }).getByRole("cell", { name: "Low" }).waitFor();

    await page.goto(`${app.url}${assink}/guide`);
    await page.getByText("Draft a recommendation").click();
    const draft = page.getByRole("form", { name: "Draft a recommendation" });
    await draft.getByLabel("Recommendation", { exact: true }).fill("Offer the programme to young people at risk of offending");
    await draft.getByLabel("Saved analyses (refitted to today's data)").selectOption({ label: "Overall effect, three-level model, version 1" });
    await draft.getByLabel("Pooled SMD for the generated statement (optional)").selectOption({ label: "Overall effect, three-level model, version 1" });
    await draft.getByRole("button", { name: "Save the recommendation" }).click();
    await page.getByRole("status").filter({ hasText: "Recommendation drafted" }).waitFor();
    const item = page.getByRole("listitem").filter({ hasText: "Offer the programme to young people at risk of offending" });
    const sentence = item.getByText(/better outcomes than around \d+% of those who do not receive an intervention/);
    await sentence.waitFor();
    await item.getByText(`(computed from ${from})`).waitFor();
    const before = await sentence.innerText();
    const percent = (t: string) => Number(/around (\d+)%/.exec(t)![1]);

    // Someone corrects an effect size: the refit's pooled SMD and its sentence move.
    await app.api("PATCH", `${assink}/collections/effectSizes/es-001`, { yi: 25 });
    await page.reload();
    const after = item.getByText(/better outcomes than around \d+% of those who do not receive an intervention/);
    await after.waitFor();
    await expect.poll(async () => percent(await after.innerText())).toBeGreaterThan(percent(before));
    expect(await horizontalOverflow(page)).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it("builds the equality annex from the studies' PROGRESS-Plus classifications", async () => {
    const example = (f: string) => JSON.parse(readFileSync(new URL(`../../../examples/reunification/${f}.json`, import.meta.url), "utf8"));
    const studies = example("studies") as { classifications: Record<string, unknown> }[];
    const reporting = (code: string) => studies.filter((s) => ((s.classifications.progressPlus as string[] | undefined) ?? []).includes(code)).length;
    const page = await app.newPage();
    await page.goto(`${app.url}${base}/equality`);
    await page.getByRole("heading", { level: 1, name: "Equality annex" }).waitFor();
    const t = page.getByRole("table", { name: /Characteristics reported/ });
    // Seed 002: "Across the 10 studies that reported place of residence".
    expect(reporting("place_of_residence")).toBe(10);
    await t.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Place of residence" }) }).getByRole("cell", { name: "10", exact: true }).waitFor();
    await t.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Race, ethnicity, culture, language" }) }).getByRole("cell", { name: String(reporting("race_ethnicity_culture_language")), exact: true }).waitFor();
    await page.getByRole("table", { name: /Equity characteristics \(PROGRESS-Plus\) per study/ }).getByRole("rowheader", { name: "Akin et al., 2017" }).waitFor();
    // The review's RQ2 moderators are found by the characteristics they name; the team may choose otherwise.
    const mods = page.getByRole("region", { name: "Equity moderators" }).or(page.locator("section[aria-labelledby=eq-mod-h]"));
    await mods.getByRole("listitem").filter({ hasText: "Average age of children in the sample (per year)" }).waitFor();
    await page.getByLabel("Results that are equity moderators").selectOption({ label: "Rural vs more urban locations" });
    await expect.poll(() => mods.getByRole("listitem").count()).toBe(1);
    expect(page.errors).toEqual([]);
  });
  it("keeps text contrast on the synthesis pages in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const [path, heading] of [["coding", "Framework coding"], ["findings", "Review findings and CERQual"], ["guide", "Recommendations and the practice guide"], ["survey", "Primary research"]] as const) {
        await page.goto(`${app.url}${base}/${path}`);
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await page.locator("main table, main form, main .card").first().waitFor();
        expect({ colorScheme, path, problems: await contrastProblems(page) }).toEqual({ colorScheme, path, problems: [] });
      }
      expect(page.errors).toEqual([]);
    }
  });
});
