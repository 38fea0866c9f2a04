/**
 * The front half of a systematic review, run in headless Debian Chromium
 * against the real server as a new team would run it, on real exports from
 * ../shared/data/imports/: a project is created, its protocol written, two
 * searches recorded, exports of three kinds imported (one with a problem the
 * preview shows), an uncertain duplicate pair decided and an automatic merge
 * undone, titles and abstracts
 * dual-screened by two reviewers with a conflict reconciled, full texts
 * screened and studies formed, one of them from two reports. The PRISMA
 * page's numbers are then checked against the decisions this test made.
 * The owner adds the team on the Members page; each member opens their
 * invitation link in a browser of their own.
 *
 * Everything is done through the pages; the API is not called. Each record's
 * decisions come from a plan by title, so the expected numbers are counted
 * from what the pages served and the plan decided.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nextRecord, OWNER, startApp, type AppHarness, type TestPage } from "./harness.js";

const SHARED = fileURLToPath(new URL("../../../../shared/data/imports/", import.meta.url));
/**
 * Three exports of different make: RIS whose records are numbered ("1.",
 * "2.": text outside any record, a problem the preview shows); a Web of
 * Science tagged file; and an EndNote-style RIS with a byte-order mark whose
 * one record has no title, only a Cyrillic short title and abstract. The
 * EndNote record is found by both searches, and the second search also
 * exports the numbered file's two records again (rispy-example_full_write.ris
 * holds them without their IDs, keywords and journal names).
 */
const FILES = {
  numbered: { path: `${SHARED}rispy-example_full.ris`, records: 2 },
  wos: { path: `${SHARED}rispy-example_wos.ris`, records: 2 },
  endnote: { path: `${SHARED}rispy-example_utf_chars.ris`, records: 1 },
  rerun: { path: `${SHARED}rispy-example_full_write.ris`, records: 2 },
};
const MEDLINE = "MEDLINE via Ovid";
const WOS = "Web of Science Core Collection";

let app: AppHarness;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await app?.close();
});

const fileCard = (page: Page, name: string) => page.locator(`section.file-card[data-file="${name}"]`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

type Verdict = "include" | "exclude";
type Decision = [Verdict, string[]];
/**
 * The team's decisions by title. Reason keys are the digits of the reasons
 * offered at the stage, in rank order: at title and abstract only
 * "organism" (1); at full text "organism" (1) and "design" (2).
 */
const TA: Record<string, [ana: Decision, ben: Decision]> = {
  "Title of reference": [["include", []], ["include", []]],
  "The title of the reference": [["exclude", ["1"]], ["exclude", ["1"]]],
  "Interactions stabilizing": [["include", []], ["include", []]],
  "Proximal and distal": [["include", []], ["exclude", ["1"]]],
  // The EndNote record (endometrial hyperplasia), shown without a title.
  "(untitled)": [["exclude", ["1"]], ["exclude", ["1"]]],
};
const FT: Record<string, Decision> = {
  "Title of reference": ["exclude", ["2"]],
  "Interactions stabilizing": ["include", []],
  "Proximal and distal": ["include", []],
};
const KEY: Record<Verdict, string> = { include: "i", exclude: "e" };

function planKey(title: string): string {
  const key = Object.keys(TA).find((k) => title.startsWith(k));
  if (!key) throw new Error(`no plan for the record "${title}"`);
  return key;
}

/** Screens, by keyboard, every record the acting reviewer is served, deciding each by `plan`; returns the titles served. */
async function screenAll(page: Page, plan: (title: string) => Decision): Promise<string[]> {
  const served: string[] = [];
  const ids = new Set<string>();
  let previous: string | null = null;
  for (;;) {
    const id = await nextRecord(page, previous);
    if (id === null) return served;
    expect(ids.has(id)).toBe(false);
    ids.add(id);
    const title = (await page.locator("#screening-record-title").innerText()).trim();
    served.push(title);
    const [verdict, keys] = plan(title);
    for (const k of keys) await page.keyboard.press(k);
    await page.keyboard.press(KEY[verdict]);
    previous = id;
  }
}

type Shown = number | null | Record<string, number>;
/** The PRISMA page's table of counts, by field code. */
async function prismaTable(page: Page): Promise<Record<string, Shown>> {
  const rows = page.getByRole("table", { name: "PRISMA 2020 counts and their sources" }).locator("tbody tr");
  await rows.first().waitFor();
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => {
      const num = tr.querySelector("td.num")!;
      const items = [...num.querySelectorAll("li")].map((li) => li.textContent!.trim());
      return { field: tr.querySelector("code")!.textContent!.trim(), items, text: num.textContent!.trim() };
    }),
  );
  const count = (t: string) => Number(t.replace(/[^\d]/g, ""));
  return Object.fromEntries(
    cells.map(({ field, items, text }) => [
      field,
      items.length
        ? Object.fromEntries(items.map((i) => [i.slice(0, i.lastIndexOf(":")), count(i.slice(i.lastIndexOf(":") + 1))]))
        : text === "—"
          ? null
          : count(text),
    ]),
  );
}

describe("the front half of a review", () => {
  it("runs from a new project to included studies, and the PRISMA page counts what was decided", async () => {
    const page = await app.newPage();
    await page.goto(app.url);

    // --- The project.
    await page.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
    await page.getByLabel("Title").fill("Photosynthetic antenna complexes");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("list", { name: "Projects" }).getByRole("link", { name: "Photosynthetic antenna complexes" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Project sections" });

    // --- The protocol: the question and the exclusion reasons.
    await nav.getByRole("link", { name: "Protocol" }).click();
    const question = page.getByRole("region", { name: "Review question" });
    await question.getByRole("button", { name: "Edit review question" }).click();
    await page.getByRole("textbox", { name: "Review question" }).fill("How do antenna complexes of photosynthetic bacteria assemble?");
    await question.getByRole("button", { name: "Save review question" }).click();
    await question.getByText("How do antenna complexes of photosynthetic bacteria assemble?").waitFor();
    const reasons = page.getByRole("region", { name: "Exclusion reasons" });
    await reasons.getByRole("button", { name: "Edit exclusion reasons" }).click();
    const REASONS = [
      { code: "organism", label: "Not photosynthetic bacteria", stage: "Any stage" },
      { code: "design", label: "Not an experimental study", stage: "Full text" },
    ];
    for (const [i, r] of REASONS.entries()) {
      await page.getByRole("button", { name: "Add exclusion reason" }).click();
      const item = page.locator("#protocol-exclusionReasons-form > .list-editor > ol > li").nth(i);
      await item.getByLabel("Code").fill(r.code);
      await item.getByLabel("Reason", { exact: true }).fill(r.label);
      await item.getByLabel("Used at").selectOption({ label: r.stage });
    }
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    await reasons.getByRole("status").filter({ hasText: "Exclusion reasons saved." }).waitFor();

    // --- Two searches, then their files; the numbered file's problem is shown before it is imported.
    await nav.getByRole("link", { name: "Searches" }).click();
    await page.getByRole("heading", { level: 1, name: "Searches and imports" }).waitFor();
    for (const [source, date] of [[MEDLINE, "2024-03-01"], [WOS, "2024-03-02"]] as const) {
      await page.getByLabel("Source").fill(source);
      await page.getByLabel("Kind").selectOption({ label: "Database" });
      await page.getByLabel("Date run").fill(date);
      await page.getByLabel("Query").fill("(antenna complex* OR light-harvesting) AND bacteri*");
      await page.getByRole("button", { name: "Record search" }).click();
      await page.locator(`tr[data-search="${source}"]`).waitFor();
    }
    const identified: Record<string, number> = { [MEDLINE]: 0, [WOS]: 0 };
    let problemsShown = 0;
    const imports = [
      [MEDLINE, FILES.numbered, "medline-1.ris"],
      [MEDLINE, FILES.endnote, "medline-2.ris"],
      [WOS, FILES.wos, "wos-1.txt"],
      [WOS, FILES.rerun, "wos-2.ris"],
      [WOS, FILES.endnote, "wos-3.ris"],
    ] as const;
    for (const [source, file, name] of imports) {
      await page.getByRole("button", { name: `Import files for ${source}` }).click();
      await page.getByLabel("Records files").setInputFiles({ name, mimeType: "application/x-research-info-systems", buffer: readFileSync(file.path) });
      const card = fileCard(page, name);
      const importButton = card.getByRole("button", { name: `Import ${plural(file.records, "record")}` });
      await importButton.waitFor();
      const problems = card.locator("table.problems-table tbody tr");
      const n = await problems.count();
      if (file === FILES.numbered) {
        // The numbering lines are outside any record: each is shown with its line.
        expect(n).toBeGreaterThan(0);
        expect(await problems.first().locator('td[data-label="Problem"]').innerText()).toContain("text outside any record");
      }
      problemsShown += n;
      await importButton.click();
      await card.getByText(new RegExp(`^Imported ${plural(file.records, "record")} into ${source}`)).waitFor();
      identified[source] += file.records;
    }
    expect(problemsShown).toBeGreaterThan(0);
    // Each search lists what was imported into it.
    for (const source of [MEDLINE, WOS])
      await page.locator(`tr[data-search="${source}"] td[data-label="Results"]`).getByText(new RegExp(`^${identified[source]} imported$`)).waitFor();

    // --- Duplicates: the untitled record found twice is a pair to decide; the re-exported records are grouped at once.
    await nav.getByRole("link", { name: "Duplicates" }).click();
    await page.getByRole("heading", { level: 1, name: "Duplicates" }).waitFor();
    await page.getByRole("button", { name: "Find duplicates" }).click();
    await page.getByRole("status").filter({ hasText: new RegExp(`^Last run by ${OWNER.name}, finished`) }).waitFor();
    await page.getByRole("heading", { name: "Pairs to review (1)" }).waitFor();
    await page.locator("[data-pair-id] .pair-table tbody tr").first().waitFor();
    await page.keyboard.press("d");
    await page.getByRole("status").filter({ hasText: new RegExp(`Marked as duplicates: .* by ${OWNER.name} at`) }).waitFor();
    await page.getByRole("heading", { name: "Pairs to review (0)" }).waitFor();
    await page.getByRole("heading", { name: "Groups (3)" }).waitFor();
    const groupCards = page.locator("[data-group-id]");
    await expect.poll(() => groupCards.count()).toBe(3);
    const groupSizes = await groupCards.evaluateAll((cards) => cards.map((c) => c.querySelectorAll(".member").length));
    expect(groupSizes).toEqual([2, 2, 2]);
    // One automatic merge is taken back: the team reads the re-export as a corrected version to screen on its own.
    const undone = groupCards.filter({ hasText: "The title of the reference" });
    await undone.getByLabel("Why (optional, kept in the audit log)").fill("The re-export carries a corrected record; screened on its own");
    await undone.locator(".member").filter({ hasNot: page.getByText("Primary", { exact: true }) }).getByRole("button", { name: "Undo merge of “The title of the reference”", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Merge undone" }).waitFor();
    await page.getByRole("heading", { name: "Groups (2)" }).waitFor();
    // Left out of screening: every grouped record but its group's primary, less the one whose merge was undone.
    const duplicatesRemoved = groupSizes.reduce((n, size) => n + size - 1, 0) - 1;

    // --- The team: two reviewers and an adjudicator, each with a browser of their own.
    await nav.getByRole("link", { name: "Members" }).click();
    await page.getByRole("heading", { level: 1, name: "Members" }).waitFor();
    const team: Record<string, TestPage> = {};
    for (const [who, role] of [["ana", "reviewer"], ["ben", "reviewer"], ["carl", "adjudicator"]] as const) {
      await page.getByLabel("User name").fill(who);
      await page.getByLabel("Role", { exact: true }).selectOption(role);
      await page.getByRole("button", { name: "Add member" }).click();
      const link = await page.getByRole("region", { name: `Invitation link for ${who}` }).getByLabel(`One-time link for ${who}`).inputValue();
      team[who] = await app.acceptInvitation(link, who);
    }
    const { ana, ben, carl } = team as { ana: TestPage; ben: TestPage; carl: TestPage };

    // --- Title and abstract screening, dual: ana and ben, blind to each other.
    await nav.getByRole("link", { name: "Screening" }).click();
    const screeningNav = page.getByRole("navigation", { name: "Screening" });
    await screeningNav.getByRole("link", { name: "Set-up" }).click();
    await page.getByRole("heading", { level: 1, name: "Screening set-up" }).waitFor();
    await page.getByLabel("Dual screening").check();
    await page.getByLabel("Reviewers").fill("ana, ben");
    await page.getByRole("button", { name: "Save set-up" }).click();
    await page.getByRole("status").filter({ hasText: "dual screening saved" }).waitFor();

    const screeningUrl = page.url().replace(/\/screening\/settings.*$/, "/screening");
    await ana.goto(screeningUrl);
    await ana.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    const taSeen = await screenAll(ana, (title) => TA[planKey(title)]![0]);
    await ben.goto(screeningUrl);
    await ben.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    // Ben's queue, once the page has it: every record ana screened waits for him.
    await ben.getByRole("region", { name: "Ready to screen" }).getByText(`${plural(taSeen.length, "record")} left for you at this stage.`).waitFor();
    const taSeenBen = await screenAll(ben, (title) => TA[planKey(title)]![1]);
    expect(taSeen.length).toBe(taSeenBen.length);
    expect(taSeen.sort()).toEqual(taSeenBen.sort());
    // Screening was offered every record but the copies left out.
    expect(taSeen.length).toBe(identified[MEDLINE]! + identified[WOS]! - duplicatesRemoved);

    // The one disagreement is reconciled by a third reviewer.
    const conflicts = taSeen.filter((t) => (TA[planKey(t)]![0][0] === "exclude") !== (TA[planKey(t)]![1][0] === "exclude"));
    expect(conflicts.length).toBe(1);
    await carl.goto(`${screeningUrl}/conflicts`);
    await carl.getByRole("heading", { level: 1, name: "Screening conflicts" }).waitFor();
    await carl.getByRole("status").filter({ hasText: `${plural(conflicts.length, "conflict")} to reconcile` }).waitFor();
    const card = carl.locator(".conflict-list > li").filter({ has: carl.getByRole("heading", { name: conflicts[0]! }) });
    await card.getByLabel("Include").check();
    await card.getByLabel("Reason for this resolution").fill("The ligand binding work is on bacterial antenna haem proteins");
    await card.getByRole("button", { name: "Reconcile as carl" }).click();
    await carl.getByRole("status").filter({ hasText: "0 conflicts to reconcile, 1 record reconciled" }).waitFor();
    const resolved = (t: string) => (conflicts.includes(t) ? "include" : TA[planKey(t)]![0][0]);
    const taExcluded = taSeen.filter((t) => resolved(t) === "exclude");
    const toFullText = taSeen.filter((t) => resolved(t) !== "exclude");

    // --- Full text, single screening; an exclusion gives its reason.
    await ana.getByRole("navigation", { name: "Screening" }).getByRole("link", { name: "Full text" }).click();
    await ana.getByRole("heading", { level: 1, name: "Full text screening" }).waitFor();
    await ana.getByRole("region", { name: "Ready to screen" }).getByText(`${plural(toFullText.length, "record")} left for you at this stage.`).waitFor();
    const ftSeen = await screenAll(ana, (title) => FT[planKey(title)]!);
    expect(ftSeen.sort()).toEqual([...toFullText].sort());
    const ftIncluded = ftSeen.filter((t) => FT[planKey(t)]![0] === "include");
    const ftExcluded = ftSeen.filter((t) => FT[planKey(t)]![0] === "exclude");

    // --- Studies: one per included report, then the two reports of one piece of work made one study.
    await nav.getByRole("link", { name: "Studies" }).click();
    const includes = page.getByRole("region", { name: "Included reports not in a study" });
    await includes.getByText(`${plural(ftIncluded.length, "record")} included at full text; ${ftIncluded.length} not yet in a study.`).waitFor();
    await includes.getByRole("button", { name: `Form ${plural(ftIncluded.length, "study", "studies")}, one per record` }).click();
    await page.getByRole("status").filter({ hasText: `Formed ${plural(ftIncluded.length, "study", "studies")}` }).waitFor();
    const names = page.locator(".studies-table tbody tr[data-study]");
    await expect.poll(() => names.count()).toBe(ftIncluded.length);
    const [into, from] = await names.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-study")!));
    await page.getByRole("button", { name: `Merge another study into ${into}` }).click();
    const merge = page.getByRole("form", { name: `Merge another study into ${into}` });
    await merge.getByLabel(`Study to merge into ${into}`).selectOption({ label: `${from} (1 report)` });
    await merge.getByLabel("Why (kept in the audit log)").fill("Both papers report one series of experiments by one group");
    await merge.getByRole("button", { name: "Merge" }).click();
    await page.getByRole("status").filter({ hasText: `${from} merged into ${into}: 1 report moved.` }).waitFor();
    await expect.poll(() => names.count()).toBe(ftIncluded.length - 1);
    const studies = ftIncluded.length - 1;
    expect(await page.locator(`.studies-table tr[data-study="${into}"] .study-reports li`).count()).toBe(2);

    // --- PRISMA: every number from the decisions above.
    await nav.getByRole("link", { name: "PRISMA" }).click();
    await page.getByRole("heading", { name: "Where each number comes from" }).waitFor();
    const shown = await prismaTable(page);
    const identifiedTotal = identified[MEDLINE]! + identified[WOS]!;
    const expected = {
      database_results: identifiedTotal,
      duplicates: duplicatesRemoved,
      records_screened: taSeen.length,
      records_excluded: taExcluded.length,
      // No full text was marked not retrieved: every report sought was assessed.
      dbr_sought_reports: ftSeen.length,
      dbr_notretrieved_reports: 0,
      dbr_assessed: ftSeen.length,
      dbr_excluded: { [REASONS[1]!.label]: ftExcluded.length },
      new_studies: studies,
      new_reports: ftIncluded.length,
    };
    expect(shown).toMatchObject(expected);
    // The counts close at every step, so the page raises no note.
    expect(await page.getByRole("note").filter({ hasText: "The counts do not add up" }).count()).toBe(0);
    for (const p of [page, ana, ben, carl]) expect(p.errors).toEqual([]);
  }, 120_000);
});
