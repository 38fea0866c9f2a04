/**
 * The figures as the web app draws them: each spec is compiled and rendered
 * by Vega in headless Chromium, and the drawing's structure (marks per layer,
 * axis ranges) is compared with the data. The headless Node rendering used
 * for reports must contain the same marks.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  bubblePlot, distributionPlot, forestPlot, funnelPlot, influencePlot, leaveOneOutPlot, renderSvg, type Figure,
} from "@homeward/figures";

// Inputs are the metafor reference values, so the figures are drawn from independent numbers.
const fixtures = JSON.parse(readFileSync(new URL("../../meta/test/fixtures/diagnostics.json", import.meta.url), "utf8"));
const fx = (name: string) => fixtures.cases.find((c: { name: string }) => c.name === name);
// The browser bundles are not in the packages' export maps; both sit beside the ESM entry points.
const buildDir = (pkg: string) => dirname(fileURLToPath(import.meta.resolve(pkg)));
const vegaJs = join(buildDir("vega"), "vega.min.js");
const vegaLiteJs = join(buildDir("vega-lite"), "vega-lite.min.js");

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  await page.setContent("<!doctype html><html><body><div id='view'></div></body></html>");
  await page.addScriptTag({ path: vegaJs });
  await page.addScriptTag({ path: vegaLiteJs });
});

afterAll(async () => {
  await browser?.close();
});

interface Drawn {
  marks: Record<string, number>;
  axes: string[];
}

/** Renders in the page with Vega's SVG renderer; counts children of each named mark group. */
async function drawInBrowser(figure: Figure): Promise<Drawn> {
  return page.evaluate(async (spec) => {
    const w = window as unknown as { vega: any; vegaLite: any };
    const el = document.getElementById("view")!;
    el.innerHTML = "";
    const view = new w.vega.View(w.vega.parse(w.vegaLite.compile(spec).spec), { renderer: "svg", container: el });
    await view.runAsync();
    const marks: Record<string, number> = {};
    el.querySelectorAll("g.role-mark").forEach((g) => {
      const name = [...g.classList].find((c) => c.endsWith("_marks"));
      if (name) {
        // Series (e.g. one line per group) get one mark group each: add them up.
        const key = name.slice(0, -"_marks".length);
        marks[key] = (marks[key] ?? 0) + g.childElementCount;
      }
    });
    const axes = [...el.querySelectorAll("g.role-axis[aria-label]")].map((g) => g.getAttribute("aria-label")!);
    view.finalize();
    return { marks, axes };
  }, figure.spec as unknown);
}

/** Domain of the axis whose accessible label starts with `prefix` ("X-axis titled 'SE'" …). */
function axisRange(axes: string[], pattern: RegExp): [number, number] {
  const label = axes.find((a) => pattern.test(a));
  if (!label) throw new Error(`no axis matching ${pattern} in ${axes.join(" | ")}`);
  const m = /values from (-?[\d.]+(?:e-?\d+)?) to (-?[\d.]+(?:e-?\d+)?)/.exec(label.replace(/\u2212/g, "-"));
  if (!m) throw new Error(`axis label without range: ${label}`);
  return [Number(m[1]), Number(m[2])];
}

/** The axis covers the data, with at most `slack` of the data range as padding on each side. */
function expectCovers(range: [number, number], data: number[], slack = 0.15): void {
  const lo = Math.min(...data), hi = Math.max(...data);
  const span = hi - lo || Math.abs(hi) || 1;
  // Axis labels are rounded to the tick format; allow for that rounding.
  const eps = span * 0.01;
  expect(range[0]).toBeLessThanOrEqual(lo + eps);
  expect(range[1]).toBeGreaterThanOrEqual(hi - eps);
  expect(range[0]).toBeGreaterThanOrEqual(lo - slack * span - eps);
  expect(range[1]).toBeLessThanOrEqual(hi + slack * span + eps);
}

/** The Node (report) rendering has the same number of marks per named layer. */
async function expectSameMarksInNode(figure: Figure, drawn: Drawn): Promise<void> {
  const svg = await renderSvg(figure);
  for (const [name, count] of Object.entries(drawn.marks)) {
    const groups = [...svg.matchAll(new RegExp(`<g class="[^"]*\\b${name}_marks"[^>]*>`, "g"))];
    expect(groups.length, name).toBeGreaterThan(0);
    let children = 0;
    for (const m of groups) {
      // Count direct children: elements that start at depth 0 inside the group.
      let depth = 0;
      const re = /<(\/?)([a-z]+)[^>]*?(\/?)>/g;
      re.lastIndex = m.index! + m[0].length;
      for (let t = re.exec(svg); t; t = re.exec(svg)) {
        if (t[1]) {
          if (depth === 0) break;
          depth--;
        } else {
          if (depth === 0) children++;
          if (!t[3]) depth++;
        }
      }
    }
    expect(children, name).toBe(count);
  }
}

const sqrt = Math.sqrt;

describe("figures in headless Chromium", () => {
  it("forest plot: one square and one CI line per outcome, one diamond, axis spans the intervals", async () => {
    const c = fx("bcg");
    const w = c.influence.weight as number[];
    const rows = c.yi.map((y: number, i: number) => ({ study: `Trial ${i + 1}`, estimate: y, ciLower: y - 1.959964 * sqrt(c.vi[i]), ciUpper: y + 1.959964 * sqrt(c.vi[i]), weight: w[i] }));
    const fig = forestPlot({ rows, summary: { estimate: c.fit.estimate, ciLower: c.fit.ciLower, ciUpper: c.fit.ciUpper }, measure: "Log risk ratio" });
    const d = await drawInBrowser(fig);
    expect(d.marks.estimates).toBe(13);
    expect(d.marks.ci).toBe(13);
    expect(d.marks.diamond).toBe(1);
    expectCovers(axisRange(d.axes, /^X-axis titled 'Log risk ratio'/), rows.flatMap((r: { ciLower: number; ciUpper: number }) => [r.ciLower, r.ciUpper]));
    await expectSameMarksInNode(fig, d);
  });

  it("multilevel forest plot: study headings and every outcome", async () => {
    const c = fx("konstantopoulos2011");
    const rows = c.yi.map((y: number, i: number) => ({ study: `District ${c.study[i]}`, outcome: `School ${c.outcome[i]}`, estimate: y, ciLower: y - 1.96 * sqrt(c.vi[i]), ciUpper: y + 1.96 * sqrt(c.vi[i]), weight: c.fit.weights[i] }));
    const fig = forestPlot({ rows, summary: { estimate: c.fit.estimate, ciLower: c.fit.estimate - 1.96 * c.fit.se, ciUpper: c.fit.estimate + 1.96 * c.fit.se, piLower: -0.4, piUpper: 0.8 } });
    const d = await drawInBrowser(fig);
    expect(d.marks.estimates).toBe(56);
    expect(d.marks.pi).toBe(1);
    expect(fig.description).toMatch(/56 outcomes from 11 studies/);
  });

  it("funnel plot: observed and imputed points, SE axis from 0 to the largest SE", async () => {
    const c = fx("hackshaw1998");
    const fig = funnelPlot({ yi: c.yi, vi: c.vi, estimate: c.fit.estimate, filled: { yi: c.trimfill.filledYi, vi: c.trimfill.filledVi }, tests: { egger: c.egger, begg: c.begg } });
    const d = await drawInBrowser(fig);
    expect(d.marks.points).toBe(c.yi.length);
    expect(d.marks.imputed).toBe(c.trimfill.k0);
    const se = [...c.vi, ...c.trimfill.filledVi].map(sqrt);
    const yRange = axisRange(d.axes, /^Y-axis titled 'Standard error'/);
    expect(yRange[0]).toBe(0);
    expect(yRange[1]).toBeGreaterThanOrEqual(Math.max(...se) * 0.99);
    expectCovers(axisRange(d.axes, /^X-axis/), [...c.yi, ...c.trimfill.filledYi], 1.5);
    expect(fig.description).toContain(`rank correlation test p = ${c.begg.p.toFixed(3)}`);
    await expectSameMarksInNode(fig, d);
  });

  it("contour-enhanced funnel: three significance bands", async () => {
    const c = fx("molloy2014");
    const fig = funnelPlot({ yi: c.yi, vi: c.vi, estimate: c.fit.estimate, contour: true });
    const d = await drawInBrowser(fig);
    expect(d.marks.points).toBe(c.yi.length);
    for (const band of ["contour_05", "contour_10", "contour_inner"]) expect(d.marks[band]).toBe(1);
  });

  it("bubble plot: one bubble per outcome, regression band, axes span moderator and outcomes", async () => {
    const c = fx("raudenbush1985");
    const m = c.metaRegression;
    const fig = bubblePlot({
      x: c.moderator, yi: c.yi, weights: c.vi.map((v: number) => 1 / (v + m.tau2)),
      line: { x: m.grid, estimate: m.pred, ciLower: m.ciLower, ciUpper: m.ciUpper },
      slope: { estimate: m.slope, ciLower: m.slope - 1.96 * m.slopeSe, ciUpper: m.slope + 1.96 * m.slopeSe, p: m.slopeP },
      moderator: "weeks",
    });
    const d = await drawInBrowser(fig);
    expect(d.marks.bubbles).toBe(c.yi.length);
    expect(d.marks.band).toBe(1);
    expect(d.marks.line).toBe(1);
    expectCovers(axisRange(d.axes, /^X-axis titled 'weeks'/), c.moderator);
    expectCovers(axisRange(d.axes, /^Y-axis/), [...c.yi, ...m.ciLower, ...m.ciUpper]);
  });

  it("influence panel: eight panels with one point per outcome, flagged outcome named", async () => {
    const c = fx("bangertdrowns2004");
    const r = c.rules;
    const fig = influencePlot({
      ...c.influence, tau2: c.fit.tau2, QE: c.fit.QE,
      flags: { outlierThreshold: r.outlierThreshold, outliers: r.outliers.map((i: number) => i - 1), cookThreshold: r.cookThresholdIQR, cookRule: "median + 6 × IQR", influential: r.cookInfluentialIQR.map((i: number) => i - 1) },
    });
    const d = await drawInBrowser(fig);
    for (const key of ["rstudent", "dffits", "cookD", "covRatio", "tau2Del", "QEDel", "hat", "weight"]) {
      expect(d.marks[`${key}_points`], key).toBe(48);
    }
    expect(fig.description).toMatch(/\(46\) had a studentised residual beyond ±3\.279/);
    await expectSameMarksInNode(fig, d);
  });

  it("leave-one-out plot: one estimate and CI per omission; I² variant", async () => {
    const c = fx("raudenbush1985");
    const l = c.leave1out;
    const input = { unit: "outcome" as const, omitted: l.estimate.map((_: number, i: number) => String(i + 1)), estimate: l.estimate, ciLower: l.ciLower, ciUpper: l.ciUpper, I2: l.I2, full: { estimate: c.fit.estimate, I2: c.fit.I2, ciLower: c.fit.ciLower, ciUpper: c.fit.ciUpper } };
    const d = await drawInBrowser(leaveOneOutPlot(input));
    expect(d.marks.points).toBe(19);
    expect(d.marks.ci).toBe(19);
    expectCovers(axisRange(d.axes, /^Y-axis/), [...l.ciLower, ...l.ciUpper, c.fit.estimate], 0.2);
    const i2 = await drawInBrowser(leaveOneOutPlot(input, { metric: "I2" }));
    expect(i2.marks.points).toBe(19);
    expect(i2.marks.ci).toBeUndefined();
    expectCovers(axisRange(i2.axes, /^Y-axis/), [...l.I2, c.fit.I2], 0.2);
  });

  it("hypothetical distributions: two curves and the U3 reading", async () => {
    const fig = distributionPlot({ d: 0.25 });
    const d = await drawInBrowser(fig);
    expect(d.marks.curves).toBe(2);
    expect(axisRange(d.axes, /^X-axis/)).toEqual([-4, 4]);
    // Φ(0.25) = 0.5987 (R: pnorm(0.25)).
    expect(fig.description).toContain("59.9%");
    expect(fig.description).toContain("better than about 60%");
    await expectSameMarksInNode(fig, d);
  });
});
