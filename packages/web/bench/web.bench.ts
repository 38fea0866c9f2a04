/**
 * Web app benchmark, measured in headless Chromium against the real server:
 *
 * - time to first page: navigation start → project list on screen (cold
 *   browser cache, new context each run);
 * - records table at 100,000 records: first rows on screen after opening the
 *   page, after each sort, after a search (from the keystroke, including the
 *   250 ms debounce, and the API response alone), and after a jump deep into
 *   the table.
 *
 * Run: npm run bench -w @homeward/web (after npm run build). Prints figures;
 * asserts only that each measured state was actually reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openStore } from "@homeward/store";
import { launchChromium, newContext, startServer, type ServerHandle } from "../test/harness.js";
import { seedProject, RARE_WORD } from "../test/seed.js";

const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const LOAD_RUNS = 10;

const dataDir = mkdtempSync(join(tmpdir(), "homeward-web-bench-"));
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
  return { median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}
const rows: [string, string][] = [];
const report = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what.padEnd(58)} ${value}`);
};

/** In the page: run `act`, then resolve with the ms until the records grid shows rows for the new query (next frame). */
async function timeRecords(page: Page, act: string, arg?: string): Promise<number> {
  return page.evaluate(
    async ({ act, arg }) => {
      const grid = document.querySelector<HTMLElement>("[role=grid]")!;
      const before = grid.dataset.queryKey;
      const ready = () =>
        grid.dataset.queryKey !== before &&
        grid.dataset.loadedKey === grid.dataset.queryKey &&
        (grid.getAttribute("aria-rowcount") === "1" || !!grid.querySelector(".records-scroll [role=row][data-record-id]"));
      const t0 = performance.now();
      if (act === "click") {
        [...document.querySelectorAll<HTMLButtonElement>(".sort-button")].find((b) => b.textContent === arg)!.click();
      } else {
        const input = document.querySelector<HTMLInputElement>("input[type=search]")!;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, arg);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
      await new Promise<void>((resolve) => {
        const obs = new MutationObserver(() => {
          if (ready()) {
            obs.disconnect();
            resolve();
          }
        });
        obs.observe(grid, { attributes: true, childList: true, subtree: true });
      });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    },
    { act, arg },
  );
}

/** Duration of the most recent records API call, from Resource Timing. */
function lastRecordsRequestMs(page: Page): Promise<number> {
  return page.evaluate(() => {
    const e = performance
      .getEntriesByType("resource")
      .filter((r) => /\/api\/projects\/[^/]+\/records\?/.test(r.name))
      .pop() as PerformanceResourceTiming | undefined;
    return e ? e.responseEnd - e.requestStart : NaN;
  });
}

it(`web app at ${N.toLocaleString("en-GB")} records`, async () => {
  // Seed through the store, as an import of a project file.
  const { file } = seedProject({ id: "bench-100k", title: "Benchmark review (100k records)", records: N });
  let t = performance.now();
  const store = await openStore({ dataDir });
  await store.importProject(file, { actor: "bench" });
  await store.close();
  report(`seed ${N.toLocaleString("en-GB")} records (store import)`, fmt(performance.now() - t));

  server = await startServer({ dataDir });
  browser = await launchChromium();
  const info = await browser.version();
  console.log(`Chromium ${info}, server ${server.url}`);

  // Time to first page, cold each time.
  const firstPage: number[] = [];
  const fcp: number[] = [];
  const dcl: number[] = [];
  const apiProjects: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName("homeward:projects-rendered").length > 0);
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const projects = performance
        .getEntriesByType("resource")
        .find((r) => r.name.endsWith("/api/projects")) as PerformanceResourceTiming | undefined;
      return {
        rendered: performance.getEntriesByName("homeward:projects-rendered")[0]!.startTime,
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
        dcl: nav.domContentLoadedEventEnd,
        api: projects ? projects.responseEnd - projects.requestStart : NaN,
      };
    });
    firstPage.push(m.rendered);
    fcp.push(m.fcp);
    dcl.push(m.dcl);
    apiProjects.push(m.api);
    await ctx.close();
  }
  const fp = stats(firstPage);
  report("time to first page: project list rendered (median)", fmt(fp.median));
  report("time to first page: project list rendered (p95 / max)", `${fmt(fp.p95)} / ${fmt(fp.max)}`);
  report("  of which: DOMContentLoaded (scripts run) (median)", fmt(stats(dcl).median));
  report("  of which: first contentful paint (median)", fmt(stats(fcp).median));
  report("  of which: GET /api/projects (median)", fmt(stats(apiProjects).median));

  // Records table.
  const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const recordsUrl = `${server.url}/projects/bench-100k/records`;
  const opens: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(recordsUrl);
    await page.waitForFunction(() => performance.getEntriesByName("homeward:records-rendered").length > 0);
    opens.push(await page.evaluate(() => performance.getEntriesByName("homeward:records-rendered")[0]!.startTime));
  }
  expect(await page.locator(".row-count").innerText()).toBe(`${N.toLocaleString("en-GB")} records`);
  report("records page load → first rows (navigation start, median)", fmt(stats(opens).median));

  const sorts: [string, number][] = [];
  for (const col of ["Title", "Title", "Year", "Year", "Authors", "Journal", "Added", "Added"]) {
    sorts.push([col, await timeRecords(page, "click", col)]);
  }
  const sortStats = stats(sorts.map(([, ms]) => ms));
  report("sort → first rows (median over 8 sorts)", fmt(sortStats.median));
  report("sort → first rows (slowest)", `${fmt(sortStats.max)} (${sorts.find(([, ms]) => ms === sortStats.max)![0]})`);

  for (const q of ["mentoring", RARE_WORD, "youth school", "nosuchwordanywhere"]) {
    const ms = await timeRecords(page, "type", q);
    const api = await lastRecordsRequestMs(page);
    const count = await page.locator(".row-count").innerText();
    report(`search "${q}" → rows, incl. 250 ms debounce (API alone)`, `${fmt(ms)} (${fmt(api)}) · ${count}`);
  }

  // Clear search and jump to the middle of the table: the page holding row 50,000 is fetched.
  await timeRecords(page, "type", "");
  const deep = await page.evaluate(async (target) => {
    const scroller = document.querySelector<HTMLElement>(".records-scroll")!;
    const rowHeight = scroller.querySelector<HTMLElement>("[role=row]")!.getBoundingClientRect().height;
    const t0 = performance.now();
    scroller.scrollTop = target * rowHeight;
    await new Promise<void>((resolve) => {
      const check = () =>
        document.querySelector(`[role=row][data-index="${target}"][data-record-id]`) ? resolve() : requestAnimationFrame(check);
      check();
    });
    return performance.now() - t0;
  }, Math.floor(N / 2));
  report(`jump to row ${Math.floor(N / 2).toLocaleString("en-GB")} → rows`, fmt(deep));
  await ctx.close();

  console.log("\n| Measure | Result |\n|---|---|\n" + rows.map(([a, b]) => `| ${a} | ${b} |`).join("\n"));
});
