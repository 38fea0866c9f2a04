/**
 * Two adjudicators reconcile the same conflict at once, each in their own
 * browser: the second to submit is told, in words, what stands ("carl already
 * reconciled this record: include — reason …, at 14:02"), the page shows the
 * conflict as settled, and she carries on with the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type AppHarness } from "./harness.js";
import { seedProject, type SeedRecord } from "./seed.js";

let app: AppHarness;
let records: SeedRecord[];
const PROJECT = "web-test-standing";

beforeAll(async () => {
  app = await startApp();
  const seeded = seedProject({ id: PROJECT, title: "Two adjudicators", records: 3, seed: 5 });
  records = seeded.records;
  const at = "2024-02-01T10:00:00.000Z";
  // Dual screening, two reviewers disagreeing on the first two records: two conflicts.
  const file = seeded.file as Record<string, unknown>;
  file.users = [...((file.users as unknown[]) ?? []), { name: "ana", displayName: "" }, { name: "ben", displayName: "" }];
  file.screeningSettings = [{ id: "ss-ta", stage: "title_abstract", mode: "dual", dualFraction: null, reviewers: ["ana", "ben"], updatedAt: at }];
  file.screeningDecisions = records.slice(0, 2).flatMap((r, i) => [
    { id: `d-a-${i}`, recordId: r.id, stage: "title_abstract", reviewer: "ana", decision: "include", at },
    { id: `d-b-${i}`, recordId: r.id, stage: "title_abstract", reviewer: "ben", decision: "exclude", reasons: [], at },
  ]);
  await app.api("POST", "/projects/import", file);
});

afterAll(async () => {
  await app?.close();
});

describe("a clash at a one-per place", () => {
  it("tells the second adjudicator what stands, shows the conflict settled, and lets her carry on", async () => {
    const base = `${app.url}/projects/${PROJECT}/screening/conflicts`;
    const carl = await app.newPageAs("carl", { project: PROJECT, role: "adjudicator" });
    const dora = await app.newPageAs("dora", { project: PROJECT, role: "adjudicator" });
    for (const page of [carl, dora]) {
      await page.goto(base);
      await page.getByRole("status").filter({ hasText: "2 conflicts to reconcile" }).waitFor();
    }
    const [first, second] = records;
    const cardOf = (page: typeof carl, title: string) => page.locator(".conflict-list > li").filter({ has: page.getByRole("heading", { name: title }) });

    // Dora starts on the first conflict; Carl settles it before she submits.
    const doraCard = cardOf(dora, first!.title);
    await doraCard.getByLabel("Exclude").check();
    await doraCard.getByLabel("Reason for this resolution").fill("Adults only, on reading the abstract again");

    const carlCard = cardOf(carl, first!.title);
    await carlCard.getByLabel("Include").check();
    await carlCard.getByLabel("Reason for this resolution").fill("Mentoring of young people; eligible design");
    await carlCard.getByRole("button", { name: "Reconcile as carl" }).click();
    await carl.getByRole("status").filter({ hasText: "1 conflict to reconcile, 1 record reconciled" }).waitFor();

    await doraCard.getByRole("button", { name: "Reconcile as dora" }).click();
    const notice = dora.getByRole("alert").filter({ hasText: "Not saved:" });
    await notice.waitFor();
    const words = (await notice.textContent()) ?? "";
    expect(words).toMatch(/carl already reconciled this record: include — reason “Mentoring of young people; eligible design”, at \d{1,2}:\d{2}/);
    // Said once: the card's own error line stays quiet.
    expect(await dora.getByRole("alert").count()).toBe(1);
    // The page now shows what stands: the first conflict has left the list, without a reload.
    await dora.getByRole("status").filter({ hasText: "1 conflict to reconcile, 1 record reconciled" }).waitFor();
    expect(await cardOf(dora, first!.title).count()).toBe(0);
    // Nothing of hers was saved.
    const recs = await app.api<{ items: { recordId: string; resolvedBy: string; decision: string }[] }>("GET", `/projects/${PROJECT}/collections/reconciliations`);
    expect(recs.items.filter((x) => x.recordId === first!.id).map((x) => [x.resolvedBy, x.decision])).toEqual([["carl", "include"]]);

    // She carries on, by keyboard, with the next conflict.
    await notice.getByRole("button", { name: "Carry on" }).focus();
    await dora.keyboard.press("Enter");
    expect(await dora.getByRole("alert").filter({ hasText: "Not saved:" }).count()).toBe(0);
    const next = cardOf(dora, second!.title);
    await next.getByLabel("Include").check();
    await next.getByLabel("Reason for this resolution").fill("Eligible on the abstract");
    await next.getByRole("button", { name: "Reconcile as dora" }).click();
    await dora.getByRole("status").filter({ hasText: "0 conflicts to reconcile, 2 records reconciled" }).waitFor();
    // The browser logs the refused request itself; nothing else went wrong on the page.
    expect(dora.errors.filter((e) => !/status of 409 \(Conflict\)/.test(e))).toEqual([]);
    expect(carl.errors).toEqual([]);
  }, 120_000);
});
