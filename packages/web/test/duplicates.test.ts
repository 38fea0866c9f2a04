/**
 * The duplicates stage in headless Debian Chromium against the real server,
 * on a real export with known duplicates (the haematology set of
 * ../shared/data/dedupe: 1,415 records from several databases, as a
 * bibdedupe CSV). A reviewer runs detection from the page, decides uncertain
 * pairs by keyboard, undoes a merge, runs detection again and sees the undo
 * hold; every count on the page is checked against the server's pairs.
 * A small constructed import checks that a record joined through another
 * copy is explained by that copy's match, not by its comparison with the
 * primary.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, repoRoot, startApp, type AppHarness } from "./harness.js";

const EXPORT = join(repoRoot, "../shared/data/dedupe/haematology/records_pre_merged.csv");
const REVIEWER = "rita";

interface PairPage {
  total: number;
  items: { pair: { id: string; status: string; decidedBy: string | null; decidedAt: string | null; recordIdA: string; recordIdB: string } }[];
}

let app: AppHarness;
let project: string;

beforeAll(async () => {
  app = await startApp();
  project = (await app.api<{ id: string }>("POST", "/projects", { title: "Haemolytic uraemic syndrome review" })).id;
  const res = await app.request(`/projects/${project}/imports?fileName=records_pre_merged.csv&preset=bibdedupe&source=Embase`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: readFileSync(EXPORT),
  });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
});

afterAll(async () => {
  await app?.close();
});

/**
 * Three copies of one paper: A and B share a DOI (B's title is A's without
 * its subtitle, B's journal abbreviated), B and C (no DOI, no pages) agree on
 * title, authors, year and journal. A against C alone is not a duplicate.
 */
const CHAIN_RIS = [
  [
    "TY  - JOUR",
    "TI  - Early eculizumab for atypical haemolytic uraemic syndrome in children: a multicentre cohort study",
    "AU  - Okafor, Adaeze",
    "AU  - Lindqvist, Per",
    "AU  - Moreau, Camille",
    "PY  - 2019",
    "JF  - Pediatric Nephrology",
    "VL  - 34",
    "IS  - 7",
    "SP  - 1201",
    "EP  - 1210",
    "DO  - 10.5555/pn.2019.1201",
    "AB  - Children with atypical haemolytic uraemic syndrome given eculizumab within a week of onset recovered kidney function more often.",
  ],
  [
    "TY  - JOUR",
    "TI  - Early eculizumab for atypical haemolytic uraemic syndrome in children",
    "AU  - Okafor, A",
    "AU  - Lindqvist, P",
    "AU  - Moreau, C",
    "PY  - 2019",
    "JF  - Pediatr Nephrol",
    "DO  - https://doi.org/10.5555/PN.2019.1201",
  ],
  [
    "TY  - JOUR",
    "TI  - Early Eculizumab for Atypical Haemolytic-Uraemic Syndrome in Children.",
    "AU  - Okafor, A",
    "AU  - Lindqvist, P",
    "AU  - Moreau, C",
    "PY  - 2019",
    "JF  - Pediatr Nephrol",
  ],
]
  .map((lines) => [...lines, "ER  - "].join("\r\n"))
  .join("\r\n\r\n");

interface GroupPage {
  total: number;
  items: {
    group: { id: string };
    members: {
      record: { id: string; title: string; doi: string | null };
      primary: boolean;
      match: { verdict: string; reason: string } | null;
      joinedBy: { recordId: string; reason: string; fields: string[] } | null;
    }[];
  }[];
}

const countShown = async (page: Page, label: string) => Number((await page.locator(".duplicate-counts div", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) }).locator("dd").innerText()).replace(/\D/g, ""));
const pending = () => app.api<PairPage>("GET", `/projects/${project}/duplicate-pairs?status=pending&limit=1000`);

/** Starts a detection run with the button (keyboard: focus, Enter), waits for it to run and finish, and returns its summary. */
async function findDuplicates(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Find duplicates" }).focus();
  await page.keyboard.press("Enter");
  // The button says so while the run goes on (at least until the page's first poll).
  await page.getByRole("button", { name: "Finding duplicates…" }).waitFor();
  await page.getByRole("button", { name: "Find duplicates", exact: true }).waitFor();
  return page.getByRole("status").filter({ hasText: /Last run by rita, finished/ }).innerText();
}

/** Waits until the page shows the server's pending pair number `skipped` (counting from 0), and returns its id. */
async function shownPair(page: Page, skipped: number): Promise<string> {
  const id = (await pending()).items[skipped]!.pair.id;
  await page.locator(`[data-pair-id="${id}"] .pair-table tbody tr`).first().waitFor();
  return id;
}

describe("duplicates in the browser", () => {
  it("runs detection, decides pairs by keyboard, undoes a merge and keeps it undone on the next run", async () => {
    expect(existsSync(EXPORT)).toBe(true);
    const page = await app.newPageAs(REVIEWER, { project, role: "reviewer" });
    await page.goto(`${app.url}/projects/${project}`);
    await page.getByRole("navigation").getByRole("link", { name: "Duplicates" }).click();
    await page.getByRole("heading", { level: 1, name: "Duplicates" }).waitFor();
    await page.getByText("No pairs are waiting for a decision.").waitFor();

    // Detection runs as a job; its summary counts agree with the queue.
    const first = await findDuplicates(page);
    const queue = await pending();
    expect(queue.total).toBeGreaterThan(3);
    expect(first).toContain(`${queue.total} pairs waiting for a reviewer`);
    const groups = await app.api<{ total: number; items: { group: { id: string }; members: { record: { id: string; title: string }; primary: boolean; match: { reason: string } | null }[] }[] }>(
      "GET",
      `/projects/${project}/duplicate-groups?limit=1000`,
    );
    expect(groups.total).toBeGreaterThan(50);
    await page.getByRole("heading", { name: `Pairs to review (${queue.total})` }).waitFor();
    expect(await countShown(page, "Pairs to review")).toBe(queue.total);
    expect(await countShown(page, "Groups")).toBe(groups.total);

    // The pair side by side: differing fields are marked in words, not colour alone.
    const firstPair = await shownPair(page, 0);
    const marked = page.locator(".pair-table tr.field-different, .pair-table tr.field-missing");
    expect(await marked.count()).toBeGreaterThan(0);
    expect(await marked.first().innerText()).toMatch(/Different|On one record only/);
    for (const [name, key] of [["Duplicates", "D"], ["Different records", "N"], ["Skip for now", "S"]] as const)
      expect(await page.getByRole("button", { name, exact: true }).getAttribute("aria-keyshortcuts")).toBe(key);

    // Decided by keyboard: D, then N, then S (skip) and N on the pair after the skipped one.
    await page.keyboard.press("d");
    await page.getByRole("status").filter({ hasText: /Marked as duplicates: .* by rita at/ }).waitFor();
    await page.getByRole("heading", { name: `Pairs to review (${queue.total - 1})` }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === "pair-heading");
    const secondPair = await shownPair(page, 0);
    expect(secondPair).not.toBe(firstPair);
    await page.keyboard.press("n");
    await page.getByRole("status").filter({ hasText: /Marked as different records: .* by rita at/ }).waitFor();
    await page.getByRole("heading", { name: `Pairs to review (${queue.total - 2})` }).waitFor();
    // Keys act on the pair on screen only: wait for the next one before skipping it.
    await shownPair(page, 0);
    await page.keyboard.press("s");
    await page.getByRole("heading", { name: `Pair 2 of ${queue.total - 2}` }).waitFor();
    const skippedTo = await shownPair(page, 1);
    await page.keyboard.press("n");
    await page.getByRole("heading", { name: `Pairs to review (${queue.total - 3})` }).waitFor();

    const decided = [firstPair, secondPair, skippedTo];
    const after = await pending();
    expect(after.total).toBe(queue.total - 3);
    expect(await countShown(page, "Pairs to review")).toBe(after.total);
    for (const [id, status] of [[firstPair, "duplicate"], [secondPair, "not_duplicate"], [skippedTo, "not_duplicate"]] as const) {
      const v = await app.api<{ pair: { status: string; decidedBy: string; decidedAt: string } }>("GET", `/projects/${project}/duplicate-pairs/${id}`);
      expect(v.pair).toMatchObject({ status, decidedBy: REVIEWER });
      expect(Date.now() - Date.parse(v.pair.decidedAt)).toBeLessThan(5 * 60_000);
    }
    expect(new Set(decided).size).toBe(3);

    // Undo a merge in a group of three or more, with the keyboard.
    const big = groups.items.find((g) => g.members.length >= 3)!;
    const out = big.members.find((m) => !m.primary)!;
    const card = page.locator(`[data-group-id="${big.group.id}"]`);
    await page.getByRole("heading", { name: "Groups (", exact: false }).waitFor();
    // The group may be on a later page of the list.
    while (!(await card.isVisible())) await page.getByRole("button", { name: "Next groups" }).first().click();
    const why = card.getByLabel("Why (optional, kept in the audit log)");
    await why.fill("conference abstract of the trial, not a copy");
    // Copies share their title: the button is found within its record's entry.
    await card.locator(`.member[data-record-id="${out.record.id}"]`).getByRole("button", { name: `Undo merge of “${out.record.title}”`, exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Merge undone" }).waitFor();
    expect((await app.api<{ duplicateGroupId: string | null }>("GET", `/projects/${project}/records/${out.record.id}`)).duplicateGroupId).toBeNull();
    const stillGrouped = big.members.filter((m) => m !== out).map((m) => m.record.id);
    for (const id of stillGrouped) expect((await app.api<{ duplicateGroupId: string | null }>("GET", `/projects/${project}/records/${id}`)).duplicateGroupId).toBe(big.group.id);
    const audit = await app.api<{ items: { actor: string; reason: string | null; action: string }[] }>("GET", `/projects/${project}/audit?limit=20`);
    expect(audit.items.find((e) => e.action === "records.update")).toMatchObject({ actor: REVIEWER, reason: "conference abstract of the trial, not a copy" });

    // Run detection again: the undone merge holds, and the counts still agree with the queue.
    const second = await findDuplicates(page);
    expect((await app.api<{ duplicateGroupId: string | null }>("GET", `/projects/${project}/records/${out.record.id}`)).duplicateGroupId).toBeNull();
    const queue2 = await pending();
    expect(second).toContain(`${queue2.total} pairs waiting for a reviewer`);
    expect(second).toContain("0 new groups, 0 records linked");
    expect(queue2.items.map((p) => p.pair.id)).not.toEqual(expect.arrayContaining([firstPair]));
    await page.getByRole("heading", { name: `Pairs to review (${queue2.total})` }).waitFor();
    expect(await countShown(page, "Pairs to review")).toBe(queue2.total);
    // No group of one record anywhere.
    const groups2 = await app.api<{ items: { members: unknown[] }[] }>("GET", `/projects/${project}/duplicate-groups?limit=1000`);
    expect(groups2.items.every((g) => g.members.length >= 2)).toBe(true);
    expect(page.errors).toEqual([]);
  });

  it("says why each record joined its group: the copy it matched and the deciding fields, also through another copy", async () => {
    const chain = (await app.api<{ id: string }>("POST", "/projects", { title: "Eculizumab in children" })).id;
    const res = await app.request(`/projects/${chain}/imports?fileName=chain.ris&source=MEDLINE`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: CHAIN_RIS });
    if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
    await app.api("POST", `/projects/${chain}/dedupe`);
    const groups = await app.api<GroupPage>("GET", `/projects/${chain}/duplicate-groups?limit=10`);
    expect(groups.total).toBe(1);
    const { group, members } = groups.items[0]!;
    expect(members).toHaveLength(3);
    const [a, b, c] = [members.find((m) => m.primary)!, members.find((m) => !m.primary && m.record.doi)!, members.find((m) => !m.record.doi)!];
    expect(a.record.title).toMatch(/multicentre cohort study$/);
    // C's own comparison with the primary would not merge them: it joined through B.
    expect(c.match?.verdict).not.toBe("duplicate");
    expect(b.joinedBy).toMatchObject({ recordId: a.record.id, reason: "same DOI" });
    expect(c.joinedBy).toMatchObject({ recordId: b.record.id, reason: "same title, authors and year" });

    const page = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}/projects/${chain}/duplicates`);
    const card = page.locator(`[data-group-id="${group.id}"]`);
    await card.waitFor();
    const shown = async (m: (typeof members)[number]) => (await card.locator(`.member[data-record-id="${m.record.id}"]`).innerText()).replace(/\s+/g, " ");
    // Each record follows the one it was matched with and is numbered in words, so an explanation's
    // "record 2" is found by reading down the list, without colour or layout cues.
    expect(await card.locator(".member").evaluateAll((els) => els.map((e) => e.getAttribute("data-record-id")))).toEqual([a, b, c].map((m) => m.record.id));
    expect(await shown(a)).toMatch(/^Record 1: /);
    expect(await shown(b)).toMatch(/^Record 2: /);
    expect(await shown(c)).toMatch(/^Record 3: /);
    expect(await shown(b)).toContain("Why it is here: matched with record 1 (the primary): same DOI.");
    expect(await shown(b)).toMatch(/Deciding fields: same DOI, same title, same authors, same year and same journal \(abbreviated name\)\./);
    const cText = await shown(c);
    expect(cText).toContain("Why it is here: matched with record 2: title, authors and year agree.");
    expect(cText).toContain("Deciding fields: same title, same authors, same year and same journal.");
    expect(cText).not.toMatch(/similar titles|not enough else agrees|maybe/i);
    expect(await shown(a)).toContain("Primary");
    expect(await shown(a)).not.toContain("Why it is here");
    // At 200% zoom (a 640 px wide window at twice the pixel density) the explanations wrap, never scroll sideways.
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await contrastProblems(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  it("reads at 200% zoom without sideways scrolling, with readable contrast", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}/projects/${project}/duplicates`);
    await page.getByRole("heading", { level: 1, name: "Duplicates" }).waitFor();
    await page.locator(".pair-table tbody tr").first().waitFor();
    await page.locator(".group-list li").first().waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await contrastProblems(page)).toEqual([]);
    // The tab order reaches the decision buttons, each visibly focused.
    await page.getByRole("button", { name: "Find duplicates" }).focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const s = getComputedStyle(el);
        return { text: el.textContent ?? "", outline: s.outlineStyle !== "none" && s.outlineWidth !== "0px" };
      });
      expect(focused.outline).toBe(true);
      if (focused.text.startsWith("Duplicates")) return;
    }
    throw new Error("the Duplicates button was not reached by Tab");
  });
});
