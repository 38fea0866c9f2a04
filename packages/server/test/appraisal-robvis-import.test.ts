import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * robvis CSV import: rows matched to studies by name, nothing written until
 * confirmed, then recorded as the importer's submitted assessments with the
 * note, which the robvis export gives back as it was read.
 */
const PASSWORD = "correct horse battery";

describe("robvis CSV import", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const cookie = new Map<string, string>();
  const url = () => `/api/projects/${project}/appraisal/robvis/import`;
  const post = (user: string, payload: unknown) =>
    app.inject({ method: "POST", url: url(), headers: { cookie: cookie.get(user)!, "content-type": "application/json" }, payload: payload as object });

  const ROB2 = [
    "Study,D1,D2,D3,D4,D5,Overall,Weight",
    "Akin et al. 2017,Low,Some concerns,Low,Low,Low,Some concerns,1",
    '"Berry, 2007",High,Low,Low,Some concerns,Low,High,1',
    "Nobody 1999,Low,Low,Low,Low,Low,Low,1",
    "Chan 2019,Low,Low,Low,Low,Low,Low,1",
  ].join("\n");

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-robvis-import-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const owner = await accounts.setup((await accounts.issueSetupLink()).token, { name: "olive", displayName: "Olive", password: PASSWORD });
    cookie.set("olive", `${SESSION_COOKIE}=${owner.token}`);
    project = (await store.createProject({ title: "robvis" }, { actor: "olive" })).id;
    for (const [name, role] of [["ana", "reviewer"], ["ada", "adjudicator"]] as const) {
      const { link } = await accounts.addMember(project, { userName: name, displayName: "", role }, { actor: "olive" });
      cookie.set(name, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, PASSWORD)).token}`);
    }
    const at = new Date().toISOString();
    await store.insert(project, "studies", [
      { id: "akin", name: "Akin et al., 2017", design: "RCT", createdAt: at },
      { id: "berry", name: "Berry 2007: Family Preservation", shortCitation: "Berry, 2007", design: "RCT", createdAt: at },
      { id: "chan", name: "Chan 2019", design: "QED", createdAt: at },
    ], { actor: "olive" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("is for adjudicators and owners", async () => {
    expect((await post("ana", { tool: "rob2", csv: ROB2 })).statusCode).toBe(403);
  });

  it("matches rows by name and lists the unmatched, writing nothing until confirmed", async () => {
    const res = await post("ada", { tool: "rob2", csv: ROB2 });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.rows.map((x: { line: number; match: { studyId: string } | null }) => [x.line, x.match?.studyId ?? null])).toEqual([[2, "akin"], [3, "berry"], [4, null], [5, "chan"]]);
    expect(out.unmatched).toEqual(["Nobody 1999"]);
    expect(out.rows[1].judgements).toEqual({ D1: "High", D2: "Low", D3: "Low", D4: "Some concerns", D5: "Low" });
    expect(out.rows[1].overall).toBe("High");
    expect(out.ready).toBe(3);
    expect(out.written).toBe(0);
    expect(await store.list(project, "appraisals")).toEqual([]);
  });

  it("refuses a judgement off the tool's scale for its row, and a CSV of the wrong shape as a whole", async () => {
    const bad = await post("ada", { tool: "rob2", csv: "Study,D1,D2,D3,D4,D5,Overall,Weight\nChan 2019,Low,Moderate,Low,Low,Low,Low,1" });
    expect(bad.json().rows[0].problems.join(" ")).toMatch(/D2 "Moderate" is not a RoB 2\b.* judgement/);
    expect(bad.json().ready).toBe(0);
    const shape = await post("ada", { tool: "robins-i", csv: ROB2 });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().error).toMatch(/has 10 columns/);
    expect((await post("ada", { tool: "casp-qualitative", csv: ROB2 })).statusCode).toBe(400);
  });

  it("records the matched rows, once confirmed, as the importer's submitted assessments with the note; robvis exports them as read", async () => {
    const res = await post("ada", { tool: "rob2", csv: ROB2, confirm: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().written).toBe(3);
    const stored = await store.list(project, "appraisals");
    expect(stored).toHaveLength(3);
    for (const a of stored) expect(a).toMatchObject({ reviewer: "ada", status: "submitted", consensus: false, tool: "RoB2", variant: "assignment", overallSupport: "imported from robvis CSV" });
    const berry = stored.find((a) => a.studyId === "berry")!;
    expect(berry.domains.map((d) => d.judgement)).toEqual(["High", "Low", "Low", "Some concerns", "Low"]);

    const csv = await app.inject({ url: `/api/projects/${project}/appraisal/robvis?tool=rob2&format=csv`, headers: { cookie: cookie.get("ada")! } });
    expect(csv.statusCode, csv.body).toBe(200);
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe("Study,D1,D2,D3,D4,D5,Overall,Weight");
    expect(lines.slice(1).sort()).toEqual([
      '"Akin et al., 2017",Low,Some concerns,Low,Low,Low,Some concerns,1',
      '"Berry, 2007",High,Low,Low,Some concerns,Low,High,1',
      "Chan 2019,Low,Low,Low,Low,Low,Low,1",
    ]);

    // A second import of the same file would make a second assessment by the same person: refused per row.
    const again = await post("ada", { tool: "rob2", csv: ROB2, confirm: true });
    expect(again.json().written).toBe(0);
    expect(again.json().rows[0].problems.join(" ")).toMatch(/already assessed/);
  });
});
