import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openJobQueue, openStore, screeningRankings, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { Prioritiser, Random } from "@homeward/screening";
import { requestRetrain } from "../src/routes/screening-ranking.js";
import { scratchDatabase } from "../../store/test/scratch-database.js";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * Rankings are trained by a retrain job of the store's queue and stored;
 * every server serves the newest stored one. Two servers on one store (on
 * PostgreSQL, each with its own connection pool) serve the same order, a
 * server started afresh serves it at once, and the stored order is the one
 * the in-thread `Prioritiser` gives on the same texts and labels.
 */

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
const WORDS = "family reunification foster care trial parenting kinship cohort soil nitrogen meadow fish migration deep sea bird song".split(" ");

for (const engine of ["sqlite", ...(pgUrl ? ["postgres"] : [])] as const) {
  describe(`screening rankings as stored jobs (${engine})`, () => {
    let db: { url: string; drop: () => Promise<void> } | undefined;
    const stores: Store[] = [];
    const servers: FastifyInstance[] = [];
    const webDir = mkdtempSync(join(tmpdir(), "homeward-web-"));
    const dataDir = mkdtempSync(join(tmpdir(), "homeward-ranking-"));
    let project: string;
    let store: Store;
    const open = async () => {
      const s = engine === "postgres" ? await openStore({ databaseUrl: db!.url }) : await openStore({ dataDir });
      stores.push(s);
      return s;
    };
    const start = async (s: Store) => {
      const app = await buildServer({ store: s, policy: namedUserPolicy, version: "0", webDir, jobs: { pollMs: 100, heartbeatMs: 200 } });
      servers.push(app);
      return app;
    };

    beforeAll(async () => {
      if (engine === "postgres") db = await scratchDatabase(pgUrl!, `ranking_${process.pid}`);
      store = await open();
      project = (await store.createProject({ title: "Ranking" }, { actor: "ana" })).id;
      await addMembers(store, project, ["ben"]);
      const rnd = new Random(7);
      const records = Array.from({ length: 60 }, (_, i) => ({
        id: `r${String(i).padStart(2, "0")}`,
        title: Array.from({ length: 6 }, () => WORDS[rnd.int(WORDS.length)]).join(" "),
        abstract: Array.from({ length: 30 }, () => WORDS[rnd.int(WORDS.length)]).join(" "),
        authors: [],
        createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      }));
      await store.insert(project, "records", records as never, { actor: "ana" });
    });
    afterAll(async () => {
      for (const app of servers) await app.close();
      for (const s of stores) await s.close();
      await db?.drop();
    });

    const url = (path: string) => `/api/projects/${project}/screening/title_abstract/${path}`;
    const as = (user: string) => ({ "x-homeward-user": user });
    const next = async (app: FastifyInstance, user: string) => {
      const r = await app.inject({ url: url("next?prioritise=true"), headers: as(user) });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { record: { id: string } | null; prioritised: boolean };
    };
    const retrainsDone = async (s: Store) => {
      const q = openJobQueue(s);
      const items = (await q.list(project, { kind: "screening-ranking", limit: 50 })).items;
      return { open: items.filter((j) => j.state === "queued" || j.state === "running").length, done: items.filter((j) => j.state === "done") };
    };
    const settle = async (s: Store) => {
      for (let k = 0; k < 600; k++) {
        if ((await retrainsDone(s)).open === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the retrain jobs never finished");
    };

    it("retrains as a job once both classes are decided, stores the ranking, and serves it on every server, a new one at once", async () => {
      const a = await start(store);
      // Served in import order before any ranking.
      const labels = new Map<string, 0 | 1>();
      for (let k = 0; k < 10; k++) {
        const n = await next(a, "ana");
        expect(n.prioritised).toBe(false);
        const decision = k % 3 === 0 ? "include" : "exclude";
        const r = await a.inject({ method: "POST", url: url("decisions"), headers: as("ana"), payload: { recordId: n.record!.id, decision } });
        expect(r.statusCode, r.body).toBe(201);
        labels.set(n.record!.id, decision === "include" ? 1 : 0);
      }
      await settle(store);
      const { done } = await retrainsDone(store);
      expect(done.length).toBeGreaterThan(0);
      // The Jobs page lists the retrain with its kind.
      const jobs = (await a.inject({ url: `/api/projects/${project}/jobs?kind=screening-ranking`, headers: as("ana") })).json();
      expect(jobs.items[0]).toMatchObject({ kind: "screening-ranking", state: "done", progress: 1 });

      const stored = (await screeningRankings(store).latest(project, "title_abstract"))!;
      expect(stored).toMatchObject({ model: "elas_u4", trained: true, labelled: 10, unscreened: 50 });
      expect(stored.recordIds).toHaveLength(50);
      for (const id of labels.keys()) expect(stored.recordIds).not.toContain(id);

      // The same texts and labels through the in-thread prioritiser give the same order.
      const p = new Prioritiser({ seed: 1, model: "elas_u4" });
      for (const r of await store.list(project, "records")) p.addRecord(r.id, `${r.title} ${r.abstract ?? ""}`);
      for (const [id, l] of labels) p.setDecision(id, l === 1);
      p.retrain();
      expect(stored.recordIds).toEqual(p.ranking());

      // This server serves it; so does a second server on the same database, from its first request.
      const first = await next(a, "ana");
      expect(first).toMatchObject({ prioritised: true, record: { id: stored.recordIds[0] } });
      const b = await start(engine === "postgres" ? await open() : store);
      const other = await next(b, "ben");
      expect(other.prioritised).toBe(true);
      // Ana holds the best record, so Ben is served the next best.
      expect(other.record!.id).toBe(stored.recordIds[1]);
      const status = (await b.inject({ url: url("status"), headers: as("ben") })).json();
      expect(status.prioritisation).toMatchObject({ ranked: true, rankings: stored.version, labelled: 10, model: "elas_u4" });
    });

    it("ranks with the model the stage's settings name, from the next retrain", async () => {
      const a = servers[0]!;
      const set = await a.inject({ method: "PUT", url: url("model"), headers: as("ana"), payload: { model: "elas_u2" } });
      expect(set.statusCode, set.body).toBe(200);
      // The change is due at once; the next served record asks for it.
      await next(a, "ana");
      await settle(store);
      const stored = (await screeningRankings(store).latest(project, "title_abstract"))!;
      expect(stored.model).toBe("elas_u2");
      expect(stored.servedBy).toMatch(/^elas_u2/);
    });

    it("keeps at most one retrain of a stage waiting: asking again joins it", async () => {
      // A queue that runs nothing here, on a store of its own, so the job stays queued.
      const dir = mkdtempSync(join(tmpdir(), "homeward-ranking-queue-"));
      const s = await openStore({ dataDir: dir });
      stores.push(s);
      const pid = (await s.createProject({ title: "Queue" }, { actor: "ana" })).id;
      const q = openJobQueue(s);
      const one = await requestRetrain(q, pid, "title_abstract");
      const two = await requestRetrain(q, pid, "title_abstract");
      const ft = await requestRetrain(q, pid, "full_text");
      expect(two).toBe(one);
      expect(ft).not.toBe(one);
      expect((await q.list(pid, { kind: "screening-ranking" })).total).toBe(2);
    });
  });
}
