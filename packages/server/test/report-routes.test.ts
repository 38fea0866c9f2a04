import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ensureExamples, openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

// The built-in reunification project (73 included studies; four appraisal tools; 18 CERQual findings).
describe("report routes", () => {
  let store: Store;
  let app: FastifyInstance;
  const pid = "reunification";
  const base = `/api/projects/${pid}/report`;
  const ctx = { actor: "ana", reason: null };
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-report-")) });
    await ensureExamples(store);
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    // Outcome-level data the example lacks: two studies' effect sizes, so that the default analysis has something to pool.
    const studies = (await store.list(pid, "studies")).slice(0, 3);
    await store.insert(pid, "outcomes", studies.map((s, i) => ({ id: `rep-o${i}`, studyId: s.id, name: "Reunified within 12 months" })), ctx);
    await store.insert(pid, "effectSizes", [
      { id: "rep-e0", outcomeId: "rep-o0", measure: "SMD", yi: 0.31, vi: 0.04 },
      { id: "rep-e1", outcomeId: "rep-o1", measure: "SMD", yi: 0.12, vi: 0.02 },
      { id: "rep-e2", outcomeId: "rep-o2", measure: "SMD", yi: 0.45, vi: 0.09 },
    ], ctx);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const get = (url: string) => app.inject({ method: "GET", url, headers: { "x-homeward-user": "ana" } });
  const send = (method: "PUT" | "POST" | "DELETE", url: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as object, headers: { "x-homeward-user": "ana", ...(payload ? { "content-type": "application/json" } : {}) } });
  /** The report's file as a report job makes it (`project`'s draft, or a frozen version), downloaded once the job is done. */
  const made = async (project: string, format: string, version?: number) => {
    const started = await send("POST", `/api/projects/${project}/report/jobs`, version ? { format, version } : { format });
    expect(started.statusCode, started.body).toBe(201);
    const jobId = started.json().id as string;
    for (let i = 0; ; i++) {
      const j = (await get(`/api/projects/${project}/jobs/${jobId}`)).json();
      if (j.state === "done") break;
      if (j.state !== "queued" && j.state !== "running") throw new Error(`the ${format} job ${j.state}: ${j.error}`);
      if (i > 1200) throw new Error(`the ${format} job did not finish`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return get(`/api/projects/${project}/jobs/${jobId}/file`);
  };

  it("starts from the default spec, placing all 42 PRISMA 2020 items (27 with sub-items) and marking the ones nothing fills", async () => {
    const o = (await get(base)).json();
    expect(o.isDefault).toBe(true);
    expect(o.versions).toEqual([]);
    expect(o.changedSinceLatest).toBe(true);
    expect(o.checklist).toHaveLength(42);
    const status = (item: string) => o.checklist.find((c: { item: string }) => c.item === item).status;
    // Searches, screening counts, appraisal and CERQual are in the data; rationale, registration and funding are not.
    expect(status("6")).toBe("data");
    expect(status("11")).toBe("data");
    expect(status("16a")).toBe("data");
    expect(status("22")).toBe("data");
    expect(status("3")).toBe("missing");
    expect(status("24a")).toBe("missing");
    expect(o.checklist.find((c: { item: string }) => c.item === "6").detail).toMatch(/^7 sources/);
    const headings = o.spec.sections.filter((s: { appendix: boolean }) => s.appendix).map((s: { heading: string }) => s.heading);
    expect(headings[0]).toBe("Long descriptive text");
    // Appraisal appendices in the seed's order (E RoB 2, F ROBINS-I, G CASP, H ASSESS), the full CERQual table after them (I).
    const tools = o.spec.sections.filter((s: { id: string }) => s.id.startsWith("appendix-appraisal-")).map((s: { id: string }) => s.id);
    expect(tools).toEqual(["appendix-appraisal-RoB2", "appendix-appraisal-ROBINS-I", "appendix-appraisal-CASP", "appendix-appraisal-ASSESS"]);
    expect(o.available.analyses).toEqual([{ id: "default", name: "All effect sizes", version: null }]);
  });

  it("renders accessible HTML: captions, header scopes, alt text, and every figure's long description in Appendix A", async () => {
    const res = await get(`${base}/html`);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    const html = res.body;
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<caption id="[^"]+">Table \d+\. Information sources/);
    expect(html).toContain('<th scope="col">Source</th>');
    expect(html).toContain('<th scope="row">PsycInfo</th>');
    const figures = [...html.matchAll(/<figure id="figure-([^"]+)"><img src="data:image\/svg\+xml;base64,[^"]+" alt="([^"]+)"/g)];
    // PRISMA flow, gap map, RoB 2 and ROBINS-I summaries and traffic lights, the default analysis's forest, funnel and influence plots.
    expect(figures.map((f) => f[1])).toEqual(expect.arrayContaining(["prisma", "robSummary-RoB2", "robTrafficLight-ROBINS-I", "analysis-default-forest"]));
    for (const [, id] of figures) expect(html).toContain(`<section class="description" id="description-${id}">`);
    expect(html).toContain("Appendix A. Long descriptive text");
    expect(html).toMatch(/The image is a PRISMA 2020 flow diagram/);
    expect(html).toContain("Appendix I. Full GRADE-CERQual assessment for qualitative findings");
    expect(html).toContain('<p class="missing" role="note"><strong>Missing:</strong> PRISMA 2020 item 3:');
  });

  it("saves the team's text (escaped), refuses a bad spec without saving it, and goes back to the default", async () => {
    const o = (await get(base)).json();
    const spec = structuredClone(o.spec);
    spec.sections.find((s: { id: string }) => s.id === "rationale").text = "Reunification is the most common way out of care. <script>alert(1)</script>";
    const saved = await send("PUT", `${base}/spec`, { spec });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().isDefault).toBe(false);
    expect(saved.json().checklist.find((c: { item: string }) => c.item === "3").status).toBe("text");
    const html = (await get(`${base}/html`)).body;
    expect(html).toContain("Reunification is the most common way out of care. &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");

    const bad = structuredClone(spec);
    bad.sections.push({ ...bad.sections[0] });
    bad.sections[0].text = "never saved";
    const refused = await send("PUT", `${base}/spec`, { spec: bad });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/two sections have the id "abstract"/);
    expect((await get(base)).json().spec.sections[0].text).toBe("");

    const reset = await send("DELETE", `${base}/spec`);
    expect(reset.json().spec.sections.find((s: { id: string }) => s.id === "rationale").text).toBe("");
  });

  it("freezes a version, then lists a changed effect size and the estimate it moved, with the audit entry behind them", async () => {
    const frozen = await send("POST", `${base}/versions`, { note: "first release" });
    expect(frozen.statusCode).toBe(201);
    expect(frozen.json()).toMatchObject({ number: 1, note: "first release", savedBy: "ana" });
    expect((await get(base)).json().changedSinceLatest).toBe(false);
    expect((await get(`${base}/changes`)).json().changes).toEqual([]);

    await store.update(pid, "effectSizes", "rep-e1", { yi: 0.52 }, { actor: "ben", reason: "corrected from Table 3" });
    expect((await get(base)).json().changedSinceLatest).toBe(true);
    const ch = (await get(`${base}/changes`)).json();
    expect(ch).toMatchObject({ from: 1, to: null, causesComplete: true });
    const es = ch.changes.find((c: { kind: string }) => c.kind === "effect-size-changed");
    expect(es.before).toBe("yi 0.1200, vi 0.0200");
    expect(es.after).toBe("yi 0.5200, vi 0.0200");
    expect(es.causes).toEqual([expect.objectContaining({ actor: "ben", action: "effectSizes.update", entityId: "rep-e1", reason: "corrected from Table 3" })]);
    const moved = ch.changes.find((c: { kind: string }) => c.kind === "estimate-moved");
    expect(moved.subject).toMatch(/^All effect sizes: intrcpt/);
    expect(moved.before).not.toBe(moved.after);
    expect(moved.causes.map((c: { entityId: string }) => c.entityId)).toContain("rep-e1");
    // The frozen version renders from its own data: the old value stays in version 1.
    expect((await get(`${base}/html?version=1`)).body).toContain("<td>0.1200</td>");
    expect((await get(`${base}/html`)).body).toContain("<td>0.5200</td>");
  });

  it("gives a later version the PRISMA flow for updated reviews, with the previous version's boxes", async () => {
    const strand = { strand: ["effectiveness"] };
    await store.insert(pid, "studies", [{ id: "rep-new", name: "Newstudy 2026", classifications: strand }], ctx);
    const v2 = (await send("POST", `${base}/versions`, {})).json();
    expect(v2.number).toBe(2);
    const html = (await get(`${base}/html?version=2`)).body;
    expect(html).toMatch(/<th scope="row">Studies included in previous version of review<\/th><td>73<\/td>/);
    expect(html).toMatch(/<th scope="row">New studies included in review<\/th><td>1<\/td>/);
    expect(html).toMatch(/<th scope="row">Total studies included in review<\/th><td>74<\/td>/);
    const ch = (await get(`${base}/changes?from=1&to=2`)).json();
    expect(ch.changes.find((c: { kind: string }) => c.kind === "study-added")).toMatchObject({ subject: "Newstudy 2026", after: "included" });
    expect((await get(`${base}/changes?from=9`)).statusCode).toBe(404);
    expect((await get(`${base}/html?version=9`)).statusCode).toBe(404);
  });

  it("makes, as jobs, the HTML shown in the preview, a zip bundle with a manifest, a Word document and a PDF printed by Chromium", async () => {
    // The HTML file is the document the preview shows (a frozen version renders the same bytes each time).
    const htmlFile = await made(pid, "html", 1);
    expect(htmlFile.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(htmlFile.headers["content-disposition"]).toContain("report-v1.html");
    expect(htmlFile.body).toBe((await get(`${base}/html?version=1`)).body);
    const zip = await made(pid, "bundle", 1);
    expect(zip.headers["content-type"]).toBe("application/zip");
    expect(zip.rawPayload.subarray(0, 2).toString()).toBe("PK");
    for (const name of ["report.html", "report-data.json", "manifest.json", "robvis/robvis-RoB2.csv", "prisma2020.csv", "tables/cerqual.csv"]) {
      expect(zip.rawPayload.includes(Buffer.from(name))).toBe(true);
    }
    // The outcome-level example with saved analyses: the bundle carries their data and R script, for the draft and for a frozen version.
    const assink = "/api/projects/assink2016/report";
    for (const q of ["", "?version=1"]) {
      if (q) expect((await send("POST", `${assink}/versions`, {})).statusCode).toBe(201);
      const b = await made("assink2016", "bundle", q ? 1 : undefined);
      expect(b.statusCode).toBe(200);
      for (const name of ["reproducibility/analysis.R", "reproducibility/data/effect-sizes.csv", "reproducibility/homeward-results.json", "report.html"]) {
        expect(b.rawPayload.includes(Buffer.from(name))).toBe(true);
      }
    }
    const html = (await get(`${assink}/html`)).body;
    expect(html).toMatch(/<h4>[^<]+\(version \d+\)<\/h4>/);
    const docx = await made(pid, "docx", 1);
    expect(docx.headers["content-type"]).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(docx.rawPayload.subarray(0, 2).toString()).toBe("PK");
    expect(docx.rawPayload.includes(Buffer.from("word/document.xml"))).toBe(true);
    expect(docx.rawPayload.includes(Buffer.from("word/media/image1.png"))).toBe(true);
    const pdf = await made(pid, "pdf", 1);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.rawPayload.length).toBeGreaterThan(100_000);
    // The printed contents give each section's page: the page the PDF's own text shows its heading on.
    const spec = (await get(base)).json().spec;
    const { headingPages } = await import("@homeward/report/pdf");
    const { tocHeadings } = await import("@homeward/report");
    const pages = await headingPages(new Uint8Array(pdf.rawPayload), tocHeadings(spec));
    const order = spec.sections.map((s: { id: string }) => pages[s.id]);
    expect(order.every((n: number | undefined) => typeof n === "number")).toBe(true);
    expect(order).toEqual([...order].sort((a: number, b: number) => a - b));
    expect(order[0]).toBeGreaterThan(1);
    const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const doc = await getDocument({ data: new Uint8Array(pdf.rawPayload), isEvalSupported: false, verbosity: 0 }).promise;
    const first = (await (await doc.getPage(1)).getTextContent()).items.map((x) => ("str" in x ? x.str.trim() : "")).filter((x) => /^\d+$/.test(x)).map(Number);
    await doc.destroy();
    for (const n of new Set(order)) expect(first).toContain(n);
  }, 120_000);
});
