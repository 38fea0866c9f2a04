import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, request, risFile, signUp, startCluster, type Cluster } from "../src/bench/cluster.js";
import { scratchDatabase } from "../../store/test/scratch-database.js";

/**
 * Two `homeward serve` processes (the built CLI) on one PostgreSQL behind a
 * round-robin proxy, so that a reviewer's consecutive requests go to
 * different servers: dual screening by four reviewers at once serves no
 * record to more than its two reviewers, every acknowledged decision is
 * stored and audited, and a reconciliation made through one server is seen
 * by the other at once.
 */
const pgUrl = process.env.HOMEWARD_TEST_DATABASE_URL;
const CLI_MAIN = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
if (!pgUrl) console.warn("two-servers.test.ts skipped: HOMEWARD_TEST_DATABASE_URL is not set (two servers need one PostgreSQL)");

const RECORDS = 60;
const REVIEWERS = ["rev1", "rev2", "rev3", "rev4"];

describe.skipIf(!pgUrl)(`two servers on one PostgreSQL${pgUrl ? "" : " (skipped: HOMEWARD_TEST_DATABASE_URL is not set)"}`, () => {
  let cluster: Cluster;
  let db: { url: string; drop: () => Promise<void> };
  let project: string;
  const sessions = new Map<string, string>();
  beforeAll(async () => {
    if (!existsSync(CLI_MAIN)) throw new Error("the two-server test runs the built CLI: run `npx tsc -b` first");
    db = await scratchDatabase(pgUrl!, `two_servers_${process.pid}`);
    cluster = await startCluster(db.url, 2);
    project = (await callApi(cluster.url, cluster.owner, "POST", "/projects", { title: "Two servers" })).id;
    const imported = await request(cluster.url, cluster.owner, "POST", `/projects/${project}/imports?fileName=two.ris&source=MEDLINE`, risFile(RECORDS), "application/octet-stream");
    expect(imported.status).toBe(201);
    for (const r of REVIEWERS) sessions.set(r, await signUp(cluster, project, r, "reviewer"));
    await callApi(cluster.url, cluster.owner, "PUT", `/projects/${project}/screening/title_abstract/settings`, { mode: "dual", reviewers: REVIEWERS });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
  });

  it("screens through both servers: no record served to more than its two reviewers, every decision stored and audited, reconciliations seen by both", async () => {
    const base = `/projects/${project}/screening/title_abstract`;
    const servedTo = new Map<string, Set<string>>();
    let acknowledged = 0;
    // Verdicts that differ between reviewers on some records, so that there are conflicts to reconcile.
    const verdict = (recordId: string, reviewer: string) => ((recordId.charCodeAt(recordId.length - 1) + reviewer.charCodeAt(3)) % 3 === 0 ? "include" : "exclude");
    await Promise.all(
      REVIEWERS.map(async (reviewer) => {
        const session = sessions.get(reviewer)!;
        for (let k = 0; k < RECORDS * 2; k++) {
          const next = await callApi<{ record: { id: string } | null }>(cluster.url, session, "GET", `${base}/next`);
          if (!next.record) return;
          const id = next.record.id;
          if (!servedTo.has(id)) servedTo.set(id, new Set());
          servedTo.get(id)!.add(reviewer);
          const res = await request(cluster.url, session, "POST", `${base}/decisions`, { recordId: id, decision: verdict(id, reviewer) });
          expect(res.status, await res.clone().text()).toBe(201);
          acknowledged++;
        }
        throw new Error(`${reviewer} was served more records than there are`);
      }),
    );
    expect(cluster.forwarded.every((n) => n > 50)).toBe(true);
    expect(servedTo.size).toBe(RECORDS);
    expect([...servedTo.values()].filter((s) => s.size > 2)).toEqual([]);
    expect(acknowledged).toBe(RECORDS * 2);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const stored = await client.query("SELECT record_id, count(DISTINCT reviewer)::int AS n, count(*)::int AS rows FROM screening_decisions WHERE project_id = $1 GROUP BY record_id", [project]);
      expect(stored.rows.length).toBe(RECORDS);
      expect(stored.rows.every((r) => r.n === 2 && r.rows === 2)).toBe(true);
      const audited = await client.query("SELECT count(*)::int AS n FROM audit WHERE project_id = $1 AND action = 'screeningDecisions.create' AND entity_id IS NOT NULL", [project]);
      expect(audited.rows[0].n).toBe(acknowledged);
    } finally {
      await client.end();
    }

    // Both servers agree on the conflicts; each reconciliation, made through one, is gone from the other's list at once.
    const [a, b] = cluster.servers as [{ url: string }, { url: string }];
    const conflictsOn = async (url: string) => (await callApi<{ conflicts: { recordId: string }[] }>(url, cluster.owner, "GET", `${base}/status`)).conflicts.map((c) => c.recordId).sort();
    const conflicts = await conflictsOn(a.url);
    expect(conflicts.length).toBeGreaterThan(0);
    expect(await conflictsOn(b.url)).toEqual(conflicts);
    for (const [i, recordId] of conflicts.entries()) {
      const [via, other] = i % 2 === 0 ? [a, b] : [b, a];
      await callApi(via.url, cluster.owner, "POST", `${base}/reconciliations`, { recordId, decision: "include", reason: "discussed" });
      expect(await conflictsOn(other.url)).not.toContain(recordId);
    }
    expect(await conflictsOn(a.url)).toEqual([]);
    expect(await conflictsOn(b.url)).toEqual([]);
  }, 180_000);
});
