/**
 * End-to-end screening in headless Debian Chromium against the real server:
 * the owner sets dual screening up in the UI, two reviewers (each signed in
 * in a browser of their own) screen the same records by keyboard, the
 * disagreements appear as conflicts, an adjudicator reconciles one
 * with a reason, and the agreement page shows Cohen's kappa, which is checked
 * against the textbook formula applied to the decisions this test made.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { nextRecord, horizontalOverflow, pageHeading, settled, startApp, type AppHarness } from "./harness.js";
import { seedProject, type SeedRecord } from "./seed.js";

type Verdict = "include" | "exclude" | "maybe";

let app: AppHarness;
let records: SeedRecord[];
const PROJECT = "web-test-screening";

// Each reviewer's plan, by record position. Reason keys are the digits of the
// title/abstract reasons in rank order: 1 population, 2 intervention, 3 design.
const ANA: [Verdict, string[]][] = [
  ["include", []],
  ["exclude", ["1"]],
  ["exclude", ["3", "2"]],
  ["maybe", []],
  ["exclude", ["1"]],
  ["include", []],
  ["exclude", ["3"]],
  ["exclude", ["1"]],
];
const BEN: [Verdict, string[]][] = [
  ["include", []],
  ["exclude", ["2"]],
  ["include", []],
  ["maybe", []],
  ["exclude", ["1"]],
  ["exclude", ["1"]],
  ["exclude", ["3"]],
  ["maybe", []],
];
const KEY: Record<Verdict, string> = { include: "i", exclude: "e", maybe: "m" };
const VERDICT_BUTTON: Record<Verdict, string> = { include: "Include", exclude: "Exclude", maybe: "Maybe" };

/**
 * Cohen's kappa by the textbook formula (Cohen 1960): κ = (p_o − p_e)/(1 − p_e),
 * p_o the share of records both rated alike, p_e = Σ_k p_k(A) p_k(B).
 */
function cohenKappa(a: readonly string[], b: readonly string[]): { po: number; kappa: number } {
  const n = a.length;
  const po = a.filter((x, i) => x === b[i]).length / n;
  let pe = 0;
  for (const k of new Set([...a, ...b])) pe += (a.filter((x) => x === k).length / n) * (b.filter((x) => x === k).length / n);
  return { po, kappa: (po - pe) / (1 - pe) };
}

beforeAll(async () => {
  app = await startApp();
  const seeded = seedProject({ id: PROJECT, title: "Screening mentoring review", records: ANA.length, seed: 11 });
  records = seeded.records;
  await app.api("POST", "/projects/import", seeded.file);
});

afterAll(async () => {
  await app?.close();
});

/** The next record the API serves `user` (held for them), as another reviewer's screen would ask. */
async function serveOverApi(project: string, user: string, stage = "title_abstract"): Promise<{ status: number; body: { record: { id: string } | null; error?: string } }> {
  const res = await app.request(`/projects/${project}/screening/${stage}/next?prioritise=false`, { as: user });
  return { status: res.status, body: (await res.json()) as { record: { id: string } | null; error?: string } };
}

/** Screens every record the reviewer is served, by keyboard, following `plan`; returns the order served. */
async function screenAll(page: Page, plan: [Verdict, string[]][], opts: { slip?: { index: number; key: string }; buttonFirst?: boolean } = {}): Promise<string[]> {
  const { slip, buttonFirst } = opts;
  const served: string[] = [];
  let previous: string | null = null;
  for (;;) {
    const id = await nextRecord(page, previous);
    if (id === null) break;
    const i = records.findIndex((r) => r.id === id);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(served).not.toContain(id);
    served.push(id);
    const title = await page.locator("#screening-record-title").innerText();
    // Blind: no other reviewer's verdict is on the page.
    expect(await page.locator("main").innerText()).not.toMatch(/\b(ana|ben) (included|excluded)|\((ana|ben)\)/i);
    expect(title).toBe(records[i]!.title);
    const [verdict, keys] = plan[i]!;
    if (slip?.index === i) await page.keyboard.press(slip.key);
    else if (buttonFirst && served.length === 1) {
      // The first record decided with its button (Tab to it, Enter): focus then moves to the next record's title.
      for (const k of keys) await page.keyboard.press(k);
      await page.getByRole("button", { name: VERDICT_BUTTON[verdict], exact: true }).focus();
      await page.keyboard.press("Enter");
      const following = await nextRecord(page, id);
      if (following !== null) await page.waitForFunction(() => document.activeElement?.id === "screening-record-title");
      previous = null;
      continue;
    } else {
      for (const k of keys) await page.keyboard.press(k);
      await page.keyboard.press(KEY[verdict]);
    }
    previous = id;
  }
  return served;
}

describe("screening in the browser", () => {
  it("dual-screens by keyboard as two reviewers, reconciles a conflict as an adjudicator and shows kappa", async () => {
    const owner = await app.newPage();
    const base = `${app.url}/projects/${PROJECT}`;
    await owner.goto(`${base}/screening/settings`);
    await owner.getByRole("heading", { level: 1, name: "Screening set-up" }).waitFor();

    // Dual screening, chosen in the set-up form by the project's owner.
    await owner.getByLabel("Dual screening").check();
    await owner.getByLabel("Reviewers").fill("ana, ben");
    await owner.getByRole("button", { name: "Save set-up" }).click();
    await owner.getByRole("status").filter({ hasText: "dual screening saved" }).waitFor();
    expect(owner.errors).toEqual([]);
    let page = await app.newPageAs("ana", { project: PROJECT, role: "reviewer" });
    await page.goto(`${base}/screening/settings`);
    await page.getByRole("heading", { level: 1, name: "Screening set-up" }).waitFor();
    const settings = await app.api<{ mode: string; reviewers: string[] }>("GET", `/projects/${PROJECT}/screening/title_abstract/settings`);
    expect(settings).toMatchObject({ mode: "dual", reviewers: ["ana", "ben"] });

    // To the screening page through the navigation; the protocol's criteria are beside the record.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Screening" }).click();
    await page.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    const criteria = page.getByRole("complementary", { name: "Criteria" });
    await criteria.getByText("Randomised or quasi-experimental design").waitFor();
    expect(await criteria.locator(".ranked-reasons li").allInnerTexts()).toEqual([
      "1 Ineligible population",
      "2 Not a mentoring intervention",
      "3 Ineligible study design",
    ]);
    // Terms from the search string "mentor* AND (youth OR adolescen*)" are marked.
    await nextRecord(page, null);
    const marked = await page.locator("article.screening-record mark").allInnerTexts();
    const text = `${await page.locator("#screening-record-title").innerText()}\n${await page.locator("article.screening-record .abstract").innerText()}`;
    const expectedMarks = (text.match(/(?<![\p{L}\p{N}])(?:mentor[\p{L}\p{N}]*|youth(?![\p{L}\p{N}])|adolescen[\p{L}\p{N}]*)/giu) ?? []);
    expect(marked).toEqual(expectedMarks);

    // "?" lists the shortcuts; Escape closes the list.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    expect(await help.innerText()).toContain("Tick or untick the exclusion reason");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    // Several reasons: the protocol's rank decides the recorded one, shown before deciding.
    await page.keyboard.press("3");
    await page.getByText("Recorded reason: Ineligible study design").waitFor();
    await page.keyboard.press("2");
    await page.getByText("Recorded reason: Not a mentoring intervention (highest-ranked of the 2 ticked").waitFor();
    const reasonBoxes = page.getByRole("group", { name: /Exclusion reasons/ }).getByRole("checkbox", { checked: true });
    expect(await reasonBoxes.count()).toBe(2);
    await page.keyboard.press("3");
    await page.keyboard.press("2");
    expect(await reasonBoxes.count()).toBe(0);

    // Ana slips on record 7 (includes instead of excluding), then corrects it from her recent decisions.
    const SLIP = 6;
    const servedAna = await screenAll(page, ANA, { slip: { index: SLIP, key: "i" } });
    expect(servedAna.sort()).toEqual(records.map((r) => r.id).sort());
    const recent = page.getByRole("region", { name: "Your recent decisions" });
    await recent.getByText(`The last ${records.length} of your ${records.length} decisions`).waitFor();
    await recent.getByRole("button", { name: `Change your decision on “${records[SLIP]!.title}”` }).click();
    await page.getByText("Changing your decision on this record (now: Include)").waitFor();
    expect(await page.locator("#screening-record-title").innerText()).toBe(records[SLIP]!.title);
    for (const k of ANA[SLIP]![1]) await page.keyboard.press(k);
    await page.keyboard.press(KEY[ANA[SLIP]![0]]);
    await page.locator(".screening-outcome", { hasText: `Exclude: “${records[SLIP]!.title}” — recorded reason: Ineligible study design.` }).waitFor();
    await recent.locator("li").first().getByText("Exclude").waitFor();
    expect(await page.getByText("Changing your decision").count()).toBe(0);
    // Every record now waits for the second reviewer, and says so.
    await page.locator('[data-count="awaiting_second"]', { hasText: String(records.length) }).waitFor();

    // Prioritisation switched off (before Ben is served anything); the choice is remembered.
    await page.getByLabel("Prioritise the queue by likely relevance").uncheck();
    await page.getByText("Records come in the order they were added.").waitFor();
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    expect(await page.getByLabel("Prioritise the queue by likely relevance").isChecked()).toBe(false);
    expect(page.errors).toEqual([]);
    // Ben, in his own browser, switches prioritisation off too: the choice is each reviewer's own.
    page = await app.newPageAs("ben", { project: PROJECT, role: "reviewer" });
    await page.goto(`${base}/screening`);
    await page.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    await page.getByLabel("Prioritise the queue by likely relevance").uncheck();
    await page.getByText("Records come in the order they were added.").waitFor();
    await page.locator('[data-count="remaining"]', { hasText: String(records.length) }).waitFor();
    // Ben is the second reviewer of every record, and is told so without seeing Ana's decision.
    await nextRecord(page, null);
    await page.getByText("You are the second reviewer of this record").waitFor();
    const servedBen = await screenAll(page, BEN, { buttonFirst: true });
    // Without prioritisation the queue is in the order the records were added.
    expect(servedBen).toEqual(records.map((r) => r.id));

    // Stored decisions are the ones typed, with the highest-ranked reason first.
    // Read as ana: while the stage is blind the audit shows a decision only to someone who has screened the record too.
    const audit = await app.apiAs<{ items: { action: string; actor: string; after: { recordId: string; decision: string; reasons: string[] } }[] }>(
      "ana",
      "GET",
      `/projects/${PROJECT}/audit?limit=100`,
    );
    const decisions = audit.items.filter((e) => e.action === "screeningDecisions.create");
    // One per record and reviewer, plus the slip; the audit lists the newest first, so find() sees the correction.
    expect(decisions).toHaveLength(2 * records.length + 1);
    const codes: Record<string, string> = { "1": "population", "2": "intervention", "3": "design" };
    for (const [who, plan] of [["ana", ANA], ["ben", BEN]] as const) {
      for (const [i, r] of records.entries()) {
        const d = decisions.find((e) => e.actor === who && e.after.recordId === r.id)!;
        const ranked = [...plan[i]![1]].sort().map((k) => codes[k]);
        expect({ who, i, decision: d.after.decision, reasons: d.after.reasons }).toEqual({ who, i, decision: plan[i]![0], reasons: ranked });
      }
    }

    // Conflicts: where one reviewer excluded and the other sent the record on.
    const conflicting = records.filter((_, i) => (ANA[i]![0] === "exclude") !== (BEN[i]![0] === "exclude"));
    expect(conflicting.length).toBe(3);
    await page.getByRole("navigation", { name: "Screening" }).getByRole("link", { name: "Conflicts" }).click();
    await page.getByRole("heading", { level: 1, name: "Screening conflicts" }).waitFor();
    await page.getByRole("status").filter({ hasText: "3 conflicts to reconcile" }).waitFor();
    const shown = await page.locator(".conflict-list h2").allInnerTexts();
    expect(shown.sort()).toEqual(conflicting.map((r) => r.title).sort());

    // An adjudicator reconciles, under their own name; the reason is required.
    expect(page.errors).toEqual([]);
    page = await app.newPageAs("carl", { project: PROJECT, role: "adjudicator" });
    await page.goto(`${base}/screening/conflicts`);
    await page.getByRole("heading", { level: 1, name: "Screening conflicts" }).waitFor();
    const target = conflicting[0]!;
    const card = page.locator(".conflict-list > li").filter({ has: page.getByRole("heading", { name: target.title }) });
    await card.getByLabel("Include").check();
    await card.getByRole("button", { name: "Reconcile as carl" }).click();
    await card.getByText("Give the reason for resolving it this way.").waitFor();
    expect(await card.getByLabel("Reason for this resolution").getAttribute("aria-invalid")).toBe("true");
    let status = await app.api<{ counts: { conflict: number; reconciled: number } }>("GET", `/projects/${PROJECT}/screening/title_abstract/status`);
    expect(status.counts).toMatchObject({ conflict: 3, reconciled: 0 });
    await card.getByLabel("Reason for this resolution").fill("Mentoring for young people; the design is eligible");
    await card.getByRole("button", { name: "Reconcile as carl" }).click();
    await page.getByRole("status").filter({ hasText: "2 conflicts to reconcile, 1 record reconciled" }).waitFor();
    status = await app.api("GET", `/projects/${PROJECT}/screening/title_abstract/status`);
    expect(status.counts).toMatchObject({ conflict: 2, reconciled: 1 });
    // Read as ana, who screened the record: while the stage is blind the audit shows its reconciliation to those who did.
    const after = await app.apiAs<{ items: { action: string; actor: string; after: Record<string, unknown> }[] }>("ana", "GET", `/projects/${PROJECT}/audit?limit=5`);
    expect(after.items[0]).toMatchObject({
      action: "reconciliations.create",
      actor: "carl",
      after: { recordId: target.id, decision: "include", resolvedBy: "carl", reason: "Mentoring for young people; the design is eligible" },
    });

    // Agreement: the kappa shown equals the textbook kappa of the decisions typed above.
    await page.getByRole("navigation", { name: "Screening" }).getByRole("link", { name: "Agreement and QA" }).click();
    await page.getByRole("heading", { level: 1, name: "Screening agreement and QA" }).waitFor();
    const row = page.getByRole("row", { name: /ana and ben/ });
    await row.waitFor();
    const { po, kappa } = cohenKappa(ANA.map((p) => p[0]), BEN.map((p) => p[0]));
    const cells = await row.locator("td").allInnerTexts();
    expect(cells[0]).toBe(String(records.length));
    expect(cells[1]).toBe(`${(po * 100).toFixed(1)}%`);
    expect(cells[2]!.startsWith(`${kappa.toFixed(3)} (95% CI `)).toBe(true);
    // The stopping estimate is advisory and states its assumptions; with eight records it says it has too little to go on.
    await page.getByRole("heading", { name: /Stopping estimate/ }).getByText("Advisory").waitFor();
    await page
      .locator(".stopping-verdict")
      .filter({ hasText: /^Not enough decisions yet for an estimate: it needs at least 20 settled decisions \(\d so far\)\.$/ })
      .waitFor();
    expect(await page.getByText(/p = /).count()).toBe(0);
    await page.getByText("Assumptions").click();
    expect(await page.locator("details li").count()).toBeGreaterThan(0);
    expect(page.errors).toEqual([]);
  });

  it("requires a reason at full text, records the top-ranked one, and tracks retrieval with an attached file", async () => {
    const page = await app.newPageAs("ana", { project: PROJECT, role: "reviewer" });
    await page.goto(`${app.url}/projects/${PROJECT}/screening/full-text`);
    await page.getByRole("heading", { level: 1, name: "Full text screening" }).waitFor();
    const id = await nextRecord(page, null);
    expect(id).not.toBeNull();

    // Retrieval: the file's checksum is computed in the browser and stored with its name and size.
    const pdf = Buffer.from("%PDF-1.4 full text of the trial report\n");
    const panel = page.getByRole("region", { name: "Full-text retrieval" });
    await panel.getByText("Not yet sought.").waitFor();
    await panel.getByLabel("Attach the full text").setInputFiles({ name: "trial-report.pdf", mimeType: "application/pdf", buffer: pdf });
    // Attaching a file marks the full text retrieved.
    await panel.getByRole("radio", { name: "Retrieved", exact: true, checked: true }).waitFor();
    await panel.getByRole("button", { name: "Save retrieval status" }).click();
    await panel.getByRole("status").filter({ hasText: "retrieved, file trial-report.pdf attached" }).waitFor();
    const stored = await app.api<{ status: string; updatedBy: string; file: { name: string; size: number; sha256: string } }>("GET", `/projects/${PROJECT}/fulltext/${id}`);
    expect(stored).toMatchObject({
      status: "retrieved",
      updatedBy: "ana",
      file: { name: "trial-report.pdf", size: pdf.length, sha256: createHash("sha256").update(pdf).digest("hex") },
    });

    // Full-text reasons in rank order: 1 intervention, 2 design. Exclude alone is refused.
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("e");
    await page.getByRole("alert").filter({ hasText: "A full-text exclusion needs a reason" }).waitFor();
    const refused = await app.api<{ items: { action: string }[] }>("GET", `/projects/${PROJECT}/audit?limit=1`);
    expect(refused.items[0]!.action).toBe("fullTextRetrievals.create");
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("2");
    await page.keyboard.press("1");
    await page.getByText("Recorded reason: Not a mentoring intervention (highest-ranked of the 2 ticked").waitFor();
    await page.keyboard.press("e");
    await page.locator(".screening-outcome", { hasText: /^Exclude: “.*” — recorded reason: Not a mentoring intervention\.$/ }).waitFor();
    const audit = await app.apiAs<{ items: { action: string; after: { recordId: string; stage: string; reasons: string[] } }[] }>("ana", "GET", `/projects/${PROJECT}/audit?limit=1`);
    expect(audit.items[0]).toMatchObject({ action: "screeningDecisions.create", after: { recordId: id, stage: "full_text", reasons: ["intervention", "design"] } });
    expect(page.errors).toEqual([]);
  });

  it("draws a seeded QA sample of single-screened excludes and records the named adjudicator's re-check", async () => {
    // The owner draws the sample (an adjudicator's or owner's task) and names the re-checker.
    await app.addMember(PROJECT, "senior", "adjudicator");
    let page = await app.newPage();
    await page.goto(`${app.url}/projects/${PROJECT}/screening/agreement?stage=full_text`);
    await page.getByRole("heading", { level: 1, name: "Screening agreement and QA" }).waitFor();
    expect(await page.getByLabel("Stage").inputValue()).toBe("full_text");
    // The one full-text exclude (single screening) from the previous test, drawn at 100%.
    await page.getByLabel("Share of excludes (%)").fill("100");
    await page.getByLabel("Seed").fill("42");
    await page.getByLabel("Senior reviewer").fill("senior");
    await page.getByRole("button", { name: "Draw sample" }).click();
    let card = page.getByRole("region", { name: /^Sample of 1 record \(100% of excludes, seed 42\)$/ });
    await card.waitFor();
    await card.getByText("Re-checked 0 of 1.").waitFor();
    // The re-check reads the record by its abstract, as screening did.
    const drawn = await app.api<{ recordIds: string[] }[]>("GET", `/projects/${PROJECT}/screening/full_text/qa-samples`);
    const sampled = records.find((r) => r.id === drawn[0]!.recordIds[0])!;
    expect(await card.locator("td.qa-abstract").innerText()).toBe(sampled.abstract);
    // Only the named senior reviewer may re-check.
    await card.getByText("Waiting for senior").waitFor();
    expect(page.errors).toEqual([]);
    page = await app.newPageAs("senior", { project: PROJECT, role: "adjudicator" });
    await page.goto(`${app.url}/projects/${PROJECT}/screening/agreement?stage=full_text`);
    await page.getByRole("heading", { level: 1, name: "Screening agreement and QA" }).waitFor();
    card = page.getByRole("region", { name: /^Sample of 1 record \(100% of excludes, seed 42\)$/ });
    await card.getByLabel("Exclusion reason").selectOption({ label: "Ineligible study design" });
    await card.getByRole("button", { name: "Exclude" }).click();
    await card.getByText(/^Re-checked 1 of 1: agreement 100\.0%, Cohen's κ not defined, Gwet's AC1 1\.000\.$/).waitFor();
    const samples = await app.api<{ seed: number; checker: string; items: { check: { reviewer: string; decision: string; reasons: string[] } }[] }[]>(
      "GET",
      `/projects/${PROJECT}/screening/full_text/qa-samples`,
    );
    expect(samples[0]).toMatchObject({ seed: 42, checker: "senior", items: [{ check: { reviewer: "senior", decision: "exclude", reasons: ["design"] } }] });
    expect(page.errors).toEqual([]);
  });

  it("holds nothing until a reviewer starts, tells a non-reviewer so instead of serving them, and screens a duplicate group once", async () => {
    const project = "web-test-screening-hold";
    const seeded = seedProject({ id: project, title: "Holding and reviewers", records: 4, seed: 23 });
    const [a, b] = seeded.records;
    // Records 1 and 2 are one report, grouped in the file: the group's primary is the first.
    const group = { id: "group-1", primaryRecordId: a!.id, method: "manual" as const, createdBy: "importer", createdAt: "2024-01-15T09:00:00.000Z" };
    await app.api("POST", "/projects/import", {
      ...seeded.file,
      duplicateGroups: [group],
      records: seeded.file.records!.map((r) => (r.id === a!.id || r.id === b!.id ? { ...r, duplicateGroupId: group.id } : r)),
    });

    await app.signUp(project, "ben", "reviewer");
    const page = await app.newPageAs("ana", { project, role: "reviewer" });
    await page.goto(`${app.url}/projects/${project}/screening`);
    await page.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    // Four records, three reports: progress counts the group once.
    await page.getByText("0 of 3 records settled").waitFor();
    const ready = page.getByRole("region", { name: "Ready to screen" });
    await ready.getByText("3 records left for you at this stage.").waitFor();
    expect(await page.locator("article.screening-record").count()).toBe(0);
    expect(await ready.getByRole("button", { name: "Start screening" }).getAttribute("aria-keyshortcuts")).toBe("S");
    // Nothing is held for ana: ben is served all three reports while her page is open.
    const servedToBen: string[] = [];
    for (let k = 0; k < 3; k++) {
      const got = await serveOverApi(project, "ben");
      expect(got.status).toBe(200);
      servedToBen.push(got.body.record!.id);
      const decided = await app.request(`/projects/${project}/screening/title_abstract/decisions`, {
        as: "ben",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ recordId: got.body.record!.id, decision: "exclude" }),
      });
      expect(decided.status).toBeLessThan(300);
    }
    // The copy is never served; its primary stands for it.
    expect(servedToBen.sort()).toEqual(seeded.records.filter((r) => r.id !== b!.id).map((r) => r.id).sort());
    expect((await serveOverApi(project, "ben")).body.record).toBeNull();
    // Ana takes a record with the button: in single screening ben's decisions left none.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    await page.getByText("3 of 3 records settled").waitFor();
    await page.getByText("Nothing left for you to screen at this stage.").waitFor();

    // More members: cy a reviewer, vic a viewer. Vic is told, and nothing is held for him.
    await app.signUp(project, "cy", "reviewer");
    await app.api("PUT", `/projects/${project}/screening/title_abstract/settings`, { mode: "dual", reviewers: [] });
    const vic = await app.newPageAs("vic", { project, role: "viewer" });
    await vic.goto(`${app.url}/projects/${project}/screening`);
    await vic.getByRole("heading", { level: 1, name: "Title and abstract screening" }).waitFor();
    const notReviewer = vic.getByRole("region", { name: "You are not a reviewer of this stage" });
    await notReviewer.waitFor();
    await notReviewer.getByText(/vic is not a reviewer of title\/abstract screening: they are a viewer of this project/).waitFor();
    expect(await vic.getByRole("button", { name: "Start screening" }).count()).toBe(0);
    expect(await vic.locator('[data-count="remaining"]').count()).toBe(0);
    await vic.keyboard.press("s");
    expect(await vic.locator("article.screening-record").count()).toBe(0);
    expect((await serveOverApi(project, "vic")).status).toBe(403);
    expect(vic.errors).toEqual([]);
    // Ana, a reviewer, is the second reviewer of every report in dual screening, and starts by keyboard.
    await page.reload();
    await page.getByRole("region", { name: "Ready to screen" }).getByText("3 records left for you at this stage.").waitFor();
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("s");
    const first = await nextRecord(page, null);
    expect(first).not.toBeNull();
    expect(first).not.toBe(b!.id);
    await page.waitForFunction(() => document.activeElement?.id === "screening-record-title");
    // Stopping gives the record back at once: another reviewer is served it, and focus waits on Start screening.
    await page.getByRole("button", { name: "Stop screening" }).click();
    await page.getByText("Stopped. The record you held is free for other reviewers.").waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent?.startsWith("Start screening"));
    expect(await page.locator("article.screening-record").count()).toBe(0);
    expect((await serveOverApi(project, "cy")).body.record?.id).toBe(first);
    expect(page.errors).toEqual([]);
  });

  it("can be used with the keyboard alone, with a visible focus indicator on every stop", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${PROJECT}/screening/full-text`);
    await page.getByRole("heading", { level: 1, name: "Full text screening" }).waitFor();
    expect(await nextRecord(page, null)).not.toBeNull();
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const s = getComputedStyle(el);
        const name = el.id || el.getAttribute("aria-label") || el.textContent?.trim().slice(0, 40) || el.closest("label")?.textContent?.trim().slice(0, 40);
        return { what: `${el.tagName} ${name}`, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      // Round the whole page once.
      if (f.what.startsWith("BODY") || seen.has(f.what)) break;
      expect({ what: f.what, outline: f.outline }).not.toEqual({ what: f.what, outline: "none" });
      expect(f.width).toBeGreaterThan(0);
      seen.add(f.what);
    }
    // The decision buttons, reasons, note and retrieval form are all reachable.
    const stops = [...seen].join("\n");
    for (const want of ["BUTTON Include", "BUTTON Exclude", "TEXTAREA decision-note", "INPUT retrieval-file"]) expect(stops).toContain(want);

  });

  it("keeps contrast and reflows at 200% zoom with screening data on the page", async () => {
    const base = `${app.url}/projects/${PROJECT}/screening`;
    const views: [string, string][] = [
      [`${base}/full-text`, "Full text screening"],
      [`${base}/conflicts`, "Screening conflicts"],
      [`${base}/agreement`, "Screening agreement and QA"],
    ];
    const ready = async (page: Page, url: string, heading: string) => {
      await page.goto(url);
      await pageHeading(page, heading);
      await settled(page);
    };
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await app.newPage({ colorScheme });
      for (const [url, heading] of views) {
        await ready(page, url, heading);
        expect({ colorScheme, url, problems: await contrastProblems(page) }).toEqual({ colorScheme, url, problems: [] });
      }
      // The shortcut list over the page, with a record taken.
      await ready(page, views[0]![0], views[0]![1]);
      expect(await nextRecord(page, null)).not.toBeNull();
      // Taking a record moves focus to its title once the record's shortcuts are listening.
      await page.waitForFunction(() => document.activeElement?.id === "screening-record-title");
      await page.keyboard.press("?");
      await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }
    const zoomed = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    for (const [url, heading] of views) {
      await ready(zoomed, url, heading);
      expect({ url, overflow: await horizontalOverflow(zoomed) }).toEqual({ url, overflow: 0 });
    }
    // One column: the criteria come after the record instead of beside it.
    await ready(zoomed, views[0]![0], views[0]![1]);
    expect(await nextRecord(zoomed, null)).not.toBeNull();
    const [rec, crit] = await Promise.all([zoomed.locator("article.screening-record").boundingBox(), zoomed.getByRole("complementary", { name: "Criteria" }).boundingBox()]);
    expect(crit!.y).toBeGreaterThan(rec!.y + rec!.height);
    expect(zoomed.errors).toEqual([]);
  });
});
