import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { callApi, request, risFile, signUp, startCluster } from "./cluster.js";

/**
 * A bounded loopback load test: simulated reviewers dual-screen one project
 * through two `homeward serve` processes on one PostgreSQL (behind a
 * round-robin proxy), while an adjudicator reconciles conflicts as they
 * appear. Each reviewer asks for the next record and decides it until the
 * time is up: with no pause (the default; it measures capacity), or, with
 * HOMEWARD_LOAD_THINK_MS=MIN-MAX (e.g. 2000-8000), pausing a uniformly drawn
 * time between being served a record and deciding it, as a person reading a
 * title and abstract does (still far faster than real screening).
 *
 * Size by environment: HOMEWARD_LOAD_REVIEWERS (default 10),
 * HOMEWARD_LOAD_SECONDS (default 30), HOMEWARD_LOAD_RECORDS (default 2,000),
 * HOMEWARD_LOAD_SERVERS (default 2). Needs HOMEWARD_BENCH_DATABASE_URL: a
 * database the bench may empty (its public and pgboss schemas are dropped);
 * without it the bench says so and stops. Prints figures: throughput,
 * p50/p95/p99 per route (over all requests, and again without those started
 * in the first 10 s, when every reviewer arrives at once; never instead of
 * the overall figure), the start times of the slowest `next` answers, decisions acknowledged vs stored vs audited,
 * records served to more reviewers than dual screening assigns (2), the
 * error answers, and how many database sessions were waiting on a lock
 * (sampled every 100 ms from pg_stat_activity: row locks such as the
 * project's audit-chain hold, and the lease table's advisory locks).
 */

const URL_ = process.env.HOMEWARD_BENCH_DATABASE_URL;
const REVIEWERS = Number(process.env.HOMEWARD_LOAD_REVIEWERS ?? 10);
const SECONDS = Number(process.env.HOMEWARD_LOAD_SECONDS ?? 30);
const RECORDS = Number(process.env.HOMEWARD_LOAD_RECORDS ?? 2000);
const SERVERS = Number(process.env.HOMEWARD_LOAD_SERVERS ?? 2);
/** Seconds after the start left out of the second set of figures (every reviewer's first request lands at once). */
const WARMUP_S = 10;
const THINK = /^(\d+)(?:-(\d+))?$/.exec(process.env.HOMEWARD_LOAD_THINK_MS ?? "0");
if (!THINK) throw new Error("HOMEWARD_LOAD_THINK_MS: a pause in milliseconds, or MIN-MAX");
const THINK_MIN = Number(THINK[1]);
const THINK_MAX = Number(THINK[2] ?? THINK[1]);
const think = () => THINK_MIN + Math.random() * (THINK_MAX - THINK_MIN);
const pace = THINK_MAX > 0 ? `each reviewer pauses ${THINK_MIN}-${THINK_MAX} ms (uniform) between a record and its decision` : "no pause between requests";

if (!URL_) {
  console.log("load benchmark skipped: set HOMEWARD_BENCH_DATABASE_URL to a PostgreSQL database it may empty");
  process.exit(0);
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const fmt = (xs: number[]) => `p50 ${q(xs, 0.5).toFixed(0)} ms, p95 ${q(xs, 0.95).toFixed(0)} ms, p99 ${q(xs, 0.99).toFixed(0)} ms (n = ${xs.length})`;

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
await admin.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS pgboss CASCADE");

console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
console.log(`${SERVERS} servers, one PostgreSQL, ${REVIEWERS} reviewers + 1 adjudicator, ${SECONDS} s, ${RECORDS.toLocaleString("en")} records, dual screening; ${pace}`);

const cluster = await startCluster(URL_, SERVERS);
try {
  const project = (await callApi(cluster.url, cluster.owner, "POST", "/projects", { title: "Load" })).id as string;
  const imported = await request(cluster.url, cluster.owner, "POST", `/projects/${project}/imports?fileName=load.ris&source=Bench`, risFile(RECORDS), "application/octet-stream");
  if (imported.status !== 201) throw new Error(`import: ${imported.status} ${await imported.text()}`);
  const names = Array.from({ length: REVIEWERS }, (_, i) => `rev${i + 1}`);
  const sessions = new Map<string, string>();
  for (const n of names) sessions.set(n, await signUp(cluster, project, n, "reviewer"));
  const adjudicator = await signUp(cluster, project, "adj", "adjudicator");
  await callApi(cluster.url, cluster.owner, "PUT", `/projects/${project}/screening/title_abstract/settings`, { mode: "dual", reviewers: names });
  const base = `/projects/${project}/screening/title_abstract`;

  const times: Record<string, number[]> = { "GET …/next": [], "POST …/decisions": [], "GET …/status": [], "POST …/reconciliations": [] };
  // When each request started (s after the reviewers began), beside its time: slow requests that
  // cluster at the start (every reviewer arriving at once) show in the figures without the first WARMUP_S.
  const startedAt: Record<string, number[]> = { "GET …/next": [], "POST …/decisions": [], "GET …/status": [], "POST …/reconciliations": [] };
  let t0 = performance.now();
  const errors: Record<string, number> = {};
  const servedTo = new Map<string, Set<string>>();
  let acknowledged = 0;
  let emptyNext = 0;
  let reconciled = 0;
  const end = Date.now() + SECONDS * 1000;
  const timed = async (route: string, f: () => Promise<Response>) => {
    const t = performance.now();
    const res = await f();
    const body = await res.text();
    times[route]!.push(performance.now() - t);
    startedAt[route]!.push((t - t0) / 1000);
    if (!res.ok) errors[`${route} ${res.status}`] = (errors[`${route} ${res.status}`] ?? 0) + 1;
    return { status: res.status, body: body ? JSON.parse(body) : null };
  };
  // Verdicts that disagree on about a third of records, so the adjudicator has work.
  const verdict = (id: string, who: string) => ((id.charCodeAt(id.length - 1) * 7 + who.length + who.charCodeAt(who.length - 1)) % 3 === 0 ? "include" : "exclude");

  const reviewer = async (name: string) => {
    const s = sessions.get(name)!;
    while (Date.now() < end) {
      const next = await timed("GET …/next", () => request(cluster.url, s, "GET", `${base}/next`));
      const id = next.body?.record?.id as string | undefined;
      if (!id) {
        emptyNext++;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (!servedTo.has(id)) servedTo.set(id, new Set());
      servedTo.get(id)!.add(name);
      if (THINK_MAX > 0) await new Promise((r) => setTimeout(r, think()));
      const d = await timed("POST …/decisions", () => request(cluster.url, s, "POST", `${base}/decisions`, { recordId: id, decision: verdict(id, name) }));
      if (d.status === 201) acknowledged++;
    }
  };
  const reconciler = async () => {
    while (Date.now() < end) {
      const st = await timed("GET …/status", () => request(cluster.url, adjudicator, "GET", `${base}/status`));
      for (const c of (st.body?.conflicts ?? []) as { recordId: string }[]) {
        if (Date.now() >= end) break;
        const r = await timed("POST …/reconciliations", () => request(cluster.url, adjudicator, "POST", `${base}/reconciliations`, { recordId: c.recordId, decision: "include", reason: "settled in discussion" }));
        if (r.status === 201) reconciled++;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  // Sessions of this database waiting on a lock, by kind, sampled while the reviewers work.
  const waits: Record<string, number> = {};
  let samples = 0;
  const sampler = async () => {
    while (Date.now() < end) {
      const rows = (
        await admin.query("SELECT wait_event AS w, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' GROUP BY 1")
      ).rows as { w: string; n: number }[];
      samples++;
      for (const r of rows) waits[r.w] = (waits[r.w] ?? 0) + r.n;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  t0 = performance.now();
  await Promise.all([...names.map(reviewer), reconciler(), sampler()]);
  const elapsed = (performance.now() - t0) / 1000;

  const count = async (text: string) => Number((await admin.query(text, [project])).rows[0].n);
  const stored = await count("SELECT count(*) AS n FROM screening_decisions WHERE project_id = $1");
  const audited = await count("SELECT count(*) AS n FROM audit WHERE project_id = $1 AND action = 'screeningDecisions.create' AND entity_id IS NOT NULL");
  const recStored = await count("SELECT count(*) AS n FROM reconciliations WHERE project_id = $1");
  const overServed = [...servedTo.values()].filter((s) => s.size > 2).length;

  console.log(`\n${elapsed.toFixed(0)} s: ${acknowledged.toLocaleString("en")} decisions acknowledged (${(acknowledged / elapsed).toFixed(1)}/s), ${servedTo.size.toLocaleString("en")} records served`);
  console.log("  all requests:");
  for (const [route, xs] of Object.entries(times)) console.log(`    ${route.padEnd(24)} ${fmt(xs)}`);
  console.log(`  excluding requests started in the first ${WARMUP_S} s:`);
  for (const [route, xs] of Object.entries(times)) console.log(`    ${route.padEnd(24)} ${fmt(xs.filter((_, i) => startedAt[route]![i]! >= WARMUP_S))}`);
  // Where the slowest requests fall in time: the seconds in which the /next answers over the overall p95 started.
  const nx = times["GET …/next"]!;
  const p95 = q(nx, 0.95);
  const slowAt = nx.flatMap((x, i) => (x > p95 ? [startedAt["GET …/next"]![i]!] : [])).sort((a, b) => a - b);
  // A long run lists them per minute rather than one by one.
  const perMinute = new Map<number, number>();
  for (const t of slowAt) perMinute.set(Math.floor(t / 60), (perMinute.get(Math.floor(t / 60)) ?? 0) + 1);
  const where =
    SECONDS > 120
      ? [...perMinute].map(([m, n]) => `${m * 60}–${m * 60 + 60} s: ${n}`).join(", ")
      : slowAt.map((x) => x.toFixed(1)).join(" ");
  console.log(`  GET …/next over the overall p95, started at${SECONDS > 120 ? "" : " (s)"}: ${where || "none"}`);
  console.log(`  GET …/next answered with nothing left to serve: ${emptyNext} of ${nx.length}`);
  console.log(`  decisions: acknowledged ${acknowledged}, stored ${stored}, audited ${audited}`);
  console.log(`  reconciliations: acknowledged ${reconciled}, stored ${recStored}`);
  console.log(`  records served to more than their 2 assigned reviewers: ${overServed}`);
  console.log(`  requests per server: ${cluster.forwarded.join(", ")}`);
  console.log(`  error answers: ${Object.keys(errors).length ? JSON.stringify(errors) : "none"}`);
  const waiting = Object.entries(waits).map(([w, n]) => `${w} ${(n / samples).toFixed(2)}`);
  console.log(`  sessions waiting on a lock, mean of ${samples} samples: ${waiting.length ? waiting.join(", ") : "none"}`);
  console.log(`  load average after: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
} finally {
  await cluster.stop();
  await admin.end();
}
