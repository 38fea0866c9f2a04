import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * The extraction outputs with real sessions: the characteristics table and
 * the studies × items downloads follow blinding as the forms do, take
 * consensus values over extractions and transcribed attributes when nothing
 * was extracted.
 */
const PASSWORD = "correct horse battery";
const SECRET = "ana-only, \"quoted\"";

describe("extraction output routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const study: Record<string, string> = {};
  const item: Record<string, string> = {};
  const cookie = new Map<string, string>();

  const get = async (user: string, path: string) => {
    const res = await app.inject({ method: "GET", url: `/api/projects/${project}/extraction${path}`, headers: { cookie: cookie.get(user)! } });
    return { status: res.statusCode, body: res.body, headers: res.headers, json: () => res.json() };
  };
  const put = async (user: string, path: string, payload: object) => {
    const res = await app.inject({ method: "PUT", url: `/api/projects/${project}${path}`, headers: { cookie: cookie.get(user)!, "content-type": "application/json" }, payload });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-extraction-outputs-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const owner = await accounts.setup((await accounts.issueSetupLink()).token, { name: "olive", displayName: "Olive", password: PASSWORD });
    cookie.set("olive", `${SESSION_COOKIE}=${owner.token}`);
    const olive = { actor: "olive" };
    project = (await store.createProject({ title: "Outputs" }, olive)).id;
    for (const [name, role] of [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["vic", "viewer"]] as const) {
      const { link } = await accounts.addMember(project, { userName: name, displayName: "", role }, olive);
      cookie.set(name, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, PASSWORD)).token}`);
    }
    await store.setProtocol(project, {
      classifications: [{ code: "strand", label: "Strand", role: "strand", appliesTo: "study", multiple: true, values: [{ code: "eff", label: "Effectiveness" }, { code: "imp", label: "Implementation" }] }],
    } as never, olive);
    const rows = await store.insert(project, "studies", [
      { name: "Akin 2017", shortCitation: "Akin et al., 2017", classifications: { strand: ["eff"] }, attributes: { country: "US" } },
      { name: "Berry 2007", classifications: { strand: ["eff", "imp"] }, attributes: { country: "US", n: 31 } },
      { name: "Cole 2020", classifications: { strand: ["imp"] } },
    ], olive);
    [study.akin, study.berry, study.cole] = rows.map((s) => s.id);
    const [rec] = await store.insert(project, "records", [{ title: "A trial", authors: ["Akin, B."], year: 2017 }], olive);
    const [report] = await store.insert(project, "studyReports", [{ studyId: study.akin!, recordId: rec!.id, role: "lead", citation: "Akin, Brook & Johnson (2017)" }], olive);
    item.report = report!.id;
    item.outcome = (await store.insert(project, "outcomes", [{ studyId: study.akin!, name: "Re-entry to care", domain: "remain_at_home" }], olive))[0]!.id;
    await store.insert(project, "effectSizes", [{ outcomeId: item.outcome, measure: "SMD", yi: 0.3, vi: 0.02, createdBy: "olive", createdAt: "2026-01-01T00:00:00.000Z" }] as never[], olive);
    const items = await store.insert(project, "codebookItems", [
      { code: "design", label: "Study design", type: "single", order: 1, options: [{ code: "rct", label: "Randomised controlled trial" }, { code: "qed", label: "Quasi-experimental design" }] },
      { code: "country", label: "Country", type: "text", order: 2 },
      { code: "n", label: "Participants", type: "integer", order: 3, min: 0 },
      { code: "p", label: "p value", type: "number", order: 4, min: 0, max: 1, scope: "outcome" },
    ] as never[], olive);
    for (const i of items) item[i.code] = i.id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("builds the characteristics table per strand, with transcribed attributes where nothing was extracted", async () => {
    const res = await get("vic", "/characteristics?strand=eff");
    expect(res.status, res.body).toBe(200);
    const t = res.json();
    expect(t.caption).toBe("Characteristics of included studies: Effectiveness");
    expect(t.strands).toEqual([{ code: "eff", label: "Effectiveness" }, { code: "imp", label: "Implementation" }]);
    expect(t.columns.map((c: { code: string }) => c.code)).toEqual(["country", "n"]);
    expect(t.rows.map((r: { study: string; cells: { text: string }[] }) => [r.study, ...r.cells.map((c) => c.text)])).toEqual([["Akin et al., 2017", "US", ""], ["Berry 2007", "US", "31"]]);
    expect((await get("vic", "/characteristics?strand=nope")).body).toContain('\\"nope\\" is not a synthesis strand of the protocol (eff, imp)');
    expect((await get("vic", "/characteristics?items=design,zzz")).body).toContain('codebook item \\"zzz\\"');
  });

  it("keeps one reviewer's values from another while extraction is blind, in the table and both downloads", async () => {
    await put("ana", `/extraction/studies/${study.akin}/values`, {
      values: [
        { itemId: item.design, value: "qed", source: { reportId: item.report, page: "3", quote: "matched comparison" } },
        { itemId: item.country, value: SECRET },
        { itemId: item.p, outcomeId: item.outcome, value: 0.04 },
      ],
    });
    for (const path of ["/characteristics", "/characteristics?format=csv", "/export?layout=wide", "/export?layout=long"]) {
      const vic = await get("vic", path);
      expect(vic.status, vic.body).toBe(200);
      expect(vic.body, path).not.toContain("ana-only");
      expect(vic.body, path).not.toContain("Quasi");
      expect((await get("ana", path)).body, path).toMatch(/ana-only|Quasi|qed/);
    }
    expect((await get("ana", "/characteristics")).json().rows[0].cells[0]).toEqual({ text: "Quasi-experimental design", source: "single" });
    // The analysis rows carry the values as moderators for ana, who entered them, and not for vic.
    const rows = async (user: string) => {
      const res = await app.inject({ method: "GET", url: `/api/projects/${project}/analysis/data`, headers: { cookie: cookie.get(user)! } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { columns: string[]; rows: Record<string, unknown>[] };
    };
    const mine = await rows("ana");
    expect(mine.columns.slice(-3)).toEqual(["codebook.design", "codebook.country", "p"]);
    expect(mine.rows[0]).toMatchObject({ domain: "remain_at_home", "codebook.design": "qed", "codebook.country": SECRET, p: 0.04 });
    const theirs = await rows("vic");
    expect(theirs.columns).not.toContain("p");
    expect(JSON.stringify(theirs)).not.toContain("ana-only");
  });

  it("takes the consensus over differing extractions once blinding is lifted", async () => {
    await put("ben", `/extraction/studies/${study.akin}/values`, { values: [{ itemId: item.design, value: "rct" }, { itemId: item.country, value: "US" }] });
    await put("olive", "/blinding/extraction", { blinded: false, reason: "extraction finished" });
    const before = (await get("vic", "/characteristics?items=design,country")).json();
    expect(before.rows[0].cells).toEqual([{ text: "unresolved (2 extractions differ)", source: "unresolved" }, { text: "unresolved (2 extractions differ)", source: "unresolved" }]);
    await put("ada", `/extraction/studies/${study.akin}/consensus`, { itemId: item.design, value: "qed", note: "the report says matched comparison" });
    const after = (await get("vic", "/characteristics?items=design,country")).json();
    expect(after.columns.map((c: { label: string }) => c.label)).toEqual(["Study design", "Country"]);
    expect(after.rows[0].cells[0]).toEqual({ text: "Quasi-experimental design", source: "consensus" });
    // The consensus stands for the study in the analysis rows; the unresolved country stands for nothing.
    const data = (await app.inject({ method: "GET", url: `/api/projects/${project}/analysis/data`, headers: { cookie: cookie.get("vic")! } })).json();
    expect(data.rows[0]).toMatchObject({ "codebook.design": "qed", p: 0.04 });
    expect(data.columns).not.toContain("codebook.country");

    const csv = await get("vic", "/characteristics?items=design,country&format=csv&strand=eff");
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="characteristics-of-studies-eff.csv"');
    expect(csv.body.split("\r\n")).toEqual(["Study,Study design,Country", '"Akin et al., 2017",Quasi-experimental design,unresolved (2 extractions differ)', "Berry 2007,,US", ""]);
  });

  it("downloads studies × items wide and long", async () => {
    const wide = await get("vic", "/export?layout=wide");
    expect(wide.headers["content-disposition"]).toBe('attachment; filename="extraction-wide.csv"');
    const w = wide.body.split("\r\n");
    expect(w[0]).toBe("study_id,study,outcome_id,outcome,design,country,n,p");
    expect(w[1]).toBe(`${study.akin},"Akin et al., 2017",${item.outcome},Re-entry to care,qed,unresolved,,0.04`);
    expect(w[2]).toBe(`${study.berry},Berry 2007,,,,US,31,`);
    expect(w[3]).toBe(`${study.cole},Cole 2020,,,,,,`);

    const long = await get("vic", "/export?layout=long");
    expect(long.headers["content-disposition"]).toBe('attachment; filename="extraction-long.csv"');
    const l = long.body.trim().split("\r\n").map((line) => line.replace(/,\d{4}-\d\d-\d\dT[\d:.]+Z$/, ""));
    expect(l[0]).toBe("study_id,study,item,item_label,outcome_id,outcome,value,reviewer,status,source,at");
    const a = `${study.akin},"Akin et al., 2017"`;
    expect(l.slice(1)).toEqual([
      `${a},design,Study design,,,qed,ana,disagreed,"Akin, Brook & Johnson (2017), p. 3, ""matched comparison"""`,
      `${a},design,Study design,,,rct,ben,disagreed,`,
      `${a},design,Study design,,,qed,ada,consensus,`,
      `${a},country,Country,,,"ana-only, ""quoted""",ana,disagreed,`,
      `${a},country,Country,,,US,ben,disagreed,`,
      `${a},p,p value,${item.outcome},Re-entry to care,0.04,ana,single,`,
      `${study.berry},Berry 2007,country,Country,,,US,,transcribed,study attribute,`,
      `${study.berry},Berry 2007,n,Participants,,,31,,transcribed,study attribute,`,
    ]);
    expect((await get("vic", "/export?layout=tall")).body).toContain("layout must be");
  });
});
