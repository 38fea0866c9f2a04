import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { FastifyInstance } from "fastify";
import { ensureExamples, openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { namedUserPolicy } from "./identity.js";

// The built-in reunification project; its numbers are checked in packages/review/test/seed-checks.test.ts.
describe("review routes", () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-review-")) });
    await ensureExamples(store);
    app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const get = (url: string) => app.inject({ method: "GET", url });
  const base = "/api/projects/reunification/review";

  it("serves the summary and the PRISMA counts with their sources and checks", async () => {
    const s = (await get(`${base}/summary`)).json();
    expect(s.studies.total).toBe(73);
    const pr = (await get(`${base}/prisma`)).json();
    expect(pr.prismaSource.records_screened).toBe("recorded");
    expect(pr.checks.map((c: { identity: string }) => c.identity)).toEqual([
      "new_reports = dbr_assessed − dbr_excluded + other_assessed − other_excluded",
    ]);
  });

  it("counts a project's studies as the PRISMA flow's included box does (73 of the 74 studies held; seed line 242)", async () => {
    const included = (await get(`${base}/prisma`)).json().prisma.new_studies;
    expect(included).toBe(73);
    const listed = ((await get("/api/projects")).json() as { id: string; counts: { studies: number } }[]).find((p) => p.id === "reunification")!;
    expect(listed.counts.studies).toBe(included);
    expect((await get("/api/projects/reunification")).json().counts.studies).toBe(included);
    // The study held outside every strand is still a study of the project, just not an included one.
    expect((await store.list("reunification", "studies")).length).toBe(74);
  });

  it("renders figures as SVG, PNG and CSV, and gives their long descriptions", async () => {
    const svg = await get(`${base}/figures/prisma?format=svg`);
    expect(svg.headers["content-type"]).toMatch(/image\/svg\+xml/);
    expect(svg.body).toContain("Records screened");
    expect(svg.body).toMatch(/<desc id="[^"]+">The image is a PRISMA 2020 flow diagram/);
    const png = await get(`${base}/figures/rob-traffic-light?tool=RoB2&format=png&palette=colourblind`);
    expect(png.headers["content-type"]).toBe("image/png");
    expect(png.rawPayload.subarray(1, 4).toString()).toBe("PNG");
    const csv = await get(`${base}/figures/rob-summary?tool=ROBINS-I&format=csv`);
    expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="rob-summary-ROBINS-I.csv"/);
    expect(csv.body.split("\r\n")).toHaveLength(15 + 2); // header, 15 QEDs, final line end
    const fig = (await get(`${base}/figures/gap-map`)).json();
    expect(fig.description).toMatch(/^The image is an evidence gap map/);
  });

  it("lists appraisal tools with the most appraised first (Appendix G: CASP, 30 studies), and whether each has an overall", async () => {
    const tools = (await get(`${base}/rob-tools`)).json() as { tool: string; studies: number; hasOverall: boolean }[];
    // Seed 000 Appendices E–H: RoB 2 11, ROBINS-I 15, CASP 30, ASSESS 22 studies.
    expect(tools.map((t) => [t.tool, t.studies])).toEqual([["CASP", 30], ["ASSESS", 22], ["ROBINS-I", 15], ["RoB2", 11]]);
    expect(tools.find((t) => t.tool === "ASSESS")!.hasOverall).toBe(false);
    const svg = (await get(`${base}/figures/rob-summary?tool=ASSESS&format=svg`)).body;
    expect(svg).not.toContain(">Overall<");
  });

  it("draws the gap map by another study classification when asked, and refuses an unknown one", async () => {
    const fig = (await get(`${base}/figures/gap-map?rows=designClass`)).json();
    expect(fig.title).toBe("Evidence gap map: design class by outcome domain");
    const csv = await get(`${base}/figures/gap-map?rows=designClass&format=csv`);
    expect(csv.body.split("\r\n")[0]).toMatch(/^designClass,outcome_domain,/);
    const bad = await get(`${base}/figures/gap-map?rows=nope`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/no study classification "nope"/);
  });

  it("rejects bad figure requests with a one-line reason", async () => {
    expect((await get(`${base}/figures/rob-summary`)).statusCode).toBe(400);
    expect((await get(`${base}/figures/rob-summary?tool=QUADAS`)).statusCode).toBe(404);
    expect((await get(`${base}/figures/funnel`)).statusCode).toBe(400);
  });

  it("serves the CERQual table and the evidence trail, as JSON and CSV", async () => {
    expect((await get(`${base}/cerqual`)).json()).toHaveLength(18);
    const trail = await get(`${base}/recommendations?format=csv`);
    expect(trail.body.split("\r\n")[0]).toBe(
      "recommendation,kind,text,rating,evidence_type,evidence,evidence_label,evidence_strength,study,study_citation,report_role,report",
    );
  });

  describe("reads of the store", () => {
    afterEach(() => vi.restoreAllMocks());
    /** Calls of the store's read methods while `fn` runs: method name, plus the collection for `list`. */
    async function readsDuring(fn: () => Promise<unknown>): Promise<string[]> {
      const reads: string[] = [];
      for (const m of ["exportProject", "listAudit", "list", "get", "queryRecords", "recordRefs", "identifiedCounts", "flowCounts", "flowRecords", "flowDecisions", "listStudyViews", "getProtocol"] as const) {
        const real = (store[m] as (...a: unknown[]) => unknown).bind(store);
        vi.spyOn(store, m).mockImplementation(((...args: unknown[]) => {
          reads.push(m === "list" || m === "get" ? `${m}:${String(args[1])}` : m);
          return real(...args);
        }) as never);
      }
      await fn();
      return reads;
    }
    const notFor = (reads: string[], ...banned: string[]) => banned.filter((b) => reads.includes(b));

    it("never export the project or read the audit log, and read whole records nowhere", async () => {
      for (const path of ["summary", "prisma", "rob-tools", "figures/prisma", "figures/gap-map", "figures/rob-summary?tool=RoB2", "cerqual", "recommendations", "appraisal-conflicts"]) {
        const reads = await readsDuring(async () => expect((await get(`${base}/${path}`)).statusCode, path).toBe(200));
        expect(notFor(reads, "exportProject", "listAudit", "list:records"), path).toEqual([]);
        vi.restoreAllMocks();
      }
    });

    it("read records only as counts for the PRISMA flow, and only the linked ones for the evidence trail", async () => {
      // The flow, the summary and the dashboard: counts per search and per place in the flow, never a record or a decision.
      for (const path of [`${base}/figures/prisma?format=csv`, `${base}/prisma`, `${base}/summary`, "/api/projects/reunification"]) {
        const reads = await readsDuring(() => get(path));
        expect(reads, path).toContain("identifiedCounts");
        expect(reads, path).toContain("flowCounts");
        expect(notFor(reads, "recordRefs", "flowRecords", "flowDecisions", "queryRecords", "get:records", "list:screeningDecisions", "list:reconciliations", "list:fullTextRetrievals", "list:duplicateGroups"), path).toEqual([]);
        vi.restoreAllMocks();
      }
      for (const path of ["figures/gap-map", "figures/rob-traffic-light?tool=RoB2", "cerqual", "appraisal-conflicts"]) {
        const reads = await readsDuring(() => get(`${base}/${path}`));
        expect(notFor(reads, "recordRefs", "identifiedCounts", "flowRecords", "flowDecisions", "queryRecords", "get:records", "list:screeningDecisions", "list:duplicateGroups"), path).toEqual([]);
        vi.restoreAllMocks();
      }
      const trail = await readsDuring(() => get(`${base}/recommendations`));
      const linked = new Set((await store.list("reunification", "studyReports")).map((r) => r.recordId).filter((id) => id !== null));
      expect(trail.filter((r) => r === "get:records")).toHaveLength(linked.size);
      expect(notFor(trail, "recordRefs", "queryRecords", "list:screeningDecisions")).toEqual([]);
    });

    it("answer 404 for an unknown project before reading anything else", async () => {
      const reads = await readsDuring(async () => expect((await get("/api/projects/nope/review/summary")).statusCode).toBe(404));
      expect(reads).toEqual([]);
    });
  });

  it("accepts a flag with a justification, audited, without changing the recorded judgement", async () => {
    const flags = (await get(`${base}/appraisal-conflicts`)).json();
    const oxford = flags.find((f: { study: string }) => f.study === "Oxford et al., 2016");
    const accept = (body: object) =>
      app.inject({ method: "POST", url: `${base}/appraisal-conflicts/accept`, payload: body, headers: { "x-homeward-user": "jm" } });
    expect((await accept({ appraisalId: oxford.appraisalId, rule: oxford.rule, justification: "  " })).statusCode).toBe(400);
    expect((await accept({ appraisalId: oxford.appraisalId, rule: "made up", justification: "x" })).statusCode).toBe(409);
    const res = await accept({ appraisalId: oxford.appraisalId, rule: oxford.rule, justification: "Domain concerns judged minor by consensus." });
    expect(res.statusCode).toBe(201);
    const after = (await get(`${base}/appraisal-conflicts`)).json().find((f: { appraisalId: string }) => f.appraisalId === oxford.appraisalId);
    expect(after.accepted).toMatchObject({ by: "jm", justification: "Domain concerns judged minor by consensus." });
    expect(after.recorded).toBe("Low");
    const audit = (await get(`/api/projects/reunification/audit?limit=5`)).json();
    expect(audit.items.some((e: { action: string; actor: string }) => e.action === "appraisalFlagAcceptances.create" && e.actor === "jm")).toBe(true);
  });
});
