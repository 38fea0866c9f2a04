import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@homeward/store";
import { buildServer } from "@homeward/server";
import { scratchDatabase } from "../../store/test/scratch-database.js";
import { addMembers, namedUserPolicy } from "./identity.js";

/**
 * Two `homeward serve` processes on one PostgreSQL database: two servers,
 * each with its own connection pool and its own in-memory screening state,
 * sharing nothing but the database. Records are held by leases in the store,
 * so however the reviewers' requests interleave across the two, no record is
 * held by more reviewers than it needs, and a server started afresh serves a
 * reviewer the record they held.
 */

const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;


const REVIEWERS = ["ana", "ben", "carl", "dee", "eve", "fay", "gus", "hal"];

describe.skipIf(!pgUrl)("screening on two servers over one PostgreSQL database", () => {
  let db: { url: string; drop: () => Promise<void> };
  const stores: Store[] = [];
  const servers: FastifyInstance[] = [];
  const webDir = mkdtempSync(join(tmpdir(), "homeward-web-"));
  const start = async (): Promise<{ store: Store; app: FastifyInstance }> => {
    const store = await openStore({ databaseUrl: db.url });
    const app = await buildServer({ store, policy: namedUserPolicy, version: "0", webDir });
    stores.push(store);
    servers.push(app);
    return { store, app };
  };

  beforeAll(async () => {
    db = await scratchDatabase(pgUrl!, `servers_${process.pid}`);
  });
  afterAll(async () => {
    for (const app of servers) await app.close();
    for (const s of stores) await s.close();
    await db?.drop();
  });

  const headers = (user: string) => ({ "x-homeward-user": user });
  const next = async (app: FastifyInstance, project: string, user: string): Promise<string | null> => {
    const r = await app.inject({ url: `/api/projects/${project}/screening/title_abstract/next`, headers: headers(user) });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { record: { id: string } | null }).record?.id ?? null;
  };
  const decide = async (app: FastifyInstance, project: string, user: string, recordId: string, decision: string) => {
    const r = await app.inject({
      method: "POST",
      url: `/api/projects/${project}/screening/title_abstract/decisions`,
      headers: headers(user),
      payload: { recordId, decision },
    });
    expect(r.statusCode, r.body).toBe(201);
  };

  it.each([
    { mode: "single" as const, needed: 1 },
    { mode: "dual" as const, needed: 2 },
  ])("never hands a record to more reviewers than it needs ($mode screening, eight reviewers on both servers at once)", async ({ mode, needed }) => {
    const a = await start();
    const b = await start();
    const project = (await a.store.createProject({ title: `Two servers, ${mode}` }, { actor: "ana" })).id;
    await addMembers(a.store, project, REVIEWERS.filter((r) => r !== "ana"));
    const records = await a.store.insert(project, "records", Array.from({ length: 30 }, (_, i) => ({ title: `Record ${i}`, abstract: `kinship care ${i}` })), { actor: "ana" });
    await a.store.insert(project, "screeningSettings", [{ stage: "title_abstract", mode, reviewers: [] }], { actor: "ana" });

    // Leases in force, watched from a third connection while the reviewers work.
    const watcher = await openStore({ databaseUrl: db.url });
    stores.push(watcher);
    let running = true;
    let most = 0;
    let polls = 0;
    const watch = (async () => {
      while (running) {
        const perKey = new Map<string, number>();
        for (const l of await watcher.leases.list(project, "title_abstract", Date.now())) perKey.set(l.key, (perKey.get(l.key) ?? 0) + 1);
        for (const n of perKey.values()) most = Math.max(most, n);
        polls++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    // Each reviewer screens until nothing is left for them, switching server on every request.
    const served = new Map<string, string[]>();
    const reloads: [string, string | null][] = [];
    await Promise.all(
      REVIEWERS.map(async (reviewer, i) => {
        for (let k = 0; ; k++) {
          const app = [a.app, b.app][(i + k) % 2]!;
          const id = await next(app, project, reviewer);
          if (id === null) break;
          served.set(id, [...(served.get(id) ?? []), reviewer]);
          // A reload, on the other server: the same record.
          if (k % 3 === 0) reloads.push([id, await next([a.app, b.app][(i + k + 1) % 2]!, project, reviewer)]);
          await decide(app, project, reviewer, id, (i + k) % 3 ? "exclude" : "include");
        }
      }),
    );
    running = false;
    await watch;

    expect(polls).toBeGreaterThan(0);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(needed);
    for (const [id, again] of reloads) expect(again).toBe(id);
    // Every record was screened by exactly as many reviewers as it needs, each a different one.
    expect([...served.keys()].sort()).toEqual(records.map((r) => r.id).sort());
    for (const [id, by] of served) {
      expect(by.length, id).toBe(needed);
      expect(new Set(by).size, id).toBe(needed);
    }
    const decisions = await a.store.list(project, "screeningDecisions");
    expect(decisions).toHaveLength(records.length * needed);
    const status = (await b.app.inject({ url: `/api/projects/${project}/screening/title_abstract/status`, headers: headers("ana") })).json();
    expect(status.counts.unscreened + status.counts.awaiting_second).toBe(0);
  });

  it("serves a reviewer the record they held after a restart, on a new server or the other one", async () => {
    const a = await start();
    const b = await start();
    const project = (await a.store.createProject({ title: "Restart" }, { actor: "ana" })).id;
    await addMembers(a.store, project, ["zoe", "yan", "xia", "wes", "val"]);
    await a.store.insert(project, "records", Array.from({ length: 10 }, (_, i) => ({ title: `Record ${i}` })), { actor: "ana" });
    const held = await next(a.app, project, "zoe");
    expect(held).not.toBeNull();
    const other = await next(b.app, project, "yan");
    expect(other).not.toBe(held);

    // Server A stops; a new one starts on the same database with nothing in memory.
    await a.app.close();
    const restarted = await start();
    expect(await next(restarted.app, project, "zoe")).toBe(held);
    expect(await next(b.app, project, "zoe")).toBe(held);
    expect(await next(restarted.app, project, "yan")).toBe(other);
    // Nobody else is given zoe's record while she holds it.
    for (const user of ["xia", "wes", "val"]) expect([held, other]).not.toContain(await next(restarted.app, project, user));
  });
});
