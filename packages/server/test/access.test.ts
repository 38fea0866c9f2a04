import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import * as api from "@homeward/api";
import type { RouteSpec } from "@homeward/api";
import { roleAllows, ROLE_ORDER, type Access, type Role } from "@homeward/model";
import { createAccounts, type Accounts } from "@homeward/accounts";
import { openStore, type Store } from "@homeward/store";
import { buildServer, SESSION_COOKIE } from "@homeward/server";

/**
 * The role × route matrix: every declared route, called as nobody, as a
 * signed-in user who is no member, as each of the four roles and as an
 * instance administrator, with real sessions. Each answer is checked against
 * the route's declared access: 401 without a session, 403 naming the missing
 * role or membership, and anything but those for a caller the route admits.
 */
const isRoute = (v: unknown): v is RouteSpec =>
  typeof v === "object" && v !== null && typeof (v as RouteSpec).method === "string" && typeof (v as RouteSpec).path === "string";
const routes: RouteSpec[] = Object.values(api)
  .filter((v) => typeof v === "object" && v !== null && Object.keys(v).length > 0 && Object.values(v).every(isRoute))
  .flatMap((t) => Object.values(t as Record<string, RouteSpec>))
  ;

/**
 * Who may call what: the specification this test holds both the route
 * declarations and the server to. Changing a route's access means changing
 * this table, in review.
 */
const SPEC: Record<string, Access> = {
  "GET /api/health": "public",
  "GET /api/projects": "signedIn",
  "POST /api/projects": "signedIn",
  "POST /api/projects/import": "signedIn",
  "GET /api/projects/:id": "viewer",
  "PATCH /api/projects/:id": "owner",
  "GET /api/projects/:id/protocol": "viewer",
  "PUT /api/projects/:id/protocol": "owner",
  "GET /api/projects/:id/protocol/versions": "viewer",
  "PATCH /api/projects/:id/protocol/:section": "owner",
  "GET /api/projects/:id/searches": "viewer",
  "GET /api/projects/:id/records": "viewer",
  "GET /api/projects/:id/records/:recordId": "viewer",
  "GET /api/projects/:id/studies": "viewer",
  "GET /api/projects/:id/audit": "viewer",
  "POST /api/projects/:id/imports/validate": "reviewer",
  "GET /api/projects/:id/imports": "viewer",
  "GET /api/projects/:id/imports/:batchId": "viewer",
  "POST /api/projects/:id/imports": "reviewer",
  "GET /api/projects/:id/records-export": "viewer",
  "GET /api/projects/:id/records-count": "viewer",
  "POST /api/projects/:id/dedupe": "reviewer",
  "POST /api/projects/:id/duplicates/jobs": "reviewer",
  "GET /api/projects/:id/duplicates/jobs/:jobId": "viewer",
  "GET /api/projects/:id/jobs": "viewer",
  "GET /api/projects/:id/jobs/:jobId": "viewer",
  "POST /api/projects/:id/jobs/:jobId/cancel": "reviewer",
  "POST /api/projects/:id/analysis/jobs": "viewer",
  "POST /api/projects/:id/imports/jobs": "reviewer",
  "POST /api/projects/:id/backups/jobs": "owner",
  "POST /api/projects/:id/exports/jobs": "viewer",
  "POST /api/projects/:id/report/jobs": "viewer",
  "GET /api/projects/:id/jobs/:jobId/file": "viewer",
  "GET /api/projects/:id/duplicates": "viewer",
  "GET /api/projects/:id/duplicate-groups": "viewer",
  "POST /api/projects/:id/duplicate-groups/:groupId/split": "reviewer",
  "GET /api/projects/:id/duplicate-pairs": "viewer",
  "GET /api/projects/:id/duplicate-pairs/:pairId": "viewer",
  "POST /api/projects/:id/duplicate-pairs/:pairId/decision": "reviewer",
  "GET /api/projects/:id/collections/:name": "viewer",
  "GET /api/projects/:id/collections/:name/:entityId": "viewer",
  "POST /api/projects/:id/collections/:name": "reviewer",
  "PATCH /api/projects/:id/collections/:name/:entityId": "reviewer",
  "DELETE /api/projects/:id/collections/:name/:entityId": "reviewer",
  "GET /api/projects/:id/analysis/data": "viewer",
  "POST /api/projects/:id/analysis": "viewer",
  "POST /api/projects/:id/analysis/figures/:name": "viewer",
  "POST /api/projects/:id/analysis/risk-of-bias-sensitivity": "viewer",
  "POST /api/projects/:id/appraisal/robvis/import": "adjudicator",
  "GET /api/projects/:id/screening/:stage/next": "reviewer",
  "DELETE /api/projects/:id/screening/:stage/lease": "reviewer",
  "POST /api/projects/:id/screening/:stage/decisions": "reviewer",
  "GET /api/projects/:id/screening/:stage/status": "viewer",
  "POST /api/projects/:id/screening/:stage/reconciliations": "adjudicator",
  "GET /api/projects/:id/screening/:stage/agreement": "viewer",
  "GET /api/projects/:id/screening/:stage/stopping": "viewer",
  "POST /api/projects/:id/screening/:stage/qa-samples": "adjudicator",
  "GET /api/projects/:id/screening/:stage/qa-samples": "viewer",
  "GET /api/projects/:id/screening/:stage/settings": "viewer",
  "PUT /api/projects/:id/screening/:stage/settings": "owner",
  "GET /api/projects/:id/screening/:stage/models": "viewer",
  "PUT /api/projects/:id/screening/:stage/model": "owner",
  "POST /api/projects/:id/screening/:stage/simulations": "reviewer",
  "GET /api/projects/:id/screening/:stage/simulations/:jobId": "viewer",
  "GET /api/projects/:id/screening/:stage/my-decisions": "reviewer",
  "GET /api/projects/:id/screening/:stage/records/:recordId/reviewers": "viewer",
  "GET /api/projects/:id/fulltext": "viewer",
  "GET /api/projects/:id/fulltext/:recordId": "viewer",
  "PUT /api/projects/:id/fulltext/:recordId": "reviewer",
  "PUT /api/projects/:id/fulltext/:recordId/file": "reviewer",
  "GET /api/projects/:id/fulltext/:recordId/file": "viewer",
  "GET /api/projects/:id/review/summary": "viewer",
  "GET /api/projects/:id/review/prisma": "viewer",
  "GET /api/projects/:id/review/rob-tools": "viewer",
  "GET /api/projects/:id/review/figures/:name": "viewer",
  "GET /api/projects/:id/review/cerqual": "viewer",
  "GET /api/projects/:id/review/recommendations": "viewer",
  "GET /api/projects/:id/review/appraisal-tables": "viewer",
  "GET /api/projects/:id/review/appraisal-conflicts": "viewer",
  "GET /api/projects/:id/synthesis/coding": "viewer",
  "POST /api/projects/:id/synthesis/frameworks/:framework": "reviewer",
  "POST /api/projects/:id/synthesis/codes": "reviewer",
  "POST /api/projects/:id/synthesis/codes/:codeId/rename": "reviewer",
  "POST /api/projects/:id/synthesis/codes/merge": "reviewer",
  "POST /api/projects/:id/synthesis/codes/:codeId/split": "reviewer",
  "GET /api/projects/:id/synthesis/findings": "viewer",
  "PUT /api/projects/:id/synthesis/findings/:findingId/cerqual": "reviewer",
  "GET /api/projects/:id/synthesis/isoq": "viewer",
  "GET /api/projects/:id/synthesis/joint-display": "viewer",
  "GET /api/projects/:id/synthesis/guide": "viewer",
  "GET /api/projects/:id/synthesis/grade": "viewer",
  "GET /api/projects/:id/synthesis/survey": "viewer",
  "POST /api/projects/:id/synthesis/survey": "reviewer",
  "GET /api/projects/:id/synthesis/equality": "viewer",
  "POST /api/projects/:id/review/appraisal-conflicts/accept": "adjudicator",
  "GET /api/projects/:id/report": "viewer",
  "PUT /api/projects/:id/report/spec": "reviewer",
  "DELETE /api/projects/:id/report/spec": "reviewer",
  "POST /api/projects/:id/report/versions": "adjudicator",
  "GET /api/projects/:id/report/html": "viewer",
  "GET /api/projects/:id/report/changes": "viewer",
  "GET /api/projects/:id/saved-analyses": "viewer",
  "POST /api/projects/:id/saved-analyses": "reviewer",
  "GET /api/projects/:id/saved-analyses/:savedId": "viewer",
  "POST /api/projects/:id/saved-analyses/:savedId/rerun": "viewer",
  "GET /api/projects/:id/studies/includes": "viewer",
  "POST /api/projects/:id/studies/form": "reviewer",
  "POST /api/projects/:id/studies/:studyId/reports": "reviewer",
  "PUT /api/projects/:id/studies/:studyId/lead": "reviewer",
  "POST /api/projects/:id/studies/:studyId/split": "reviewer",
  "POST /api/projects/:id/studies/:studyId/merge": "reviewer",
  "GET /api/projects/:id/appraisal/studies": "viewer",
  "GET /api/projects/:id/appraisal/agreement": "viewer",
  "GET /api/projects/:id/appraisal/robvis": "viewer",
  "GET /api/projects/:id/appraisal/studies/:studyId": "viewer",
  "PUT /api/projects/:id/appraisal/studies/:studyId/mine": "reviewer",
  "POST /api/projects/:id/appraisal/studies/:studyId/mine/submit": "reviewer",
  "GET /api/projects/:id/appraisal/studies/:studyId/comparison": "adjudicator",
  "PUT /api/projects/:id/appraisal/studies/:studyId/consensus": "adjudicator",
  "POST /api/projects/:id/appraisal/studies/:studyId/senior-check": "adjudicator",
  "GET /api/projects/:id/extraction/codebook": "viewer",
  "POST /api/projects/:id/extraction/codebook": "owner",
  "PATCH /api/projects/:id/extraction/codebook/:itemId": "owner",
  "PUT /api/projects/:id/extraction/codebook/order": "owner",
  "PUT /api/projects/:id/extraction/codebook/:itemId/retired": "owner",
  "POST /api/projects/:id/extraction/codebook/import": "owner",
  "POST /api/projects/:id/extraction/codebook/template": "owner",
  "GET /api/projects/:id/extraction/codebook/export": "viewer",
  "GET /api/projects/:id/extraction/studies": "viewer",
  "GET /api/projects/:id/extraction/studies/:studyId": "viewer",
  "PUT /api/projects/:id/extraction/studies/:studyId/values": "reviewer",
  "GET /api/projects/:id/extraction/studies/:studyId/comparison": "adjudicator",
  "PUT /api/projects/:id/extraction/studies/:studyId/consensus": "adjudicator",
  "GET /api/projects/:id/extraction/agreement": "adjudicator",
  "GET /api/projects/:id/extraction/senior-check": "viewer",
  "GET /api/projects/:id/extraction/characteristics": "viewer",
  "GET /api/projects/:id/extraction/export": "viewer",
  "PUT /api/projects/:id/extraction/setup": "owner",
  "GET /api/projects/:id/extraction/studies/:studyId/checks": "viewer",
  "POST /api/projects/:id/extraction/studies/:studyId/checks": "reviewer",
  "POST /api/projects/:id/extraction/studies/:studyId/checks/:checkId/answer": "reviewer",
  "POST /api/projects/:id/extraction/studies/:studyId/checks/:checkId/settlement": "adjudicator",
  "GET /api/projects/:id/extraction/senior-sample": "viewer",
  "POST /api/projects/:id/extraction/senior-sample": "owner",
  "GET /api/projects/:id/studies/:studyId/outcomes": "viewer",
  "PUT /api/projects/:id/studies/:studyId/arms": "reviewer",
  "PUT /api/projects/:id/studies/:studyId/time-points": "reviewer",
  "POST /api/projects/:id/studies/:studyId/outcomes": "reviewer",
  "PATCH /api/projects/:id/studies/:studyId/outcomes/:outcomeId": "reviewer",
  "POST /api/projects/:id/studies/:studyId/outcomes/:outcomeId/data": "reviewer",
  "PUT /api/projects/:id/studies/:studyId/outcomes/:outcomeId/data/:dataId": "reviewer",
  "GET /api/session": "public",
  "POST /api/session": "public",
  "DELETE /api/session": "public",
  "POST /api/session/link/info": "public",
  "POST /api/session/setup": "public",
  "POST /api/session/link": "public",
  "GET /api/auth/oidc/start": "public",
  "GET /api/auth/oidc/callback": "public",
  "POST /api/account/password": "signedIn",
  "GET /api/users": "admin",
  "POST /api/users/:name/reset-link": "admin",
  "GET /api/projects/:id/members": "viewer",
  "POST /api/projects/:id/members": "owner",
  "PATCH /api/projects/:id/members/:userName": "owner",
  "DELETE /api/projects/:id/members/:userName": "owner",
  "POST /api/projects/:id/members/:userName/link": "owner",
  "PUT /api/projects/:id/blinding/:stage": "owner",
};

type Caller = "nobody" | "outsider" | Role | "admin";
const CALLERS: Caller[] = ["nobody", "outsider", "viewer", "reviewer", "adjudicator", "owner", "admin"];
const PASSWORD = "correct horse battery";

/** Would the declared access admit this caller? (The instance administrator is also the project's owner here.) */
function admits(access: Access, caller: Caller): boolean {
  if (access === "public") return true;
  if (caller === "nobody") return false;
  if (access === "signedIn") return true;
  if (access === "admin") return caller === "admin";
  if (caller === "outsider") return false;
  return roleAllows(caller === "admin" ? "owner" : caller, access);
}

// The server's words when access is refused (context.ts): a refusal for any other reason must not say these.
const ACCESS_REFUSAL = /sign in first|is not a member of this project; an owner|role or above in this project|administrator of this Homeward instance/;

describe("every route as every role", () => {
  let store: Store;
  let accounts: Accounts;
  let app: FastifyInstance;
  let projectId: string;
  const cookies = new Map<Caller, string>();

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-access-")) });
    accounts = createAccounts(store);
    app = await buildServer({ store, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const setup = await accounts.issueSetupLink();
    const admin = await accounts.setup(setup.token, { name: "ada", displayName: "Ada", password: PASSWORD });
    cookies.set("admin", `${SESSION_COOKIE}=${admin.token}`);
    const created = await app.inject({
      method: "POST",
      url: "/api/projects",
      headers: { cookie: cookies.get("admin")!, "content-type": "application/json" },
      payload: { title: "Matrix" },
    });
    expect(created.statusCode).toBe(201);
    projectId = created.json().id;
    for (const caller of ["outsider", ...ROLE_ORDER] as const) {
      const name = `u-${caller}`;
      if (caller === "outsider") {
        // A user of the instance who belongs to some other project only.
        const other = await store.createProject({ title: "Elsewhere" }, { actor: "ada" });
        const { link } = await accounts.addMember(other.id, { userName: name, displayName: "", role: "reviewer" }, { actor: "ada" });
        cookies.set(caller, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, PASSWORD)).token}`);
        continue;
      }
      const { link } = await accounts.addMember(projectId, { userName: name, displayName: "", role: caller }, { actor: "ada" });
      cookies.set(caller, `${SESSION_COOKIE}=${(await accounts.redeemLink(link!.token, PASSWORD)).token}`);
    }
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it("declares for every route the access the specification gives it", () => {
    const declared = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.access]));
    expect(declared).toEqual(SPEC);
  });

  const fresh = async (caller: Caller): Promise<string> => {
    const name = caller === "admin" ? "ada" : `u-${caller}`;
    return `${SESSION_COOKIE}=${(await accounts.signIn(name, PASSWORD, `test-${caller}`)).token}`;
  };
  const call = async (r: RouteSpec, caller: Caller): Promise<LightMyRequestResponse> => {
    const values: Record<string, string> = {
      id: projectId,
      section: "question",
      stage: "title_abstract",
      name: r.path.includes("/users/") ? "nobody-such" : "searches",
      userName: "nobody-such",
    };
    const url = r.path.replace(/:([A-Za-z_]+)/g, (_m, p: string) => encodeURIComponent(values[p] ?? "no-such-id"));
    const headers: Record<string, string> = {};
    let cookie = cookies.get(caller);
    // Signing out ends the session it is called with: a session of its own keeps the caller's for the other routes.
    if (cookie && r.method === "DELETE" && r.path === "/api/session") cookie = await fresh(caller);
    if (cookie) headers.cookie = cookie;
    const write = r.method !== "GET";
    if (write) headers["content-type"] = "application/json";
    return app.inject({ method: r.method, url, headers, ...(write ? { payload: "{}" } : {}) });
  };

  for (const caller of CALLERS) {
    it(`answers ${caller} as each route's access says`, async () => {
      const wrong: string[] = [];
      for (const r of routes) {
        const res = await call(r, caller);
        const error = res.statusCode >= 400 ? String(res.json().error ?? "") : "";
        const where = `${r.method} ${r.path} (${r.access}) as ${caller}: ${res.statusCode} ${error}`;
        if (admits(SPEC[`${r.method} ${r.path}`]!, caller)) {
          if (res.statusCode === 401 || ACCESS_REFUSAL.test(error) || res.statusCode >= 500) wrong.push(`admitted, but ${where}`);
        } else if (caller === "nobody") {
          if (res.statusCode !== 401) wrong.push(`expected 401, ${where}`);
        } else if (res.statusCode !== 403 || !ACCESS_REFUSAL.test(error)) wrong.push(`expected 403, ${where}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it("gives a non-member a 404 for a project that does not exist and a 403 for one that does", async () => {
    const missing = await app.inject({ url: "/api/projects/no-such-project", headers: { cookie: cookies.get("outsider")! } });
    expect(missing.statusCode).toBe(404);
    const other = await app.inject({ url: `/api/projects/${projectId}`, headers: { cookie: cookies.get("outsider")! } });
    expect(other.statusCode).toBe(403);
  });

  it("lists only the projects the user is a member of", async () => {
    const list = (c: Caller) => app.inject({ url: "/api/projects", headers: { cookie: cookies.get(c)! } }).then((r) => r.json().map((p: { title: string }) => p.title).sort());
    expect(await list("viewer")).toEqual(["Matrix"]);
    expect(await list("outsider")).toEqual(["Elsewhere"]);
  });

  it("refuses a session cookie that was never issued", async () => {
    const res = await app.inject({ url: `/api/projects/${projectId}`, headers: { cookie: `${SESSION_COOKIE}=forged-token-forged-token-forged` } });
    expect(res.statusCode).toBe(401);
  });
});
