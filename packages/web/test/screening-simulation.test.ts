/**
 * Prioritisation models in headless Debian Chromium against the real server:
 * an owner of a project whose team has settled 80 title/abstract records
 * (the first 80 of the ADHD subset the screening tests use, screened with the
 * benchmark's labels) opens the screening area's Models page, runs a
 * simulation comparing ASReview 2's and ASReview 1's default models on those
 * decisions as a background job, reads WSS@95 and the recall curve with its
 * long description, and chooses the model that ranks the queue; the choice
 * holds after a reload. Checked against the server's own answers, at 200%
 * zoom and for contrast.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contrastProblems } from "./contrast.js";
import { horizontalOverflow, repoRoot, startApp, type AppHarness } from "./harness.js";

const rows: Record<string, string>[] = parse(readFileSync(join(repoRoot, "packages/screening/test/fixtures/cohen2006_adhd_subset.csv")), { columns: true, bom: true }).slice(0, 80);
const ris = rows.map((r) => `TY  - JOUR\nTI  - ${r.title}\nAB  - ${r.abstract}\nER  - \n\n`).join("");

let app: AppHarness;
let project: string;

beforeAll(async () => {
  app = await startApp();
  project = (await app.api<{ id: string }>("POST", "/projects", { title: "Stimulants for ADHD" })).id;
  const res = await app.request(`/projects/${project}/imports?fileName=adhd.ris&source=MEDLINE`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: ris });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
  const recs = (await app.api<{ items: { id: string; title: string }[] }>("GET", `/projects/${project}/records?limit=500`)).items;
  const label = new Map(rows.map((r) => [r.title.trim(), r.label_included]));
  for (const rec of recs) {
    const decision = label.get(rec.title.trim()) === "1" ? "include" : "exclude";
    await app.api("POST", `/projects/${project}/screening/title_abstract/decisions`, { recordId: rec.id, decision, reasons: decision === "exclude" ? [] : [] });
  }
});

afterAll(async () => {
  await app?.close();
});

describe("prioritisation models page", () => {
  it("runs a simulation comparing two models on the team's decisions and shows WSS@95 and the recall curve", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${project}/screening`);
    await page.getByRole("navigation", { name: "Screening" }).getByRole("link", { name: "Models" }).click();
    await page.getByRole("heading", { name: "Prioritisation models" }).waitFor();
    const relevant = rows.filter((r) => r.label_included === "1").length;
    await page.getByText(`Replays screening of the 80 records your team has settled at this stage (${relevant} included or maybe, ${80 - relevant} excluded)`).waitFor();

    await page.getByLabel("Model", { exact: true }).selectOption({ label: "ASReview 2 default (ELAS u4)" });
    await page.getByLabel("Compare with (optional)").selectOption({ label: "ASReview 1 default (naive Bayes)" });
    await page.getByLabel("Seed").fill("2");
    // By keyboard: focus the button and press Enter.
    await page.getByRole("button", { name: "Run simulation" }).focus();
    await page.keyboard.press("Enter");
    const table = page.getByRole("table", { name: /Simulation on 80 records/ });
    await table.waitFor({ timeout: 60_000 });
    await page.getByRole("status").filter({ hasText: "Simulation finished" }).waitFor();

    // The figures on the page are the server's job result.
    const overview = await app.api<{ job: { state: string; result: { runs: { label: string; wss95: number; n95: number }[]; seed: number } } }>("GET", `/projects/${project}/screening/title_abstract/models`);
    expect(overview.job.state).toBe("done");
    expect(overview.job.result.seed).toBe(2);
    expect(overview.job.result.runs.map((r) => r.label)).toEqual(["ASReview 2 default (ELAS u4)", "ASReview 1 default (naive Bayes)"]);
    for (const run of overview.job.result.runs) {
      const row = table.getByRole("row", { name: new RegExp(`^${run.label.replace(/[()]/g, "\\$&")}`) });
      await expect(row.getByRole("cell").first().textContent()).resolves.toBe(run.wss95.toFixed(3));
      await expect(row.getByRole("cell").nth(2).textContent()).resolves.toContain(`${run.n95} (`);
    }
    await expect(table.getByRole("row", { name: /ASReview 1 default/ }).textContent()).resolves.toContain("elas_u2 (nb alpha=3.822)");

    // The recall curve: an image with its title, and the long description on request.
    const figure = page.getByRole("figure");
    await expect(figure.getByRole("img").count()).resolves.toBeGreaterThan(0);
    await figure.getByText("Long description").click();
    const description = figure.locator(".long-description");
    await description.waitFor();
    const text = (await description.textContent()) ?? "";
    for (const run of overview.job.result.runs) expect(text).toContain(`${run.label}: it reached 95% recall after`);
    expect(await contrastProblems(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  it("an owner chooses the model that ranks the queue, and the choice holds", async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/projects/${project}/screening/models`);
    const select = page.getByLabel("Model for title and abstract screening");
    await expect(select.inputValue()).resolves.toBe("");
    await select.selectOption({ label: "Homeward committee (two SVMs)" });
    await page.getByText("the queue follows whichever ranked the last 300 decisions better").waitFor();
    await page.getByRole("button", { name: "Save model" }).click();
    await page.getByRole("status").filter({ hasText: "the queue is now ranked by Homeward committee (two SVMs)" }).waitFor();
    const settings = await app.api<{ model: string | null; mode: string }>("GET", `/projects/${project}/screening/title_abstract/settings`);
    expect(settings).toMatchObject({ model: "committee", mode: "single" });
    await page.reload();
    await expect(page.getByLabel("Model for title and abstract screening").inputValue()).resolves.toBe("committee");
    expect(page.errors).toEqual([]);
  });

  it("reflows at 200% zoom with a simulation's results on the page", async () => {
    const zoomed = await app.newPage({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await zoomed.goto(`${app.url}/projects/${project}/screening/models`);
    await zoomed.getByRole("table", { name: /Simulation on 80 records/ }).waitFor().catch(async (e: Error) => {
      throw new Error(`${e.message}\nThe page said: ${(await zoomed.locator("main").textContent())?.slice(0, 2000)}`);
    });
    expect(await horizontalOverflow(zoomed)).toBe(0);
    expect(zoomed.errors).toEqual([]);
  });
});
