import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAccounts } from "@homeward/accounts";
import { escalc, logOrToSmd, logRatioFromCi } from "@homeward/meta";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { signedInTeam } from "./identity.js";

/**
 * Arms, time points, outcomes and outcome data through the routes, with real
 * sessions: a reviewer enters data as reported, the effect size comes back
 * with its chain, signed by the session's user, and reaches the analysis
 * data; bad statistics are refused naming study, outcome and field, and
 * nothing is saved.
 */

describe("outcome routes", () => {
  let store: Store;
  let app: FastifyInstance;
  let project: string;
  let studyId: string;
  const cookie = new Map<string, string>();

  const call = async (user: string, method: "GET" | "POST" | "PUT" | "PATCH", path: string, payload?: unknown) => {
    const res = await app.inject({
      method, url: `/api/projects/${project}${path}`,
      headers: { cookie: cookie.get(user)!, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null, text: res.body };
  };

  beforeAll(async () => {
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-outcomes-")) });
    const accounts = createAccounts(store);
    app = await buildServer({ store, accounts, version: "0", webDir: mkdtempSync(join(tmpdir(), "homeward-web-")) });
    await app.ready();
    const team = await signedInTeam(store, accounts, "Outcomes", [["ana", "reviewer"], ["vic", "viewer"]] as const);
    project = team.project;
    for (const [name, value] of team.cookie) cookie.set(name, value);
    const { protocol, versions } = (await call("olive", "GET", "/protocol/versions")).body;
    const domains = [...protocol.outcomeDomains.filter((d: { code: string }) => d.code !== "behaviour" && d.code !== "reentry"),
      { code: "behaviour", label: "Child behaviour" }, { code: "reentry", label: "Re-entry to care" }];
    expect((await call("olive", "PATCH", "/protocol/outcomeDomains", { value: domains, version: versions.outcomeDomains })).status).toBe(200);
    [{ id: studyId }] = await store.insert(project, "studies", [{ name: "Akin 2017" }], { actor: "olive" });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  let arms: { id: string; label: string }[];
  let timePoint: string;
  let behaviour: string;
  let reentry: string;

  it("sets a study's arms and time points, giving new ones ids", async () => {
    const a = await call("ana", "PUT", `/studies/${studyId}/arms`, { arms: [{ label: "Family reunification programme", n: 50 }, { label: "Usual care", n: 50 }] });
    expect(a.status, a.text).toBe(200);
    arms = a.body.arms;
    expect(arms.map((x) => x.id)).toEqual(["arm-1", "arm-2"]);
    const t = await call("ana", "PUT", `/studies/${studyId}/time-points`, { timePoints: [{ label: "12 months" }] });
    expect(t.status, t.text).toBe(200);
    timePoint = t.body.timePoints[0].id;
    expect((await call("vic", "PUT", `/studies/${studyId}/arms`, { arms: [] })).status).toBe(403);
  });

  it("adds outcomes with a domain from the protocol, and refuses one that is not", async () => {
    const o = await call("ana", "POST", `/studies/${studyId}/outcomes`, { name: "Behaviour problems (CBCL)", domain: "behaviour", measure: "CBCL total", higherIsBetter: true });
    expect(o.status, o.text).toBe(201);
    behaviour = o.body.id;
    const r = await call("ana", "POST", `/studies/${studyId}/outcomes`, { name: "Re-entry to care", domain: "reentry", higherIsBetter: true });
    expect(r.status, r.text).toBe(201);
    reentry = r.body.id;
    const bad = await call("ana", "POST", `/studies/${studyId}/outcomes`, { name: "X", domain: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('domain: "nope" is not one of the protocol\'s outcome domains');
  });

  it("computes an effect size from means and SDs and from an OR with its CI, signed by the session's user", async () => {
    const means = { kind: "means", m1: 103, sd1: 5.5, n1: 50, m2: 100, sd2: 4.5, n2: 50 };
    const m = await call("ana", "POST", `/studies/${studyId}/outcomes/${behaviour}/data`, { armIds: [arms[0].id, arms[1].id], timePointId: timePoint, inputs: means });
    expect(m.status, m.text).toBe(201);
    const g = escalc("SMD", { m1i: [103], sd1i: [5.5], n1i: [50], m2i: [100], sd2i: [4.5], n2i: [50] })[0];
    expect(m.body.yi).toBeCloseTo(g.yi, 12);
    expect(m.body.vi).toBeCloseTo(g.vi, 12);
    expect(m.body).toMatchObject({ measure: "SMD", createdBy: "ana", inputs: means, armIds: ["arm-1", "arm-2"], timePointId: timePoint, recoded: false });
    expect(m.body.chain).toHaveLength(1);

    const or = await call("ana", "POST", `/studies/${studyId}/outcomes/${reentry}/data`, { armIds: [arms[0].id, arms[1].id], inputs: { kind: "or", or: 0.5, lower: 0.3, upper: 0.85 } });
    expect(or.status, or.text).toBe(201);
    const ref = logOrToSmd(logRatioFromCi({ estimate: 0.5, lower: 0.3, upper: 0.85, measure: "OR" }));
    expect(or.body.yi).toBeCloseTo(ref.yi, 12);
    expect(or.body.provenance).toMatch(/^log OR -0\.693 \(SE 0\.\d+\) .* → SMD -0\.382 /);
    expect(or.body.reference).toContain("Chinn 2000");

    const listed = await call("vic", "GET", `/studies/${studyId}/outcomes`);
    expect(listed.status).toBe(200);
    expect(listed.body.study.arms).toHaveLength(2);
    expect(listed.body.outcomes.map((o: { data: unknown[] }) => o.data.length)).toEqual([1, 1]);
    expect(listed.body.domains.map((d: { code: string }) => d.code)).toContain("behaviour");

    const data = await call("vic", "GET", "/analysis/data");
    const rows = data.body.rows.filter((r: { studyId: string }) => r.studyId === studyId);
    expect(rows.map((r: { yi: number }) => r.yi).sort()).toEqual([or.body.yi, m.body.yi].sort());
  });

  it("recodes the outcome's effect sizes once when its direction becomes 'higher is worse', in the same transaction", async () => {
    const before = (await call("ana", "GET", `/studies/${studyId}/outcomes`)).body.outcomes.find((o: { id: string }) => o.id === reentry).data[0];
    const p = await call("ana", "PATCH", `/studies/${studyId}/outcomes/${reentry}`, { higherIsBetter: false });
    expect(p.status, p.text).toBe(200);
    expect(p.body.data[0].yi).toBeCloseTo(-before.yi, 12);
    expect(p.body.data[0].recoded).toBe(true);
    expect(p.body.data[0].chain.at(-1).step).toBe("recoded: higher is worse");
    // Saving the same direction again recomputes from the inputs, so the sign is not flipped twice.
    const again = await call("ana", "PATCH", `/studies/${studyId}/outcomes/${reentry}`, { higherIsBetter: false });
    expect(again.body.data[0].yi).toBeCloseTo(-before.yi, 12);
    // A direction left unknown cannot give effect sizes: refused, the outcome unchanged.
    const unknown = await call("ana", "PATCH", `/studies/${studyId}/outcomes/${reentry}`, { higherIsBetter: null });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('study "Akin 2017", outcome "Re-entry to care": higherIsBetter: say whether higher is better or worse on this outcome before entering its data');
    expect((await store.get(project, "outcomes", reentry)).higherIsBetter).toBe(false);
  });

  it("recomputes an effect size when its data change", async () => {
    const [row] = await store.list(project, "effectSizes", { outcomeId: behaviour });
    const e = await call("olive", "PUT", `/studies/${studyId}/outcomes/${behaviour}/data/${row.id}`, { armIds: ["arm-1", "arm-2"], timePointId: timePoint, inputs: { kind: "t", t: 2.5, n1: 50, n2: 50 } });
    expect(e.status, e.text).toBe(200);
    expect(e.body.yi).not.toBeCloseTo(row.yi!, 6);
    expect(e.body.createdBy).toBe("olive");
    expect(e.body.inputs).toEqual({ kind: "t", t: 2.5, n1: 50, n2: 50 });
  });

  it("refuses bad statistics with one line naming study, outcome and field, and saves nothing", async () => {
    const count = async () => (await store.list(project, "effectSizes")).length;
    const n = await count();
    const cases: [unknown, string][] = [
      [{ kind: "means", m1: 1, sd1: 0, n1: 10, m2: 2, sd2: 1, n2: 10 }, 'study "Akin 2017", outcome "Behaviour problems (CBCL)": sd1: an SD must be > 0'],
      [{ kind: "p", p: 1.5, direction: 1, n1: 10, n2: 10 }, 'study "Akin 2017", outcome "Behaviour problems (CBCL)": p: p must lie in (0, 1]'],
      [{ kind: "counts", events1: 30, n1: 20, events2: 3, n2: 20 }, 'study "Akin 2017", outcome "Behaviour problems (CBCL)": events1: 30 events is more than the group\'s 20'],
    ];
    for (const [inputs, message] of cases) {
      const r = await call("ana", "POST", `/studies/${studyId}/outcomes/${behaviour}/data`, { armIds: ["arm-1", "arm-2"], inputs });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe(message);
    }
    const arm = await call("ana", "POST", `/studies/${studyId}/outcomes/${behaviour}/data`, { armIds: ["arm-1", "arm-9"], inputs: { kind: "t", t: 1, n1: 5, n2: 5 } });
    expect(arm.body.error).toContain('armIds: the study has no arm "arm-9"');
    expect(await count()).toBe(n);
  });

  it("keeps arms and time points that outcome data use", async () => {
    const r = await call("ana", "PUT", `/studies/${studyId}/arms`, { arms: [{ id: "arm-1", label: "Family reunification programme" }] });
    expect(r.status).toBe(409);
    expect(r.body.error).toContain('arm "Usual care" has data of outcome');
    const t = await call("ana", "PUT", `/studies/${studyId}/time-points`, { timePoints: [] });
    expect(t.status).toBe(409);
    const renamed = await call("ana", "PUT", `/studies/${studyId}/arms`, { arms: [...arms, { label: "Waiting list" }] });
    expect(renamed.body.arms.map((a: { id: string }) => a.id)).toEqual(["arm-1", "arm-2", "arm-3"]);
  });
});
