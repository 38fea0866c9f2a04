/**
 * The protocol editor in headless Debian Chromium against the real server:
 * a reviewer adds an exclusion reason, ranks it by keyboard, is told when
 * two reasons share a rank, saves, and finds the change in the read view and
 * the audit log; a reason stored decisions give is kept; a save over
 * someone else's change to the same section is refused with the edit kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, OWNER, startApp, type AppHarness } from "./harness.js";

let app: AppHarness;
let projectId: string;

interface Versions {
  protocol: { exclusionReasons: { code: string; label: string; rank: number }[]; classifications: { code: string; values: { code: string }[] }[] };
  versions: Record<string, string>;
}

beforeAll(async () => {
  app = await startApp();
  projectId = (await app.api<{ id: string }>("POST", "/projects", { title: "Kinship care protocol" })).id;
  await app.api("PUT", `/projects/${projectId}/protocol`, {
    question: "Does kinship care support improve placement stability?",
    exclusionReasons: [
      { code: "population", label: "Population", rank: 1 },
      { code: "design", label: "Design", rank: 2 },
    ],
    classifications: [{ code: "designClass", label: "Design class", role: "design", values: [{ code: "rct", label: "RCT" }] }],
  });
  // One stored exclusion gives "design": that reason stays in the protocol.
  const [rec] = await app.importRecords(projectId, [{ title: "A kinship care trial", authors: ["Ng, A."], year: 2021 }]);
  await app.api("POST", `/projects/${projectId}/screening/title_abstract/decisions`, { recordId: rec!, decision: "exclude", reasons: ["design"] });
});

afterAll(async () => {
  await app?.close();
});

const stored = () => app.api<Versions>("GET", `/projects/${projectId}/protocol/versions`);
const items = (page: Page) => page.locator("#protocol-exclusionReasons-form > .list-editor > ol > li");
const legends = (page: Page) => items(page).locator("legend").allInnerTexts();
const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");
const readRows = (region: Locator) => region.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].slice(0, 3).map((c) => c.textContent!.trim())));

describe("protocol editor", () => {
  it("adds a reason, ranks it by keyboard, refuses a shared rank, saves, and shows it in the read view and the audit log", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${projectId}/protocol`);
    const region = page.getByRole("region", { name: "Exclusion reasons" });
    await region.getByRole("button", { name: "Edit exclusion reasons" }).click();
    // Focus goes into the form: the first reason's rank.
    expect(await activeId(page)).toMatch(/^reasons-k\d+-rank$/);
    await expect.poll(() => legends(page)).toEqual([expect.stringContaining("Reason 1: Population"), expect.stringContaining("Reason 2: Design")]);

    await page.getByRole("button", { name: "Add exclusion reason" }).click();
    const added = items(page).nth(2);
    expect(await activeId(page)).toBe(await added.getByLabel("Rank").getAttribute("id"));
    expect(await added.getByLabel("Rank").inputValue()).toBe("3");
    await added.getByLabel("Code").fill("language");
    await added.getByLabel("Reason", { exact: true }).fill("Not in English");

    // By keyboard: Move up twice with Enter (focus stays on the button), then Alt+↓ from the code field.
    await page.getByRole("button", { name: "Move reason Not in English up" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => legends(page)).toEqual([expect.stringContaining("Population"), expect.stringContaining("Not in English"), expect.stringContaining("Design")]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Move reason Not in English up");
    // Where the focus is can be seen.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe("none");
    await page.keyboard.press("Enter");
    await expect.poll(() => legends(page)).toEqual([expect.stringContaining("Reason 1: Not in English"), expect.stringContaining("Population"), expect.stringContaining("Design")]);
    // At the top, Move up is disabled: focus went to Move down.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Move reason Not in English down");
    expect(await page.getByRole("button", { name: "Move reason Not in English up" }).getAttribute("aria-keyshortcuts")).toBe("Alt+ArrowUp");
    await items(page).nth(0).getByLabel("Code").focus();
    await page.keyboard.press("Alt+ArrowDown");
    await expect.poll(() => legends(page)).toEqual([expect.stringContaining("Population"), expect.stringContaining("Reason 2: Not in English"), expect.stringContaining("Design")]);
    expect(await activeId(page)).toBe(await items(page).nth(1).getByLabel("Code").getAttribute("id"));
    await page.getByRole("status").filter({ hasText: "Reason Not in English moved to position 2 of 3." }).waitFor();
    // Ranks follow the order.
    expect(await Promise.all([0, 1, 2].map((i) => items(page).nth(i).getByLabel("Rank").inputValue()))).toEqual(["1", "2", "3"]);

    // Design given rank 1 too: refused with one line, nothing written, the edit still on screen.
    await items(page).nth(2).getByLabel("Rank").fill("1");
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    const alert = region.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Exclusion reason 3, rank: exclusion reasons "population" and "design" both have rank 1 (each reason needs its own rank)');
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    expect((await stored()).protocol.exclusionReasons.map((r) => r.code)).toEqual(["population", "design"]);
    expect(await items(page).count()).toBe(3);

    await items(page).nth(2).getByLabel("Rank").fill("3");
    await region.getByLabel("Why (optional; kept in the audit log)").fill("Agreed at the protocol meeting");
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    await region.getByRole("status").filter({ hasText: "Exclusion reasons saved." }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Edit exclusion reasons");
    expect(await readRows(region)).toEqual([
      ["1", "population", "Population"],
      ["2", "language", "Not in English"],
      ["3", "design", "Design"],
    ]);
    expect((await stored()).protocol.exclusionReasons.map((r) => [r.code, r.rank])).toEqual([
      ["population", 1],
      ["language", 2],
      ["design", 3],
    ]);

    // The audit log: one entry, by the signed-in user, with the reason and the section before and after.
    await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Audit log" }).click();
    const first = page.locator(".audit-table tbody tr").first();
    await first.locator("code", { hasText: "protocol.update" }).waitFor();
    expect(await first.locator('td[data-label="Who"]').innerText()).toBe(OWNER.name);
    expect(await first.locator('td[data-label="Reason"]').innerText()).toBe("Agreed at the protocol meeting");
    await first.locator("summary").click();
    expect(await first.locator("pre").nth(1).innerText()).toContain('"code": "language"');
    expect(await first.locator("pre").nth(0).innerText()).not.toContain('"code": "language"');
  });

  it("keeps a reason stored decisions give; edits classification values, the rating scheme and further lists; asks before leaving an open edit", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${projectId}/protocol`);
    const region = page.getByRole("region", { name: "Exclusion reasons" });
    await region.getByRole("button", { name: "Edit exclusion reasons" }).click();
    await page.getByRole("button", { name: "Remove reason Design" }).click();
    expect(await activeId(page)).toBe("reasons-add");
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    await region.getByRole("alert").getByText('exclusion reason "design" is given on 1 stored screening decision; it cannot be removed (change its label instead)').waitFor();
    expect((await stored()).protocol.exclusionReasons).toHaveLength(3);
    await region.getByRole("button", { name: "Cancel" }).click();
    expect(await readRows(region)).toHaveLength(3);

    const schemes = page.getByRole("region", { name: "Study classifications" });
    await schemes.getByRole("button", { name: "Edit study classifications" }).click();
    await schemes.getByRole("button", { name: "Add value" }).click();
    const value = schemes.locator(".nested-list li").nth(1);
    await value.getByLabel("Code").fill("qed");
    await value.getByLabel("Label").fill("Quasi-experimental");
    // Alt+↑ inside a value moves the value, not its classification.
    await value.getByLabel("Label").press("Alt+ArrowUp");
    expect(await schemes.locator(".nested-list legend").allInnerTexts()).toEqual([expect.stringContaining("Value 1: Quasi-experimental"), expect.stringContaining("Value 2: RCT")]);
    // With the mouse: the second value dragged by its handle onto the first.
    await schemes.locator(".nested-list li").nth(1).locator(".drag-handle").dragTo(schemes.locator(".nested-list li").nth(0));
    expect(await schemes.locator(".nested-list legend").allInnerTexts()).toEqual([expect.stringContaining("Value 1: RCT"), expect.stringContaining("Value 2: Quasi-experimental")]);
    await schemes.locator(".nested-list li").nth(1).locator(".drag-handle").dragTo(schemes.locator(".nested-list li").nth(0));
    await page.getByRole("button", { name: "Save study classifications" }).click();
    await schemes.getByRole("status").filter({ hasText: "Study classifications saved." }).waitFor();
    await schemes.getByText("Quasi-experimental").waitFor();
    expect((await stored()).protocol.classifications[0]!.values.map((v) => v.code)).toEqual(["qed", "rct"]);

    // A rating scheme: levels added strongest first, their strengths following the order.
    const rating = page.getByRole("region", { name: "Rating scheme" });
    await rating.getByRole("button", { name: "Edit rating scheme" }).click();
    for (const [code, label] of [["strong", "Strong"], ["weak", "Weak"]]) {
      await rating.getByRole("button", { name: "Add rating level" }).click();
      const level = rating.locator("li").last();
      await level.getByLabel("Code").fill(code!);
      await level.getByLabel("Label").fill(label!);
    }
    expect(await rating.locator("li").evaluateAll((lis) => lis.map((li) => (li.querySelector('input[type="number"]') as HTMLInputElement).value))).toEqual(["2", "1"]);
    await page.getByRole("button", { name: "Save rating scheme" }).click();
    await rating.getByRole("status").filter({ hasText: "Rating scheme saved." }).waitFor();
    expect(await rating.locator("ol li strong").allInnerTexts()).toEqual(["Strong", "Weak"]);

    // Further lists: two of one name are refused before saving; one is kept.
    const lists = page.getByRole("region", { name: "Further lists" });
    await lists.getByRole("button", { name: "Edit further lists" }).click();
    for (let i = 0; i < 2; i++) {
      await lists.getByRole("button", { name: "Add list" }).click();
      await lists.locator("#protocol-lists-form > .list-editor > ol > li").last().getByLabel("Name of the list").fill("settings");
    }
    await page.getByRole("button", { name: "Save further lists" }).click();
    await lists.getByRole("alert").getByText('two lists are named "settings"').waitFor();
    await page.getByRole("button", { name: "Remove list settings" }).last().click();
    await lists.getByRole("button", { name: "Add entry" }).click();
    await lists.locator(".nested-list li").first().getByLabel("Code").fill("school");
    await lists.locator(".nested-list li").first().getByLabel("Label").fill("School");
    await page.getByRole("button", { name: "Save further lists" }).click();
    await lists.getByRole("status").filter({ hasText: "Further lists saved." }).waitFor();
    await lists.getByRole("heading", { name: "Settings" }).waitFor();
    expect((await app.api<{ lists: Record<string, { code: string }[]> }>("GET", `/projects/${projectId}/protocol`)).lists).toEqual({
      settings: [{ code: "school", label: "School", description: null }],
    });

    // Leaving with an edit open: the browser asks first.
    const question = page.getByRole("region", { name: "Review question" });
    await question.getByRole("button", { name: "Edit review question" }).click();
    await question.getByLabel("Review question", { exact: true }).fill("Does kinship care support improve stability and wellbeing?");
    const asked = page.waitForEvent("dialog");
    void page.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog.type()).toBe("beforeunload");
    await dialog.accept();
  });

  it("refuses a save over someone else's change to the same section, keeping the edit, and lays out at 200% zoom", async () => {
    const page = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.goto(`${app.url}/projects/${projectId}/protocol`);
    const region = page.getByRole("region", { name: "Exclusion reasons" });
    await region.getByRole("button", { name: "Edit exclusion reasons" }).click();
    await items(page).first().getByLabel("Code").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);

    // Another reviewer saves the same section meanwhile, and the question too.
    const now = await stored();
    await app.api("PATCH", `/projects/${projectId}/protocol/exclusionReasons`, {
      value: now.protocol.exclusionReasons.map((r) => (r.code === "population" ? { ...r, label: "Population (children 0-18)" } : r)),
      version: now.versions.exclusionReasons,
    });

    await items(page).nth(1).getByLabel("Reason", { exact: true }).fill("Not written in English");
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    await region.getByRole("alert").getByText("the protocol's exclusion reasons changed since you opened them").waitFor();
    expect(await items(page).nth(1).getByLabel("Reason", { exact: true }).inputValue()).toBe("Not written in English");
    expect((await stored()).protocol.exclusionReasons.find((r) => r.code === "language")!.label).toBe("Not in English");
    expect(await horizontalOverflow(page)).toBe(0);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect({ colorScheme, problems: await contrastProblems(page) }).toEqual({ colorScheme, problems: [] });
    }

    await region.getByRole("button", { name: "Start again from the saved exclusion reasons" }).click();
    await expect.poll(() => items(page).first().getByLabel("Reason", { exact: true }).inputValue()).toBe("Population (children 0-18)");
    await page.getByRole("status").filter({ hasText: "Exclusion reasons reloaded as saved; your edit was set aside." }).waitFor();
    await items(page).nth(1).getByLabel("Reason", { exact: true }).fill("Not written in English");
    await page.getByRole("button", { name: "Save exclusion reasons" }).click();
    await region.getByRole("status").filter({ hasText: "Exclusion reasons saved." }).waitFor();
    expect((await stored()).protocol.exclusionReasons.map((r) => r.label)).toEqual(["Population (children 0-18)", "Not written in English", "Design"]);
    // The refused save's 409 is the browser's note of the response, not a page error.
    expect(page.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  });
});
