import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * The appendix-style appraisal tables through their route, with real
 * sessions: while appraisal is blind a reviewer sees only their own
 * assessments and those of studies they have submitted themselves, a viewer
 * none, an adjudicator all; drafts never; once an owner lifts blinding,
 * everyone sees every submitted one.
 */
describe("appraisal tables route", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  const cookie = new Map<string, string>();
  const ids: Record<string, string> = {};
  const as = (user: string, write = false) => ({ cookie: cookie.get(user)!, ...(write ? { "content-type": "application/json" } : {}) });
  const url = (q = "") => `/api/projects/${project}/review/appraisal-tables${q}`;
  /** Each table's tool and, per row, the study and its cells. */
  const seen = async (user: string) => {
    const res = await app.inject({ url: url(), headers: as(user) });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { tool: string; rows: { study: string; cells: (string | null)[] }[] }[]).map((t) => [t.tool, t.rows.map((r) => [r.study, ...r.cells])]);
  };

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-appraisal-tables-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Tables", [["ana", "reviewer"], ["ben", "reviewer"], ["ada", "adjudicator"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const studies = await store.insert(project, "studies", [
      { name: "Trial A 2020", design: "RCT", createdAt: new Date().toISOString() },
      { name: "Trial B 2021", design: "RCT", createdAt: new Date().toISOString() },
    ], { actor: "olive" });
    ids.a = studies[0]!.id;
    ids.b = studies[1]!.id;
    // Times a second apart, in the order written: the later assessment stands for its study.
    let second = 0;
    const rob2 = (studyId: string, reviewer: string, judgements: string[], overall: string, status: "submitted" | "draft" = "submitted") => ({
      studyId,
      tool: "RoB2",
      status,
      domains: judgements.map((judgement, i) => ({ domain: `D${i + 1}`, judgement })),
      overall,
      reviewer,
      at: new Date(Date.UTC(2024, 0, 1) + 1000 * second++).toISOString(),
    });
    for (const [actor, a] of [
      ["ana", rob2(ids.a, "ana", ["Low", "Low"], "Low")],
      ["ben", rob2(ids.a, "ben", ["Some concerns", "Low"], "Some concerns")],
      ["ben", rob2(ids.b, "ben", ["High", "Low"], "High")],
      ["ana", rob2(ids.b, "ana", ["Low", "Low"], "Low", "draft")],
    ] as const)
      await store.insert(project, "appraisals", [a as never], { actor });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("while blind: a reviewer sees their own and, for a study they submitted, the others'; a draft opens nothing", async () => {
    // Ana submitted Trial A, so she sees Ben's there (the later one stands for the study); her draft of Trial B shows neither it nor Ben's.
    expect(await seen("ana")).toEqual([["RoB2", [["Trial A 2020", "Some concerns", "Low", "Some concerns"]]]]);
    expect(await seen("ben")).toEqual([["RoB2", [["Trial A 2020", "Some concerns", "Low", "Some concerns"], ["Trial B 2021", "High", "Low", "High"]]]]);
    expect(await seen("vic")).toEqual([]);
    // An adjudicator sees a study once two people have assessed it: Trial A, not Trial B (Ben's alone; Ana's is a draft).
    expect(await seen("ada")).toEqual([["RoB2", [["Trial A 2020", "Some concerns", "Low", "Some concerns"]]]]);
  });

  it("sends one tool's table as CSV; the tool is required, and one the caller cannot see is not found", async () => {
    const csv = await app.inject({ url: url("?format=csv&tool=RoB2"), headers: as("ben") });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.headers["content-disposition"]).toContain("appraisal-table-RoB2.csv");
    expect(csv.body.split("\r\n")[0]).toBe("study_id,Study,D1,D2,Overall");
    expect(csv.body).toContain(`${ids.b},Trial B 2021,High,Low,High`);
    expect((await app.inject({ url: url("?format=csv"), headers: as("ben") })).statusCode).toBe(400);
    expect((await app.inject({ url: url("?format=csv&tool=RoB2"), headers: as("vic") })).statusCode).toBe(404);
  });

  it("once an owner lifts blinding, a viewer sees every submitted assessment, never a draft", async () => {
    const lifted = await app.inject({ method: "PUT", url: `/api/projects/${project}/blinding/appraisal`, headers: as("olive", true), payload: { blinded: false, reason: "appraisal complete" } });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await seen("vic")).toEqual([["RoB2", [["Trial A 2020", "Some concerns", "Low", "Some concerns"], ["Trial B 2021", "High", "Low", "High"]]]]);
  });

  it("needs a session", async () => {
    expect((await app.inject({ url: url() })).statusCode).toBe(401);
  });
});
