import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import * as api from "@homeward/api";
import type { RouteSpec } from "@homeward/api";
import { createAccounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * Blind dual screening, tried through every read route: until a reviewer has
 * decided a record, nothing the server answers them carries the other
 * reviewer's decision or note on it; once they have decided, or an owner
 * lifts blinding, it does.
 */
const isRoute = (v: unknown): v is RouteSpec =>
  typeof v === "object" && v !== null && typeof (v as RouteSpec).method === "string" && typeof (v as RouteSpec).path === "string";
const reads: RouteSpec[] = Object.values(api)
  .filter((v) => typeof v === "object" && v !== null && Object.keys(v).length > 0 && Object.values(v).every(isRoute))
  .flatMap((t) => Object.values(t as Record<string, RouteSpec>))
  .filter((r) => r.method === "GET");

const SECRET = "ana-private-note-7f3a";

describe("blinding of dual screening", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let recordId: string;
  let anaDecisionId: string;
  const cookie = new Map<string, string>();

  const as = (user: string, write = false) => ({ cookie: cookie.get(user)!, ...(write ? { "content-type": "application/json" } : {}) });
  const base = () => `/api/projects/${project}`;

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-blinding-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Blind", [["ana", "reviewer"], ["ben", "reviewer"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const recs = await store.insert(project, "records", [{ title: "Family reunification after care", abstract: "A trial." }, { title: "Another record" }], { actor: "olive" });
    recordId = recs[0]!.id;
    const settings = await app.inject({
      method: "PUT",
      url: `${base()}/screening/title_abstract/settings`,
      headers: as("olive", true),
      payload: { mode: "dual", reviewers: ["ana", "ben"] },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const decided = await app.inject({
      method: "POST",
      url: `${base()}/screening/title_abstract/decisions`,
      headers: as("ana", true),
      payload: { recordId, decision: "include", note: SECRET },
    });
    expect(decided.statusCode, decided.body).toBe(201);
    anaDecisionId = decided.json().decisions[0].id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const readAll = async (user: string): Promise<string[]> => {
    const leaks: string[] = [];
    const values: Record<string, string> = { id: project, stage: "title_abstract", recordId, name: "screeningDecisions", entityId: anaDecisionId };
    for (const r of reads) {
      const url = r.path.replace(/:([A-Za-z_]+)/g, (_m, p: string) => encodeURIComponent(values[p] ?? "x"));
      for (const query of ["", `?recordId=${recordId}`, "?limit=1000"]) {
        const res = await app.inject({ url: url + query, headers: as(user) });
        if (res.body.includes(SECRET)) leaks.push(`${r.method} ${url}${query}: ${res.statusCode}`);
      }
    }
    return leaks;
  };

  it("shows a reviewer who has not decided nothing of the other's decision, through any read route", async () => {
    expect(await readAll("ben")).toEqual([]);
    expect(await readAll("vic")).toEqual([]);
    // The owner too: one reviewer's decision alone is nobody's to see yet.
    const byOwner = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("olive") });
    expect(byOwner.json().items).toEqual([]);
    const listed = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("ben") });
    expect(listed.json().items).toEqual([]);
    expect((await app.inject({ url: `${base()}/collections/screeningDecisions/${anaDecisionId}`, headers: as("ben") })).statusCode).toBe(404);
    const exported = await app.inject({ method: "POST", url: `${base()}/exports/jobs`, headers: as("ben") });
    expect(exported.statusCode).toBe(403);
    const audit = (await app.inject({ url: `${base()}/audit?limit=1000`, headers: as("ben") })).json();
    const entry = audit.items.find((e: { entityId: string }) => e.entityId === anaDecisionId);
    expect(entry.after).toEqual({ hidden: expect.any(String) });
  });

  it("shows the reviewer their own decision, and the owner may export", async () => {
    const mine = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("ana") });
    expect(mine.json().items.map((d: { note: string }) => d.note)).toEqual([SECRET]);
    expect((await app.inject({ method: "POST", url: `${base()}/exports/jobs`, headers: as("olive") })).statusCode).toBe(201);
  });

  it("refuses decisions and reconciliations through the generic collections route", async () => {
    const forged = await app.inject({
      method: "POST",
      url: `${base()}/collections/screeningDecisions`,
      headers: as("ben", true),
      payload: { recordId, stage: "title_abstract", reviewer: "ana", decision: "exclude", at: "2020-01-01T00:00:00.000Z" },
    });
    expect(forged.statusCode).toBe(405);
    const rec = await app.inject({
      method: "POST",
      url: `${base()}/collections/reconciliations`,
      headers: as("olive", true),
      payload: { recordId, stage: "title_abstract", decision: "include", resolvedBy: "olive", at: "2020-01-01T00:00:00.000Z" },
    });
    expect(rec.statusCode).toBe(405);
  });

  it("shows the other decision once the reviewer has decided", async () => {
    const decided = await app.inject({
      method: "POST",
      url: `${base()}/screening/title_abstract/decisions`,
      headers: as("ben", true),
      payload: { recordId, decision: "exclude", reasons: [] },
    });
    expect(decided.statusCode, decided.body).toBe(201);
    const listed = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("ben") });
    expect(listed.json().items.map((d: { reviewer: string }) => d.reviewer).sort()).toEqual(["ana", "ben"]);
    // Both have decided: the owner, who adjudicates, now sees both (the conflict is hers to settle).
    const forOwner = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("olive") });
    expect(forOwner.json().items.map((d: { reviewer: string }) => d.reviewer).sort()).toEqual(["ana", "ben"]);
    // The viewer, who screens nothing, still sees nothing.
    expect(await readAll("vic")).toEqual([]);
    // The owner settles the conflict: she sees her reconciliation though she screened nothing; the viewer does not.
    const settled = await app.inject({
      method: "POST",
      url: `${base()}/screening/title_abstract/reconciliations`,
      headers: as("olive", true),
      payload: { recordId, decision: "include", reason: "meets the population criterion" },
    });
    expect(settled.statusCode, settled.body).toBe(201);
    const own = await app.inject({ url: `${base()}/collections/reconciliations?recordId=${recordId}`, headers: as("olive") });
    expect(own.json().items.map((r: { resolvedBy: string }) => r.resolvedBy)).toEqual(["olive"]);
    expect((await app.inject({ url: `${base()}/collections/reconciliations?recordId=${recordId}`, headers: as("vic") })).json().items).toEqual([]);
  });

  it("lifts for everyone when an owner lifts it, with the reason audited; only an owner may", async () => {
    const byReviewer = await app.inject({ method: "PUT", url: `${base()}/blinding/title_abstract`, headers: as("ana", true), payload: { blinded: false, reason: "done" } });
    expect(byReviewer.statusCode).toBe(403);
    const lifted = await app.inject({
      method: "PUT",
      url: `${base()}/blinding/title_abstract`,
      headers: as("olive", true),
      payload: { blinded: false, reason: "title/abstract screening complete" },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    const listed = await app.inject({ url: `${base()}/collections/screeningDecisions?recordId=${recordId}`, headers: as("vic") });
    expect(listed.json().items).toHaveLength(2);
    const audit = (await app.inject({ url: `${base()}/audit`, headers: as("vic") })).json();
    expect(audit.items.some((e: { reason: string | null }) => e.reason === "title/abstract screening complete")).toBe(true);
    // Other stages are still blind, so the whole-project download still waits.
    expect((await app.inject({ method: "POST", url: `${base()}/exports/jobs`, headers: as("vic") })).statusCode).toBe(403);
  });
});
