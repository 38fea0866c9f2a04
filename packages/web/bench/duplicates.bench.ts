/**
 * Duplicates page benchmark at 100,000 records, in headless Chromium against
 * the real server: navigation start → the first uncertain pair and the first
 * group on screen (cold cache, new context each run), and a decision by
 * keyboard → the next pair on screen. The project: synthetic records, one in
 * ten a copy of another, one in a hundred a near copy on other pages,
 * detection run once before the server starts.
 *
 * Run: npx vitest run --config packages/web/bench/vitest.config.ts packages/web/bench/duplicates.bench.ts
 * (after npm run build). Prints figures; asserts only that each state was reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { BibRecordInput } from "@homeward/model";
import { dedupeProject } from "@homeward/records";
import { openStore, syntheticRecords } from "@homeward/store";
import { launchChromium, newContext, startServer, type ServerHandle } from "../test/harness.js";

const N = Number(process.env.HOMEWARD_BENCH_RECORDS ?? 100_000);
const RUNS = 7;
const dataDir = mkdtempSync(join(tmpdir(), "homeward-web-dup-bench-"));
let server: ServerHandle | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function withCopies(n: number): BibRecordInput[] {
  const originals = syntheticRecords(Math.round(n * 0.89));
  const out: BibRecordInput[] = [...originals];
  let k = 0;
  for (let i = 0; out.length < n; i += 8, k++) {
    const r = originals[i % originals.length]!;
    const [first, last] = String(r.pages).split("-");
    out.push({ ...r, id: `copy-${k}`, abstract: null, ...(k % 11 === 10 ? { pages: `${Number(first) + 1000}-${Number(last) + 1000}`, doi: null } : { title: `${r.title}.` }) });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it(`Duplicates page at ${N.toLocaleString("en")} records`, async () => {
  const store = await openStore({ dataDir });
  const project = (await store.createProject({ title: "Duplicates page benchmark" }, { actor: "bench" })).id;
  await store.insert(project, "records", withCopies(N), { actor: "bench" });
  const found = await dedupeProject(store, project, "bench");
  await store.close();
  server = await startServer({ dataDir });
  browser = await launchChromium();
  const url = `${server.url}/projects/${project}/duplicates`;

  const loads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator("[data-pair-id] .pair-table tbody tr").first().waitFor();
    await page.locator(".group-list li").first().waitFor();
    loads.push(await page.evaluate(() => performance.now()));
    await ctx.close();
  }

  const ctx = await newContext(browser, server!, { viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url);
  const decisions: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await page.locator("[data-pair-id]").getAttribute("data-pair-id");
    const t = await page.evaluate(async (prev) => {
      const t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent("keydown", { key: "n" }));
      await new Promise<void>((resolve) => {
        const check = () => {
          const el = document.querySelector("[data-pair-id]");
          if (el && el.getAttribute("data-pair-id") !== prev && el.querySelector(".pair-table tbody tr")) resolve();
          else requestAnimationFrame(check);
        };
        check();
      });
      return performance.now() - t0;
    }, before);
    decisions.push(t);
  }
  await ctx.close();
  expect(found.leftToReviewers).toBeGreaterThan(RUNS);
  console.log(`\nDuplicates page at ${N.toLocaleString("en")} records (${found.groups.toLocaleString("en")} groups, ${found.leftToReviewers.toLocaleString("en")} pairs to review), median of ${RUNS}`);
  console.log(`  navigation start → first pair and first group on screen   ${median(loads).toFixed(0)} ms (min ${Math.min(...loads).toFixed(0)}, max ${Math.max(...loads).toFixed(0)})`);
  console.log(`  key N (different records) → next pair on screen           ${median(decisions).toFixed(0)} ms (min ${Math.min(...decisions).toFixed(0)}, max ${Math.max(...decisions).toFixed(0)})`);
});
