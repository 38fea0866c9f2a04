import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { parseAll } from "@homeward/records";
import { requestContext } from "../src/context.js";
import { registerRecordsRoutes } from "../src/routes/records.js";
import { namedUserPolicy } from "./identity.js";

const RIS = "TY  - JOUR\nTI  - Atypical hemolytic uremic syndrome\nAU  - Loirat, C.\nPY  - 2011\nVL  - 6\nSP  - 60\nZZ  - kept\nER  - \n\nTY  - JOUR\nER  - \n";
const EPPI = JSON.stringify({ References: [{ ItemId: 7, Title: "Complement in health", Authors: "Walport M; ", Year: "2007", TypeName: "Journal, Article" }] });

describe("records file routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-records-routes-")) });
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    project = (await store.createProject({ title: "Routes" }, { actor: "ana" })).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const post = (url: string, payload: string, type = "application/octet-stream") => app.inject({ method: "POST", url, payload, headers: { "content-type": type, "x-homeward-user": "ana" } });

  it("validates without writing, refuses unreadable records, imports the rest, exports with decisions", async () => {
    const v = await post(`/api/projects/${project}/imports/validate?fileName=s.ris`, RIS);
    expect(v.statusCode).toBe(200);
    expect(v.json()).toMatchObject({ format: "ris", records: 1, skipped: 1 });
    expect(await store.list(project, "records")).toHaveLength(0);

    const refused = await post(`/api/projects/${project}/imports?fileName=s.ris&source=Embase`, RIS);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().report.problems[0]).toMatchObject({ severity: "error", line: 10 });
    expect(await store.list(project, "searches")).toHaveLength(0);

    const ok = await post(`/api/projects/${project}/imports?fileName=s.ris&source=Embase&date=2024-02-01&skipInvalid=true`, RIS);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ imported: 1, skipped: 1 });
    const [rec] = await store.list(project, "records");
    await store.insert(project, "screeningDecisions", [{ recordId: rec.id, stage: "full_text", reviewer: "ana", decision: "include", reasons: [], labels: [], note: null }], { actor: "ana" });

    // A JSON report is a file here, not an API body.
    const eppi = await post(`/api/projects/${project}/imports?fileName=report.json&search=${ok.json().search}`, EPPI, "application/json");
    expect(eppi.statusCode).toBe(201);
    expect(eppi.json()).toMatchObject({ format: "eppi-json", imported: 1 });

    const ex = await app.inject({ method: "GET", url: `/api/projects/${project}/records-export?format=ris` });
    expect(ex.statusCode).toBe(200);
    expect(ex.headers["content-disposition"]).toBe(`attachment; filename="${project}.ris"`);
    const back = await parseAll(Buffer.from(ex.body), { fileName: "x.ris" });
    expect(back.records.map((r) => r.title).sort()).toEqual(["Atypical hemolytic uremic syndrome", "Complement in health"]);
    const l = back.records.find((r) => r.title?.startsWith("Atypical"))!;
    expect(l.annotations?.decisions).toEqual([{ stage: "full_text", decision: "include", reasons: [] }]);
    expect(l.fields.find(([t]) => t === "ZZ")?.[1]).toBe("kept");
  });

  it("links duplicates and shows a maybe pair side by side", async () => {
    const title = "Complement dysfunction in hemolytic uremic syndrome";
    const r = (t: string, sp: string) => `TY  - JOUR\nTI  - ${t}\nAU  - Zipfel, P. F.\nPY  - 2006\nT2  - Current Opinion in Rheumatology\nVL  - 18\nSP  - ${sp}\nER  - \n\n`;
    const p = (await store.createProject({ title: "Dedupe routes" }, { actor: "ana" })).id;
    expect((await post(`/api/projects/${p}/imports?fileName=d.ris&source=MEDLINE`, r(title, "548-555") + r(`${title}.`, "548-55") + r(title, "600-610"))).statusCode).toBe(201);
    const d = await app.inject({ method: "POST", url: `/api/projects/${p}/dedupe`, headers: { "x-homeward-user": "ana" } });
    // The third record differs from both copies in pages: one question about it and their group.
    expect(d.json()).toEqual({ groups: 1, grouped: 2, maybe: 1, leftToReviewers: 1 });
    const [pair] = await store.list(p, "duplicatePairs");
    const view = (await app.inject({ method: "GET", url: `/api/projects/${p}/duplicate-pairs/${pair.id}` })).json();
    expect(view.verdict).toMatchObject({ verdict: "maybe", reason: "pages differ" });
    expect(view.fields.find((f: { field: string }) => f.field === "pages").status).toBe("different");
    expect(view.fields.find((f: { field: string }) => f.field === "journal").status).toBe("same");
  });

  it("keeps each batch's problems with it and fills a search's results from its stated and imported counts", async () => {
    const p = (await store.createProject({ title: "History" }, { actor: "ana" })).id;
    const created = await app.inject({ method: "POST", url: `/api/projects/${p}/collections/searches`, payload: { source: "PsycINFO", kind: "database", date: "2024-05-02", query: "home visit*", resultsCount: 3 }, headers: { "x-homeward-user": "ana" } });
    expect(created.statusCode).toBe(201);
    const search = created.json().id as string;
    const withWarning = "Record #1 of 1\n\nTY  - JOUR\nTI  - Home visiting and child outcomes\nER  - \n";
    const imp = await post(`/api/projects/${p}/imports?fileName=psyc.ris&search=${search}`, withWarning, "application/x-research-info-systems");
    expect(imp.statusCode).toBe(201);
    const batch = (await app.inject({ method: "GET", url: `/api/projects/${p}/imports/${imp.json().importBatch}` })).json();
    expect(batch.problems).toEqual([{ severity: "warning", line: 1, record: null, message: 'line 1: text outside any record was not read ("Record #1 of 1")' }]);
    expect(batch.counts).toMatchObject({ imported: 1, warnings: 1, errors: 0 });

    const o = (await app.inject({ method: "GET", url: `/api/projects/${p}/imports` })).json();
    expect(o.searches).toEqual([expect.objectContaining({ id: search, resultsCount: 3, imported: 1, batches: 1 })]);
    expect(o.batches).toEqual([expect.objectContaining({ id: imp.json().importBatch, fileName: "psyc.ris", importedBy: "ana", counts: expect.objectContaining({ warnings: 1 }) })]);
    expect(o.batches[0].problems).toBeUndefined();
  });

  it("reads a CSV's pubmedID column as the PMID, and takes a column mapping as JSON", async () => {
    const p = (await store.createProject({ title: "CSV" }, { actor: "ana" })).id;
    const text = "Title,Authors,pubmedID,Heading\nA trial,Smith J.,31415926,x\n";
    const v = (await post(`/api/projects/${p}/imports/validate?fileName=x.csv`, text, "text/csv")).json();
    expect(v.columns.mapping.pmid).toBe("pubmedID");
    const ok = await post(`/api/projects/${p}/imports?fileName=x.csv&source=Scopus&columns=${encodeURIComponent(JSON.stringify({ title: "Heading" }))}`, text, "text/csv");
    expect(ok.statusCode).toBe(201);
    const [rec] = await store.list(p, "records");
    expect(rec).toMatchObject({ pmid: "31415926", title: "x" });
    const bad = await post(`/api/projects/${p}/imports/validate?fileName=x.csv&columns=notjson`, text, "text/csv");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/columns must be a JSON object/);
  });

  it("refuses a search dated in the future", async () => {
    const res = await app.inject({ method: "POST", url: `/api/projects/${project}/collections/searches`, payload: { source: "Embase", kind: "database", date: "2999-01-01" }, headers: { "x-homeward-user": "ana" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("the search of Embase is dated 2999-01-01, in the future; give the date it was run");
  });

  it("refuses a file over the limit with 413 while it streams in, writing nothing", async () => {
    const small = Fastify();
    requestContext(small, namedUserPolicy);
    await registerRecordsRoutes(small, store, { maxFileBytes: 64 });
    try {
      const p = (await store.createProject({ title: "Limit" }, { actor: "ana" })).id;
      for (const url of [`/api/projects/${p}/imports/validate?fileName=s.ris`, `/api/projects/${p}/imports?fileName=s.ris&source=Embase`]) {
        const res = await small.inject({ method: "POST", url, payload: RIS, headers: { "content-type": "text/plain" } });
        expect(res.statusCode).toBe(413);
        expect(res.json().message).toBe("the file is larger than 64 bytes, the most one import reads; split it into smaller files");
      }
      expect(await store.list(p, "searches")).toEqual([]);
      // Under the limit the same routes answer.
      const ok = await small.inject({ method: "POST", url: `/api/projects/${p}/imports/validate?fileName=s.ris`, payload: RIS.slice(0, 60), headers: { "content-type": "text/plain" } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("answers 400 for bad queries and 404 for unknown projects", async () => {
    expect((await post(`/api/projects/${project}/imports?fileName=s.ris`, RIS)).statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: `/api/projects/${project}/records-export?format=docx` })).statusCode).toBe(400);
    expect((await post(`/api/projects/nope/imports/validate?fileName=s.ris`, RIS)).statusCode).toBe(404);
  });
});
