import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type { ProjectFile } from "@homeward/model";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { scratchDatabase } from "../../store/test/scratch-database.js";
import { screeningProjects } from "../src/routes/screening-state.js";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * Races that used to break a project's "one per" rules, each run on SQLite
 * (one server) and, when HOMEWARD_TEST_DATABASE_URL is set, on PostgreSQL
 * with two servers (each its own connection pool and screening state) on one
 * database, requests alternating between them. Whatever the interleaving,
 * the database keeps one row per place, and every writer who lost gets a 409
 * with what stands.
 */

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;

interface Setup {
  stores: Store[];
  apps: FastifyInstance[];
  done: () => Promise<void>;
}

const webDir = mkdtempSync(join(tmpdir(), "homeward-web-"));
const serverOn = async (store: Store) => buildServer({ store, policy: namedUserPolicy, version: "0", webDir });

const engines: [string, () => Promise<Setup>][] = [
  [
    "sqlite",
    async () => {
      const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), "homeward-races-")) });
      const app = await serverOn(store);
      return {
        stores: [store],
        apps: [app],
        done: async () => {
          await app.close();
          await store.close();
        },
      };
    },
  ],
];
if (pgUrl) {
  engines.push([
    "postgres (two servers)",
    async () => {
      const db = await scratchDatabase(pgUrl, `races_${process.pid}`);
      const stores = [await openStore({ databaseUrl: db.url }), await openStore({ databaseUrl: db.url })];
      const apps = [await serverOn(stores[0]!), await serverOn(stores[1]!)];
      return {
        stores,
        apps,
        done: async () => {
          for (const a of apps) await a.close();
          for (const s of stores) await s.close();
          await db.drop();
        },
      };
    },
  ]);
}

const REVIEWERS = ["ana", "ben", "carl", "dee", "eve", "fay"];
const ADJUDICATORS = ["kim", "lou", "max", "ned", "ola"];
const headers = (user: string) => ({ "x-homeward-user": user });

describe.each(engines)("integrity under concurrency on %s", (_name, open) => {
  let s: Setup;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(async () => s?.done());
  /** The server for the k-th request: alternating where there are two. */
  const app = (k: number) => s.apps[k % s.apps.length]!;
  const store = () => s.stores[0]!;

  const project = async (title: string, records: number, mode: "single" | "dual" = "dual") => {
    const id = (await store().createProject({ title }, { actor: "ana" })).id;
    await addMembers(store(), id, REVIEWERS.filter((r) => r !== "ana"));
    await addMembers(store(), id, ADJUDICATORS, "adjudicator");
    const recs = await store().insert(id, "records", Array.from({ length: records }, (_, i) => ({ title: `${title} record ${i}`, abstract: `kinship care ${i}` })), { actor: "ana" });
    await store().insert(id, "screeningSettings", [{ stage: "title_abstract", mode, reviewers: [] }], { actor: "ana" });
    return { id, records: recs.map((r) => r.id) };
  };

  it("serves no record to more reviewers than dual screening assigns, with every reviewer asking at once", async () => {
    const p = await project("Next", 24);
    const served = new Map<string, Set<string>>();
    let k = 0;
    // Each round every reviewer asks at the same moment; then each decides what they were given.
    for (let round = 0; round < 40; round++) {
      const got = await Promise.all(
        REVIEWERS.map(async (user) => {
          const r = await app(k++).inject({ url: `/api/projects/${p.id}/screening/title_abstract/next`, headers: headers(user) });
          expect(r.statusCode, r.body).toBe(200);
          return [user, (r.json() as { record: { id: string } | null }).record?.id ?? null] as const;
        }),
      );
      if (got.every(([, id]) => id === null)) break;
      await Promise.all(
        got.map(async ([user, id]) => {
          if (id === null) return;
          served.set(id, (served.get(id) ?? new Set()).add(user));
          const r = await app(k++).inject({
            method: "POST",
            url: `/api/projects/${p.id}/screening/title_abstract/decisions`,
            headers: headers(user),
            payload: { recordId: id, decision: "include" },
          });
          expect(r.statusCode, r.body).toBe(201);
        }),
      );
    }
    expect([...served.keys()].sort()).toEqual([...p.records].sort());
    for (const [id, by] of served) expect(by.size, id).toBe(2);
    const decisions = await store().list(p.id, "screeningDecisions");
    expect(decisions).toHaveLength(p.records.length * 2);
  });

  it("stores one reconciliation for each of 20 conflicts reconciled by five adjudicators at once; the other four get 409 with it", async () => {
    const p = await project("Reconcile", 20);
    for (const recordId of p.records) {
      await store().insert(p.id, "screeningDecisions", [{ recordId, stage: "title_abstract", reviewer: "ana", decision: "include", reasons: [], labels: [] }], { actor: "ana" });
      await store().insert(p.id, "screeningDecisions", [{ recordId, stage: "title_abstract", reviewer: "ben", decision: "exclude", reasons: [], labels: [] }], { actor: "ben" });
    }
    let k = 0;
    const answers = await Promise.all(
      p.records.flatMap((recordId) =>
        ADJUDICATORS.map(async (user, i) => {
          const r = await app(k++).inject({
            method: "POST",
            url: `/api/projects/${p.id}/screening/title_abstract/reconciliations`,
            headers: headers(user),
            payload: { recordId, decision: i % 2 ? "exclude" : "include", reason: `settled by ${user}` },
          });
          return { recordId, user, status: r.statusCode, body: r.json() as { error?: string; current?: { id: string; resolvedBy: string } } | { id: string }[] };
        }),
      ),
    );
    const stored = await store().list(p.id, "reconciliations");
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((r) => r.recordId)).size).toBe(20);
    for (const recordId of p.records) {
      const mine = answers.filter((a) => a.recordId === recordId);
      const won = mine.filter((a) => a.status === 201);
      expect(won, recordId).toHaveLength(1);
      const standing = stored.find((r) => r.recordId === recordId)!;
      expect(standing.resolvedBy).toBe(won[0]!.user);
      for (const lost of mine.filter((a) => a.status !== 201)) {
        expect(lost.status, JSON.stringify(lost.body)).toBe(409);
        expect((lost.body as { current: { id: string } }).current.id).toBe(standing.id);
      }
    }
    const status = (await app(0).inject({ url: `/api/projects/${p.id}/screening/title_abstract/status`, headers: headers("ana") })).json();
    expect(status.counts.reconciled).toBe(20);
  });

  it("keeps one settings row through ten concurrent saves of a stage's settings", async () => {
    const id = (await store().createProject({ title: "Settings" }, { actor: "ana" })).id;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app(i).inject({
          method: "PUT",
          url: `/api/projects/${id}/screening/full_text/settings`,
          headers: headers("ana"),
          payload: i % 2 ? { mode: "dual" } : { mode: "dual_then_single", dualFraction: 0.1 * (i + 1) },
        }),
      ),
    );
    for (const a of answers) expect([200, 409], a.body).toContain(a.statusCode);
    expect(answers.some((a) => a.statusCode === 200)).toBe(true);
    const rows = await store().list(id, "screeningSettings");
    expect(rows).toHaveLength(1);
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json().current).toMatchObject({ id: rows[0]!.id, stage: "full_text" });
    // What the stage now reads is that row.
    expect((await app(1).inject({ url: `/api/projects/${id}/screening/full_text/settings`, headers: headers("ana") })).json().id).toBe(rows[0]!.id);
  });

  it("keeps one full-text retrieval per record through five concurrent updates of each of 20 records", async () => {
    const p = await project("Full text", 20, "single");
    const statuses = ["sought", "retrieved", "author_contacted", "sought", "not_retrieved"];
    let k = 0;
    const answers = await Promise.all(
      p.records.flatMap((recordId) =>
        statuses.map((status, i) =>
          app(k++).inject({ method: "PUT", url: `/api/projects/${p.id}/fulltext/${recordId}`, headers: headers(REVIEWERS[i]!), payload: { status } }),
        ),
      ),
    );
    for (const a of answers) expect([200, 201, 409], a.body).toContain(a.statusCode);
    const rows = await store().list(p.id, "fullTextRetrievals");
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.recordId)).size).toBe(20);
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(rows.map((r) => r.id)).toContain(a.json().current.id);
  });

  it("exports taken while reviewers decide are snapshots: every decision's audit entry with its decision, and the reverse", async () => {
    const p = await project("Exports", 40, "single");
    let writing = true;
    // Decisions (and changed decisions) go on until the last export is in: on SQLite an export no longer holds writes back,
    // so a fixed number of them could all land before the first export's snapshot.
    const writer = (async () => {
      for (let k = 0; writing; k++) {
        const user = REVIEWERS[k % 3]!;
        const decision = Math.floor(k / p.records.length) % 2 ? "include" : "exclude";
        await store().insert(p.id, "screeningDecisions", [{ recordId: p.records[k % p.records.length]!, stage: "title_abstract", reviewer: user, decision, reasons: [], labels: [] }], { actor: user });
        // As writes arriving over the network would: SQLite's writes complete without yielding, so the loop lets other work in.
        await new Promise((r) => setImmediate(r));
      }
    })();
    const files: ProjectFile[] = [];
    for (let i = 0; i < 8; i++) {
      // An export job started through one server, followed and downloaded through another (any server runs it).
      const started = await app(i).inject({ method: "POST", url: `/api/projects/${p.id}/exports/jobs`, headers: headers("ana") });
      expect(started.statusCode, started.body.slice(0, 200)).toBe(201);
      const jobUrl = `/api/projects/${p.id}/jobs/${started.json().id}`;
      for (let n = 0; (await app(i + 1).inject({ url: jobUrl, headers: headers("ana") })).json().state !== "done"; n++) {
        if (n > 600) throw new Error("the export job did not finish");
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await app(i + 1).inject({ url: `${jobUrl}/file`, headers: headers("ana") });
      expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
      files.push(r.json() as ProjectFile);
    }
    writing = false;
    await writer;
    const sizes = new Set<number>();
    for (const f of files) {
      const decided = new Set(f.screeningDecisions.map((d) => d.id));
      const logged = new Set(f.audit.filter((a) => a.action === "screeningDecisions.create").map((a) => a.entityId));
      expect([...logged].sort()).toEqual([...decided].sort());
      sizes.add(decided.size);
    }
    // The exports did overlap the writes (not all taken before or after them).
    expect(sizes.size).toBeGreaterThan(1);
  });

  it("keeps the record a reviewer holds through an import of more than 50 records", async () => {
    const p = await project("Import", 10, "single");
    const held = (await app(0).inject({ url: `/api/projects/${p.id}/screening/title_abstract/next?prioritise=false`, headers: headers("ana") })).json().record.id as string;
    // Every server has its screening state loaded before the import.
    for (let i = 0; i < s.apps.length; i++) await app(i).inject({ url: `/api/projects/${p.id}/screening/title_abstract/status`, headers: headers("ben") });
    await store().insert(p.id, "records", Array.from({ length: 60 }, (_, i) => ({ title: `Imported ${i}` })), { actor: "ana" });
    const others = new Set<string>();
    for (let i = 0; i < REVIEWERS.length - 1; i++) {
      const user = REVIEWERS[i + 1]!;
      const r = await app(i).inject({ url: `/api/projects/${p.id}/screening/title_abstract/next?prioritise=false`, headers: headers(user) });
      others.add(r.json().record.id as string);
    }
    expect(others.has(held)).toBe(false);
    for (let i = 0; i < s.apps.length; i++) {
      const again = await app(i).inject({ url: `/api/projects/${p.id}/screening/title_abstract/next?prioritise=false`, headers: headers("ana") });
      expect(again.json().record.id).toBe(held);
    }
    // Each server's rebuilt state knows who holds what without being asked for a record.
    await store().insert(p.id, "records", Array.from({ length: 60 }, (_, i) => ({ title: `Imported again ${i}` })), { actor: "ana" });
    for (let i = 0; i < s.apps.length; i++) {
      const state = await screeningProjects(app(i), s.stores[i]!).synced(p.id);
      const leases = state.engine.stage("title_abstract").leasesAt(Date.now());
      expect(leases.find((l) => l.reviewer === "ana")?.recordId).toBe(held);
      expect(leases.length).toBe(REVIEWERS.length);
    }
  });
});
