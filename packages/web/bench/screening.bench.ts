/**
 * Screening page benchmark in headless Chromium against the real server, with
 * a 100,000-record project (HOMEWARD_BENCH_RECORDS to change):
 *
 * - opening the title/abstract screening page and pressing S → first record on screen
 *   (the first request also builds the server's prioritiser for the stage);
 * - keystroke (I / E / M) → the next record on screen, over a run of
 *   decisions, with prioritisation on and off, dual screening;
 * - the conflicts and agreement pages after those decisions.
 *
 * Run: npm run bench -w @homeward/web (after npm run build). Prints figures;
 * asserts only that each measured state was reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openStore } from "@homeward/store";
import { callApi, launchChromium, newContext, signUp, startServer, type ServerHandle } from "../test/harness.js";
import { seedProject } from "../test/seed.js";

const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const DECISIONS = 40;
const PROJECT = "bench-screening";

const dataDir = mkdtempSync(join(tmpdir(), "homeward-screening-bench-"));
let server: ServerHandle | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return `median ${fmt(q(0.5))}, p95 ${fmt(q(0.95))}, max ${fmt(s[s.length - 1]!)}`;
}
const report = (what: string, value: string) => console.log(`${what.padEnd(62)} ${value}`);

/** In the page: press `key`, resolve with the ms until a different record is on screen and ready (next frame). */
function timeDecision(page: Page, key: string): Promise<number> {
  return page.evaluate(async (key) => {
    const current = () => document.querySelector("article.screening-record");
    const before = current()?.getAttribute("data-record-id");
    const t0 = performance.now();
    window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    await new Promise<void>((resolve) => {
      const check = () => {
        const a = current();
        if (a && a.getAttribute("aria-busy") === "false" && a.getAttribute("data-record-id") !== before) return resolve(), true;
        return false;
      };
      const obs = new MutationObserver(() => check() && obs.disconnect());
      obs.observe(document.body, { attributes: true, childList: true, subtree: true });
    });
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    return performance.now() - t0;
  }, key);
}

async function firstRecord(page: Page, url: string): Promise<number> {
  const t = performance.now();
  await page.goto(url);
  // Opening the page holds nothing: the reviewer takes the first record with S (Start screening).
  await page.getByRole("button", { name: "Start screening" }).waitFor({ timeout: 600_000 });
  await page.keyboard.press("s");
  await page.locator("article.screening-record[aria-busy=false]").waitFor({ timeout: 600_000 });
  return performance.now() - t;
}

it(`screening page with ${N.toLocaleString("en-GB")} records`, async () => {
  report("machine load average (1, 5, 15 min)", loadavg().map((x) => x.toFixed(1)).join(", "));
  const { file } = seedProject({ id: PROJECT, title: "Screening benchmark", records: N });
  let t = performance.now();
  const store = await openStore({ dataDir });
  await store.importProject(file, { actor: "bench" });
  await store.insert(PROJECT, "screeningSettings", [{ stage: "title_abstract", mode: "dual", reviewers: ["ana", "ben"] }], { actor: "bench" });
  await store.close();
  report(`seed ${N.toLocaleString("en-GB")} records (store import)`, fmt(performance.now() - t));

  server = await startServer({ dataDir });
  browser = await launchChromium();
  const base = `${server.url}/projects/${PROJECT}/screening`;

  for (const [who, prioritise] of [["ana", true], ["ben", false]] as const) {
    const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } }, await signUp(server, PROJECT, who, "reviewer"));
    await ctx.addInitScript(
      ([key, prioritise]) => {
        localStorage.setItem(key, String(prioritise));
      },
      [`homeward.prioritise.${PROJECT}.title_abstract`, prioritise] as const,
    );
    const page = await ctx.newPage();
    const label = prioritise ? "prioritised" : "not prioritised";
    report(`open page, S → first record (${label}, ${who})`, fmt(await firstRecord(page, base)));
    const times: number[] = [];
    for (let i = 0; i < DECISIONS; i++) times.push(await timeDecision(page, ["i", "e", "m", "e"][i % 4]!));
    report(`keystroke → next record on screen (${label}, ${DECISIONS} decisions)`, stats(times));
    await ctx.close();
  }
  const status = await callApi<{ counts: Record<string, number> }>(server, "GET", `/projects/${PROJECT}/screening/title_abstract/status`);
  expect(status.counts.awaiting_second! + status.counts.decided! + status.counts.conflict!).toBeGreaterThan(0);

  const page = await (await newContext(browser, server!)).newPage();
  for (const [path, heading] of [
    ["/conflicts", "Screening conflicts"],
    ["/agreement", "Screening agreement and QA"],
  ] as const) {
    t = performance.now();
    await page.goto(`${base}${path}`);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    await page.waitForLoadState("networkidle");
    report(`open ${path.slice(1)} page → loaded`, fmt(performance.now() - t));
  }
  report("machine load average after", loadavg().map((x) => x.toFixed(1)).join(", "));
});
