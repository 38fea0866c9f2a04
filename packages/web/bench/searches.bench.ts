/**
 * Searches page benchmark in headless Chromium against the real server, on a
 * project of 100,000 records (seeded through the store) and a RIS export of
 * another 100,000 (165 MiB) chosen in the page as a person would:
 *
 * - page open: navigation start → searches table on screen (cold, 5 runs);
 * - file chosen → preview and problems on screen (upload and validation);
 * - Import clicked → "Imported" on screen (upload again, validate, write);
 * - the server's resident memory (ps) before and at its highest, sampled
 *   every 100 ms from outside.
 *
 * Run: npm run build, then npx vitest run --config packages/web/bench/vitest.config.ts packages/web/bench/searches.bench.ts.
 * Prints figures; asserts only that each measured state was reached.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { exportRecords, type ExportRecord } from "@homeward/records";
import { openStore, syntheticRecords } from "@homeward/store";
import { launchChromium, newContext, startServer, type ServerHandle } from "../test/harness.js";
import { seedProject } from "../test/seed.js";

const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const HEAP_MIB = 320;
const dataDir = mkdtempSync(join(tmpdir(), "homeward-searches-bench-"));
let server: ServerHandle | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Resident memory of the server process and its children (the CLI starts the server in-process), MiB. */
function serverRss(port: string): number {
  const pid = execFileSync("sh", ["-c", `ps -eo pid,args | grep -- "--port ${port}" | grep -v grep | awk '{print $1}' | head -1`]).toString().trim();
  if (!pid) return 0;
  return Number(execFileSync("ps", ["-o", "rss=", "-p", pid]).toString().trim()) / 1024;
}

it(`Searches page at ${N.toLocaleString("en")} records`, async () => {
  const { file } = seedProject({ id: "bench-searches", title: "Searches benchmark", records: N });
  const store = await openStore({ dataDir });
  await store.importProject(file, { actor: "bench" });
  await store.close();

  const ris = join(dataDir, "embase.ris");
  const asExport = function* (): Generator<ExportRecord> {
    for (const r of syntheticRecords(N, 7))
      yield { type: "article", title: r.title ?? undefined, authors: r.authors ?? [], editors: [], year: r.year == null ? undefined : String(r.year), journal: r.journal ?? undefined, doi: r.doi ?? undefined, abstract: r.abstract ?? undefined, keywords: r.keywords ?? [], urls: [], fields: [] };
  };
  await pipeline(Readable.from(exportRecords(asExport(), "ris")), createWriteStream(ris));
  const size = statSync(ris).size / (1024 * 1024);

  // A small JavaScript heap for the server: an upload or its records held whole would not fit.
  server = await startServer({ dataDir, env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}` } });
  const port = new URL(server.url).port;
  browser = await launchChromium();
  const url = `${server.url}/projects/bench-searches/searches`;

  const opens: number[] = [];
  const apis: { imports: number; project: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator("table.searches-table").waitFor();
    opens.push(await page.evaluate(() => performance.now()));
    apis.push(
      await page.evaluate(() => {
        const d = (end: string) => (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).find((e) => e.name.endsWith(end))?.duration ?? NaN;
        return { imports: d("/bench-searches/imports"), project: d("/projects/bench-searches") };
      }),
    );
    if (i === 0) {
      await page.getByLabel("Source").fill("Embase");
      await page.getByLabel("Results found").fill(String(N));
      await page.getByRole("button", { name: "Record search" }).click();
      await page.locator('tr[data-search="Embase"]').waitFor();
    }
    await ctx.close();
  }
  opens.sort((a, b) => a - b);

  const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.locator('tr[data-search="Embase"]').waitFor();
  const base = serverRss(port);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, serverRss(port))), 100);

  await page.getByLabel("Search the files came from").selectOption({ label: "Embase" });
  let t0 = Date.now();
  await page.getByLabel("Records files").setInputFiles(ris);
  const importButton = page.getByRole("button", { name: /^Import [\d,]+ records?$/ });
  await importButton.waitFor({ timeout: 600_000 });
  const preview = Date.now() - t0;
  const peakPreview = peak;
  expect(await page.locator(".preview-table tbody tr").count()).toBe(10);

  t0 = Date.now();
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && /\/imports\?/.test(r.url()), { timeout: 900_000 });
  await importButton.click();
  await answered;
  const imported = Date.now() - t0;
  clearInterval(timer);
  await page.getByText(`Imported ${N.toLocaleString("en-GB")} records into Embase.`).waitFor();
  await page.locator('tr[data-search="Embase"] td[data-label="Results"]').getByText(`${N.toLocaleString("en-GB")} imported`).waitFor();

  const rows: [string, string][] = [
    ["Searches page: navigation start → searches table (5 cold loads, median)", `${opens[2]!.toFixed(0)} ms`],
    ["— GET imports (the page's own answer), median", `${apis.map((a) => a.imports).sort((a, b) => a - b)[2]!.toFixed(0)} ms`],
    ["— GET project (the project header and dashboard counts, every project page), median", `${apis.map((a) => a.project).sort((a, b) => a - b)[2]!.toFixed(0)} ms`],
    [`File chosen (${size.toFixed(0)} MiB RIS, ${N.toLocaleString("en")} records) → preview and problems`, `${(preview / 1000).toFixed(1)} s`],
    ["Import clicked → answered (upload, validate, spool, write)", `${(imported / 1000).toFixed(1)} s`],
    [`Server (JavaScript heap limited to ${HEAP_MIB} MiB) resident memory: before → previewing → importing, highest`, `${base.toFixed(0)} → ${peakPreview.toFixed(0)} → ${peak.toFixed(0)} MiB`],
  ];
  for (const [what, v] of rows) console.log(`${what.padEnd(80)} ${v}`);
});
