import { mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { dedupeInWorker, dedupeProject } from "@homeward/records";
import { openJobQueue, openStore, syntheticRecords } from "@homeward/store";
import { buildServer } from "../index.js";
import { benchSession } from "./session.js";
/**
 * A review at scale, opt-in: HOMEWARD_BENCH_SCALE_RECORDS=N (for instance
 * 1000000) and either HOMEWARD_BENCH_DATABASE_URL (PostgreSQL, a database
 * the bench may empty) or HOMEWARD_BENCH_SCALE_SQLITE_DIR (a SQLite data
 * folder, emptied first). Times, on one project of N synthetic records (1%
 * of them written twice, as duplicates): the import (the store's bulk
 * write), duplicate detection (a worker thread; HOMEWARD_BENCH_SCALE_DEDUPE=0
 * skips it), and over HTTP (127.0.0.1) the records table (first page, sorted
 * pages, pages deep in the table, searches), the API calls of every project
 * page (dashboard, records, duplicates, screening status, studies, PRISMA,
 * audit log), the next record to screen with the ranking (first call, then
 * after decisions; HOMEWARD_BENCH_SCALE_SCREEN=0 skips it, and
 * HOMEWARD_BENCH_SCALE_ONLY=records or pages times one part only). Prints medians of 5 with the load average; asserts
 * nothing. HOMEWARD_BENCH_SCALE_REUSE=1 keeps the database of an earlier run
 * (its one project) and times only the HTTP part.
 * HOMEWARD_BENCH_SCALE_ONLY=import stops after the import;
 * HOMEWARD_BENCH_SCALE_DEDUPE=only runs duplicate detection alone (on the
 * reused project with REUSE=1) and prints its time and the process's peak
 * RSS (worker thread included), then stops;
 * HOMEWARD_BENCH_SCALE_DEDUPE_FROM=<another build's records dist/index.js>
 * runs that build's detection instead (before and after, back to back).
 * HOMEWARD_BENCH_SCALE_SCREEN=first (with REUSE=1) times only a started
 * server's first screening calls, HOMEWARD_BENCH_SCALE_RUNS times (5): a
 * fresh server's first status then first next record, and another fresh
 * server's first next record, with each server's heap after them; it writes
 * nothing but the bench user's lease, unless HOMEWARD_BENCH_SCALE_STEPS=K:
 * then K decisions on the last server, timing the next record asked again
 * while held, the next record after each decision, and the decisions.
 */
const N = Number(process.env.HOMEWARD_BENCH_SCALE_RECORDS ?? 0);
const URL_ = process.env.HOMEWARD_BENCH_DATABASE_URL;
const SQLITE_DIR = process.env.HOMEWARD_BENCH_SCALE_SQLITE_DIR;
if (!N || (!URL_ && !SQLITE_DIR)) {
  console.log("scale benchmark skipped: set HOMEWARD_BENCH_SCALE_RECORDS (e.g. 1000000) and HOMEWARD_BENCH_DATABASE_URL (a database it may empty) or HOMEWARD_BENCH_SCALE_SQLITE_DIR (a folder it may empty)");
  process.exit(0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
const REUSE = process.env.HOMEWARD_BENCH_SCALE_REUSE === "1";
if (!REUSE) {
  if (URL_) {
    const admin = new pg.Client({ connectionString: URL_ });
    await admin.connect();
    await admin.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS pgboss CASCADE");
    await admin.end();
  } else {
    rmSync(SQLITE_DIR!, { recursive: true, force: true });
    mkdirSync(SQLITE_DIR!, { recursive: true });
  }
}
console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${load()}, Node ${process.version}`);
console.log(`${URL_ ? "PostgreSQL" : "SQLite"}, one project of ${N.toLocaleString("en")} records`);
const store = await openStore(URL_ ? { databaseUrl: URL_ } : { dataDir: SQLITE_DIR! });
try {
  const reused = REUSE ? (await store.listProjects()).find((x) => x.title === "Scale") : undefined;
  const p = reused ?? (await store.createProject({ title: "Scale" }, { actor: "bench" }));
  if (reused)
    console.log("  (the project of an earlier run: import and duplicate detection not repeated)");
  else {
    const [search] = await store.insert(p.id, "searches", [{ source: "Synthetic", kind: "database" }], { actor: "bench" });
    // In parts of 100,000, so the generator never holds the whole project; 1% are copies of an earlier record.
    const PART = 100_000;
    let t = performance.now();
    for (let start = 0; start < N; start += PART) {
      const part = syntheticRecords(Math.min(PART, N - start), 1 + start).map((r, i) => ({ ...r, id: `r${start + i}`, searchId: search!.id }));
      for (let i = 100; i < part.length; i += 100)
        part[i] = { ...part[i - 50]!, id: part[i]!.id, createdAt: part[i]!.createdAt };
      await store.insert(p.id, "records", part, { actor: "bench" });
    }
    await store.settle();
    console.log(`  import (store bulk write, in parts of 100,000${URL_ ? ", then VACUUM ANALYZE" : ""}): ${secs(performance.now() - t)} (load average ${load()})`);
    if (process.env.HOMEWARD_BENCH_SCALE_ONLY === "import") {
      await store.close();
      process.exit(0);
    }
    if (process.env.HOMEWARD_BENCH_SCALE_DEDUPE !== "0" && process.env.HOMEWARD_BENCH_SCALE_DEDUPE !== "only") {
      t = performance.now();
      const found = await dedupeProject(store, p.id, { actor: "bench", reason: null }, { run: dedupeInWorker });
      console.log(`  duplicate detection (read, compare in a worker thread, link): ${secs(performance.now() - t)}: ${found.groups.toLocaleString("en")} groups (load average ${load()})`);
    }
  }
  if (process.env.HOMEWARD_BENCH_SCALE_DEDUPE === "only") {
    const from = process.env.HOMEWARD_BENCH_SCALE_DEDUPE_FROM;
    const m = (from ? await import(pathToFileURL(from).href) : { dedupeProject, dedupeInWorker }) as { dedupeProject: typeof dedupeProject; dedupeInWorker: typeof dedupeInWorker };
    let heap = 0;
    const sample = setInterval(() => (heap = Math.max(heap, process.memoryUsage().heapUsed)), 100);
    const t = performance.now();
    const found = await m.dedupeProject(store, p.id, { actor: "bench", reason: null }, { run: m.dedupeInWorker });
    clearInterval(sample);
    const mb = (b: number) => `${Math.round(b / 1048576).toLocaleString("en")} MB`;
    console.log(
      `  duplicate detection only${from ? ` (${from})` : ""}: ${secs(performance.now() - t)}: ${found.groups.toLocaleString("en")} groups, ${found.grouped.toLocaleString("en")} records grouped, ${found.maybe.toLocaleString("en")} pairs asked; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, main thread's heap at most ${mb(heap)} (load average ${load()})`,
    );
    await store.close();
    process.exit(0);
  }
  const start = async () => {
    const a = await buildServer({ store, version: "bench", webDir: "/nonexistent" });
    await a.listen({ port: 0, host: "127.0.0.1" });
    return a;
  };
  let app = await start();
  let base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
  const cookie = await benchSession(store, "bench");
  const headers = { cookie, "content-type": "application/json", origin: base.split("/api")[0]! };
  if (process.env.HOMEWARD_BENCH_SCALE_SCREEN === "first") {
    // A started server's first screening calls: what the first reviewer to open the screening page waits for.
    const stage = "/screening/title_abstract";
    const call = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers });
      const body = (await res.json()) as any;
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { ms: performance.now() - t0, body };
    };
    const restart = async () => {
      await app.close();
      globalThis.gc?.();
      app = await start();
      base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
      // A write names the server it is sent to as its origin (a write from another site is refused).
      headers.origin = base.split("/api")[0]!;
    };
    const runs = Number(process.env.HOMEWARD_BENCH_SCALE_RUNS ?? 5);
    const xs: Record<string, number[]> = { "status, first call": [], "then next record": [], "next record, second call": [], "next record as the first call": [], "heap after (MB)": [] };
    for (let k = 0; k < runs; k++) {
      await restart();
      const s1 = await call(`${stage}/status`);
      xs["status, first call"]!.push(s1.ms);
      xs["then next record"]!.push((await call(`${stage}/next?prioritise=true`)).ms);
      xs["next record, second call"]!.push((await call(`${stage}/next?prioritise=true`)).ms);
      await restart();
      const n1 = await call(`${stage}/next?prioritise=true`);
      xs["next record as the first call"]!.push(n1.ms);
      globalThis.gc?.();
      xs["heap after (MB)"]!.push(process.memoryUsage().heapUsed / 1048576);
      if (k === 0) console.log(`  (status: ${s1.body.records.toLocaleString("en")} records, ${s1.body.counts.unscreened.toLocaleString("en")} unscreened; next record ${n1.body.record?.id ?? "none"}, remaining ${n1.body.remaining})`);
    }
    for (const [what, v] of Object.entries(xs)) console.log(`  ${what}: median ${median(v).toFixed(0)} (${v.map((x) => x.toFixed(0)).join(" / ")}; n = ${v.length})`);
    // Then screening on that server: the next record asked again while held, and after each decision (these write decisions).
    const p95 = (v: number[]) => [...v].sort((x, y) => x - y)[Math.ceil(v.length * 0.95) - 1]!;
    const steps = Number(process.env.HOMEWARD_BENCH_SCALE_STEPS ?? 0);
    if (steps > 0) {
      const held: number[] = [];
      const nexts: number[] = [];
      const posts: number[] = [];
      let r = await call(`${stage}/next?prioritise=true`);
      for (let k = 0; k < steps; k++) {
        held.push((await call(`${stage}/next?prioritise=true`)).ms);
        const id = r.body.record?.id as string | undefined;
        if (!id) break;
        const t0 = performance.now();
        const d = await fetch(`${base}${stage}/decisions`, { method: "POST", headers, body: JSON.stringify({ recordId: id, decision: "exclude" }) });
        const answer = await d.text();
        if (!d.ok) throw new Error(`decision: ${d.status} ${answer.slice(0, 300)}`);
        posts.push(performance.now() - t0);
        r = await call(`${stage}/next?prioritise=true`);
        nexts.push(r.ms);
      }
      const show = (v: number[]) => `median ${median(v).toFixed(0)} ms, p95 ${p95(v).toFixed(0)} ms (n = ${v.length})`;
      console.log(`  next record asked again while held: ${show(held)}`);
      console.log(`  next record after a decision: ${show(nexts)}`);
      console.log(`  decision: ${show(posts)} (load average ${load()})`);
    }
    console.log(`  load average at the end: ${load()}`);
    await app.close();
    await store.close();
    process.exit(0);
  }
  const get = async (path: string): Promise<{ ms: number; body: any }> => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers });
    const text = await res.text();
    const ms = performance.now() - t0;
    const body = res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    if (!res.ok)
      throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
    return { ms, body };
  };
  const med = async (path: string, runs = 5) => {
    const first = await get(path);
    const xs: number[] = [];
    for (let i = 0; i < runs; i++)
      xs.push((await get(path)).ms);
    const total = typeof first.body === "object" && first.body && "total" in first.body ? first.body.uncounted ? ", uncounted" : `, total ${Number(first.body.total).toLocaleString("en")}${first.body.totalCapped ? "+" : ""}` : "";
    return `${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(" / ")}${total}; load ${load()})`;
  };
  const only = process.env.HOMEWARD_BENCH_SCALE_ONLY; // "records" or "pages": one part only
  const mid = Math.floor(N / 2);
  const deep = Math.max(0, N - 100);
  // Single timings, and medians of pages at different offsets (no page asked for twice).
  const once = async (path: string) => `${(await get(path)).ms.toFixed(0)} ms (one run; load ${load()})`;
  const medOf = async (paths: string[]) => {
    const xs: number[] = [];
    for (const path of paths) xs.push((await get(path)).ms);
    return `${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(" / ")}; load ${load()})`;
  };
  const jumps = (sort: string, from: number) => Array.from({ length: 5 }, (_, k) => `/records?limit=100&sort=${sort}&offset=${Math.min(N - 100, from + (k + 1) * 12_345)}`);
  if (only !== "pages") {
    // A jump (the scroll bar dragged) before the order's first page was shown takes the marks it needs (as
    // the first after a start or a write of records does); once its first page was shown a second before,
    // its marks have been taken meanwhile.
    console.log(`  records table, sorted by journal, a first jump, to offset ${mid.toLocaleString("en")}: ${await once(`/records?limit=100&sort=journal&offset=${mid}`)}`);
    console.log(`  records table, sorted by authors (descending), a first page: ${await once("/records?limit=100&sort=authors&dir=desc")}`);
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`  records table, sorted by authors (descending), then five jumps near the middle: ${await medOf(jumps("authors&dir=desc", mid - 40_000))}`);
    console.log(`  records table, first page (100): ${await med("/records?limit=100")}`);
    console.log(`  records table, sorted by title (descending): ${await med("/records?limit=100&sort=title&dir=desc")}`);
    console.log(`  records table, sorted by year (descending): ${await med("/records?limit=100&sort=year&dir=desc")}`);
    console.log(`  records table, page at offset ${mid.toLocaleString("en")}: ${await med(`/records?limit=100&offset=${mid}`)}`);
    console.log(`  records table, sorted by authors, offset ${mid.toLocaleString("en")}: ${await med(`/records?limit=100&sort=authors&offset=${mid}`)}`);
    // As the records page asks once it holds the page before: the records after that page's last one.
    const before = (await get(`/records?limit=100&sort=authors&offset=${mid - 100}`)).body.items as { id: string }[];
    console.log(`  records table, sorted by authors, offset ${mid.toLocaleString("en")} after the page before's last record: ${await med(`/records?limit=100&sort=authors&offset=${mid}&after=${encodeURIComponent(before[before.length - 1]!.id)}`)}`);
    const beforeAdded = (await get(`/records?limit=100&offset=${mid - 100}`)).body.items as { id: string }[];
    console.log(`  records table, offset ${mid.toLocaleString("en")} after the page before's last record: ${await med(`/records?limit=100&offset=${mid}&after=${encodeURIComponent(beforeAdded[beforeAdded.length - 1]!.id)}`)}`);
    console.log(`  records table, sorted by title, last page (offset ${deep.toLocaleString("en")}): ${await med(`/records?limit=100&sort=title&offset=${deep}`)}`);
    console.log(`  records table, sorted by year, five jumps near the middle: ${await medOf(jumps("year", mid - 40_000))}`);
    const beforeYear = (await get(`/records?limit=100&sort=year&offset=${mid - 100}`)).body.items as { id: string }[];
    console.log(`  records table, sorted by year, offset ${mid.toLocaleString("en")} after the page before's last record: ${await med(`/records?limit=100&sort=year&offset=${mid}&after=${encodeURIComponent(beforeYear[beforeYear.length - 1]!.id)}`)}`);
    // A search's first time pays for looking up its terms' words on SQLite (remembered until the index changes).
    // A search's page comes without its count, which the records page asks for next (records-count).
    console.log(`  records table, search "children trial", the first time: ${await once("/records?limit=100&q=children%20trial")}; its count: ${await once("/records-count?q=children%20trial")}`);
    console.log(`  records table, search "children trial": ${await med("/records?limit=100&q=children%20trial")}; its count: ${await med("/records-count?q=children%20trial")}`);
    console.log(`  records table, search "reunification", sorted by year: ${await med("/records?limit=100&q=reunification&sort=year&dir=desc")}; its count: ${await med("/records-count?q=reunification")}`);
    const word = (await get("/records?limit=1&offset=7")).body.items[0].title.split(" ")[1];
    console.log(`  records table, search a title word ("${word}"): ${await med(`/records?limit=100&q=${encodeURIComponent(word)}`)}; its count: ${await med(`/records-count?q=${encodeURIComponent(word)}`)}`);
    console.log(`  records table, search a DOI prefix ("10.5"): ${await med("/records?limit=100&q=10.5")}; its count: ${await med("/records-count?q=10.5")}`);
  }
  if (only === "records") {
    await app.close();
  } else {
    // Every project page's calls, as the web app makes them on opening the page.
    const pages: [string, string[]][] = [
      ["dashboard", ["", "/searches", "/jobs?limit=20"]],
      ["records", ["/records?offset=0&limit=100"]],
      ["duplicates", ["/duplicates", "/duplicate-groups?offset=0&limit=20", "/duplicate-pairs?status=pending&offset=0&limit=20"]],
      ["screening status (title/abstract)", ["/screening/title_abstract/status"]],
      ["studies", ["/studies", "/studies/includes?offset=0&limit=50"]],
      ["PRISMA", ["/review/prisma", "/review/figures/prisma?format=svg"]],
      ["summary", ["/review/summary"]],
      ["audit log", ["/audit?offset=0&limit=50"]],
    ];
    const firstStatus = await get("/screening/title_abstract/status");
    console.log(`  screening status, first call (reads the project's screening state): ${firstStatus.ms.toFixed(0)} ms`);
    // HOMEWARD_BENCH_SCALE_SCREEN=ranking: only the screening state, the retrain job and the stored ranking.
    const rankingOnly = process.env.HOMEWARD_BENCH_SCALE_SCREEN === "ranking";
    if (!rankingOnly) for (const [page, paths] of pages)
      for (const path of paths)
        console.log(`  page ${page}: GET ${path || "/"}: ${await med(path)}`);
    const stage = "/screening/title_abstract";
    if (process.env.HOMEWARD_BENCH_SCALE_SCREEN === "0") {
      await app.close();
      await store.close();
      console.log(`  load average at the end: ${load()}`);
      process.exit(0);
    }
    let r = await get(`${stage}/next`);
    console.log(`  next record, first call: ${r.ms.toFixed(0)} ms`);
    const nexts: number[] = [];
    const posts: number[] = [];
    for (let k = 0; k < (rankingOnly ? 0 : 60); k++) {
      const id = r.body.record?.id as string | undefined;
      if (!id)
        break;
      const t0 = performance.now();
      const d = await fetch(`${base}${stage}/decisions`, { method: "POST", headers, body: JSON.stringify({ recordId: id, decision: k % 5 === 0 ? "include" : "exclude" }) });
      await d.text();
      posts.push(performance.now() - t0);
      r = await get(`${stage}/next`);
      nexts.push(r.ms);
    }
    const st = await get(`${stage}/status`);
    if (!rankingOnly) {
      console.log(`  next record while screening (ranking ${st.body.prioritisation?.ranked ? "trained" : "not yet trained"}): median ${median(nexts).toFixed(0)} ms, max ${Math.max(...nexts).toFixed(0)} ms (n = ${nexts.length})`);
      console.log(`  decision: median ${median(posts).toFixed(0)} ms (n = ${posts.length})`);
      console.log(`  after screening: PRISMA flow ${await med("/review/prisma")}; project ${await med("")}; summary ${await med("/review/summary")}`);
    }

    // Ranking retrains are jobs of the store's queue: wait for the last one asked for, then report it.
    const jobs = openJobQueue(store);
    const retrains = async () => (await jobs.list(p.id, { kind: "screening-ranking", limit: 50 })).items;
    for (;;) {
      const open = (await retrains()).filter((j) => j.state === "queued" || j.state === "running");
      if (open.length === 0) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    const done = (await retrains()).filter((j) => j.state === "done" && (j.result as any)?.version);
    for (const j of done.slice(0, 3).reverse()) {
      const x = j.result as any;
      console.log(`  retrain job (${x.model}, ${x.labelled} labelled, ${x.unscreened.toLocaleString("en")} ranked): ${secs(Date.parse(j.finishedAt!) - Date.parse(j.startedAt!))} (reading texts ${secs(x.readMs)}, training and ranking ${secs(x.trainMs)}, writing the ranking ${x.writeMs} ms)`);
    }
    const ranked: number[] = [];
    r = await get(`${stage}/next?prioritise=true`);
    for (let k = 0; k < 30; k++) {
      const id = r.body.record?.id as string | undefined;
      if (!id) break;
      await (await fetch(`${base}${stage}/decisions`, { method: "POST", headers, body: JSON.stringify({ recordId: id, decision: "exclude" }) })).text();
      r = await get(`${stage}/next?prioritise=true`);
      ranked.push(r.ms);
    }
    console.log(`  next record with the stored ranking (prioritised: ${r.body.prioritised}): median ${median(ranked).toFixed(0)} ms, max ${Math.max(...ranked).toFixed(0)} ms (n = ${ranked.length})`);
    console.log(`  status with the stored ranking: ${await med(`${stage}/status`)}`);

    // A restarted server: its first status and next record, with a stored ranking.
    await app.close();
    app = await start();
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/projects/${p.id}`;
    const s1 = await get(`${stage}/status`);
    console.log(`  after a restart: status, first call ${s1.ms.toFixed(0)} ms (ranking version ${s1.body.prioritisation.rankings})`);
    const n1 = await get(`${stage}/next?prioritise=true`);
    console.log(`  after a restart: next record, first call ${n1.ms.toFixed(0)} ms (prioritised: ${n1.body.prioritised})`);
    await jobs.stop();
    await app.close();
  }
} finally {
  await store.close();
}
console.log(`  load average at the end: ${load()}`);
//# sourceMappingURL=scale.js.map